"""H17 养老关系转出: the checks (stopped here, no arrears — its own message —, not transferred already), the
balance at the transfer date computed by hand (money.md 'balance at retirement'), the 参保缴费凭证 PDF with its
public verification, the HTTP path to the progress page, and another employer's 404."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from shebao.certificates.models import Certificate
from shebao.certificates.selectors import verify_url
from shebao.contributions.models import EmployerPeriod
from shebao.contributions.services import arrival_record, settlement_run
from shebao.core.errors import FieldErrors
from shebao.core.idnumbers import make_id_number
from shebao.declarations.models import Declaration, State
from shebao.individual_accounts.models import PensionEntry, PensionTransfer, PensionYear
from shebao.persons.models import Employment
from shebao.persons.services import employment_stop
from shebao.testing import enrol, make_person

from .helpers import errors_of, submit, submit_and_approve
from .test_journey import PROGRESS_URL, login, post_form, review_and_approve

pytestmark = pytest.mark.django_db
H17_URL = "/portal/items/H17/"
MONTHLY = D("1924.80")  # 赵强's individual pension part at base 24,060.00


def stop(person, *, reason="21", period=202611):
    return employment_stop(employment=Employment.objects.get(person=person, stop_period__isnull=True),
                           stop_period=period, reason=reason)  # fmt: skip


def account(person):
    """2025 closed at 50,000.00; 2026 credits of 1,924.80 for months 1–10, each credited the next month."""
    PensionYear.objects.create(
        person=person, year=2025, opening=D("45000.00"), credits=D("3800.00"), months_credited=12,
        rate=D("0.0262"), interest=D("1200.00"), closing=D("50000.00"), closed_at=timezone.now(),
    )  # fmt: skip
    for month in range(1, 11):
        PensionEntry.objects.create(
            person=person, period=202600 + month, year=2026, month=month, amount=MONTHLY,
            credited_on=dt.date(2026, month + 1, 10),
        )  # fmt: skip


def h17_raw(personas, **changes):
    raw = {
        "id_number": personas.person_3.id_number,
        "name": "赵强",
        "destination": "江苏省南京市",
        "reason": "到南京就业",
    }
    return raw | changes


def ready(personas):
    stop(personas.person_3)
    account(personas.person_3)
    return personas.person_3


UNKNOWN = make_id_number("330106", dt.date(1991, 2, 3), 13)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, None, None),
        ({"reason": ""}, None, None),
        ({"destination": ""}, "destination", "转往地区不能为空"),
        ({"destination": "南" * 61}, "destination", "转往地区最多60个字"),
        ({"name": "赵钢"}, "name", "姓名与公民身份号码对应的登记信息不一致"),
        ({"id_number": UNKNOWN}, "id_number", "本市无该人员的参保登记"),
        ({"id_number": "330106197801300312"}, "id_number", "公民身份号码"),  # bad check character
    ],
)
def test_h17_field_checks(personas, changes, field, message):
    ready(personas)
    errors = errors_of("H17", h17_raw(personas, **changes), personas)
    if field is None:
        assert errors == {}
    else:
        assert any(message in m for m in errors[field]), errors


def test_h17_person_must_have_stopped_here(personas):
    errors = errors_of("H17", h17_raw(personas), personas)
    assert errors == {"id_number": ["该人员仍在本单位参保，须先办理人员减少(停保)后才能转出"]}
    b1 = {"id_number": personas.person_b1.id_number, "name": "孙悦"}
    assert errors_of("H17", h17_raw(personas, **b1), personas) == {
        "id_number": ["该人员在本单位没有参保记录"]
    }
    stop(personas.person_3)
    assert errors_of("H17", h17_raw(personas), personas) == {}
    # re-employed at B: B's business now, and not while it lasts
    enrol(person=personas.person_3, employer=personas.employer_b, start_period=202612, wage="9000",
          base_year=2026)  # fmt: skip
    assert errors_of("H17", h17_raw(personas), personas) == {
        "id_number": ["该人员目前在其他单位参保，不能由本单位办理转出"]
    }
    stop(personas.person_3, period=202701)
    assert errors_of("H17", h17_raw(personas), personas) == {
        "id_number": ["该人员最近一次参保不在本单位，应由最后参保的单位办理转出"]
    }


def test_h17_retired_or_without_pension_is_refused(personas):
    stop(personas.person_3, reason="31")
    assert errors_of("H17", h17_raw(personas), personas) == {
        "id_number": ["该人员已在本单位退休，不能办理养老关系转出"]
    }
    injury_only = make_person(name="钱多", birth=dt.date(1980, 4, 4), seq=55)
    enrol(person=injury_only, employer=personas.employer_a, start_period=202401, wage="5000", base_year=2024,
          insurances=("injury",))  # fmt: skip
    stop(injury_only)
    errors = errors_of("H17", h17_raw(personas, id_number=injury_only.id_number, name="钱多"), personas)
    assert errors == {"id_number": ["该人员在本单位未参加养老保险，没有可转出的养老关系"]}


def test_h17_refused_while_the_employer_has_arrears(personas):
    ready(personas)
    settlement_run(period=202609)  # due 2026-10-31, unpaid on 2026-11-26
    owed = EmployerPeriod.objects.get(employer=personas.employer_a, period=202609).amount_due
    assert owed == D("13478.22")  # money.md's three worked examples: 1,775.63 + 2,824.45 + 8,878.14
    errors = errors_of("H17", h17_raw(personas), personas)
    assert errors == {
        "__all__": [
            "单位欠费：截至 2026-11-26，本单位有 1 个结算期（202609 起）欠缴社会保险费 13,478.22 元，"
            "须缴清欠费后才能办理养老关系转出"
        ]
    }
    with pytest.raises(FieldErrors):
        submit(personas, "H17", h17_raw(personas))
    assert not Declaration.objects.exists() and not PensionTransfer.objects.exists()
    # paid (late, before today): no arrears, the transfer may go ahead
    arrival_record(employer=personas.employer_a, received_on=dt.date(2026, 11, 20), amount=owed)
    assert errors_of("H17", h17_raw(personas), personas) == {}


def test_h17_effect_certifies_the_balance_at_the_transfer_date(personas):
    person = ready(personas)
    declaration = submit_and_approve(personas, "H17", h17_raw(personas))
    assert declaration.state == State.COMPLETED
    transfer = PensionTransfer.objects.get()
    # k = 11 (2026-11-26), r = 2.62 % (the latest published rate, 2024's):
    # (50,000.00 × 11 + 1,924.80 × (11 + 10 + … + 2 = 65)) × 0.0262 / 12
    # = (550,000.00 + 125,112.00) × 0.0262 / 12 = 1,473.9945… → 1,473.99
    assert (transfer.person, transfer.employer, transfer.transfer_date, transfer.destination) == (
        person, personas.employer_a, dt.date(2026, 11, 26), "江苏省南京市",
    )  # fmt: skip
    assert (transfer.closed_year, transfer.closed_balance, transfer.carried, transfer.opening) == (
        2025, D("50000.00"), D("0.00"), D("50000.00"),
    )  # fmt: skip
    assert (transfer.credits, transfer.months_credited, transfer.months) == (D("19248.00"), 10, 11)
    assert (transfer.rate_year, transfer.rate, transfer.interest) == (2024, D("0.0262"), D("1473.99"))
    assert transfer.balance == D("70721.99")
    certificate = Certificate.objects.get(number=transfer.certificate_number)
    assert (certificate.kind, certificate.person, certificate.employer) == (
        "transfer",
        person,
        personas.employer_a,
    )
    assert (certificate.start_period, certificate.end_period) == (202401, 202610)
    assert certificate.content["account"]["balance"] == "70721.99"
    # a second transfer of the same employment is refused
    errors = errors_of("H17", h17_raw(personas), personas)
    assert errors == {"id_number": ["该人员本次参保的养老关系已于 2026-11-26 转往 江苏省南京市"]}


def test_h17_one_pending_at_a_time(personas):
    ready(personas)
    first = submit(personas, "H17", h17_raw(personas))
    errors = errors_of("H17", h17_raw(personas), personas)
    assert errors == {"id_number": [f"该人员的养老关系转出（申报 {first.number}）正在审核中，不能重复申报"]}


def test_h17_http_path_progress_certificate_and_verification(personas):
    ready(personas)
    operator, reviewer = login("a_operator"), login("reviewer")
    looked_up = operator.post(H17_URL, {"id_number": personas.person_3.id_number, "action": "lookup"})
    assert 'value="赵强"' in looked_up.content.decode()
    response = post_form(operator, H17_URL, h17_raw(personas))
    assert response.status_code == 302, response.content.decode()[:2000]
    number = Declaration.objects.get(item_code="H17").number
    review_page = reviewer.get(f"/office/review/{number}/").content.decode()
    assert "截至 2026-11-26 个人账户储存额 70,721.99 元" in review_page
    review_and_approve(reviewer, number)
    detail = operator.get(f"{PROGRESS_URL}?open={number}").content.decode()
    transfer = PensionTransfer.objects.get()
    assert "70,721.99 元" in detail and "1,473.99 元（11 个月，记账利率 2.62%）" in detail
    assert transfer.certificate_number in detail and "打印参保缴费凭证" in detail

    pdf = operator.get(f"{PROGRESS_URL}?document={number}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (
        "参保缴费凭证",
        "赵强",
        "江苏省南京市",
        "70,721.99",
        "1,473.99",
        transfer.certificate_number,
    ):
        assert expected in text.replace("\n", ""), expected

    path = reverse("certificates:verify", args=[transfer.certificate_number])
    assert (
        verify_url(transfer.certificate_number).endswith(path)
        and verify_url(transfer.certificate_number) in text
    )
    public = Client().get(path)
    body = public.content.decode()
    assert public.status_code == 200 and "参保缴费凭证" in body and "70,721.99 元" in body
    assert personas.person_3.id_number not in body  # masked on the public page

    other = login("b_operator")
    assert other.get(f"{PROGRESS_URL}?document={number}").status_code == 404
    assert other.get(f"{PROGRESS_URL}?open={number}").status_code == 404


def test_no_document_before_approval(personas):
    ready(personas)
    operator = login("a_operator")
    post_form(operator, H17_URL, h17_raw(personas))
    number = Declaration.objects.get().number
    assert operator.get(f"{PROGRESS_URL}?document={number}").status_code == 404
    assert "打印参保缴费凭证" not in operator.get(f"{PROGRESS_URL}?open={number}").content.decode()
