"""Reads from a PostgreSQL streaming replica (SHEBAO_REPLICA_URL), writes and fresh reads from the primary.

What reads the replica, and only that: the pages that declare themselves read-only look-ups — the portal's query
pages Q01–Q20 and their exports (`replica_reads_begin` in the portal's item view) and the office's review queue
(`@replica_reads`) — on a GET/HEAD request, outside any transaction on the primary, for a browser that has not
written anything in the last SHEBAO_REPLICA_STICKY_SECONDS. Everything else reads the primary: every other page
(a page that reads and then writes must not read a stale copy), requests that write, the requests of the same
browser for the sticky window after one of its writes (read-your-writes: a cookie carries the time until which
it reads the primary), reads inside `transaction.atomic`, background tasks and commands, and the tables that
decide who the user is (sessions, accounts, second factors, the task queue). Without SHEBAO_REPLICA_URL there is
no "replica" alias and this router answers nothing (Django's default: everything on "default").
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
STICKY_COOKIE = "shebao_primary_until"
# Apps whose rows decide who the user is or what runs next: always read where they are written.
PRIMARY_APPS = {
    "sessions",
    "accounts",
    "otp_totp",
    "otp_static",
    "django_otp",
    "django_tasks_db",
    "contenttypes",
}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_replica_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "shebao_replica_allowed", default=False
)


def replica_configured() -> bool:
    return REPLICA in connections.databases


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_allowed.get() or not replica_configured():
            return None
        if model._meta.app_label in PRIMARY_APPS or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY if replica_configured() else None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def sticky_seconds() -> int:
    return int(getattr(settings, "SHEBAO_REPLICA_STICKY_SECONDS", 15))


def replica_reads(view):
    """Mark a view as a read-only look-up whose GET requests may read the replica."""
    view.shebao_replica_reads = True
    return view


def replica_reads_begin(request) -> bool:
    """From inside a view: this request is a read-only look-up; read the replica from here on if the request
    may (a GET, no recent write by this browser, a replica configured). Returns whether it does."""
    if getattr(request, "shebao_replica_eligible", False):
        _replica_allowed.set(True)
        return True
    return False


class ReplicaRoutingMiddleware:
    """Decides per request whether a look-up may read the replica, and after a write keeps that browser on the
    primary for the sticky window (a cookie with the time until which it reads the primary)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        try:
            pinned_until = float(request.COOKIES.get(STICKY_COOKIE, "0"))
        except ValueError:
            pinned_until = 0.0
        request.shebao_replica_eligible = request.method in SAFE_METHODS and pinned_until <= time.time()
        token = _replica_allowed.set(False)
        try:
            response = self.get_response(request)
            reads_replica = _replica_allowed.get()
        finally:
            _replica_allowed.reset(token)
        if reads_replica and response.streaming:
            # An export streams after this middleware has returned: its rows are read while it is sent.
            response.streaming_content = _reading_replica(response.streaming_content)
        if request.method not in SAFE_METHODS:
            until = time.time() + sticky_seconds()  # from the end of the write, not its start
            response.set_cookie(
                STICKY_COOKIE,
                f"{until:.0f}",
                max_age=sticky_seconds(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "shebao_replica_reads", False):
            replica_reads_begin(request)
        return None


def _reading_replica(chunks):
    token = _replica_allowed.set(True)
    try:
        yield from chunks
    finally:
        _replica_allowed.reset(token)


def replica_status() -> dict | None:
    """For /healthz: the replica's reachability and lag (seconds since the last replayed transaction when the
    primary has moved on, and the bytes of WAL not yet replayed), or None without a replica."""
    if not replica_configured():
        return None
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cursor.fetchone()[0]
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_is_wal_replay_paused(),"
                " pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),"
                " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND %s::pg_lsn <="
                "   pg_last_wal_replay_lsn() THEN 0"
                "   ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END",
                [primary_lsn, primary_lsn],
            )
            in_recovery, paused, lag_bytes, lag_seconds = cursor.fetchone()
    except Exception as exc:  # the replica down must show in /healthz, not break it
        return {"ok": False, "error": exc.__class__.__name__}
    return {
        "ok": bool(in_recovery),
        "in_recovery": bool(in_recovery),
        "replay_paused": bool(paused),
        "lag_bytes": max(0, int(lag_bytes or 0)),
        "lag_seconds": round(float(lag_seconds or 0), 3),
    }
