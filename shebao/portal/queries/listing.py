"""The list machinery every query page shares: search by ID number or name, sorting by whitelisted
columns, 50 rows a page, totals, drill-down links, xlsx/csv export and a print view.

A view builds a `Listing` from a QuerySet (or a small in-memory list) and its columns; the listing reads
`q`, `sort`, `page`, `export` and `print` from the query string and keeps every other parameter (the
query's own inputs) in the links it makes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shebao.core.idnumbers import normalize_identifier
from shebao.core.money import format_money

from . import export as exporting
from .page import capture_of, captured

PER_PAGE = 50
PRINT_CAP = 5000  # a print view longer than this asks the user to export instead
EXPORT_CHUNK = 2000
_ID_TERM = re.compile(r"^[0-9X]{4,18}$")
LIST_PARAMS = ("q", "sort", "page", "export", "print")


@dataclass(frozen=True)
class Column:
    """One column of a list.

    key      attribute (dotted), dict key, or a callable(row) giving the value
    kind     text | money | int | period | date | rate — decides display and export format
    sort     the ORM field (or the row key for in-memory lists) it sorts on; None = not sortable
    link     callable(row) → URL for a drill-down, or None
    display  callable(value) → text, for code tables (choices labels)
    """

    key: str
    label: str
    kind: str = "text"
    sort: str | None = None
    link: Callable | None = None
    display: Callable | None = None
    name: str | None = None  # the name used in ?sort=; defaults to key

    @property
    def param(self) -> str:
        return self.name or self.key


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str = "text"
    url: str | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "int", "rate")


def value_of(row, key):
    if callable(key):
        return key(row)
    value = row
    for part in key.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part)
    return value() if callable(value) and not isinstance(value, type) else value


def display_text(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return format_money(Decimal(value))
    if kind == "rate":
        return exporting.csv_value(value, "rate")
    if kind == "period":
        return f"{int(value):06d}"
    if kind == "date":
        return exporting.local_text(value)
    return str(value)


def search_filter(term: str, id_field: str, name_field: str) -> Q:
    """An ID number (or its first digits) or a name (or its beginning: 王 finds 王小明). Both are prefix
    matches so that the indexes on ID number and name serve them."""
    normal = normalize_identifier(term)
    if _ID_TERM.match(normal):
        if len(normal) == 18:
            return Q(**{id_field: normal})
        return Q(**{f"{id_field}__startswith": normal})
    return Q(**{f"{name_field}__startswith": "".join(term.split())})


class Listing:
    def __init__(
        self,
        request,
        *,
        columns: Sequence[Column],
        rows: QuerySet | Sequence | Callable[[str], QuerySet | Sequence],
        title: str,
        search: tuple[str, str] | None = ("person__id_number", "person__name"),
        default_sort: str | None = None,
        tiebreak: str | tuple[str, ...] | None = "pk",
        totals: dict | None = None,
        totals_label: str | None = None,
        enrich: Callable[[list], list] | None = None,
        empty_message: str | None = None,
        per_page: int = PER_PAGE,
        export_name: str | None = None,
    ):
        self.request = request
        self.columns = list(columns)
        self.title = title
        self.search_fields = search
        self.default_sort = default_sort
        self.tiebreak = tiebreak
        self.totals = totals
        self.totals_label = totals_label or _("合计")
        self.enrich = enrich
        self.empty_message = empty_message or _("没有符合条件的记录。")
        self.per_page = per_page
        self.export_name = export_name
        self.term = (request.GET.get("q") or "").strip()[:40]
        self.searchable = search is not None or callable(rows) and not isinstance(rows, QuerySet)
        self._source = rows
        self.print_truncated = False
        self.sort_key, self.descending = self._parse_sort()

    # --- parameters -------------------------------------------------------------------------------------

    def _parse_sort(self) -> tuple[str | None, bool]:
        raw = (self.request.GET.get("sort") or self.default_sort or "").strip()
        descending = raw.startswith("-")
        key = raw.lstrip("-")
        if not any(c.param == key and c.sort for c in self.columns):
            raw = self.default_sort or ""
            descending = raw.startswith("-")
            key = raw.lstrip("-") or None
        return key, descending

    def url(self, **changes) -> str:
        params = self.request.GET.copy()
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + params.urlencode() if params else "?"

    @property
    def hidden_inputs(self) -> list[tuple[str, str]]:
        """The page's own inputs, kept when the search box is submitted."""
        return [(k, v) for k, v in self.request.GET.items() if k not in LIST_PARAMS]

    # --- rows -------------------------------------------------------------------------------------------

    @cached_property
    def rows_source(self):
        source = self._source
        if callable(source) and not isinstance(source, QuerySet):
            return source(self.term)
        if self.term and self.search_fields:
            if isinstance(source, QuerySet):
                return source.filter(search_filter(self.term, *self.search_fields))
            return [row for row in source if self._matches(row)]
        return source

    def _matches(self, row) -> bool:
        id_field, name_field = (f.split("__")[-1] for f in self.search_fields)
        normal = normalize_identifier(self.term)
        if _ID_TERM.match(normal):
            return str(value_of(row, id_field) or "").startswith(normal)
        return str(value_of(row, name_field) or "").startswith("".join(self.term.split()))

    @cached_property
    def ordered(self):
        rows = self.rows_source
        column = next((c for c in self.columns if c.param == self.sort_key and c.sort), None)
        if isinstance(rows, QuerySet):
            if column is not None:
                field = ("-" if self.descending else "") + column.sort
                order = [field]
                if self.tiebreak:
                    last = self.tiebreak[-1] if isinstance(self.tiebreak, tuple) else self.tiebreak
                    order.append(("-" if self.descending else "") + last)
                rows = rows.order_by(*order)
            elif isinstance(self.tiebreak, tuple):
                # Leading fields an index of the page's filter can give in order, then the key (see below).
                rows = rows.order_by(*self.tiebreak[:-1], (F(self.tiebreak[-1]) + 0).asc())
            elif self.tiebreak:
                # No sort asked for: the rows' own key. "+ 0" keeps PostgreSQL from walking the primary-key
                # index to satisfy ORDER BY id LIMIT 50 (it would read every row of every employer before
                # this one's); it filters by the page's own index and sorts those rows instead.
                rows = rows.order_by((F(self.tiebreak) + 0).asc())
            return rows
        rows = list(rows)
        if column is not None:
            present = [r for r in rows if value_of(r, column.sort) is not None]
            missing = [r for r in rows if value_of(r, column.sort) is None]
            present.sort(key=lambda r: value_of(r, column.sort), reverse=self.descending)
            rows = present + missing
        return rows

    @cached_property
    def print_mode(self) -> bool:
        return self.request.GET.get("print") == "1"

    @cached_property
    def page(self):
        rows = self.ordered
        if (
            isinstance(rows, QuerySet)
            and rows.query.select_related
            and not rows.query.values_select
            and not rows.query.combinator
        ):
            return self._keys_first_page(rows)
        paginator = Paginator(rows, self.per_page)
        return paginator.get_page(self.request.GET.get("page"))

    def _keys_first_page(self, rows: QuerySet):
        """Paginate the keys, then load the page's rows with their related records.

        Joined to persons for every row, PostgreSQL hashes the whole persons table (1,000,000 rows) to sort a
        large employer's list and keep 50 of them; sorting the list's own rows (joining only what the ORDER
        BY or the search needs) and then reading the 50 rows of the page with their person is far cheaper."""
        paginator = Paginator(rows.select_related(None).values_list("pk", flat=True), self.per_page)
        page = paginator.get_page(self.request.GET.get("page"))
        keys = list(page.object_list)
        loaded = {row.pk: row for row in rows.filter(pk__in=keys).order_by()}
        page.object_list = [loaded[key] for key in keys if key in loaded]
        return page

    @cached_property
    def print_rows(self) -> list:
        rows = list(self.ordered[: PRINT_CAP + 1])
        self.print_truncated = len(rows) > PRINT_CAP
        return self._enriched(rows[:PRINT_CAP])

    def _enriched(self, rows: list) -> list:
        return self.enrich(rows) if self.enrich and rows else rows

    @cached_property
    def shown_rows(self) -> list:
        return self.print_rows if self.print_mode else self._enriched(list(self.page.object_list))

    @property
    def count(self) -> int:
        return len(self.print_rows) if self.print_mode else self.page.paginator.count

    @property
    def empty(self) -> bool:
        return not self.shown_rows

    # --- what the template shows ------------------------------------------------------------------------

    @cached_property
    def headers(self) -> list[dict]:
        result = []
        for column in self.columns:
            active = None
            url = None
            if column.sort:
                if self.sort_key == column.param:
                    active = "desc" if self.descending else "asc"
                    url = self.url(sort=column.param if self.descending else "-" + column.param, page=None)
                else:
                    url = self.url(sort=column.param, page=None)
            result.append(
                {
                    "label": column.label,
                    "kind": column.kind,
                    "url": None if self.print_mode else url,
                    "active": active,
                }
            )
        return result

    def cells(self, row) -> list[Cell]:
        cells = []
        for column in self.columns:
            value = value_of(row, column.key)
            text = column.display(value) if column.display else display_text(value, column.kind)
            url = column.link(row) if column.link and not self.print_mode else None
            cells.append(Cell(text=text, kind=column.kind, url=url))
        return cells

    @cached_property
    def table(self) -> list[list[Cell]]:
        return [self.cells(row) for row in self.shown_rows]

    @cached_property
    def footer(self) -> list[Cell] | None:
        if not self.totals:
            return None
        cells = []
        for index, column in enumerate(self.columns):
            if column.key in self.totals:
                value = self.totals[column.key]
                url = None
                if isinstance(value, tuple):
                    value, url = value
                cells.append(
                    Cell(display_text(value, column.kind), column.kind, None if self.print_mode else url)
                )
            else:
                cells.append(Cell(self.totals_label if index == 0 else ""))
        return cells

    @cached_property
    def page_links(self) -> dict:
        page = self.page
        numbers = []
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
            if number == page.paginator.ELLIPSIS:
                numbers.append({"label": "…", "url": None, "current": False})
            else:
                numbers.append(
                    {"label": number, "url": self.url(page=number), "current": number == page.number}
                )
        return {
            "previous": self.url(page=page.previous_page_number()) if page.has_previous() else None,
            "next": self.url(page=page.next_page_number()) if page.has_next() else None,
            "numbers": numbers if page.paginator.num_pages > 1 else [],
        }

    @property
    def export_urls(self) -> dict:
        return {fmt: self.url(export=fmt, page=None) for fmt in ("xlsx", "csv")}

    @property
    def url_without_search(self) -> str:
        return self.url(q=None, page=None)

    @property
    def print_cap(self) -> int:
        return PRINT_CAP

    @property
    def print_url(self) -> str:
        return self.url(print="1", page=None)

    # --- export -----------------------------------------------------------------------------------------

    def export_rows(self):
        """Every row of the (searched, sorted) list as raw values, then the totals row."""
        rows = self.ordered
        if isinstance(rows, QuerySet):
            chunk: list = []
            for row in rows.iterator(chunk_size=EXPORT_CHUNK):
                chunk.append(row)
                if len(chunk) >= EXPORT_CHUNK:
                    yield from self._raw(self._enriched(chunk))
                    chunk = []
            yield from self._raw(self._enriched(chunk))
        else:
            yield from self._raw(self._enriched(list(rows)))
        if self.totals:
            total = []
            for index, column in enumerate(self.columns):
                value = self.totals.get(column.key)
                if isinstance(value, tuple):
                    value = value[0]
                if column.key in self.totals:
                    total.append(self._export_value(value, column))
                else:
                    total.append(self.totals_label if index == 0 else "")
            yield total

    def _export_value(self, value, column: Column):
        if column.display:
            return column.display(value)
        return value

    def _raw(self, rows):
        for row in rows:
            yield [self._export_value(value_of(row, c.key), c) for c in self.columns]

    def _kinds(self) -> list[str]:
        return ["text" if c.display else c.kind for c in self.columns]

    def filename(self, extension: str) -> str:
        code = getattr(getattr(self.request, "item", None), "code", "")
        stamp = date_format(timezone.localtime(), "Ymd_His")
        name = self.export_name or self.title
        return f"{code}_{name}_{stamp}.{extension}".lstrip("_")

    def respond(self):
        """An export response when ?export=xlsx|csv was asked for; otherwise None (render the page).
        Captured (the REST API), the list itself is handed over instead."""
        if (taken := capture_of(self.request)) is not None:
            taken.listing = self
            return captured()
        fmt = self.request.GET.get("export")
        if fmt not in ("xlsx", "csv"):
            return None
        header = [str(c.label) for c in self.columns]
        kinds = self._kinds()
        if fmt == "csv":
            rows = (
                [exporting.csv_value(v, k) for v, k in zip(row, kinds, strict=True)]
                for row in self.export_rows()
            )
            return exporting.csv_response(self.filename("csv"), header, rows)
        return exporting.xlsx_response(
            self.filename("xlsx"), str(self.title), header, kinds, self.export_rows()
        )


def query_string(**params) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})
