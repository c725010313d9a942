"""Files too large to import inside the request (issue 14 point 8): the request keeps the file as a job row and
queues a task; the background worker imports it all or nothing and records the result or the rows' errors on
the job, which the page lists. Each importing app has its concrete job model (contributions.ArrivalImport,
benefits.BenefitImport) on this abstract one, and runs its import through :func:`import_job_execute`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from .csvfiles import ImportRejected, ImportResult
from .errors import DomainError

log = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 200


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _l("排队中")
        RUNNING = "running", _l("导入中")
        DONE = "done", _l("已导入")
        FAILED = "failed", _l("未导入")

    file_name = models.CharField(_l("文件名"), max_length=200, blank=True)
    content = models.BinaryField(_l("文件内容"))
    rows = models.PositiveIntegerField(_l("行数"), default=0)
    status = models.CharField(_l("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_l("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_l("完成时间"), null=True, blank=True)
    created = models.PositiveIntegerField(_l("导入笔数"), default=0)
    errors = models.JSONField(_l("错误"), default=list, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.status}"


def import_job_execute(job: ImportJob, run: Callable[[bytes], ImportResult]) -> ImportJob:
    """Run a queued job (the worker): ``run(content)`` parses and imports all or nothing. The job ends done (the
    file dropped) or failed with the rows' errors; a job not pending is refused (a task delivered twice)."""
    jobs = type(job).objects
    if not jobs.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(status=ImportJob.Status.RUNNING):
        raise DomainError(_("该导入不在排队状态，不能重复执行"))
    job.refresh_from_db()
    try:
        result = run(bytes(job.content))
    except ImportRejected as exc:
        jobs.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), errors=exc.errors[:MAX_ERRORS_KEPT]
        )
    except Exception as exc:
        log.exception("%s %s failed", type(job).__name__, job.pk)
        jobs.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), errors=[f"{type(exc).__name__}"]
        )
    else:
        jobs.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE, finished_at=timezone.now(), created=result.created, content=b""
        )
    job.refresh_from_db()
    return job
