"""Backup and restore of the whole database (`shebao backup` / `shebao restore`).

SQLite: the online backup API (a consistent copy while the service runs; readers and writers are not stopped).
PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, compressed) and `pg_restore` into an empty
database. The client tools must be at least the server's major version (pg_dump refuses an older one).
Point-in-time recovery (WAL archiving) is the server's own business: docs/deployment.md has the drill.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from shebao.core.errors import DomainError


class BackupError(DomainError):
    pass


def _is_sqlite(database: dict) -> bool:
    return database["ENGINE"].endswith("sqlite3")


def _pg_env(database: dict) -> dict:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[var] = str(database[key])
    env["PGDATABASE"] = database["NAME"]
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"未找到 {name}: 请安装 PostgreSQL 客户端工具 (Debian: apt-get install postgresql-client)"
        )
    return found


def _major(text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", text)
    return int(found.group(1)) if found else 0


def pg_versions_check(database: dict) -> tuple[int, int]:
    """(client major, server major); refuses a pg_dump older than the server."""
    client = _major(subprocess.run([_pg_tool("pg_dump"), "--version"], capture_output=True, text=True).stdout)
    import psycopg

    with psycopg.connect(**_psycopg_kwargs(database)) as conn:
        server = conn.info.server_version // 10000
    if client < server:
        raise BackupError(
            f"pg_dump 版本 {client} 低于数据库服务器版本 {server}: 请安装 {server} 版或更新的客户端工具"
        )
    return client, server


def _psycopg_kwargs(database: dict) -> dict:
    kwargs = {"dbname": database["NAME"]}
    for key in ("HOST", "PORT", "USER", "PASSWORD"):
        if database.get(key):
            kwargs[key.lower()] = str(database[key])
    return kwargs


def backup_create(*, database: dict, path: Path, connection=None) -> Path:
    """Write a backup of `database` (a DATABASES entry) to `path`. For SQLite, `connection` may be an open
    sqlite3 connection to copy from (the live one); otherwise the file named by the entry is opened."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if _is_sqlite(database):
        source = connection or sqlite3.connect(database["NAME"])
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
            if connection is None:
                source.close()
    else:
        pg_versions_check(database)
        result = subprocess.run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial)],
            env=_pg_env(database),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump 失败: {result.stderr.strip()[-1000:]}")
    os.replace(partial, path)  # a backup file is complete or absent
    return path


def _sqlite_is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0


def _pg_is_empty(database: dict) -> bool:
    import psycopg

    with psycopg.connect(**_psycopg_kwargs(database)) as conn:
        return not conn.execute("SELECT 1 FROM pg_tables WHERE schemaname = 'public' LIMIT 1").fetchone()


def backup_restore(*, database: dict, path: Path) -> None:
    """Restore the backup at `path` into `database`, which must be empty (a freshly created database or a
    missing SQLite file): restoring over live data is refused rather than merged."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在: {path}")
    if _is_sqlite(database):
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"不是 SQLite 备份文件: {path}")
        target = sqlite3.connect(database["NAME"])
        try:
            if not _sqlite_is_empty(target):
                raise BackupError("目标数据库不是空的: 请恢复到新建的空数据库(或先移走原数据库文件)")
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                source.backup(target)
            finally:
                source.close()
        finally:
            target.close()
        return
    pg_versions_check(database)
    if not _pg_is_empty(database):
        raise BackupError("目标数据库不是空的: 请恢复到新建的空数据库 (createdb …)")
    result = subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", database["NAME"], str(path)],
        env=_pg_env(database),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败: {result.stderr.strip()[-1000:]}")
