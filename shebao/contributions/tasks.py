"""Background tasks (django-tasks): the settlement run, queued from the office page."""

from django_tasks import task

from .models import SettlementRun
from .services import settlement_execute


@task()
def settlement_run_task(run_id: int) -> dict:
    """Execute a queued SettlementRun (created by services.settlement_start) and return its result."""
    run = settlement_execute(run=SettlementRun.objects.get(pk=run_id))
    return {"run": run.pk, "status": run.status, "lines": run.lines_written, "message": run.message}
