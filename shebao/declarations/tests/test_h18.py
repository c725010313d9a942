"""H18 退费申请: only up to the employer's real overpayment credit (arrivals left unallocated, less refunds); the
refund is a ledger row that reduces the credit (arrivals unchanged) and allocation never spends refunded money;
the bank account goes through core.validators; every refusal names its field and writes nothing; the HTTP path
to the progress page and Q10; another employer's 404."""

import datetime as dt
from decimal import Decimal as D

import pytest

from shebao.contributions.models import Arrival, EmployerPeriod, Refund
from shebao.contributions.selectors import employer_credit, employer_credit_summary
from shebao.contributions.services import arrival_record, refund_record, settlement_run
from shebao.core.errors import DomainError, FieldErrors
from shebao.declarations.models import Declaration, State

from .helpers import errors_of, submit, submit_and_approve
from .test_journey import PROGRESS_URL, login, post_form, review_and_approve

pytestmark = pytest.mark.django_db
H18_URL = "/portal/items/H18/"
OVERPAID = D("500.00")


def overpaid(personas) -> Arrival:
    """202610 settled for employer A and paid on 2026-11-10 with 500.00 too much: a credit of 500.00."""
    settlement_run(period=202610)
    due = EmployerPeriod.objects.get(employer=personas.employer_a, period=202610).amount_due
    return arrival_record(
        employer=personas.employer_a, received_on=dt.date(2026, 11, 10), amount=due + OVERPAID
    )


def h18_raw(**changes):
    raw = {
        "period_from": "202611",
        "period_to": "202611",
        "amount": "300.00",
        "reason": "重复缴纳10月社会保险费",
        "bank_name": "中国工商银行杭州分行",
        "bank_account": "1202 0202 0900 0012 345",
    }
    return raw | changes


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, None, None),
        ({"amount": "500.00", "period_from": "202601"}, None, None),
        ({"amount": "500.01"}, "amount", "退费金额 500.01 元超过本单位可退的溢缴余额 500.00 元"),
        ({"amount": "0"}, "amount", "退费金额应大于0"),
        ({"amount": "12.345"}, "amount", "最多保留两位小数"),
        ({"amount": ""}, "amount", "退费金额不能为空"),
        ({"period_to": "202610"}, "period_to", "溢缴所属期止 202610 不能早于所属期起 202611"),
        ({"period_to": "202612"}, "period_to", "溢缴所属期止 202612 不能晚于本期 202611"),
        ({"period_from": "202110"}, "period_from", "溢缴所属期跨度 62 个月，最多 60 个月"),
        ({"period_from": "202601", "period_to": "202610"}, "period_from", "202601 至 202610 没有溢缴款"),
        ({"period_from": "2026-13"}, "period_from", "月份 13 无效"),
        ({"reason": ""}, "reason", "退费原因不能为空"),
        ({"bank_account": ""}, "bank_account", "退入银行账号不能为空"),
        ({"bank_account": "1234567"}, "bank_account", "银行账号应为8–30位数字，实际为 7 位"),
        ({"bank_account": "6222０２０２A"}, "bank_account", "银行账号只能包含数字，第9位为「A」"),
        ({"bank_account": "1" * 31}, "bank_account", "银行账号应为8–30位数字，实际为 31 位"),
    ],
)
def test_h18_checks(personas, changes, field, message):
    overpaid(personas)
    errors = errors_of("H18", h18_raw(**changes), personas)
    if field is None:
        assert errors == {}
    else:
        assert any(message in m for m in errors[field]), errors


def test_h18_is_held_to_the_overpayment_of_the_periods_named(personas):
    overpaid(personas)  # 500.00 left by the arrival of 2026-11-10
    arrival_record(employer=personas.employer_a, received_on=dt.date(2026, 10, 15), amount=D("100.00"))
    assert employer_credit(employer=personas.employer_a) == D("600.00")
    october = {"period_from": "202610", "period_to": "202610"}
    errors = errors_of("H18", h18_raw(amount="150.00", **october), personas)
    assert errors == {"amount": ["退费金额 150.00 元超过溢缴所属期 202610 至 202610 的溢缴款 100.00 元"]}
    submit_and_approve(personas, "H18", h18_raw(amount="100.00", **october))
    # October's overpayment is refunded: not a second time
    errors = errors_of("H18", h18_raw(amount="50.00", **october), personas)
    assert errors == {
        "period_from": ["溢缴所属期 202610 至 202610 没有溢缴款：该期间的到账均已分配到结算期或已退费"]
    }
    assert errors_of("H18", h18_raw(amount="500.00"), personas) == {}


def test_h18_without_any_credit(personas):
    errors = errors_of("H18", h18_raw(), personas, employer=personas.employer_b)
    assert errors["amount"] == ["本单位没有可退的溢缴余额（0.00 元），不能申请退费"]


def test_h18_refusal_writes_nothing(personas):
    overpaid(personas)
    with pytest.raises(FieldErrors) as info:
        submit(personas, "H18", h18_raw(amount="800.00", bank_account="12"))
    assert set(info.value.errors) == {"amount", "bank_account"}
    assert not Declaration.objects.exists() and not Refund.objects.exists()


