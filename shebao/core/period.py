"""Period: a month written YYYYMM, stored as an integer everywhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True, order=True, slots=True)
class Period:
    value: int

    def __post_init__(self) -> None:
        year, month = divmod(self.value, 100)
        if not (1900 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError(f"invalid period {self.value}")

    @classmethod
    def of(cls, year: int, month: int) -> Period:
        return cls(year * 100 + month)

    @classmethod
    def from_date(cls, day: dt.date) -> Period:
        return cls.of(day.year, day.month)

    @classmethod
    def current(cls, now: dt.datetime | None = None) -> Period:
        now = now or timezone.now()
        return cls.from_date(timezone.localtime(now).date())

    @property
    def year(self) -> int:
        return self.value // 100

    @property
    def month(self) -> int:
        return self.value % 100

    def __add__(self, months: int) -> Period:
        index = self.year * 12 + (self.month - 1) + months
        return Period.of(index // 12, index % 12 + 1)

    def __sub__(self, other: int | Period) -> Period | int:
        if isinstance(other, Period):
            return (self.year * 12 + self.month) - (other.year * 12 + other.month)
        return self + (-other)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        return (self + 1).first_day() - dt.timedelta(days=1)

    def label(self) -> str:
        return f"{self.year}年{self.month:02d}月"

    def __str__(self) -> str:
        return f"{self.value:06d}"

    def __int__(self) -> int:
        return self.value


def period_range(start: int | Period, end: int | Period) -> list[Period]:
    """Every period from start to end inclusive."""
    first, last = Period(int(start)), Period(int(end))
    return [first + i for i in range((last - first) + 1)] if last >= first else []
