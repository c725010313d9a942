"""H02, H03, H05–H10: each item's checks with good and bad data, and its effect on the record."""

import datetime as dt
from decimal import Decimal

import pytest

from shebao.core.idnumbers import make_id_number
from shebao.declarations import services
from shebao.declarations.models import AutoApprovalRule, State
from shebao.persons.models import ContributionBase, Coverage, Employment, Person, RecordChange
from shebao.persons.services import employment_stop

from .conftest import TODAY
from .helpers import errors_of, submit, submit_and_approve

pytestmark = pytest.mark.django_db
ALL = ["pension", "medical", "unemployment", "injury", "maternity"]


def stopped_b1(personas):
    """孙悦 (employer B) stopped from 202610: free to resume elsewhere."""
    employment_stop(
        employment=Employment.objects.get(person=personas.person_b1), stop_period=202610, reason="11"
    )
    return personas.person_b1


# --- H02 续保 ---------------------------------------------------------------------------------------------


def h02_raw(personas, **changes):
    raw = {
        "id_number": personas.person_b1.id_number,
        "name": "孙悦",
        "start_period": "202611",
        "wage": "6000",
        "insurances": ALL,
    }
    return raw | changes


def test_h02_checks(personas):
    still_employed = errors_of("H02", h02_raw(personas), personas)
    assert "仍在其他单位参保" in still_employed["id_number"][0]
    stopped_b1(personas)
    assert errors_of("H02", h02_raw(personas), personas) == {}
    errors = errors_of("H02", h02_raw(personas, name="孙月", start_period="202609"), personas)
    assert "姓名" in errors["name"][0]
    assert any("不能早于上一段参保的停保期 202610" in m for m in errors["start_period"])
    unknown = make_id_number("330106", dt.date(1990, 1, 1), 77)
    assert "H01" in errors_of("H02", h02_raw(personas, id_number=unknown), personas)["id_number"][0]


def test_h02_effect(personas):
    person = stopped_b1(personas)
    submit_and_approve(personas, "H02", h02_raw(personas, insurances=["pension", "medical"]))
    employment = Employment.objects.get(person=person, stop_period__isnull=True)
    assert (employment.employer, employment.enrolment_type, employment.start_period) == (
        personas.employer_a,
        "02",
        202611,
    )
    assert sorted(employment.coverages.values_list("insurance", flat=True)) == ["medical", "pension"]
    base = ContributionBase.objects.get(person=person, employer=personas.employer_a)
    assert (base.declared_wage, base.base_pension) == (Decimal("6000.00"), Decimal("6000.00"))


# --- H03 转入 ---------------------------------------------------------------------------------------------

NEWCOMER = make_id_number("110105", dt.date(1988, 6, 1), 35)


def h03_raw(**changes):
    raw = {
        "id_number": NEWCOMER,
        "name": "马超",
        "from_region": "北京市",
        "transfer_document": "JX2026-0001",
        "start_period": "202611",
        "wage": "10000",
        "insurances": ALL,
    }
    return raw | changes


def test_h03_checks(personas):
    assert errors_of("H03", h03_raw(), personas) == {}
    errors = errors_of("H03", h03_raw(from_region="", transfer_document="", wage="0"), personas)
    assert set(errors) == {"from_region", "transfer_document", "wage"}
    taken = errors_of("H03", h03_raw(id_number=personas.person_2.id_number, name="陈丽"), personas)
    assert "已在本单位参保" in taken["id_number"][0]


def test_h03_effect_needs_the_counter(personas):
    declaration = submit_and_approve(personas, "H03", h03_raw())
    assert declaration.state == State.AWAITING_COUNTER and declaration.needs_counter
    person = Person.objects.get(id_number=NEWCOMER)
    assert (person.name, person.gender, person.birth_date) == ("马超", "M", dt.date(1988, 6, 1))
    assert Employment.objects.get(person=person).enrolment_type == "03"
    done = services.declaration_complete(declaration=declaration, actor=personas.clerk, comment="材料齐全")
    assert done.state == State.COMPLETED
    assert list(done.events.values_list("action", flat=True)) == [
        "submit",
        "claim",
        "approve",
        "await_counter",
        "complete",
    ]


# --- H05 / H06 险种增减 -------------------------------------------------------------------------------------


