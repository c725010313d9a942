"""Background tasks (django-tasks): a message's email."""

from django_tasks import task

from .models import Message
from .services import message_email


@task()
def message_email_task(message_id: int) -> dict:
    message = message_email(message=Message.objects.get(pk=message_id))
    return {"message": message.pk, "sent": message.emailed_at is not None, "error": message.email_error}
