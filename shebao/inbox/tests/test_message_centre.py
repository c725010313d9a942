"""The message centre: a review result and a rejection reach the operator who declared, with an unread count in
the header; opening one marks it read and goes to the declaration; nobody reads another user's messages; the
email goes out through Django's mail backend (a real SMTP conversation with a local server)."""

from __future__ import annotations

import email
import email.policy
import socket
import socketserver
import threading

import pytest
from django.test import override_settings

from shebao.declarations import services as declarations
from shebao.declarations.tests.conftest import TODAY
from shebao.declarations.tests.helpers import approve, submit
from shebao.inbox.models import Message, MessageKind
from shebao.inbox.services import message_send

pytestmark = pytest.mark.django_db

MESSAGES = "/messages/"


def h08(personas, wage="8000"):
    person = personas.person_2
    return {
        "id_number": person.id_number,
        "name": person.name,
        "period": "202609",
        "wage": wage,
        "reason": "调薪",
    }


def reject(personas, declaration, text):
    claimed = declarations.declaration_claim(declaration=declaration, actor=personas.reviewer)
    return declarations.declaration_reject(
        declaration=claimed, actor=personas.reviewer, comment=text, today=TODAY
    )


def test_result_and_rejection_reach_the_operator_with_an_unread_count(personas, login_as):
    approved = approve(personas, submit(personas, "H08", h08(personas)))
    rejected = reject(personas, submit(personas, "H08", h08(personas, "9000")), "工资证明不清晰")
    operator = login_as(personas.operator_a)

    page = operator.get("/portal/").content.decode()
    assert 'class="unread-messages"' in page and "2 条未读" in page

    page = operator.get(MESSAGES).content.decode()
    assert f"申报 {approved.number}（基数调整）已办结" in page or f"申报 {approved.number}" in page
    assert f"申报 {rejected.number}" in page and "审核不通过" in page and "原因：工资证明不清晰" in page
    assert "共 2 条，未读 2 条" in page

    rejection = Message.objects.get(kind=MessageKind.REJECTION)
    response = operator.get(f"{MESSAGES}{rejection.pk}/")
    assert (
        response.status_code == 302
        and response["Location"] == f"/portal/items/progress/?open={rejected.number}"
    )
    assert operator.get(response["Location"]).status_code == 200
    rejection.refresh_from_db()
    assert rejection.read_at is not None
    assert "1 条未读" in operator.get("/portal/").content.decode()

    unread = operator.get(MESSAGES + "?unread=1").content.decode()
    assert f"申报 {approved.number}" in unread and f"申报 {rejected.number}" not in unread

    response = operator.post(MESSAGES + "read/")
    assert response.status_code == 302
    assert not Message.objects.filter(read_at__isnull=True).exists()
    assert 'class="badge"' not in operator.get("/portal/").content.decode().split("unread-messages")[1][:80]


def test_nobody_reads_another_users_message(personas, login_as):
    mine = message_send(recipient=personas.operator_a, kind="notice", subject="甲单位的通知", link="/portal/")
    other = login_as(personas.operator_b)
    assert "甲单位的通知" not in other.get(MESSAGES).content.decode()
    response = other.get(f"{MESSAGES}{mine.pk}/", follow=True)
    assert "消息不存在" in response.content.decode()
    mine.refresh_from_db()
    assert mine.read_at is None


def test_a_message_never_links_off_the_site(personas, login_as):
    odd = message_send(
        recipient=personas.operator_a, kind="notice", subject="x", link="https://evil.example/"
    )
    response = login_as(personas.operator_a).get(f"{MESSAGES}{odd.pk}/")
    assert response["Location"] == MESSAGES


