"""Django form fields that parse with the one parser of their kind (core.validators): a page's form never
calls ``int()``, ``Decimal()`` or ``date.fromisoformat()`` on what a user typed."""

from __future__ import annotations

import datetime as dt

from django import forms

from shebao.core.errors import ValidationFailed
from shebao.core.validators import (
    EVENT_DATE,
    DateWindow,
    parse_amount,
    parse_date,
    parse_integer,
    parse_period,
)


class _Parsed(forms.CharField):
    """A text input whose cleaned value comes from ``parse(text)``; its ValidationFailed becomes the form's
    error on this field."""

    def parse(self, text: str):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return self.parse(value)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


class PeriodField(_Parsed):
    def parse(self, text):
        return parse_period(text, label=str(self.label).split("(")[0])


class MoneyField(_Parsed):
    def parse(self, text):
        return parse_amount(text, label=str(self.label).split("(")[0])


class IntegerField(_Parsed):
    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def parse(self, text):
        return parse_integer(
            text, label=str(self.label).split("(")[0], min_value=self.min_value, max_value=self.max_value
        )


class DateField(_Parsed):
    """A date inside its plausible window (default: 1990 to today + 31 days)."""

    widget = forms.DateInput

    def __init__(self, *, window: DateWindow = EVENT_DATE, today=None, **kwargs):
        self.window, self.today = window, today
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.isoformat() if isinstance(value, dt.date) else value

    def parse(self, text):
        return parse_date(text, label=str(self.label).split("(")[0], window=self.window, today=self.today)