def test_h05_and_h06(personas):
    person = personas.person_2
    employment = Employment.objects.get(person=person)
    # H06: unemployment and maternity can be dropped, pension cannot
    errors = errors_of(
        "H06",
        {
            "id_number": person.id_number,
            "insurances": ["pension", "maternity"],
            "stop_period": "202612",
            "reason": "x",
        },
        personas,
    )
    assert "养老" in errors["insurances"][0]
    raw = {
        "id_number": person.id_number,
        "insurances": ["maternity"],
        "stop_period": "202612",
        "reason": "个人申请",
    }
    assert errors_of("H06", raw, personas) == {}
    submit_and_approve(personas, "H06", raw)
    maternity = Coverage.objects.get(employment=employment, insurance="maternity")
    assert maternity.stop_period == 202612
    assert "未参加" in errors_of("H06", raw, personas)["insurances"][0]
    # H05: maternity again from 202612; pension already covered
    bad = errors_of(
        "H05", {"id_number": person.id_number, "insurances": ["pension"], "start_period": "202612"}, personas
    )
    assert "已参加险种：养老" in bad["insurances"][0]
    good = {"id_number": person.id_number, "insurances": ["maternity"], "start_period": "202612"}
    assert errors_of("H05", good, personas) == {}
    submit_and_approve(personas, "H05", good)
    assert (
        Coverage.objects.filter(
            employment=employment, insurance="maternity", stop_period__isnull=True
        ).count()
        == 1
    )
    kinds = list(RecordChange.objects.filter(person=person).values_list("kind", "insurance", "period"))
    assert kinds == [("coverage_closed", "maternity", 202612), ("coverage_opened", "maternity", 202612)]


# --- H07 年度基数 -------------------------------------------------------------------------------------------


def h07_raw(personas, **wages):
    people = [personas.person_1, personas.person_2, personas.person_3]
    default = {"王小明": "4000", "陈丽": "9000.50", "赵强": "40000"}
    return {
        "year": "2026",
        "rows": [
            {"id_number": p.id_number, "name": p.name, "wage": wages.get(p.name, default[p.name])}
            for p in people
        ],
    }


def test_h07_checks(personas):
    assert errors_of("H07", h07_raw(personas), personas) == {}
    raw = h07_raw(personas)
    raw["rows"] = raw["rows"][:2] + [raw["rows"][0]]
    raw["rows"].append({"id_number": personas.person_b1.id_number, "name": "孙悦", "wage": "5000"})
    raw["rows"].append({"id_number": "123", "name": "某", "wage": "x"})
    errors = errors_of("H07", raw, personas)["rows"]
    assert any("第5行" in m and "公民身份号码" in m for m in errors)
    raw["rows"] = raw["rows"][:4]
    errors = errors_of("H07", raw, personas)["rows"]
    assert any("出现 2 次" in m for m in errors)
    assert any("不是本单位在职参保人员" in m for m in errors)
    assert any("缺少 1 名在职职工：赵强" in m for m in errors)
    assert "尚未公布" in errors_of("H07", h07_raw(personas) | {"year": "2027"}, personas)["year"][0]


def test_h07_effect_sets_the_years_bases(personas):
    declaration = submit_and_approve(personas, "H07", h07_raw(personas))
    assert declaration.state == State.COMPLETED
    bases = {
        b.person.name: (b.declared_wage, b.base_pension)
        for b in ContributionBase.objects.filter(start_period=202601).select_related("person")
    }
    assert bases == {
        "王小明": (Decimal("4000.00"), Decimal("5250.00")),
        "陈丽": (Decimal("9000.50"), Decimal("9000.50")),
        "赵强": (Decimal("40000.00"), Decimal("26250.00")),
    }


# --- H08 基数调整 -------------------------------------------------------------------------------------------


def test_h08_checks_flag_and_effect(personas):
    person = personas.person_2
    raw = {
        "id_number": person.id_number,
        "name": "陈丽",
        "period": "202609",
        "wage": "12000",
        "reason": "调薪",
    }
    assert errors_of("H08", raw, personas) == {}
    assert "本基数年度" in errors_of("H08", raw | {"period": "202512"}, personas)["period"][0]
    assert "本基数年度" in errors_of("H08", raw | {"period": "202612"}, personas)["period"][0]
    declaration = submit(personas, "H08", raw)
    assert "超过50%" in services.review_evaluation(declaration, today=TODAY).flags[0]  # 7,654.32 → 12,000
    small = submit(personas, "H08", raw | {"wage": "8000"})
    assert services.review_evaluation(small, today=TODAY).flags == []
    submit_and_approve(personas, "H08", raw | {"wage": "8000"})
    base = ContributionBase.objects.get(person=person, start_period=202609)
    assert (base.base_year, base.declared_wage) == (2026, Decimal("8000.00"))
    change = RecordChange.objects.get(person=person, kind="base_set")
    assert (change.old_value, change.new_value) == ("7654.32", "8000.00")


# --- H09 个人信息 -------------------------------------------------------------------------------------------


