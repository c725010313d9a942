"""H01 (new enrolment) and H04 (stop): checks with good and bad data, and their effects on the record."""

import datetime as dt
from decimal import Decimal

import pytest

from shebao.core.errors import FieldErrors
from shebao.core.idnumbers import make_id_number
from shebao.declarations import services
from shebao.declarations.models import Declaration, State
from shebao.persons.models import ContributionBase, Coverage, Employment, Person, RecordChange

from .conftest import ALL_INSURANCES, NEW_ID, TODAY, h01_raw
from .helpers import approve, errors_of, submit, submit_and_approve

pytestmark = pytest.mark.django_db


def test_h01_good_data_passes_every_check(personas):
    assert errors_of("H01", h01_raw(), personas) == {}


def test_h01_reports_every_bad_field_at_once(personas):
    errors = errors_of(
        "H01",
        h01_raw(
            name="张3", gender="F", birth_date="1995-03-09", hukou_type="", wage="abc", start_period="202613"
        ),
        personas,
    )
    assert set(errors) == {"name", "gender", "birth_date", "hukou_type", "wage", "start_period"}
    assert "数字" in errors["name"][0]
    assert "性别与公民身份号码不一致" in errors["gender"][0]
    assert "出生日期" in errors["birth_date"][0]
    assert errors["hukou_type"] == ["户籍性质不能为空"]


