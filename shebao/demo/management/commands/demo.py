import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shebao.core.period import Period
from shebao.demo.history import generate_contribution_history
from shebao.demo.personas import personas_create, personas_list
from shebao.employers.models import Employer


class Command(BaseCommand):
    help = "准备演示数据库并启动服务 (migrate, generate demo data when empty, print logins, serve)."

    def add_arguments(self, parser):
        parser.add_argument("--employers", type=int, default=300, help="演示单位数 (default 300)")
        parser.add_argument("--persons", type=int, default=6000, help="演示参保人数 (default 6000)")
        parser.add_argument("--seed", type=int, default=20261126, help="随机种子 (deterministic data)")
        parser.add_argument(
            "--period", type=int, default=None, help="当前结算期 YYYYMM (default: this month)"
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and exit")
        parser.add_argument("--no-worker", action="store_true", help="serve without a background-task worker")

    def handle(self, *args, **options):
        started = time.monotonic()
        self.stdout.write("正在迁移数据库…")
        call_command("migrate", interactive=False, verbosity=0)
        period = Period(options["period"]) if options["period"] else Period.current()
        if Employer.objects.exists():
            self.stdout.write("数据库中已有数据，保留现有数据(不重新生成)。")
            logins = personas_list() or self._personas(period)
        else:
            self._generate(options, period)
            logins = self._personas(period)
            self._waivers(options)
        self.stdout.write(f"准备完成，用时 {time.monotonic() - started:.1f} 秒。")
        self._print_logins(options, logins)
        if not options["no_serve"]:
            from shebao.core.serving import serve

            serve(
                host=options["host"],
                port=options["port"],
                stdout=self.stdout,
                with_worker=not options["no_worker"],
            )

    def _waivers(self, options):
        """Some surcharge waived by the demo's office administrator (after the accounts exist)."""
        from django.utils import timezone

        from shebao.accounts.models import User
        from shebao.demo.history import surcharge_waive_some

        admin = User.objects.filter(username="office_admin").first()
        if admin is not None:
            count = surcharge_waive_some(user=admin, today=timezone.localdate(), seed=options["seed"])
            self.stdout.write(f"滞纳金减免示例：{count} 个结算期。")

    def _personas(self, period):
        from shebao.demo.generator import pick_personas

        chosen = pick_personas(current_period=period.value)
        return personas_create(
            employer_a=chosen["employer_a"], employer_b=chosen["employer_b"], person=chosen["individual"]
        )

    def _generate(self, options, period):
        from shebao.demo.generator import generate

        if options["employers"] < 2 or options["persons"] < options["employers"]:
            raise CommandError("--employers 至少为 2，且 --persons 不少于 --employers")

        from shebao.demo.parameters import demo_parameters_ensure

        for line in demo_parameters_ensure(first_year=(period - 35).year, last_year=period.year):
            self.stdout.write(f"  已补充演示参数: {line}")

        def progress(message):
            self.stdout.write(f"  {message}")
            self.stdout.flush()

        self.stdout.write(
            f"正在生成演示数据: {options['employers']} 家单位, {options['persons']} 名参保人员…"
        )
        generate(
            employers=options["employers"],
            persons=options["persons"],
            seed=options["seed"],
            current_period=period.value,
            progress=progress,
        )
        self.stdout.write("正在生成缴费、到账、帐户与待遇历史…")
        generate_contribution_history(current_period=period.value, seed=options["seed"], progress=progress)

    def _print_logins(self, options, logins):
        base = f"http://{options['host']}:{options['port']}"
        self.stdout.write("")
        self.stdout.write(
            f"网上办事大厅: {base}/portal/    经办系统: {base}/office/    健康检查: {base}/healthz"
        )
        self.stdout.write("演示帐户(密码均为 {}):".format(logins[0].password if logins else ""))
        for login in logins:
            note = f"  [{login.note}]" if login.note else ""
            self.stdout.write(f"  {login.role:<10} 用户名 {login.username:<20} → {base}{login.where}{note}")
        self.stdout.write("")
