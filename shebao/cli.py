"""The `shebao` console script: demo, serve, settle, credit-interest, worker, backup, restore, manage."""

from __future__ import annotations

import os
import sys

USAGE = """用法 / usage: shebao <command> [options]

  demo [--employers N] [--persons M] [--seed S] [--host H] [--port P] [--no-serve]
                      准备演示数据库(首次运行时生成演示数据)并启动服务
  serve [--host H] [--port P] [--threads T] [--workers N] [--server waitress|granian|gunicorn]
                      以生产服务器启动已有数据库(1 个进程: waitress; --workers N: gunicorn N 个进程;
                      SIGHUP 平滑重启)
  settle YYYYMM       核定(结算)一个结算期
  credit-interest YYYY
                      结转一个年度的个人养老帐户利息
  worker              运行后台任务处理进程(django-tasks 数据库队列; 可同时运行任意多个)
  backup [FILE]       备份数据库(SQLite 在线备份; PostgreSQL pg_dump)
  restore FILE [--database-url URL]
                      把备份恢复到一个空数据库
  manage ...          直接调用 Django 管理命令(migrate、createsuperuser…)
"""

# Console-script words that differ from the Django command they run.
ALIASES = {"credit-interest": "credit_interest", "worker": "db_worker"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shebao.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    from django.core.management import execute_from_command_line

    if command == "manage":
        execute_from_command_line(["shebao manage", *rest])
    else:
        execute_from_command_line(["shebao", ALIASES.get(command, command), *rest])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
