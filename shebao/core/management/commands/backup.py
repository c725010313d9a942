import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shebao.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份整个数据库 (SQLite online backup API; PostgreSQL pg_dump --format=custom)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", help="备份文件 (default: <data dir>/backups/shebao-<UTC time>)"
        )

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        sqlite = connection.vendor == "sqlite"
        path = options["path"]
        if not path:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            path = settings.DATA_DIR / "backups" / f"shebao-{stamp}.{'sqlite3' if sqlite else 'dump'}"
        raw = None
        if sqlite:
            connection.ensure_connection()
            raw = connection.connection
        try:
            written = backup_create(database=database, path=Path(path), connection=raw)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份完成: {written} ({written.stat().st_size:,} 字节)")
