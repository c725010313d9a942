from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from shebao.audit.services import access_log_purge


class Command(BaseCommand):
    help = "删除超过保存期限(SHEBAO_ACCESS_LOG_RETENTION_DAYS)的个人信息访问记录"

    def handle(self, *args, **options):
        deleted = access_log_purge(now=timezone.now())
        self.stdout.write(
            f"deleted {deleted} access rows older than {settings.SHEBAO_ACCESS_LOG_RETENTION_DAYS} days"
        )
