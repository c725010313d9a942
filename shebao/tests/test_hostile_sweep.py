"""The hostile-input sweep (issue 14): every URL pattern of the URLconf, as every persona, with the hostile corpus
(``shebao.testing.HOSTILE_VALUES`` / ``HOSTILE_FILES``) in every path segment, every query parameter the page
links to or asks for, every field of every form the page shows, and every file input.

Nothing here lists pages: routes come from the URLconf, item codes from the portal's registry, forms and their
fields from the HTML each page serves. A page added anywhere joins the sweep by itself.

About 20,000 requests: marked ``sweep`` and run by ``.ci/run`` on its own (``pytest -m sweep``, on SQLite and
on PostgreSQL), like the browser tests. What must hold, on both:
- no answer is a server error (the test client re-raises a view's exception; it is caught and reported);
- a refused request (status 400 or more) changes no row of any table (audit trails excepted: account events,
  identity look-ups, API calls).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shebao.testing import HOSTILE_FILES, HOSTILE_PER_FIELD, HOSTILE_VALUES

pytestmark = [pytest.mark.django_db]

# Tables that record an attempt itself (a refused login, a refused look-up, every REST API call): they are meant
# to change.
AUDIT_TABLES = {"django_session", "accounts_accountevent", "accounts_identitylookup", "accounts_apicall"}
# Forms that end the persona's session; swept on their own page, not followed from every page.
SESSION_ENDING_ACTIONS = ("/accounts/logout/",)
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


# --- routes from the URLconf ---------------------------------------------------------------------------


def _routes(patterns=None, prefix: str = ""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _is_regex(route: str) -> bool:
    return route.startswith("^") or route.endswith("$") or "(?P<" in route


def _item_codes() -> list[str]:
    from shebao.portal.registry import ITEM_VIEWS

    return sorted(ITEM_VIEWS)


PATH_HOSTILE = [k for k, v in HOSTILE_VALUES.items() if v.strip() and "/" not in v]


def _cases():
    """(test id, route, {param: kind}) — one case per route, and per item code for the portal's item route."""
    for route in dict.fromkeys(_routes()):
        if _is_regex(route):
            continue  # the admin's app index (a regex of app labels); its pages are reached by links
        params = {m["name"]: (m["converter"] or "str") for m in _PARAM.finditer(route)}
        if params == {"code": "str"}:
            for code in _item_codes():
                yield f"{route}[{code}]", route, {"code": ("fixed", code)}
            yield f"{route}[hostile]", route, {"code": ("hostile", None)}
        else:
            yield route, route, {name: (converter, None) for name, converter in params.items()}


CASES = list(_cases())


# --- the data and the personas ---------------------------------------------------------------------------


@dataclass
class World:
    personas: object
    clients: dict[str, Client]
    int_values: list[str]
    str_values: list[str]
    problems: list[str] = field(default_factory=list)
    requests: int = 0


@pytest.fixture
def world(personas, settings):
    from shebao.contributions.services import settlement_run

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"  # sessions write no rows
    settings.SHEBAO_LOGIN_IP_DELAY_SECONDS = 0
    run = settlement_run(period=202403, source="console")
    declaration = _a_declaration(personas)
    clients = {"anonymous": Client()}
    for user in personas.users():
        client = Client()
        client.force_login(user)
        clients[user.username] = client
    return World(
        personas=personas,
        clients=clients,
        int_values=sorted({str(u.pk) for u in personas.users()} | {str(run.pk), "9" * 20}),
        str_values=[declaration.number, personas.employer_a.number],
    )


def _a_declaration(personas):
    """One submitted declaration (review pages, progress, receipts have something to show)."""
    from shebao.declarations import services

    return services.declaration_save_draft(
        employer=personas.employer_a,
        item_code="H05",
        raw={},
        actor=personas.operator_a,
        declaration=None,
        idempotency_key=None,
    )


# --- what the database holds -----------------------------------------------------------------------------


def _tables() -> list[str]:
    return sorted(set(connection.introspection.django_table_names(only_existing=True)) - AUDIT_TABLES)


def fingerprint(tables: list[str] | None = None) -> dict[str, str]:
    """table → digest of all its rows (audit tables excepted)."""
    digests = {}
    with connection.cursor() as cursor:
        for table in tables if tables is not None else _tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            digest = hashlib.blake2b(digest_size=16)
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
            digests[table] = digest.hexdigest()
    return digests