def test_h09_checks_and_effects(personas):
    person = personas.person_1
    same = {"id_number": person.id_number, "phone": person.phone}
    assert "没有需要变更" in errors_of("H09", same, personas)["__all__"][0]
    assert "手机号码" in errors_of("H09", same | {"phone": "1390000"}, personas)["phone"][0]
    taken = errors_of(
        "H09", {"id_number": person.id_number, "new_id_number": personas.person_2.id_number}, personas
    )
    assert "已被其他人员使用" in taken["new_id_number"][0]
    other = errors_of("H09", {"id_number": personas.person_b1.id_number, "phone": "13911112222"}, personas)
    assert "不是本单位在职参保人员" in other["id_number"][0]

    phone = submit_and_approve(personas, "H09", {"id_number": person.id_number, "phone": "13911112222"})
    assert phone.state == State.COMPLETED and not phone.needs_counter
    person.refresh_from_db()
    assert person.phone == "13911112222"
    change = RecordChange.objects.get(person=person, kind="person_updated")
    assert (change.field, change.old_value, change.new_value) == ("phone", "13800000000", "13911112222")

    renamed = submit(personas, "H09", {"id_number": person.id_number, "new_name": "王晓明"})
    assert renamed.needs_counter
    assert "姓名" in services.review_evaluation(renamed, today=TODAY).flags[0]


# --- H10 单位信息 -------------------------------------------------------------------------------------------


def test_h10_checks_and_effect(personas):
    employer = personas.employer_a
    assert (
        "没有需要变更" in errors_of("H10", {"contact_phone": employer.contact_phone}, personas)["__all__"][0]
    )
    assert "银行账号" in errors_of("H10", {"bank_account": "12ab"}, personas)["bank_account"][0]
    declaration = submit_and_approve(
        personas, "H10", {"contact_name": "王芳", "bank_account": "6222 0000 1111 2222"}
    )
    assert declaration.state == State.COMPLETED
    employer.refresh_from_db()
    assert (employer.contact_name, employer.bank_account) == ("王芳", "6222000011112222")
    assert RecordChange.objects.filter(employer=employer, kind="employer_updated").count() == 2
    renamed = submit(personas, "H10", {"name": "杭州甲科技集团有限公司"})
    assert renamed.needs_counter


# --- auto-approval ------------------------------------------------------------------------------------------


def test_auto_approval_is_off_by_default_and_configurable(personas):
    person = personas.person_1
    first = submit(personas, "H09", {"id_number": person.id_number, "phone": "13911112222"})
    assert first.state == State.SUBMITTED  # off by default
    services.auto_approval_rule_set(
        item_code="H09", enabled=True, allowed_fields=["phone", "address"], actor=personas.office_admin
    )
    services.declaration_withdraw(declaration=first, employer=personas.employer_a, actor=personas.operator_a)
    auto = submit(personas, "H09", {"id_number": person.id_number, "phone": "13911112222"})
    assert auto.state == State.COMPLETED and auto.decided_by_label == "自动审核"
    assert list(auto.events.values_list("action", "actor_label")) == [
        ("submit", "周杰"),
        ("auto_approve", "自动审核"),
        ("close", "系统"),
    ]
    person.refresh_from_db()
    assert person.phone == "13911112222"
    # a field outside the rule still goes to a reviewer
    hukou = submit(personas, "H09", {"id_number": person.id_number, "hukou_type": "other_rural"})
    assert hukou.state == State.SUBMITTED
    with pytest.raises(Exception) as refused:
        services.auto_approval_rule_set(
            item_code="H01", enabled=True, allowed_fields=[], actor=personas.office_admin
        )
    assert "不允许自动审核" in str(refused.value)
    assert AutoApprovalRule.objects.count() == 1


def test_bulk_approve_skips_failing_and_flagged(personas):
    good = submit(personas, "H09", {"id_number": personas.person_1.id_number, "phone": "13911112222"})
    flagged = submit(personas, "H09", {"id_number": personas.person_2.id_number, "new_name": "陈莉"})
    stale = submit(
        personas,
        "H04",
        {"id_number": personas.person_3.id_number, "name": "赵强", "stop_period": "202612", "reason": "11"},
    )
    employment_stop(
        employment=Employment.objects.get(person=personas.person_3), stop_period=202611, reason="11"
    )
    outcomes = services.declarations_bulk_approve(
        declarations=[good, flagged, stale], actor=personas.reviewer, today=TODAY
    )
    assert [(d.number, ok) for d, ok, _m in outcomes] == [
        (good.number, True),
        (flagged.number, False),
        (stale.number, False),
    ]
    assert "人工核查" in outcomes[1][2] and "自动检查" in outcomes[2][2]
    flagged.refresh_from_db()
    stale.refresh_from_db()
    assert flagged.state == stale.state == State.SUBMITTED
