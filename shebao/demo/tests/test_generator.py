"""The demo data generator: valid identifiers, a consistent record, limits respected, deterministic per seed.

Small sizes (30 employers / 600 persons; 100 / 5,000 where a rare case must show up) keep this fast.
Nothing depends on today's date: the current period is fixed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import transaction

from shebao.core.errors import ValidationFailed
from shebao.core.idnumbers import (
    make_id_number,
    validate_credit_code,
    validate_id_number,
    validate_org_code,
)
from shebao.core.validators import validate_bank_account, validate_name, validate_phone
from shebao.demo import vocab
from shebao.demo.generator import (
    DemoDataError,
    IdNumberMaker,
    allocate_sizes,
    generate,
    pick_personas,
)
from shebao.employers.models import Employer
from shebao.parameters.models import BaseLimit
from shebao.parameters.rules import clamp_base
from shebao.persons.models import ContributionBase, Coverage, Employment, Person

pytestmark = pytest.mark.django_db

PERIOD = 202611  # window 202312–202611, base years 2023–2026
WINDOW_FIRST = 202312
TODAY = dt.date(2026, 11, 30)
CITY_CODES = {d[0] for d in vocab.DISTRICTS}
MODELS = (Employer, Person, Employment, Coverage, ContributionBase)


def month_index(period: int) -> int:
    return (period // 100) * 12 + period % 100 - 1


@pytest.fixture
def small():
    return generate(employers=30, persons=600, current_period=PERIOD)


@pytest.fixture
def moderate():
    return generate(employers=300, persons=5000, current_period=PERIOD, seed=7)


def digest() -> str:
    h = hashlib.sha256()
    for model in MODELS:
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*fields):
            h.update(repr(row).encode())
    return h.hexdigest()


def digest_of_run(**kwargs) -> str:
    """Generate in a savepoint, hash every row, roll back: the next run starts from an empty database again."""
    with transaction.atomic():
        generate(**kwargs)
        result = digest()
        transaction.set_rollback(True)
    assert not Employer.objects.exists()
    return result


# --- sizes and summary ----------------------------------------------------------------------------------


def test_summary_matches_the_database_and_sizes_are_respected(small):
    assert small["counts"] == {
        "employers": Employer.objects.count(),
        "persons": Person.objects.count(),
        "employments": Employment.objects.count(),
        "coverages": Coverage.objects.count(),
        "contribution_bases": ContributionBase.objects.count(),
    }
    assert small["counts"]["employers"] == 30
    assert small["counts"]["persons"] == 600
    assert sum(small["employers_by_size"].values()) == 30
    assert small["largest_employer"] >= 150  # min(5,000, 600 / 4)
    # Every person's latest employment is at one employer, and every employer has at least one person.
    latest = Employment.objects.order_by("person_id", "-start_period")
    per_employer = Counter()
    seen = set()
    for person_id, employer_id in latest.values_list("person_id", "employer_id"):
        if person_id not in seen:
            seen.add(person_id)
            per_employer[employer_id] += 1
    assert len(seen) == 600
    assert len(per_employer) == 30
    assert max(per_employer.values()) == small["largest_employer"]
    assert small["seconds"] >= 0


def test_allocate_sizes_long_tail_within_bounds():
    sizes = allocate_sizes(random.Random(1), 33_334, 1_000_000)
    assert sum(sizes) == 1_000_000
    assert min(sizes) == 1 and max(sizes) == 5000
    assert sizes[0] == 5000  # the largest comes first
    small_share = sum(1 for s in sizes if s < 10) / len(sizes)
    assert 0.5 < small_share < 0.8  # most employers are small
    assert allocate_sizes(random.Random(1), 1, 40) == [40]
    assert sum(allocate_sizes(random.Random(2), 5, 5)) == 5


@pytest.mark.parametrize(("employers", "persons"), [(0, 10), (10, 9), (2, 10_001)])
def test_allocate_sizes_refuses_impossible_sizes(employers, persons):
    with pytest.raises(DemoDataError):
        allocate_sizes(random.Random(1), employers, persons)


# --- identifiers and words ------------------------------------------------------------------------------


def test_every_id_number_is_valid_and_matches_gender_birth_date_and_hukou(small):
    for number, gender, birth, hukou, name, phone in Person.objects.values_list(
        "id_number", "gender", "birth_date", "hukou_type", "name", "phone"
    ):
        info = validate_id_number(number, today=TODAY)
        assert info.gender == gender and info.birth_date == birth
        assert (number[:6] in CITY_CODES) == hukou.startswith("local"), (number, hukou)
        assert 18 <= info.age_on(dt.date(2026, 11, 1)) <= 64
        assert validate_name(name) == name and 2 <= len(name) <= 30
        assert validate_phone(phone) == phone
    assert Person.objects.values("id_number").distinct().count() == 600


def test_id_number_maker_gives_the_same_numbers_as_make_id_number():
    maker = IdNumberMaker()
    rng = random.Random(3)
    for _i in range(500):
        code = rng.choice([*CITY_CODES, "650102", "110105"])
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(20_000))
        seq = rng.randrange(1000)
        assert maker(code, birth, seq) == make_id_number(code, birth, seq)


def test_employers_have_valid_codes_and_contacts(small):
    for e in Employer.objects.all():
        info = validate_credit_code(e.credit_code)
        assert validate_org_code(e.org_code) == e.org_code == info.organisation_code
        assert info.division_code == e.district_code and e.district_code in CITY_CODES
        assert len(e.number) == 8 and e.number.isdigit()
        assert 1 <= e.risk_class <= 8 and e.industry
        assert validate_phone(e.contact_phone)
        assert validate_bank_account(e.bank_account) == e.bank_account
        assert validate_name(e.legal_representative) and validate_name(e.contact_name)
        assert e.address.startswith("杭州市") and e.bank_name.endswith("支行")
    assert Employer.objects.values("number").distinct().count() == 30
    assert Employer.objects.values("name").distinct().count() == 30


def test_bad_identifier_would_be_caught():
    # The validators used above do reject a wrong check character (guards the test's own strength).
    with pytest.raises(ValidationFailed):
        validate_id_number(make_id_number("330106", dt.date(1990, 1, 1), 11)[:17] + "0", today=TODAY)


# --- the record's consistency ---------------------------------------------------------------------------


def test_no_person_ever_has_overlapping_or_two_open_employments(small):
    history = defaultdict(list)
    for person_id, start, stop in Employment.objects.values_list("person_id", "start_period", "stop_period"):
        history[person_id].append((start, stop))
    for spans in history.values():
        spans.sort()
        assert sum(1 for _start, stop in spans if stop is None) <= 1
        for (start, stop), (next_start, _next_stop) in zip(spans, spans[1:], strict=False):
            assert stop is not None and start < stop <= next_start


def test_statuses_match_stop_periods_and_reasons(small):
    for e in Employment.objects.select_related("employer", "person"):
        assert e.enrolment_type in {"01", "02", "03"}
        if e.stop_period is None:
            assert e.status in {"active", "suspended"} and e.stop_reason == ""
        else:
            assert e.status in {"stopped", "retired"} and e.stop_reason
            assert e.start_period < e.stop_period <= PERIOD
            assert e.stop_period > WINDOW_FIRST  # every stop falls in the window
            assert (e.status == "retired") == (e.stop_reason == "31")
        if e.employer.status == "cancelled":
            assert e.stop_period is not None
        # Starts after the employer's registration and the person's 16th birthday.
        registered = e.employer.registered_on
        assert e.start_period >= registered.year * 100 + registered.month
        birth = e.person.birth_date
        assert month_index(e.start_period) >= birth.year * 12 + birth.month - 1 + 16 * 12
        assert e.person.first_work_date <= dt.date(e.start_period // 100, e.start_period % 100, 1)


def test_employments_repeat_their_persons_fields(small):
    rows = Employment.objects.values_list(
        "person__id_number", "person__name", "person__gender", "person__birth_date",
        "person_id_number", "person_name", "person_gender", "person_birth_date",
    )  # fmt: skip
    assert rows and all(row[:4] == row[4:] for row in rows)


def test_coverage_matches_its_employment(small):
    employments = {e.id: e for e in Employment.objects.all()}
    by_employment = defaultdict(set)
    for c in Coverage.objects.all():
        e = employments[c.employment_id]
        assert (c.person_id, c.employer_id) == (e.person_id, e.employer_id)
        assert c.start_period >= e.start_period
        if e.stop_period is None:
            assert c.stop_period is None
        else:
            assert c.stop_period is not None and c.start_period <= c.stop_period <= e.stop_period
        by_employment[c.employment_id].add(c.insurance)
    for e in employments.values():
        expected = {"injury"} if e.employment_form in {"part_time", "reemployed_retiree"} else {
            "pension", "medical", "unemployment", "injury", "maternity"
        }  # fmt: skip
        assert by_employment[e.id] == expected, e


def test_bases_are_clamped_to_their_years_limits_and_cover_each_base_year(small):
    limits = {(b.base_year, b.insurance): (b.floor, b.ceiling) for b in BaseLimit.objects.all()}
    employments = list(Employment.objects.all())
    bases = defaultdict(list)
    for b in ContributionBase.objects.all():
        assert b.source == "demo" and b.base_year in {2023, 2024, 2025, 2026}
        assert b.start_period // 100 == b.base_year
        assert b.declared_wage > 0 and b.declared_wage == b.declared_wage.quantize(Decimal("0.01"))
        for insurance in ("pension", "medical", "unemployment", "injury", "maternity"):
            floor, ceiling = limits[(b.base_year, insurance)]
            value = b.base_for(insurance)
            assert floor <= value <= ceiling
            assert value == clamp_base(b.declared_wage, floor, ceiling)
        bases[(b.person_id, b.employer_id)].append(b)
    for e in employments:
        own = bases[(e.person_id, e.employer_id)]
        end = PERIOD + 1 if e.stop_period is None else e.stop_period
        first = max(e.start_period, WINDOW_FIRST)
        expected_years = {y for y in range(2023, 2027) if y * 100 + 1 < end and first < (y + 1) * 100 + 1}
        assert {b.base_year for b in own} == expected_years, e
        for b in own:
            assert b.start_period == max(e.start_period, b.base_year * 100 + 1)
    # Wages are spread out: some at the floor, most in between, a few at the ceiling is likely.
    declared = [b.declared_wage for bs in bases.values() for b in bs]
    assert len(set(declared)) > len(declared) / 2


def test_moderate_size_has_every_kind_of_history(moderate):
    employments = Employment.objects.all()
    assert employments.filter(status="retired", stop_reason="31").count() >= 20
    assert employments.filter(status="suspended").exists()
    assert employments.filter(enrolment_type="02").count() >= 100
    assert employments.filter(enrolment_type="03").exists()
    assert employments.filter(employment_form="reemployed_retiree").exists()
    assert employments.filter(employment_form="part_time").exists()
    assert employments.filter(stop_reason="41").exists()
    assert set(employments.exclude(stop_reason="").values_list("stop_reason", flat=True)) >= {
        "11", "12", "13", "21", "31", "41",
    }  # fmt: skip
    # A resumption follows a stop at another employer.
    resumed = employments.filter(enrolment_type="02").first()
    before = employments.filter(person_id=resumed.person_id).exclude(pk=resumed.pk).get()
    assert before.employer_id != resumed.employer_id and before.stop_period <= resumed.start_period
    assert set(Employer.objects.values_list("employer_type", flat=True)) == {
        "enterprise", "organ", "institution", "private_non_enterprise", "individual_business",
    }  # fmt: skip
    assert Employer.objects.filter(employer_type="enterprise").count() > 200
    assert Person.objects.filter(name__contains="·").exists()
    assert Person.objects.exclude(hukou_type__startswith="local").count() > 1000
    assert moderate["largest_employer"] >= 1250
    assert moderate["employers_by_size"]["1-9"] > 100


# --- determinism and refusal ----------------------------------------------------------------------------


def test_same_seed_gives_identical_rows_and_another_seed_differs():
    first = digest_of_run(employers=12, persons=200, current_period=PERIOD, seed=42)
    second = digest_of_run(employers=12, persons=200, current_period=PERIOD, seed=42)
    other = digest_of_run(employers=12, persons=200, current_period=PERIOD, seed=43)
    assert first == second
    assert other != first


def test_refuses_a_database_with_employers(personas):
    persons_before = Person.objects.count()
    with pytest.raises(DemoDataError, match="已有单位或人员"):
        generate(employers=5, persons=50, current_period=PERIOD)
    assert Person.objects.count() == persons_before
    assert Employer.objects.count() == 2


def test_refuses_when_base_limits_are_missing():
    with pytest.raises(DemoDataError, match="2030"):
        generate(employers=5, persons=50, current_period=203011)
    assert not Employer.objects.exists()


def test_progress_is_reported_in_chinese():
    messages = []
    generate(employers=5, persons=50, current_period=PERIOD, progress=messages.append)
    assert any("已生成人员 50 / 50" in m for m in messages)
    assert messages[-1].startswith("完成")


# --- personas -------------------------------------------------------------------------------------------


def test_pick_personas_chooses_mid_size_employers_and_an_active_person(small):
    chosen = pick_personas(current_period=PERIOD)
    a, b, person = chosen["employer_a"], chosen["employer_b"], chosen["individual"]
    assert a != b
    for employer in (a, b):
        assert employer.status == "active" and employer.employer_type == "enterprise"
        active = Employment.objects.filter(employer=employer, status="active").count()
        assert 20 <= active <= 200
    employment = Employment.objects.get(person=person, stop_period__isnull=True)
    assert employment.employer == a and employment.status == "active"
    assert pick_personas(current_period=PERIOD) == chosen  # deterministic


def test_ids_continue_after_the_generated_rows(small):
    # PostgreSQL sequences were moved past the ids the generator assigned (SQLite's follow by themselves).
    employer = Employer.objects.order_by("pk").first()
    top = Employer.objects.order_by("-pk").values_list("pk", flat=True).first()
    employer.pk = None
    employer.number, employer.credit_code, employer.name = "99999999", None, "新登记单位"
    employer.save()
    assert employer.pk > top
    person = Person.objects.order_by("pk").first()
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    person.pk, person.id_number = None, make_id_number("330106", dt.date(1990, 1, 1), 999)
    person.save()
    assert person.pk > top
