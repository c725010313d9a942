"""Who may import whom: the layers of docs/architecture.md as data, and the scan that checks the code against them.

Pure (no Django, no ORM): the test suite runs `import_violations()` over the package; the table below is the one
place the layering is written in code. A package not named here is refused everywhere, so a new app must be placed
in a layer before it can be imported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

KERNEL = frozenset({"core"})
VOCABULARY = KERNEL | {"catalogue"}
# Policy parameters: effective-dated values and "which value applies"; the record may read them.
PARAMETERS = VOCABULARY | {"parameters"}
# The core record.
RECORD = PARAMETERS | {"employers", "persons"}
# Money derived from the record, and what rests on it.
MONEY = RECORD | {"contributions", "individual_accounts", "benefits"}
DOMAIN = MONEY | {"accounts", "inbox", "certificates", "declarations", "audit", "notices"}
PAGES = frozenset({"portal", "office", "api"})

# package -> the packages (first component under `shebao.`) it may import besides itself.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset({"wsgi"}),  # core.serving hands the project's WSGI application to waitress
    "catalogue": KERNEL,
    "parameters": VOCABULARY,
    "employers": PARAMETERS,
    "persons": PARAMETERS | {"employers"},
    "individual_accounts": RECORD,
    # allocation credits paid contributions to the pension and medical accounts
    "contributions": RECORD | {"individual_accounts"},
    "benefits": RECORD | {"individual_accounts", "contributions"},
    "accounts": RECORD,  # the counter opens accounts for employers and persons
    "inbox": RECORD
    | {"accounts", "notices"},  # the message centre: what the system tells a user, and notices
    "certificates": MONEY,
    # the personal-data access log: its middleware names the staff user and roles (what was read is noted
    # through core.access_notes, so every layer can note without importing it)
    "audit": RECORD | {"accounts"},
    "notices": VOCABULARY,  # 通知公告
    "declarations": DOMAIN,
    "demo": DOMAIN,
    "portal": DOMAIN,
    "office": DOMAIN,
    "api": DOMAIN | {"portal"},  # the API answers queries with the portal's query selectors
    # project-level modules
    "testing": DOMAIN,
    "settings": KERNEL,
    "urls": DOMAIN | PAGES,
    "wsgi": frozenset(),
    "cli": KERNEL,
    "conftest": DOMAIN | {"testing"},
    # project-wide tests that walk every page (the hostile-input sweep, the CSP browser walk)
    "tests": DOMAIN | PAGES | {"testing", "conftest"},
}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} may not import shebao.{self.imported}"


def _package_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _is_test(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return "tests" in parts or path.name == "conftest.py" or "migrations" in parts


def _imported_packages(tree: ast.AST, package_parts: tuple[str, ...]):
    """(line, first package under shebao) of every import; relative imports are resolved against the file."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = package_parts[: len(package_parts) - (node.level - 1)]
            target = list(base) + (node.module.split(".") if node.module else [])
            if target:
                yield node.lineno, target[0]
            else:  # `from .. import x` at the top of the package
                for alias in node.names:
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "shebao":
                for alias in node.names:
                    yield node.lineno, alias.name
            elif node.module.startswith("shebao."):
                yield node.lineno, node.module.split(".")[1]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("shebao."):
                    yield node.lineno, alias.name.split(".")[1]


def import_violations(root: Path, allowed: dict[str, frozenset[str]] = ALLOWED) -> list[Violation]:
    """Every absolute `shebao.*` import in non-test code under `root` that its package's layer does not allow."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if _is_test(path, root):
            continue
        importer = _package_of(path, root)
        permitted = allowed.get(importer, frozenset())
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package_parts = path.relative_to(root).parts[:-1]
        for line, imported in _imported_packages(tree, package_parts):
            if imported != importer and imported not in permitted:
                found.append(Violation(str(path.relative_to(root.parent)), line, importer, imported))
    return found