def test_h01_bad_id_number_is_named(personas):
    errors = errors_of("H01", h01_raw(id_number=NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")), personas)
    assert "第18位校验码" in errors["id_number"][0]


@pytest.mark.parametrize(
    ("birth", "seq", "start", "expected"),
    [
        (dt.date(2011, 1, 1), 51, "202611", "未满16周岁"),  # 15 at the start
        (dt.date(1962, 5, 1), 51, "202611", "法定退休年龄"),  # a man of 64
        (dt.date(2010, 11, 1), 51, "202611", None),  # exactly 16
    ],
)
def test_h01_age_range(personas, birth, seq, start, expected):
    number = make_id_number("330106", birth, seq)
    errors = errors_of(
        "H01", h01_raw(id_number=number, birth_date=birth.isoformat(), start_period=start), personas
    )
    if expected:
        assert expected in errors["id_number"][0]
    else:
        assert "id_number" not in errors


def test_h01_refuses_a_person_enrolled_before(personas):
    raw = h01_raw(id_number=personas.person_b1.id_number, name="孙悦", gender="F", birth_date="1992-08-08")
    errors = errors_of("H01", raw, personas)
    assert any("H02" in m for m in errors["id_number"])
    assert any("其他单位参保" in m for m in errors["id_number"]), errors


def test_h01_start_period_window_uses_the_parameter(personas):
    assert "start_period" not in errors_of("H01", h01_raw(start_period="202608"), personas)  # 3 back
    errors = errors_of("H01", h01_raw(start_period="202607"), personas)
    assert "最多追溯 3 个月" in errors["start_period"][0]
    later = errors_of("H01", h01_raw(start_period="202701"), personas)["start_period"]
    assert any("不能晚于 202612" in m for m in later) and any("尚未公布" in m for m in later)


def test_h01_part_time_is_injury_only(personas):
    errors = errors_of("H01", h01_raw(employment_form="part_time"), personas)
    assert "工伤" in errors["insurances"][0]
    assert errors_of("H01", h01_raw(employment_form="part_time", insurances=["injury"]), personas) == {}


def test_h01_clamped_base_is_shown_as_a_note(personas):
    evaluation = services.review_evaluation(submit(personas, "H01", h01_raw(wage="3000")), today=TODAY)
    notes = [n for r in evaluation.results for n in r.notes]
    assert notes == ["申报工资 3,000.00 低于 2026 年度缴费基数下限，按下限 5,250.00 缴费"]


def test_h01_flags_a_late_first_enrolment(personas):
    number = make_id_number("330106", dt.date(1976, 1, 10), 53)  # a man of 50
    declaration = submit(personas, "H01", h01_raw(id_number=number, birth_date="1976-01-10"))
    assert "首次参保" in services.review_evaluation(declaration, today=TODAY).flags[0]


def test_h01_submit_refuses_bad_data_and_writes_nothing(personas):
    with pytest.raises(FieldErrors) as refused:
        submit(personas, "H01", h01_raw(name="", wage="-1"))
    assert set(refused.value.errors) == {"name", "wage"}
    assert not Declaration.objects.exists()


def test_h01_effect_enrols_the_person(personas):
    declaration = submit_and_approve(personas, "H01", h01_raw(wage="30000"))
    assert declaration.state == State.COMPLETED and declaration.result_unread
    person = Person.objects.get(id_number=NEW_ID)
    assert (person.name, person.gender, person.birth_date, person.phone) == (
        "刘洋",
        "M",
        dt.date(1995, 3, 8),
        "13900000001",
    )
    employment = Employment.objects.get(person=person)
    assert (employment.employer, employment.start_period, employment.status, employment.enrolment_type) == (
        personas.employer_a,
        202611,
        "active",
        "01",
    )
    assert sorted(
        Coverage.objects.filter(employment=employment).values_list("insurance", flat=True)
    ) == sorted(ALL_INSURANCES)
    base = ContributionBase.objects.get(person=person)
    assert (base.base_year, base.start_period, base.declared_wage, base.base_pension) == (
        2026,
        202611,
        Decimal("30000.00"),
        Decimal("26250.00"),
    )
    kinds = set(RecordChange.objects.filter(person=person).values_list("kind", flat=True))
    assert kinds == {"person_created", "employment_opened", "coverage_opened", "base_set"}
    assert set(RecordChange.objects.filter(person=person).values_list("declaration_number", flat=True)) == {
        declaration.number
    }
    steps = list(declaration.events.values_list("action", flat=True))
    assert steps == ["submit", "claim", "approve", "close"]


def test_h01_approval_refused_when_the_record_changed(personas):
    first = submit(personas, "H01", h01_raw())
    second = submit(personas, "H01", h01_raw(), employer=personas.employer_b, actor=personas.operator_b)
    approve(personas, first)
    claimed = services.declaration_claim(declaration=second, actor=personas.reviewer)
    with pytest.raises(services.ApprovalRefused) as refused:
        services.declaration_approve(declaration=claimed, actor=personas.reviewer, today=TODAY)
    assert "其他单位参保" in refused.value.message or "参保记录" in refused.value.message
    assert Declaration.objects.get(pk=second.pk).state == State.IN_REVIEW
    assert Employment.objects.filter(person__id_number=NEW_ID).count() == 1


# --- H04 ----------------------------------------------------------------------------------------------------


def h04_raw(personas, **changes):
    raw = {
        "id_number": personas.person_1.id_number,
        "name": "王小明",
        "stop_period": "202612",
        "reason": "11",
    }
    raw.update(changes)
    return raw


def test_h04_good_data(personas):
    assert errors_of("H04", h04_raw(personas), personas) == {}


def test_h04_bad_data(personas):
    errors = errors_of("H04", h04_raw(personas, name="王大明", stop_period="202301", reason="77"), personas)
    assert "姓名" in errors["name"][0]
    assert "不早于" in errors["stop_period"][0] or "不能早于" in errors["stop_period"][0]
    assert "不在可选范围" in errors["reason"][0]
    other = errors_of("H04", h04_raw(personas, id_number=personas.person_b1.id_number, name="孙悦"), personas)
    assert "不是本单位在职参保人员" in other["id_number"][0]
    assert "死亡日期" in errors_of("H04", h04_raw(personas, reason="32"), personas)["death_date"][0]


def test_h04_death_is_flagged(personas):
    declaration = submit(personas, "H04", h04_raw(personas, reason="32", death_date="2026-11-20"))
    assert "死亡" in services.review_evaluation(declaration, today=TODAY).flags[0]


def test_h04_effect_stops_employment_and_coverages(personas):
    submit_and_approve(personas, "H04", h04_raw(personas, reason="31"))
    employment = Employment.objects.get(person=personas.person_1)
    assert (employment.stop_period, employment.status, employment.stop_reason) == (202612, "retired", "31")
    assert set(Coverage.objects.filter(employment=employment).values_list("stop_period", flat=True)) == {
        202612
    }
    assert RecordChange.objects.filter(person=personas.person_1, kind="employment_stopped").count() == 1
    # a stopped person can no longer be stopped
    assert "不是本单位在职参保人员" in errors_of("H04", h04_raw(personas), personas)["id_number"][0]
