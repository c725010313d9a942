"""`shebao credit-interest YEAR`: close a year of every pension account with that year's credited rate."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shebao.core.errors import DomainError
from shebao.individual_accounts.services import interest_close


class Command(BaseCommand):
    help = (
        "个人养老帐户年度结息 / Close a year of the pension accounts: interest, opening and closing balances."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--today", help="YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args, **options):
        today = dt.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        try:
            closing = interest_close(year=options["year"], today=today)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{closing.year} 年度结息完成：帐户 {closing.accounts}，利率 {closing.rate}，"
            f"利息合计 {closing.interest_total}，年末余额合计 {closing.closing_total}，耗时 {closing.seconds:.1f} 秒"
        )
