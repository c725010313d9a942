"""Background tasks (django-tasks): large benefit and medical-spending files, queued from the office page."""

from django_tasks import task

from .models import BenefitImport
from .services import benefit_import_execute


@task()
def benefit_import_task(job_id: int) -> dict:
    """Import a large file kept by services.benefit_import_queue."""
    job = benefit_import_execute(job=BenefitImport.objects.get(pk=job_id))
    return {"job": job.pk, "status": job.status, "created": job.created, "errors": len(job.errors)}
