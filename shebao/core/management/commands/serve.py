from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shebao.core.serving import SERVERS, serve, server_choose


class Command(BaseCommand):
    help = (
        "以生产 WSGI 服务器启动 shebao (one waitress process, or --workers N processes under gunicorn; "
        "SIGHUP restarts the processes gracefully)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="threads per process")
        parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
        parser.add_argument(
            "--server", choices=SERVERS, default=None, help="waitress (one process), gunicorn or granian"
        )
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start a background-task worker beside the server"
        )

    def handle(self, *args, **options):
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers 与 --threads 至少为 1")
        try:
            server_choose(workers=options["workers"], server=options["server"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        serve(
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            workers=options["workers"],
            server=options["server"],
            stdout=self.stdout,
            with_worker=not options["no_worker"],
        )
