"""`shebao settle YYYYMM [YYYYMM …]`: settle periods now, in this process, and print the result."""

from django.core.management.base import BaseCommand, CommandError

from shebao.contributions.services import settlement_run
from shebao.core.errors import DomainError
from shebao.core.validators import parse_period


class Command(BaseCommand):
    help = "核定结算期应缴费款 / Settle the payables of one or more periods (YYYYMM)."

    def add_arguments(self, parser):
        parser.add_argument("periods", nargs="+", help="YYYYMM")

    def handle(self, *args, **options):
        failed = False
        for raw in options["periods"]:
            try:
                period = parse_period(raw)
                run = settlement_run(period=period, source="console")
            except DomainError as exc:
                raise CommandError(exc.message) from None
            seconds = sum(s["seconds"] for s in run.steps)
            if run.status == "done":
                self.stdout.write(
                    f"{period}: 单位 {run.employers_settled}，明细 {run.lines_written}，补差 {run.adjustment_lines}，"
                    f"单位缴纳 {run.employer_total}，个人缴纳 {run.individual_total}，"
                    f"缺少基数 {run.missing_base}，耗时 {seconds:.1f} 秒"
                )
            else:
                failed = True
                self.stderr.write(f"{period}: 结算失败：{run.message}")
        if failed:
            raise CommandError("结算失败")