def test_the_email_address_is_checked_and_saved(personas, login_as):
    operator = login_as(personas.operator_a)
    page = operator.post(MESSAGES, {"email": "not an address"}).content.decode()
    assert "邮箱地址" in page and "格式不正确" in page
    assert operator.post(MESSAGES, {"email": "a\x00@b.cn"}).status_code == 400  # refused at the edge
    personas.operator_a.refresh_from_db()
    assert personas.operator_a.email == ""
    response = operator.post(MESSAGES, {"email": " hr@jia.example.cn "}, follow=True)
    assert "消息将同时发送到 hr@jia.example.cn" in response.content.decode()
    personas.operator_a.refresh_from_db()
    assert personas.operator_a.email == "hr@jia.example.cn"


def test_a_message_without_a_declaration_author_is_not_sent(personas):
    declaration = submit(personas, "H08", h08(personas))
    type(declaration).objects.filter(pk=declaration.pk).update(created_by=None)
    declaration.refresh_from_db()
    approve(personas, declaration)
    assert not Message.objects.exists()


# --- email through a local SMTP server ----------------------------------------------------------------------


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 localhost test SMTP\r\n")
        data_mode, lines = False, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if data_mode:
                if line in (b".\r\n", b".\n"):
                    self.server.received.append(b"".join(lines))
                    data_mode, lines = False, []
                    self.wfile.write(b"250 OK queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250-localhost\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                data_mode = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 OK\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_the_result_is_emailed_through_smtp(personas, smtp_server, django_capture_on_commit_callbacks):
    personas.operator_a.email = "hr@jia.example.cn"
    personas.operator_a.save(update_fields=["email"])
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=smtp_server.server_address[1],
            TASKS=IMMEDIATE,
            SHEBAO_PUBLIC_URL="https://shebao.example.gov.cn",
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        rejected = reject(personas, submit(personas, "H08", h08(personas)), "工资证明不清晰")
    assert len(smtp_server.received) == 1
    mail = email.message_from_bytes(smtp_server.received[0], policy=email.policy.default)
    assert mail["To"] == "hr@jia.example.cn"
    assert f"申报 {rejected.number}" in str(mail["Subject"]) and "审核不通过" in str(mail["Subject"])
    text = mail.get_body().get_content()
    assert "原因：工资证明不清晰" in text
    assert f"https://shebao.example.gov.cn/portal/items/progress/?open={rejected.number}" in text
    message = Message.objects.get()
    assert message.emailed_at is not None and message.email_error == ""


def test_a_mail_server_that_is_down_leaves_the_message_and_records_why(
    personas, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    personas.operator_a.email = "hr@jia.example.cn"
    personas.operator_a.save(update_fields=["email"])
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=closed_port,
            TASKS=IMMEDIATE,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        approve(personas, submit(personas, "H08", h08(personas)))
    message = Message.objects.get()
    assert message.emailed_at is None and message.email_error
    assert message.kind == MessageKind.RESULT


def test_nothing_is_mailed_when_the_approval_rolls_back(personas, django_capture_on_commit_callbacks):
    personas.operator_a.email = "hr@jia.example.cn"
    personas.operator_a.save(update_fields=["email"])
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", TASKS=IMMEDIATE),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        from django.db import transaction

        declaration = submit(personas, "H08", h08(personas))
        with pytest.raises(RuntimeError), transaction.atomic():
            approve(personas, declaration)
            raise RuntimeError("something later failed")
    assert callbacks == [] and not Message.objects.exists()


def test_the_office_notices_in_force_are_in_the_message_centre(personas, login_as):
    import datetime as dt

    from django.utils import timezone

    from shebao.notices.services import notice_publish

    admin = personas.office_admin
    notice_publish(
        actor=admin,
        title="关于调整2026年度缴费基数的通知",
        body="自7月起执行。",
        starts_on=timezone.localdate(),
        ends_on=None,
    )
    notice_publish(
        actor=admin,
        title="已过期的通知",
        body="x",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    page = login_as(personas.operator_a).get(MESSAGES).content.decode()
    assert "关于调整2026年度缴费基数的通知" in page and "已过期的通知" not in page
