"""One family of domain errors. The API maps them to one JSON shape, pages to a message."""


class DomainError(Exception):
    """A business rule refused the request. `message` is Chinese and safe to show to the user."""

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    """One value failed validation; `field` names it where known."""


class FieldErrors(DomainError):
    """Several fields failed at once: `errors` maps field name → list of Chinese messages."""

    def __init__(self, errors: dict[str, list[str]], *, issues: list[tuple[str, str, str]] | None = None):
        self.errors = errors
        # (field path, machine code, message) for each problem where known (the API reports these)
        self.issues = issues or [(name, "invalid", msg) for name, msgs in errors.items() for msg in msgs]
        summary = "；".join(f"{msg}" for msgs in errors.values() for msg in msgs)
        super().__init__(summary, code="invalid")
