"""Background tasks (django-tasks, database worker) of the declarations app: batch import."""

from django.contrib.auth import get_user_model
from django_tasks import task

from .batch import services


@task()
def batch_validate_task(batch_id: int) -> dict:
    batch = services.batch_validate(batch_id=batch_id)
    return {"batch": batch_id, "status": batch.status if batch else "gone"}


@task()
def batch_confirm_task(batch_id: int, actor_id: int) -> dict:
    batch = services.batch_confirm(batch_id=batch_id, actor=get_user_model().objects.get(pk=actor_id))
    return {"batch": batch_id, "status": batch.status}


@task()
def batch_approve_task(batch_number: str, actor_id: int, today: str) -> dict:
    import datetime as dt

    approved, left = services.batch_approve_clean(
        batch_number=batch_number,
        actor=get_user_model().objects.get(pk=actor_id),
        today=dt.date.fromisoformat(today),
    )
    return {"batch": batch_number, "approved": approved, "left": left}


@task()
def batches_clean_task() -> dict:
    """Queued with every upload to run a day later: removes the uploads left unconfirmed."""
    return {"deleted": services.batches_clean_abandoned()}
