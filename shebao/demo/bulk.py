"""The fastest safe way to append many rows to a few tables, per database backend.

Usage (the demo generator)::

    writer = BulkWriter(models)
    with writer.session():                 # outside any transaction if possible: see below
        with transaction.atomic():
            writer.begin()                 # drops secondary indexes (and on PostgreSQL foreign keys)
            writer.write(Model, columns, rows) ...
            writer.finish()                # re-creates them, which re-checks every row

Everything happens in ONE transaction: if anything fails — a write, or a re-created unique index or foreign
key that finds a bad row — the rollback takes every row, and every dropped index and constraint, back with it
(DDL is transactional on both backends).

- SQLite: ``executemany`` of plain INSERTs on the raw connection, with a 1 GiB page cache for the load.
  Foreign-key enforcement is switched off for the session when no transaction is open yet (SQLite cannot
  change it inside one), and ``check_constraints`` verifies every new row before the commit instead.
- PostgreSQL: ``COPY … FROM STDIN`` (psycopg 3). Foreign keys, unique constraints and all non-primary
  indexes of the tables are dropped and re-created at the end from their own definitions
  (``pg_get_constraintdef`` / ``pg_get_indexdef``): one sorted index build and one join per foreign key are
  many times faster than maintaining them row by row.

Primary keys are assigned by the caller (``next_id``), so child rows can reference parents without a round
trip; ``finish`` moves PostgreSQL's sequences past them.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import connections
from django.db.models import Max, Model

PG_NULL = "\\N"


def _text_row(row: Sequence) -> str:
    return "\t".join([PG_NULL if v is None else str(v) for v in row])


class BulkWriter:
    """Appends rows to the tables of ``models`` on one database connection; see the module docstring."""

    def __init__(self, models: Sequence[type[Model]], *, using: str = "default"):
        self.models = list(models)
        self.tables = [m._meta.db_table for m in self.models]
        self.using = using
        self.connection = connections[using]
        self.vendor = self.connection.vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"demo data loading is not implemented for {self.vendor}")
        self._recreate: list[tuple[str, str]] = []  # SQL re-creating what begin() dropped, in order
        self._sql: dict[tuple[str, tuple[str, ...]], str] = {}
        self._fk_checks_off = False
        self.timings: Counter[str] = Counter()  # seconds spent per table written and per finishing step

    # --- life cycle -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def session(self):
        """Wraps the load's transaction: on SQLite, switches foreign-key enforcement off around it when no
        transaction is open (inside one, e.g. in a test, enforcement simply stays on)."""
        self.connection.ensure_connection()
        self._fk_checks_off = self.vendor == "sqlite" and self.connection.disable_constraint_checking()
        try:
            yield self
        finally:
            if self._fk_checks_off:
                self.connection.enable_constraint_checking()
                self._fk_checks_off = False

    def begin(self) -> None:
        """Call inside the transaction, before the first write."""
        if not self.connection.in_atomic_block:
            raise RuntimeError("BulkWriter must be used inside transaction.atomic()")
        with self.connection.cursor() as cursor:
            if self.vendor == "sqlite":
                cursor.execute("PRAGMA cache_size")
                self._sqlite_cache_size = cursor.fetchone()[0]
                cursor.execute(
                    "PRAGMA cache_size = -1048576"
                )  # 1 GiB for this connection, restored in finish()
                self._drop_sqlite_indexes(cursor)
            else:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                cursor.execute("SET LOCAL synchronous_commit = off")
                self._drop_postgresql_structures(cursor)

    def finish(self, *, analyze: bool = True) -> None:
        """Re-create what begin() dropped (checking every row), move sequences past the ids used, refresh the
        planner's statistics. Raises (and so rolls back the load) if any row breaks a constraint."""
        with self.connection.cursor() as cursor:
            for kind, sql in self._recreate:
                started = time.perf_counter()
                cursor.execute(sql)
                self.timings[kind] += time.perf_counter() - started
            self._recreate = []
            if self.vendor == "sqlite":
                if self._fk_checks_off:
                    started = time.perf_counter()
                    self.connection.check_constraints(table_names=self.tables)
                    self.timings["check foreign keys"] += time.perf_counter() - started
                cursor.execute(f"PRAGMA cache_size = {int(self._sqlite_cache_size)}")
                return
            for sql in self.connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(sql)
            if analyze:
                started = time.perf_counter()
                for table in self.tables:
                    cursor.execute(f'ANALYZE "{table}"')
                self.timings["analyze"] += time.perf_counter() - started

    @contextlib.contextmanager
    def background(self, *, depth: int = 3):
        """A ``write`` function that, on PostgreSQL, hands the rows to a worker thread and returns at once, so
        the caller builds the next chunk while the server digests this one (``depth`` chunks may wait).
        Leaving the block waits for every write; a failed write is raised here (or by the next call).
        On SQLite it is ``write`` itself: executemany holds the interpreter lock for each row it binds, so a
        thread would only slow both sides down."""
        if self.vendor != "postgresql":
            yield self.write
            return
        jobs: queue.Queue = queue.Queue(maxsize=depth)
        failure: list[BaseException] = []

        def work() -> None:
            while (job := jobs.get()) is not None:
                if not failure:
                    try:
                        self.write(*job)
                    except BaseException as exc:  # handed to the caller's thread
                        failure.append(exc)

        def write(model, columns, rows) -> None:
            if failure:
                raise failure[0]
            jobs.put((model, columns, rows))

        worker = threading.Thread(target=work, name="demo-data-writer", daemon=True)
        worker.start()
        try:
            yield write
        finally:
            jobs.put(None)
            worker.join()
        if failure:
            raise failure[0]

    # --- ids and rows -----------------------------------------------------------------------------------

    def next_id(self, model: type[Model]) -> int:
        """The first primary key free above every existing row of ``model``."""
        return (model.objects.using(self.using).aggregate(m=Max("pk"))["m"] or 0) + 1

    def write(self, model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        """Append ``rows`` (tuples in ``columns`` order; values str, int or None) to ``model``'s table."""
        started = time.perf_counter()
        try:
            self._write(model, columns, rows)
        finally:
            self.timings[f"write {model._meta.db_table}"] += time.perf_counter() - started

    def _write(self, model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        table = model._meta.db_table
        key = (table, tuple(columns))
        sql = self._sql.get(key)
        cols = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "sqlite":
            if sql is None:
                marks = ", ".join("?" * len(columns))
                sql = self._sql[key] = f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'
            self.connection.connection.executemany(sql, rows)
            return
        if sql is None:
            sql = self._sql[key] = f'COPY "{table}" ({cols}) FROM STDIN'
        text = "\n".join(map(_text_row, rows))
        if not text:
            return
        with self.connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(text)
            copy.write("\n")

    # --- dropping and re-creating -----------------------------------------------------------------------

    def _drop_sqlite_indexes(self, cursor) -> None:
        # Explicit indexes only (sql IS NOT NULL): the automatic indexes of UNIQUE columns stay.
        placeholders = ", ".join("%s" for _t in self.tables)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({placeholders}) ORDER BY tbl_name, name",
            self.tables,
        )
        for name, sql in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            self._recreate.append(("create indexes", sql))

    def _drop_postgresql_structures(self, cursor) -> None:
        # Foreign keys declared on our tables (keys pointing into them from other tables are only checked
        # when a referenced row changes, which a load never does).
        cursor.execute(
            """
            SELECT c.conname, t.relname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
            ORDER BY t.relname, c.conname
            """,
            [self.tables],
        )
        foreign_keys = cursor.fetchall()
        # Unique constraints of our tables that no foreign key depends on.
        cursor.execute(
            """
            SELECT c.conname, t.relname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'u' AND t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
            ORDER BY t.relname, c.conname
            """,
            [self.tables],
        )
        uniques = cursor.fetchall()
        # Indexes that back no constraint (plain and unique partial indexes).
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
              AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname
            """,
            [self.tables],
        )
        indexes = cursor.fetchall()
        for name, table, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, table, definition in uniques:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            self._recreate.append(
                ("create indexes", f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            )
        for name, definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
            self._recreate.append(("create indexes", definition))
        # Foreign keys last: their checks can use the indexes just built.
        for name, table, definition in foreign_keys:
            self._recreate.append(
                ("check foreign keys", f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            )
