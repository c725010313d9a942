"""Make a REST API token from the console (the pages are the usual way): for an employer administrator, or —
by a system administrator — for a staff member. Prints the secret once."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shebao.accounts.models import User
from shebao.accounts.services import api_token_create_employer, api_token_create_staff, api_token_items_for
from shebao.core.errors import DomainError, FieldErrors


class Command(BaseCommand):
    help = "创建接口令牌并输出一次明文 (employer administrator, or staff member issued by a system administrator)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="单位管理员或经办机构工作人员的用户名")
        parser.add_argument("--name", default="命令行令牌")
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument(
            "--items", default="", help="事项编码，逗号分隔 (default: all of the administrator's)"
        )
        parser.add_argument(
            "--roles", default="", help="经办机构令牌的角色，逗号分隔，如 is_reviewer,is_clerk"
        )
        parser.add_argument("--by", default="", help="签发经办机构令牌的系统管理员用户名")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户 {options['username']} 不存在")
        expires_on = timezone.localdate() + dt.timedelta(days=options["days"])
        try:
            if user.kind == "staff":
                actor = User.objects.filter(username=options["by"]).first()
                if actor is None:
                    raise CommandError("签发经办机构令牌须以 --by 指定系统管理员")
                roles = [r for r in options["roles"].split(",") if r] or user.office_roles
                _token, secret = api_token_create_staff(
                    actor=actor,
                    user=user,
                    name=options["name"],
                    roles=roles,
                    expires_on=expires_on,
                    today=timezone.localdate(),
                )
            else:
                items = [c for c in options["items"].split(",") if c] or api_token_items_for(user)
                _token, secret = api_token_create_employer(
                    admin=user,
                    name=options["name"],
                    item_codes=items,
                    expires_on=expires_on,
                    today=timezone.localdate(),
                )
        except FieldErrors as exc:
            raise CommandError(exc.message) from exc
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(secret)
