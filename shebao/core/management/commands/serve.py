from django.core.management import call_command
from django.core.management.base import BaseCommand

from shebao.core.serving import serve


class Command(BaseCommand):
    help = "以生产 WSGI 服务器启动 shebao (serve an existing database with waitress)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start a background-task worker beside the server"
        )

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        serve(
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            stdout=self.stdout,
            with_worker=not options["no_worker"],
        )
