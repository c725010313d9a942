from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shebao.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "把备份恢复到一个空数据库 (default: the configured one; refuses a database that has tables)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="shebao backup 写出的备份文件")
        parser.add_argument(
            "--database-url", default=None, help="恢复到这个数据库 (postgres://… 或 sqlite:///…)"
        )

    def handle(self, *args, **options):
        if options["database_url"]:
            database = dj_database_url.parse(options["database_url"])
        else:
            database = settings.DATABASES["default"]
        try:
            backup_restore(database=database, path=Path(options["path"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"恢复完成: {options['path']} → {database['NAME']}")