def test_h18_effect_reduces_the_credit_not_the_arrivals(personas):
    arrival = overpaid(personas)
    before = Arrival.objects.values_list("amount", "allocated").get(pk=arrival.pk)
    declaration = submit_and_approve(personas, "H18", h18_raw())
    assert declaration.state == State.COMPLETED
    refund = Refund.objects.get()
    assert (refund.employer, refund.amount, refund.refunded_on) == (
        personas.employer_a,
        D("300.00"),
        dt.date(2026, 11, 26),
    )
    assert (refund.bank_account, refund.period_from, refund.period_to, refund.declaration_number) == (
        "120202020900001234" + "5",
        202611,
        202611,
        declaration.number,
    )
    assert Arrival.objects.values_list("amount", "allocated").get(pk=arrival.pk) == before
    summary = employer_credit_summary(employer=personas.employer_a)
    assert (summary.unallocated, summary.refunded, summary.credit) == (D("500.00"), D("300.00"), D("200.00"))
    # the next refund is held to what is left
    errors = errors_of("H18", h18_raw(amount="200.01"), personas)
    assert errors == {"amount": ["退费金额 200.01 元超过本单位可退的溢缴余额 200.00 元"]}
    submit_and_approve(personas, "H18", h18_raw(amount="200.00"))
    assert employer_credit(employer=personas.employer_a) == D("0.00")


def test_refund_is_never_also_allocated(personas):
    overpaid(personas)
    submit_and_approve(personas, "H18", h18_raw())  # 300.00 back, 200.00 left
    settlement_run(period=202611)  # a new payable: only the 200.00 still held may pay it
    ep = EmployerPeriod.objects.get(employer=personas.employer_a, period=202611)
    assert ep.amount_paid == D("200.00") and ep.amount_due > D("200.00")
    summary = employer_credit_summary(employer=personas.employer_a)
    assert (summary.unallocated, summary.refunded, summary.credit) == (D("300.00"), D("300.00"), D("0.00"))


def test_refund_service_refuses_above_the_credit_and_a_second_one_racing(personas):
    overpaid(personas)
    values = {
        "employer": personas.employer_a,
        "refunded_on": dt.date(2026, 11, 26),
        "period_from": 202611,
        "period_to": 202611,
        "reason": "多缴",
        "bank_account": "1202020209000012345",
    }
    refund_record(amount=D("300.00"), **values)
    with pytest.raises(DomainError) as info:
        refund_record(amount=D("300.00"), **values)
    assert info.value.field == "amount"
    assert info.value.message == "退费金额 300.00 元超过本单位可退的溢缴余额 200.00 元"
    assert Refund.objects.count() == 1


def test_two_pending_refunds_the_second_is_refused_at_approval(personas):
    from shebao.declarations import services

    overpaid(personas)
    first = submit(personas, "H18", h18_raw(amount="400.00"))
    second = submit(personas, "H18", h18_raw(amount="400.00"))
    from .helpers import approve

    approve(personas, first)
    claimed = services.declaration_claim(declaration=second, actor=personas.reviewer)
    with pytest.raises(services.ApprovalRefused) as info:
        services.declaration_approve(
            declaration=claimed, actor=personas.reviewer, today=dt.date(2026, 11, 26)
        )
    assert "退费金额 400.00 元超过本单位可退的溢缴余额 100.00 元" in info.value.message
    assert Refund.objects.count() == 1
    second.refresh_from_db()
    assert second.state == State.IN_REVIEW


def test_h18_http_path_to_progress_and_q10(personas):
    overpaid(personas)
    operator, reviewer = login("a_operator"), login("reviewer")
    response = post_form(operator, H18_URL, h18_raw())
    assert response.status_code == 302, response.content.decode()[:2000]
    number = Declaration.objects.get(item_code="H18").number
    assert "本单位溢缴余额 500.00 元" in reviewer.get(f"/office/review/{number}/").content.decode()
    review_and_approve(reviewer, number)
    detail = operator.get(f"{PROGRESS_URL}?open={number}").content.decode()
    assert "办理结果" in detail and "300.00" in detail and "本单位现有溢缴余额" in detail
    assert "<td>200.00</td>" in detail
    q10 = operator.get("/portal/items/Q10/?start=202610&end=202611").content.decode()
    assert "已退费合计" in q10 and "300.00" in q10 and "<strong>200.00</strong>" in q10 and number in q10
    other = login("b_operator")
    assert other.get(f"{PROGRESS_URL}?open={number}").status_code == 404
    assert number not in other.get("/portal/items/Q10/?start=202610&end=202611").content.decode()


def test_h18_bad_input_on_the_form_names_each_field(personas):
    overpaid(personas)
    operator = login("a_operator")
    response = post_form(
        operator, H18_URL, h18_raw(amount="9999999.00", bank_account="abc", reason="退" * 10_000)
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "退费金额 9,999,999.00 元超过本单位可退的溢缴余额 500.00 元" in text
    assert "银行账号只能包含数字" in text and "退费原因最多200个字" in text
    assert not Declaration.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_refunds_at_once_never_exceed_the_credit(personas):
    """Four refunds of 200.00 against a credit of 500.00 at the same moment (real threads on PostgreSQL; SQLite
    serialises writers anyway): exactly two are recorded, the others are refused with the credit left."""
    import threading

    from django.db import connection, connections

    overpaid(personas)
    barrier = threading.Barrier(4 if connection.vendor == "postgresql" else 1)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(
                refund_record(
                    employer=personas.employer_a, amount=D("200.00"), refunded_on=dt.date(2026, 11, 26),
                    period_from=202611, period_to=202611, reason="多缴", bank_account="1202020209000012345",
                ).amount
            )  # fmt: skip
        except DomainError as exc:
            outcomes.append(exc.message)
        finally:
            if connection.vendor == "postgresql":
                connections.close_all()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    else:
        for _ in range(4):
            run()
    assert (
        sorted(map(str, outcomes))
        == ["200.00", "200.00"] + ["退费金额 200.00 元超过本单位可退的溢缴余额 100.00 元"] * 2
    )
    assert employer_credit(employer=personas.employer_a) == D("100.00")