def written_tables() -> dict[str, int] | None:
    """PostgreSQL: rows inserted, updated or deleted so far in this transaction, per table (one query), so
    that only the tables a request wrote are digested again. None elsewhere (then every table is)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return dict(cursor.fetchall())


# --- forms and links from the HTML -----------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    fields: list[tuple[str, str]]  # (name, default value) in page order; checkboxes only when checked
    choices: dict[str, str]  # name → first offered value of a select / radio / checkbox group
    files: list[str]
    buttons: list[tuple[str, str]]  # named submit buttons: each a way to submit the form

    def signature(self) -> tuple:
        return (self.method, urlsplit(self.action).path, tuple(sorted({n for n, _v in self.fields})))


class _PageParser(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.links: set[str] = set()
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.add(urljoin(self.url, a["href"]))
        elif tag == "form":
            self._form = Form(
                method=(a.get("method") or "get").lower(),
                action=urljoin(self.url, a.get("action") or self.url),
                multipart="multipart" in a.get("enctype", ""),
                fields=[],
                choices={},
                files=[],
                buttons=[],
            )
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            name, value = a["name"], a.get("value", "")
            if kind == "file":
                self._form.files.append(name)
            elif kind in ("submit", "image", "button"):
                self._form.buttons.append((name, value))
            elif kind in ("checkbox", "radio"):
                self._form.choices.setdefault(name, value or "on")
                if "checked" in a:
                    self._form.fields.append((name, value or "on"))
            else:
                self._form.fields.append((name, value))
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_value is None or "selected" in a:
                self._select_value = value
                self._form.choices.setdefault(self._select, value)
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self._form is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def parse_page(url: str, response) -> _PageParser:
    parser = _PageParser("http://testserver" + url)
    if response.get("Content-Type", "").startswith("text/html"):
        parser.feed(response.content.decode("utf-8", "replace"))
    return parser


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- sending and checking --------------------------------------------------------------------------------


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class Sweep:
    """Sends requests and checks each answer. Tables are fingerprinted only around a request that ran a
    writing statement (every change of a row needs one), which keeps the sweep fast."""

    def __init__(self, world: World):
        self.world = world
        self.before = fingerprint()
        self.counts = written_tables()
        self.wrote = False

    def _after(self) -> dict[str, str]:
        """The digests now: every table, or (PostgreSQL) only those whose write counters moved."""
        counts = written_tables()
        if counts is None or self.counts is None:
            return fingerprint()
        moved = [t for t in self.before if counts.get(t, 0) != self.counts.get(t, 0)]
        self.counts = counts
        return {**self.before, **fingerprint(moved)}

    def watch(self, execute, sql, params, many, context):
        if _WRITE.match(sql):
            self.wrote = True
        return execute(sql, params, many, context)

    def send(self, persona: str, method: str, url: str, data=None, *, what: str = ""):
        client = self.world.clients[persona]
        self.world.requests += 1
        label = f"{persona} {method.upper()} {url[:120]!r} {what}".strip()
        self.wrote = False
        try:
            with connection.execute_wrapper(self.watch):
                if method == "get":
                    response = client.get(url, data or {})
                else:
                    response = client.post(url, data or {})
        except Exception as exc:  # a view raised: that is a 500 for a real user
            self.world.problems.append(f"500 {label}: {exc.__class__.__name__}: {str(exc)[:200]}")
            try:
                self.before = fingerprint()
                self.counts = written_tables()
            except Exception:  # the test's transaction is broken (PostgreSQL): report what was found
                pytest.fail("\n".join(self.world.problems))
            return None
        if response.status_code >= 500:
            self.world.problems.append(f"{response.status_code} {label}")
        if self.wrote:
            after = self._after()
            if response.status_code >= 400:
                changed = sorted(t for t in after if after[t] != self.before.get(t))
                if changed:
                    self.world.problems.append(
                        f"refused ({response.status_code}) but changed {changed}: {label}"
                    )
            self.before = after
        return response


def _url(route: str, values: dict[str, str]) -> str:
    return "/" + _PARAM.sub(lambda m: quote(values[m["name"]], safe=""), route)


def _expansions(world: World, route: str, params: dict) -> list[tuple[str, bool]]:
    """(url, uses hostile values) for the route: real values first, then the hostile ones per parameter."""
    if not params:
        return [(_url(route, {}), False)]
    real: dict[str, list[str]] = {}
    for name, (kind, fixed) in params.items():
        if kind == "fixed":
            real[name] = [fixed]
        elif kind == "int":
            real[name] = world.int_values
        elif kind == "hostile":
            real[name] = []
        else:
            real[name] = world.str_values
    urls: list[tuple[str, bool]] = []
    if all(real.values()):
        first = {name: values[0] for name, values in real.items()}
        for name, values in real.items():
            for value in values:
                urls.append((_url(route, {**first, name: value}), False))
    for name, (kind, _fixed) in params.items():
        if kind in ("int", "fixed"):
            continue
        base = {n: (v[0] if v else "x") for n, v in real.items()}
        for key in PATH_HOSTILE:
            urls.append((_url(route, {**base, name: HOSTILE_VALUES[key]}), True))
    return list(dict.fromkeys(urls))


def _variants(form: Form) -> list[list[tuple[str, str]]]:
    """The ways to submit a form: once per named submit button (or once without one)."""
    return [[button] for button in dict.fromkeys(form.buttons)] or [[]]


def _filled(form: Form, button, *, only: str | None = None, value: str = "") -> list[tuple[str, str]]:
    """The form as the page filled it (first choice for empty selects/radios), with ``value`` in every field
    (``only`` None) or in one field; csrf token kept."""
    data = []
    names = {n for n, _v in form.fields}
    for name, default in form.fields + [(n, v) for n, v in form.choices.items() if n not in names]:
        if name == "csrfmiddlewaretoken":
            data.append((name, default))
        elif only is None or name == only:
            data.append((name, value))
        else:
            data.append((name, default))
    return data + button


def _as_post(pairs):
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


_LATER_ROW = re.compile(r"-(?!0-)\d+-")


def sweep_form(sweep: Sweep, persona: str, form: Form) -> None:
    target = _local(form.action)
    if target is None or any(target.startswith(p) for p in SESSION_ENDING_ACTIONS):
        return
    names = list(dict.fromkeys([n for n, _v in form.fields] + list(form.choices)))
    names = [n for n in names if n != "csrfmiddlewaretoken"]
    for button in _variants(form):
        for key, value in HOSTILE_VALUES.items():
            data = _as_post(_filled(form, button, value=value))
            _submit(sweep, persona, form, target, data, what=f"all fields={key} {button}")
        for name in names:
            if _LATER_ROW.search(name):
                continue  # rows of a table field after the first have the same columns
            for key in HOSTILE_PER_FIELD:
                data = _as_post(_filled(form, button, only=name, value=HOSTILE_VALUES[key]))
                _submit(sweep, persona, form, target, data, what=f"{name}={key} {button}")
        for file_field in form.files:
            for key, (filename, content) in HOSTILE_FILES.items():
                from django.core.files.uploadedfile import SimpleUploadedFile

                data = _as_post(_filled(form, button, only="", value=""))
                data[file_field] = SimpleUploadedFile(filename, content, content_type="text/csv")
                _submit(sweep, persona, form, target, data, what=f"{file_field}<{key}> {button}")


def _submit(sweep: Sweep, persona: str, form: Form, target: str, data: dict, *, what: str) -> None:
    if form.method == "get":
        path, _sep, query = target.partition("?")
        merged = dict(parse_qsl(query))
        merged.update({k: v[-1] if isinstance(v, list) else v for k, v in data.items()})
        sweep.send(persona, "get", path, merged, what=what)
    else:
        sweep.send(persona, "post", target, data, what=what)


def sweep_links(sweep: Sweep, persona: str, url: str, links: set[str]) -> None:
    """Every query parameter this page links to (paging, filters, ?operator=…), with each hostile value."""
    path = urlsplit(url).path
    params = set()
    for link in links:
        local = _local(link)
        if local and urlsplit(local).path == path:
            params |= {name for name, _v in parse_qsl(urlsplit(local).query, keep_blank_values=True)}
    for name in sorted(params):
        for key, value in HOSTILE_VALUES.items():
            sweep.send(persona, "get", path, {name: value}, what=f"?{name}={key}")


@pytest.mark.sweep
@pytest.mark.parametrize(("route", "params"), [(r, p) for _id, r, p in CASES], ids=[i for i, _r, _p in CASES])
def test_no_hostile_value_reaches_a_500_or_changes_a_row_when_refused(world, route, params):
    sweep = Sweep(world)
    swept_forms: set[tuple] = set()
    for url, hostile in _expansions(world, route, params):
        for persona in world.clients:
            response = sweep.send(persona, "get", url)
            if hostile or response is None or response.status_code != 200:
                continue
            page = parse_page(url, response)
            sweep_links(sweep, persona, url, page.links)
            for form in page.forms:
                if _local(form.action) and urlsplit(form.action).path != urlsplit(url).path:
                    continue  # a form of another page (the header's logout): swept on its own page
                if form.signature() in swept_forms:
                    continue
                swept_forms.add(form.signature())
                sweep_form(sweep, persona, form)
    assert not world.problems, f"{len(world.problems)} of {world.requests} requests:\n" + "\n".join(
        world.problems[:40]
    )


def test_the_sweep_reaches_every_kind_of_page():
    """The cases come from the URLconf and the registry: the portal's items, the office's pages, the public
    verification pages and the admin are all in (a guard against the derivation silently finding nothing)."""
    ids = [i for i, _r, _p in CASES]
    assert any("portal/items/<str:code>/[H01]" == i for i in ids)
    assert any(i.startswith("office/benefits/") for i in ids)
    assert any(i.startswith("verify/certificate/") for i in ids)
    assert any(i.startswith("office/admin/") for i in ids)
    assert len(ids) >= len(_item_codes()) + 20
