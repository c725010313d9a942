"""`shebao backup` / `shebao restore`: a backup of a database with demo data restored into a fresh, empty
database holds every row of every table and the same money figures; restoring over data is refused."""

import hashlib
import sqlite3
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

# serialized_rollback, as every transactional test here: the flush afterwards must not re-create content types
# under new ids, or the next test that restores its snapshot finds them twice.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIGURES = (
    "SELECT count(*), sum(employer_amount), sum(individual_amount) FROM contributions_contributionline",
    "SELECT count(*), sum(employer_amount), sum(individual_amount) FROM contributions_payable",
    "SELECT count(*) FROM persons_person",
)


def fingerprints(cursor, vendor: str, tables: list[str]) -> dict[str, tuple[int, str]]:
    """Per table: its row count and a hash of all its rows (order-independent)."""
    found = {}
    for table in tables:
        if vendor == "postgresql":
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            found[table] = tuple(cursor.fetchone())
        else:
            # quote() of each column: raw text, so Django's type converters do not change what is compared.
            cursor.execute(f'SELECT name FROM pragma_table_info("{table}")')
            columns = ", ".join(f'quote("{name}")' for (name,) in cursor.fetchall())
            cursor.execute(f'SELECT {columns} FROM "{table}"')
            rows = sorted(repr(row) for row in cursor.fetchall())
            found[table] = (len(rows), hashlib.md5("\n".join(rows).encode()).hexdigest())
    return found


def figures(cursor) -> list[tuple]:
    out = []
    for sql in FIGURES:
        cursor.execute(sql)
        out.append(tuple(Decimal(str(v)) if v is not None else None for v in cursor.fetchone()))
    return out


@pytest.fixture
def fresh_database(tmp_path):
    """(URL, open-a-DB-API-connection) of a new, empty database of the same kind as the test database."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)
        return
    import psycopg

    db = settings.DATABASES["default"]
    params = {k.lower(): str(db[k]) for k in ("HOST", "PORT", "USER", "PASSWORD") if db.get(k)}
    name = f"{db['NAME']}_restore"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = f"{params.get('user', '')}{':' + params['password'] if params.get('password') else ''}"
    url = f"postgres://{auth}@{params.get('host', '')}:{params.get('port', '5432')}/{name}"
    try:
        yield url, lambda: psycopg.connect(dbname=name, **params)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restored_into_a_fresh_database_has_every_row_and_figure(tmp_path, fresh_database, capsys):
    call_command("demo", "--no-serve", "--employers", "4", "--persons", "40", "--period", "202611")
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        before = fingerprints(cursor, connection.vendor, tables)
        before_figures = figures(cursor)
    assert before["contributions_contributionline"][0] > 1000  # 36 periods of lines for 40 persons
    assert before_figures[0][1] > 0

    path = tmp_path / "backups" / "shebao.backup"
    call_command("backup", str(path))
    assert "备份完成" in capsys.readouterr().out and path.stat().st_size > 0

    url, connect = fresh_database
    call_command("restore", str(path), "--database-url", url)
    restored = connect()
    try:
        cursor = restored.cursor()
        after = fingerprints(cursor, connection.vendor, tables)
        assert figures(cursor) == before_figures
    finally:
        restored.close()
    assert after == before

    # Restoring a second time into what is now a full database is refused, not merged.
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(path), "--database-url", url)


def test_restore_of_a_missing_or_foreign_file_says_why(tmp_path, fresh_database):
    url, _ = fresh_database
    with pytest.raises(CommandError, match="备份文件不存在"):
        call_command("restore", str(tmp_path / "none.backup"), "--database-url", url)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup\x00" * 10)
    with pytest.raises(CommandError):
        call_command("restore", str(junk), "--database-url", url)
