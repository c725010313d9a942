"""Synthetic core-record data at any scale: employers, persons, employment, coverage and contribution bases.

``generate`` fills an empty database with a city's worth of realistic, internally consistent records covering
the 36 periods up to ``current_period``; ``pick_personas`` then chooses the demo's employers and individual.

Everything is decided by one ``random.Random(seed)`` and ``current_period``, never by the clock or the global
random state: the same seed and sizes give the same rows, id for id (the ids start above the tables' current
maximum). Employers, persons, employment and bases are built in Python in chunks of 20,000 persons and appended
with the fastest safe path of the backend (``bulk.BulkWriter``: executemany on SQLite; COPY from a background
thread on PostgreSQL, so the next chunk is built while the server stores this one); coverage, which only
repeats its employment's periods, is derived set-based in the database (one INSERT … SELECT). Secondary indexes
(and on PostgreSQL foreign keys and unique constraints) are rebuilt at the end, which re-checks every row.
All of it is one transaction: a failure leaves the database as it was. While it runs, the five tables are
locked (a demo or benchmark database, not one serving users).

What the data looks like (decisions the spec leaves open):
- Employer sizes follow a Lomax tail (α = 1.2): most employers have fewer than 10 persons, a few have
  thousands (at most 5,000); the largest has at least min(5,000, persons / 4). An employer's size is the
  number of persons whose latest employment is there (active, suspended, stopped or retired).
- Employer numbers (8 digits from 10000001) follow the registration date. Credit codes are issued for every
  employer (organisation-code body "MA…" after October 2015, 8 digits before), with the registration authority
  and organisation type of the employer type, in the employer's district.
- A person's latest employment is at their employer; about 10 % first stopped elsewhere in the window and
  resumed here (续保 02, after a gap of 0–6 months), 3 % transferred in from another region (转入 03), 12 % were
  hired in the window, 9 % stopped here in the window, the rest have been here since before it. People
  reaching the statutory retirement age (``RetirementAgeRule``) in the window retire (stop reason 31); a few
  older people are re-employed retirees (退休返聘, work injury only); 1.5 % of open employments are suspended.
  A few small employers are cancelled in the window (their employment stops with reason 41) or suspended
  (their open employment is suspended).
- Persons are 18–64 on the first day of the current period; 54 % men; ID numbers in the city's districts for
  本市 hukou, other provinces' (and other Zhejiang cities') for 外市; 0.5 % Uyghur/Kazakh names with the 间隔号 ·.
- Coverage: the five insurances with the employment's periods; 非全日制 and 退休返聘 have work injury only.
  Coverage ids are employment-based (first + (employment − first) × 5 + k), so there are gaps.
- Bases: one row per employment and base year that the employment has months in within the window, from the
  base year's first month (or the employment's start if later). The declared wage is log-normal around the
  year's average wage (employer industry and the person's own level shift it); it is a whole number of
  yuan for 70 % of rows; the bases are the declared wage clamped to that year's limits.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from shebao.core.choices import (
    EmployerStatus,
    EmployerType,
    EmploymentForm,
    EmploymentStatus,
    Insurance,
    default_post_type,
)
from shebao.core.errors import DomainError
from shebao.core.idnumbers import (
    CREDIT_ALPHABET,
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    make_credit_code,
    make_id_number,
    make_org_code,
)
from shebao.core.period import Period
from shebao.employers.models import Employer
from shebao.parameters.models import AverageWage, BaseLimit
from shebao.parameters.rules import clamp_base, retirement_period
from shebao.parameters.selectors import ParameterMissing, policy_int, retirement_rule_for
from shebao.persons.models import ContributionBase, Coverage, Employment, Person

from . import vocab
from .bulk import BulkWriter

DEFAULT_SEED = 20261126
HISTORY_MONTHS = 36
MAX_EMPLOYER_SIZE = 5000
SIZE_ALPHA = 1.2  # shape of the Pareto (Lomax) tail of employer sizes
CHUNK_PERSONS = 20_000
BASE_SOURCE = "demo"
INSURANCES = tuple(Insurance.values)  # pension, medical, unemployment, injury, maternity
INJURY_ONLY = (Insurance.INJURY.value,)
INJURY_ONLY_FORMS = {EmploymentForm.PART_TIME.value, EmploymentForm.REEMPLOYED_RETIREE.value}
SIZE_BUCKETS = [(1, 9), (10, 49), (50, 199), (200, 999), (1000, 4999), (5000, None)]

EMPLOYER_COLUMNS = (
    "id", "number", "credit_code", "org_code", "name", "employer_type", "industry", "risk_class",
    "district_code", "address", "legal_representative", "contact_name", "contact_phone", "bank_name",
    "bank_account", "registered_on", "status",
)  # fmt: skip
PERSON_COLUMNS = (
    "id", "id_number", "name", "gender", "birth_date", "ethnicity", "hukou_type", "phone", "address",
    "first_work_date",
)  # fmt: skip
# The person's columns every employment repeats (persons.models.person_copies), in EMPLOYMENT_COLUMNS' order.
PERSON_COPIED = slice(1, 5)
assert PERSON_COLUMNS[PERSON_COPIED] == ("id_number", "name", "gender", "birth_date")
EMPLOYMENT_COLUMNS = (
    "id", "person_id", "employer_id", "enrolment_type", "employment_form", "start_period", "stop_period",
    "stop_reason", "status", "post_type", "person_id_number", "person_name", "person_gender",
    "person_birth_date",
)  # fmt: skip
COVERAGE_COLUMNS = (
    "id",
    "employment_id",
    "person_id",
    "employer_id",
    "insurance",
    "start_period",
    "stop_period",
)
BASE_COLUMNS = (
    "id", "person_id", "employer_id", "base_year", "start_period", "declared_wage", "base_pension",
    "base_medical", "base_unemployment", "base_injury", "base_maternity", "source",
)  # fmt: skip
TABLES = [
    (Employer, EMPLOYER_COLUMNS),
    (Person, PERSON_COLUMNS),
    (Employment, EMPLOYMENT_COLUMNS),
    (Coverage, COVERAGE_COLUMNS),
    (ContributionBase, BASE_COLUMNS),
]

# Age (at the current period) → weight, for insured employees.
AGE_WEIGHTS = {
    **{18: 1, 19: 2, 20: 4, 21: 6, 22: 9, 23: 9, 24: 9},
    **dict.fromkeys(range(25, 45), 10),
    **dict.fromkeys(range(45, 50), 9),
    **dict.fromkeys(range(50, 55), 7),
    **dict.fromkeys(range(55, 60), 5),
    **dict.fromkeys(range(60, 65), 2),
}
REEMPLOYED_SHARE = 0.12  # of people already retired before the window who are kept (as re-employed retirees)
FORMS = [("contract", 86), ("dispatched", 7), ("part_time", 5), ("other", 2)]
# Stop reasons of people who leave the city's insurance, and of a job left before a resumption.
LEAVE_REASONS = [
    ("11", 38), ("12", 14), ("13", 18), ("14", 2), ("21", 12), ("32", 1), ("33", 2), ("34", 1), ("35", 3),
    ("36", 0.3), ("37", 0.3), ("99", 4),
]  # fmt: skip
SWITCH_REASONS = [("11", 55), ("12", 15), ("13", 25), ("99", 5)]
RESUME_GAPS = (0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 6)
# employer type → (credit code registration authority, organisation type)
CREDIT_PREFIX = {
    "enterprise": ("9", "1"),
    "individual_business": ("9", "2"),
    "organ": ("1", "1"),
    "institution": ("1", "2"),
    "private_non_enterprise": ("5", "2"),
}
CREDIT_CODES_SINCE = 2015 * 12 + 9  # month index of 2015-10: organisation codes "MA…" from then on


class DemoDataError(DomainError):
    """The demo data cannot be generated as asked (non-empty database, missing parameters, bad sizes)."""


# --- small helpers --------------------------------------------------------------------------------------


def _month_index(period: int) -> int:
    return (period // 100) * 12 + period % 100 - 1


def _period(index: int) -> int:
    return (index // 12) * 100 + index % 12 + 1


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _picker(rng: random.Random, pairs: Sequence[tuple]) -> Callable[[], object]:
    """A function drawing the first element of one of ``pairs`` (item, weight, …) with its weight."""
    items = [p[0] for p in pairs]
    cum: list[float] = []
    total = 0.0
    for p in pairs:
        total += p[1]
        cum.append(total)
    rand, bis = rng.random, bisect.bisect_right

    def pick():
        return items[bis(cum, rand() * total)]

    return pick


class IdNumberMaker:
    """``make_id_number`` for millions of people: the same numbers, with the weighted digit sums of address
    codes, birth dates and sequences cached (``make_id_number`` recomputes all 17 digits for each)."""

    _SEQ_SUMS = [
        sum(int(c) * w for c, w in zip(f"{s:03d}", ID_WEIGHTS[14:], strict=True)) for s in range(1000)
    ]

    def __init__(self) -> None:
        self._addresses: dict[str, int] = {}
        self._dates: dict[dt.date, tuple[str, int]] = {}

    def __call__(self, address_code: str, birth: dt.date, seq: int) -> str:
        a = self._addresses.get(address_code)
        if a is None:
            make_id_number(address_code, birth, seq)  # validates the arguments once per address code
            a = self._addresses[address_code] = sum(
                int(c) * w for c, w in zip(address_code, ID_WEIGHTS[:6], strict=True)
            )
        d = self._dates.get(birth)
        if d is None:
            ymd = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
            d = self._dates[birth] = (
                ymd,
                sum(int(c) * w for c, w in zip(ymd, ID_WEIGHTS[6:14], strict=True)),
            )
        return f"{address_code}{d[0]}{seq:03d}{ID_CHECK_CHARS[(a + d[1] + self._SEQ_SUMS[seq]) % 11]}"


def size_bucket(size: int) -> str:
    for low, high in SIZE_BUCKETS:
        if high is None or size <= high:
            return f"{low}+" if high is None else f"{low}-{high}"
    raise AssertionError(size)


def allocate_sizes(rng: random.Random, employers: int, persons: int) -> list[int]:
    """Employer sizes summing to ``persons``: the first is the largest employer, min(5,000, persons / 4) or
    more; the others follow a Pareto tail between 1 and 5,000."""
    if employers < 1:
        raise DemoDataError(_("单位数至少为 1"))
    if persons < employers:
        raise DemoDataError(
            _("人员数 %(persons)d 少于单位数 %(employers)d：每个单位至少要有一名人员")
            % {"persons": persons, "employers": employers}
        )
    if persons > employers * MAX_EMPLOYER_SIZE:
        raise DemoDataError(
            _("人员数 %(persons)d 超过单位数 × %(max)d：单位规模最大为 %(max)d 人")
            % {"persons": persons, "max": MAX_EMPLOYER_SIZE}
        )
    if employers == 1:
        return [persons]
    rest = employers - 1
    big = min(MAX_EMPLOYER_SIZE, max(1, persons // 4), persons - rest)
    big = max(big, persons - rest * MAX_EMPLOYER_SIZE)
    remaining = persons - big
    # Lomax (Pareto type II, from 0): about 13 % of employers have one person, 60 % fewer than ten.
    weights = sorted((rng.paretovariate(SIZE_ALPHA) - 1 for _i in range(rest)), reverse=True)

    def sizes_for(scale: float) -> list[int]:
        return [min(MAX_EMPLOYER_SIZE, 1 + int(w * scale)) for w in weights]

    low, high = 0.0, float(remaining)
    for _step in range(60):
        mid = (low + high) / 2
        if sum(sizes_for(mid)) < remaining:
            low = mid
        else:
            high = mid
    sizes = sizes_for(low)
    diff = remaining - sum(sizes)
    i = 0
    while diff:  # spread the rounding over the employers, largest first
        step = 1 if diff > 0 else -1
        new = sizes[i % rest] + step
        if 1 <= new <= MAX_EMPLOYER_SIZE:
            sizes[i % rest] = new
            diff -= step
        i += 1
    return [big, *sizes]


# --- parameters -----------------------------------------------------------------------------------------


class _Parameters:
    """Average wages, base limits (in cents), base-year start month and retirement rules, read once."""

    def __init__(self, current_period: int):
        try:
            Period(current_period)
        except (ValueError, TypeError) as exc:
            raise DemoDataError(_("当前期 %(period)s 不是有效的年月") % {"period": current_period}) from exc
        self.current = _month_index(current_period)
        self.first = self.current - HISTORY_MONTHS + 1
        try:
            first_month = policy_int("base_year_first_month", period=current_period)
        except ParameterMissing:
            first_month = 1
        self.first_month = first_month
        # Base years that have months in the window: the year of a month index m is the year whose first
        # month (year*12 + first_month - 1) is the latest not after m.
        self.years = sorted({self.base_year_of(m) for m in range(self.first, self.current + 1)})
        wages = dict(AverageWage.objects.filter(year__in=self.years).values_list("year", "monthly_amount"))
        limits: dict[int, dict[str, tuple[int, int]]] = {}
        for row in BaseLimit.objects.filter(base_year__in=self.years):
            limits.setdefault(row.base_year, {})[row.insurance] = (
                int(row.floor * 100),
                int(row.ceiling * 100),
            )
        missing = [str(y) for y in self.years if y not in wages or set(limits.get(y, {})) != set(INSURANCES)]
        if missing:
            raise DemoDataError(
                _("缺少 %(years)s 年度的社会平均工资或缴费基数上下限，无法生成演示数据")
                % {"years": "、".join(missing)}
            )
        self.avg_wage = {y: int(wages[y] * 100) for y in self.years}
        # Per year: the distinct (floor, ceiling) pairs and, for each insurance, which pair it uses.
        self.limit_pairs: dict[int, list[tuple[int, int]]] = {}
        self.limit_slots: dict[int, tuple[int, ...]] = {}
        for y in self.years:
            pairs = sorted(set(limits[y].values()))
            self.limit_pairs[y] = pairs
            self.limit_slots[y] = tuple(pairs.index(limits[y][ins]) for ins in INSURANCES)
        try:
            self.retirement = {g: retirement_rule_for(g) for g in ("male", "female_worker", "female_cadre")}
        except ParameterMissing as exc:
            raise DemoDataError(str(exc)) from exc

    def base_year_of(self, month_index: int) -> int:
        year, month0 = divmod(month_index, 12)
        return year if month0 + 1 >= self.first_month else year - 1

    def base_year_start(self, year: int) -> int:
        return year * 12 + self.first_month - 1


# --- the generator --------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, *, employers: int, persons: int, seed: int, params: _Parameters):
        self.rng = random.Random(seed)
        self.n_employers = employers
        self.n_persons = persons
        self.params = params
        rng = self.rng
        self.pick_surname = _picker(rng, vocab.SURNAMES)
        self.pick_district = _picker(rng, [(d, d[3]) for d in vocab.DISTRICTS])
        self.pick_other_code = _picker(rng, vocab.OTHER_ADDRESS_CODES)
        self.pick_hukou = _picker(rng, [(h, h[1]) for h in vocab.HUKOU_TYPES])
        self.pick_minority = _picker(rng, vocab.MINORITY_ETHNICITIES)
        self.pick_industry = _picker(rng, [(i, i[2]) for i in vocab.INDUSTRIES])
        self.pick_suffix = _picker(rng, vocab.COMPANY_SUFFIXES)
        self.pick_bank = _picker(rng, [(b, b[3]) for b in vocab.BANKS])
        self.pick_form = _picker(rng, FORMS)
        self.pick_leave = _picker(rng, LEAVE_REASONS)
        self.pick_switch = _picker(rng, SWITCH_REASONS)
        self.pick_age = _picker(rng, list(AGE_WEIGHTS.items()))
        self.id_numbers: set[str] = set()
        self.make_id_number = IdNumberMaker()

    # --- words ---

    def person_name(self, male: bool) -> str:
        rand = self.rng.random
        pool = vocab.GIVEN_MALE if male else vocab.GIVEN_FEMALE
        either = vocab.GIVEN_EITHER
        surname = self.pick_surname()
        given = pool[int(rand() * len(pool))]
        u = rand()
        if u < 0.72:  # two-character given name
            second = pool[int(rand() * len(pool))]
            given = (either[int(rand() * len(either))] + second) if rand() < 0.3 else (given + second)
        return surname + given

    def dot_name(self, male: bool) -> str:
        rand = self.rng.random
        own = vocab.DOT_GIVEN_MALE if male else vocab.DOT_GIVEN_FEMALE
        return own[int(rand() * len(own))] + "·" + vocab.DOT_FATHER[int(rand() * len(vocab.DOT_FATHER))]

    def mobile(self) -> str:
        rand = self.rng.random
        prefixes = vocab.MOBILE_PREFIXES
        return f"{prefixes[int(rand() * len(prefixes))]}{int(rand() * 100_000_000):08d}"

    def landline(self) -> str:
        return f"{vocab.LANDLINE_AREA}-{8 if self.rng.random() < 0.8 else 5}{int(self.rng.random() * 10_000_000):07d}"

    def street_address(self, district) -> str:
        rand = self.rng.random
        streets = district[4]
        return f"{vocab.CITY}{district[1]}{streets[int(rand() * len(streets))]}{1 + int(rand() * 999)}号"

    def trade_name(self) -> str:
        rand = self.rng.random
        first, second = vocab.TRADE_NAME_FIRST, vocab.TRADE_NAME_SECOND
        a = first[int(rand() * len(first))]
        b = second[int(rand() * len(second))]
        return a + b if a != b else a + "誉"

    # --- employers ---

    def employers(self, first_id: int) -> list[dict]:
        rng, rand = self.rng, self.rng.random
        p = self.params
        sizes = allocate_sizes(rng, self.n_employers, self.n_persons)
        rng.shuffle(sizes)
        names: set[str] = set()
        org_bodies: set[str] = set()
        rows = []
        types = [self._employer_type(size) for size in sizes]
        if len(sizes) >= len(CREDIT_PREFIX):  # every type at least once, converted from small enterprises
            for kind in CREDIT_PREFIX:
                if kind not in types:
                    candidates = [k for k, t in enumerate(types) if t == "enterprise" and sizes[k] < 200]
                    if candidates:
                        types[candidates[int(rand() * len(candidates))]] = kind
        for size, employer_type in zip(sizes, types, strict=True):
            # Registration: large employers are old; a few small ones were registered within the window.
            if size < 50 and rand() < 0.04:
                reg = p.first + int(rand() * (HISTORY_MONTHS - 1))
            else:
                span = 360 if size >= 200 else 300
                reg = p.first - 1 - int(rand() * span)
            district = self.pick_district()
            name, industry, risk_class, wage_level = self._employer_name(employer_type, district, size, names)
            cancel = 0
            status = EmployerStatus.ACTIVE.value
            if size <= 10 and reg < p.first and rand() < 0.025:
                cancel = p.first + 1 + int(rand() * (HISTORY_MONTHS - 1))  # in (first, current]
                status = EmployerStatus.CANCELLED.value
            elif size <= 30 and rand() < 0.006:
                status = EmployerStatus.SUSPENDED.value
            rows.append(
                {
                    "size": size,
                    "reg": reg,
                    "cancel": cancel,
                    "status": status,
                    "type": employer_type,
                    "district": district,
                    "name": name,
                    "industry": industry,
                    "risk_class": risk_class,
                    "wage_level": wage_level,
                }
            )
        # Numbers and ids follow the registration date.
        rows.sort(key=lambda r: r["reg"])
        for k, r in enumerate(rows):
            r["id"] = first_id + k
            r["number"] = f"{10_000_001 + k:08d}"
            r["day"] = 1 + int(rand() * 28)
            r["org8"] = self._org_body(r["reg"], org_bodies)
        return rows

    def _employer_type(self, size: int) -> str:
        u = self.rng.random()
        if size >= 200:
            table = (
                (0.83, "enterprise"),
                (0.95, "institution"),
                (0.99, "organ"),
                (1.0, "private_non_enterprise"),
            )
        elif size >= 10:
            table = (
                (0.86, "enterprise"),
                (0.91, "institution"),
                (0.93, "organ"),
                (0.97, "private_non_enterprise"),
                (1.0, "individual_business"),
            )
        else:
            table = (
                (0.74, "enterprise"),
                (0.75, "institution"),
                (0.755, "organ"),
                (0.80, "private_non_enterprise"),
                (1.0, "individual_business"),
            )
        for limit, kind in table:
            if u < limit:
                return kind
        return "enterprise"

    def _employer_name(self, employer_type: str, district, size: int, taken: set[str]):
        rand = self.rng.random
        for attempt in range(40):
            trade = self.trade_name()
            if employer_type == "organ":
                agencies = vocab.ORGAN_AGENCIES
                agency = agencies[int(rand() * len(agencies))]
                if attempt >= 10:  # the district agencies are taken: a sub-district office
                    name = f"{vocab.CITY}{district[1]}{trade}街道办事处"
                elif rand() < 0.75:
                    name = f"{vocab.CITY}{district[1]}{agency}"
                else:
                    name = f"{vocab.CITY}{agency}"
                industry, risk_class, level = vocab.ORGAN_INDUSTRY
            elif employer_type in ("institution", "private_non_enterprise", "individual_business"):
                kinds = {
                    "institution": vocab.INSTITUTION_KINDS,
                    "private_non_enterprise": vocab.PRIVATE_NON_ENTERPRISE_KINDS,
                    "individual_business": vocab.SHOP_KINDS,
                }[employer_type]
                kind, industry, risk_class, level = kinds[int(rand() * len(kinds))]
                if employer_type == "individual_business":
                    name = f"{district[1]}{trade}{kind}"
                else:
                    name = f"{vocab.CITY}{district[1]}{trade}{kind}"
            else:
                industry, risk_class, _weight, words, level = self.pick_industry()
                word = words[int(rand() * len(words))]
                suffix = self.pick_suffix()
                if size < 200 and suffix in ("股份有限公司", "集团有限公司"):
                    suffix = "有限公司"
                u = rand()
                region = (
                    vocab.CITY_SHORT
                    if u < 0.55
                    else vocab.CITY
                    if u < 0.7
                    else vocab.PROVINCE_SHORT
                    if u < 0.85
                    else vocab.CITY_SHORT + district[2]
                )
                name = f"{region}{trade}{word}{suffix}"
            if name not in taken:
                taken.add(name)
                return name, industry, risk_class, level
        # The pools of this type are exhausted: a branch of an existing name is still realistic.
        base = name
        k = 2
        while name in taken:
            name = f"{base}第{k}分部"
            k += 1
        taken.add(name)
        return name, industry, risk_class, level

    def _org_body(self, reg: int, taken: set[str]) -> str:
        rand = self.rng.random
        alphabet = CREDIT_ALPHABET
        while True:
            if reg >= CREDIT_CODES_SINCE:
                body = "MA" + "".join(alphabet[int(rand() * 31)] for _i in range(6))
            else:
                body = f"{int(rand() * 100_000_000):08d}"
            if body not in taken:
                taken.add(body)
                return body

    def employer_row(self, r: dict) -> tuple:
        rand = self.rng.random
        year, month0 = divmod(r["reg"], 12)
        authority, org_type = CREDIT_PREFIX[r["type"]]
        district = r["district"]
        bank, prefix, length, _weight = self.pick_bank()
        account = prefix + "".join(str(int(rand() * 10)) for _i in range(length - len(prefix)))
        address = self.street_address(district)
        if r["size"] >= 10 and rand() < 0.6:
            address += f"{1 + int(rand() * 12)}幢{1 + int(rand() * 20)}层"
        return (
            r["id"],
            r["number"],
            make_credit_code(authority, org_type, district[0], r["org8"]),
            make_org_code(r["org8"]),
            r["name"],
            r["type"],
            r["industry"],
            r["risk_class"],
            district[0],
            address,
            self.person_name(rand() < 0.7),
            self.person_name(rand() < 0.4),
            self.mobile() if rand() < 0.5 else self.landline(),
            f"{bank}{vocab.CITY_SHORT}{district[2]}支行",
            account,
            f"{year:04d}-{month0 + 1:02d}-{r['day']:02d}",
            r["status"],
        )

    # --- persons and their history ---

    def persons(self, employers: list[dict], first_ids: dict[str, int], write: Callable, progress) -> Counter:
        """Generate every person with employment, coverage and bases; ``write(model, columns, rows)`` per chunk."""
        rng = self.rng
        rand = rng.random
        expo = rng.expovariate
        gauss = rng.gauss
        p = self.params
        cur, first = p.current, p.first
        history_floor = cur - 300  # no start earlier than 25 years back
        injury_only_forms = INJURY_ONLY_FORMS
        pick_form, pick_leave, pick_age = (
            self.pick_form,
            self.pick_leave,
            self.pick_age,
        )
        retirement = p.retirement
        base_years = p.years
        base_year_start = {y: p.base_year_start(y) for y in base_years}
        avg_wage, limit_pairs, limit_slots = p.avg_wage, p.limit_pairs, p.limit_slots
        cur_first_day = dt.date(cur // 12, cur % 12 + 1, 1)
        make_id, id_numbers = self.make_id_number, self.id_numbers
        money = _money
        # Per base year: the (floor, ceiling) pairs with their strings, and which pair each insurance uses
        # (None when all five share one pair, the usual case).
        limits = {
            y: (
                [(f, c, money(f), money(c)) for f, c in limit_pairs[y]],
                None if len(limit_pairs[y]) == 1 else limit_slots[y],
            )
            for y in base_years
        }

        emp_id = [r["id"] for r in employers]
        reg = [r["reg"] for r in employers]
        cancel = [r["cancel"] for r in employers]
        last_start = [(r["cancel"] - 1) if r["cancel"] else cur for r in employers]
        suspended_employer = [r["status"] == EmployerStatus.SUSPENDED.value for r in employers]
        wage_level = [r["wage_level"] for r in employers]
        post_type = [default_post_type(r["type"]) for r in employers]  # by employer type (money.md)
        final = [k for k, r in enumerate(employers) for _i in range(r["size"])]
        rng.shuffle(final)
        n = len(final)
        final_count = Counter()

        next_person, next_employment = first_ids["person"], first_ids["employment"]
        next_base = first_ids["base"]
        counts = Counter()
        status_active, status_suspended = EmploymentStatus.ACTIVE.value, EmploymentStatus.SUSPENDED.value
        status_stopped, status_retired = EmploymentStatus.STOPPED.value, EmploymentStatus.RETIRED.value

        def draw_start(lo: int, hi_before: int, hi: int) -> int:
            """A start in [lo, hi]: before the window (tenure roughly exponential) when lo ≤ hi_before."""
            if lo <= hi_before:
                start = hi_before - int(expo(1 / 66))
                return start if start >= lo else lo + int(rand() * (hi_before - lo + 1))
            return lo + int(rand() * (hi - lo + 1))

        def random_employer(ok: Callable[[int], bool]) -> int:
            for _try in range(30):
                e = final[int(rand() * n)]
                if ok(e):
                    return e
            return -1

        for chunk_start in range(0, n, CHUNK_PERSONS):
            person_rows, employment_rows, base_rows = [], [], []
            for i in range(chunk_start, min(n, chunk_start + CHUNK_PERSONS)):
                e = final[i]
                male = rand() < 0.54
                group = "male" if male else ("female_worker" if rand() < 0.55 else "female_cadre")
                while True:
                    age = pick_age()
                    hi_ord = cur_first_day.replace(year=cur_first_day.year - age).toordinal()
                    lo_ord = cur_first_day.replace(year=cur_first_day.year - age - 1).toordinal() + 1
                    birth = dt.date.fromordinal(lo_ord + int(rand() * (hi_ord - lo_ord + 1)))
                    retire = _month_index(retirement_period(birth, retirement[group]))
                    if retire > first or rand() < REEMPLOYED_SHARE:
                        break
                birth_m = birth.year * 12 + birth.month - 1
                adult = birth_m + 18 * 12
                reemployed = retire <= first

                # Scenario for this person and, if the employer cannot have had them, another employer.
                u = rand()
                if reemployed:
                    scenario = "reemployed"
                elif retire <= cur:
                    scenario = "retire"
                elif u < 0.09:
                    scenario = "left"
                elif u < 0.19:
                    scenario = "resumed"
                elif u < 0.22:
                    scenario = "transferred"
                elif u < 0.34:
                    scenario = "hired"
                else:
                    scenario = "stayed"
                lo = max(adult, reg[e], history_floor)
                if scenario == "retire":
                    ok = lambda k, a=adult, r=retire: max(a, reg[k]) <= min(r - 1, last_start[k])  # noqa: E731
                elif scenario == "reemployed":
                    ok = lambda k: True  # noqa: E731
                else:
                    ok = lambda k, a=adult: max(a, reg[k]) <= last_start[k]  # noqa: E731
                if scenario == "retire" and not ok(e) and max(lo, retire) <= last_start[e]:
                    # Registered after this person's retirement: they work here as a re-employed retiree.
                    scenario, reemployed = "reemployed", True
                    ok = lambda k: True  # noqa: E731
                if not ok(e):
                    k = random_employer(ok)
                    if k < 0:
                        raise DemoDataError(_("无法为人员安排符合条件的用人单位，请增加单位数"))
                    e = k
                    lo = max(adult, reg[e], history_floor)
                final_count[e] += 1
                hi = last_start[e]

                history = []  # (employer index, enrolment, form, start, stop or None, reason, status)
                form = pick_form()
                if scenario == "reemployed":
                    start = max(lo, retire)
                    start = start + int(rand() * (hi - start + 1))
                    history.append((e, "01", "reemployed_retiree", start, None, "", status_active))
                elif scenario == "retire":
                    start = draw_start(lo, min(first - 1, retire - 1, hi), min(retire - 1, hi))
                    history.append((e, "01", form, start, retire, "31", status_retired))
                elif scenario in ("hired", "transferred") and max(lo, first) <= hi:
                    start = draw_start(max(lo, first), -1, hi)
                    history.append(
                        (e, "03" if scenario == "transferred" else "01", form, start, None, "", "")
                    )
                elif scenario == "left" and lo < cur - 1 and lo <= hi:
                    start = draw_start(lo, first - 1 if rand() < 0.6 else -1, min(hi, cur - 1))
                    earliest_stop = max(start + 1, first + 1)
                    stop = earliest_stop + int(rand() * (cur - earliest_stop + 1))
                    history.append((e, "01", form, start, stop, pick_leave(), status_stopped))
                else:
                    resumed = None
                    if scenario == "resumed":
                        resumed = self._resumption(
                            e,
                            adult,
                            lo,
                            hi,
                            reg,
                            cancel,
                            last_start,
                            history_floor,
                            random_employer,
                            draw_start,
                        )
                    if resumed:
                        prev, prev_start, prev_stop, prev_reason, start = resumed
                        history.append(
                            (prev, "01", pick_form(), prev_start, prev_stop, prev_reason, status_stopped)
                        )
                        history.append((e, "02", form, start, None, "", ""))
                    else:
                        start = draw_start(lo, min(first - 1, hi), hi)
                        history.append((e, "01", form, start, None, "", ""))

                # The person's row.
                person_id = next_person
                next_person += 1
                hukou, _w, local = self.pick_hukou()
                dot = rand() < 0.005
                if dot:
                    name = self.dot_name(male)
                    ethnicity = vocab.DOT_ETHNICITIES[int(rand() * 4)]
                    address_code = vocab.DOT_ADDRESS_CODES[int(rand() * len(vocab.DOT_ADDRESS_CODES))]
                    hukou = "other_urban" if rand() < 0.6 else "other_rural"
                else:
                    name = self.person_name(male)
                    ethnicity = "汉族" if rand() < 0.97 else self.pick_minority()
                    address_code = self.pick_district()[0] if local else self.pick_other_code()
                while True:
                    seq = int(rand() * 500) * 2 + (1 if male else 0)
                    id_number = make_id(address_code, birth, seq)
                    if id_number not in id_numbers:
                        id_numbers.add(id_number)
                        break
                home = self.pick_district()
                address = self.street_address(home)
                if rand() < 0.8:
                    address += f"{1 + int(rand() * 30)}幢{1 + int(rand() * 4)}单元{101 + int(rand() * 18) * 100 + int(rand() * 4)}室"
                earliest = history[0][3]
                work_m = max(adult, earliest - int(expo(1 / 30)))
                if work_m > earliest:
                    work_m = earliest
                person_rows.append(
                    (
                        person_id,
                        id_number,
                        name,
                        "M" if male else "F",
                        birth.isoformat(),
                        ethnicity,
                        hukou,
                        self.mobile(),
                        address,
                        f"{work_m // 12:04d}-{work_m % 12 + 1:02d}-01",
                    )
                )

                # Employment (repeating the person's ID number, name, gender and birth date), coverage and bases.
                copies = person_rows[-1][PERSON_COPIED]
                level = gauss(0.0, 0.42) + 0.01 * (min(age, 45) - 30)
                for k, enrolment, emp_form, start, stop, reason, status in history:
                    if cancel[k] and (stop is None or stop > cancel[k]):
                        stop, reason, status = cancel[k], "41", status_stopped  # the employer was cancelled
                    if not status:
                        status = (
                            status_suspended if suspended_employer[k] or rand() < 0.015 else status_active
                        )
                    employment_id = next_employment
                    next_employment += 1
                    employer_id = emp_id[k]
                    start_p = _period(start)
                    stop_p = None if stop is None else _period(stop)
                    employment_rows.append(
                        (
                            employment_id,
                            person_id,
                            employer_id,
                            enrolment,
                            emp_form,
                            start_p,
                            stop_p,
                            reason,
                            status,
                            post_type[k],
                            *copies,
                        )
                    )
                    counts[f"status_{status}"] += 1
                    counts["coverages"] += 1 if emp_form in injury_only_forms else 5
                    # Bases: each base year with months of this employment inside the window.
                    end = cur + 1 if stop is None else stop
                    lo_m = start if start > first else first
                    mult = level + wage_level[k] - (0.9 if emp_form in injury_only_forms else 0.0)
                    for year in base_years:
                        ys = base_year_start[year]
                        if ys + 12 <= lo_m or ys >= end:
                            continue
                        cents = int(avg_wage[year] * math.exp(mult + (rand() - 0.5) * 0.2))
                        if rand() < 0.7:
                            cents -= cents % 100
                        declared = money(cents)
                        pairs, slots = limits[year]
                        clamped = [
                            declared if v == cents else (fs if v == f else cs)
                            for f, c, fs, cs in pairs
                            for v in (clamp_base(cents, f, c),)
                        ]
                        if slots is None:
                            b = clamped[0]
                            b0 = b1 = b2 = b3 = b4 = b
                        else:
                            b0, b1, b2, b3, b4 = (clamped[k] for k in slots)
                        base_rows.append(
                            (
                                next_base,
                                person_id,
                                employer_id,
                                year,
                                _period(ys if ys > start else start),
                                declared,
                                b0,
                                b1,
                                b2,
                                b3,
                                b4,
                                BASE_SOURCE,
                            )
                        )
                        next_base += 1
                counts[f"scenario_{scenario}"] += 1

            write(Person, PERSON_COLUMNS, person_rows)
            write(Employment, EMPLOYMENT_COLUMNS, employment_rows)
            write(ContributionBase, BASE_COLUMNS, base_rows)
            counts["persons"] += len(person_rows)
            counts["employments"] += len(employment_rows)
            counts["bases"] += len(base_rows)
            if progress:
                progress(
                    _("已生成人员 %(done)s / %(total)s")
                    % {"done": f"{counts['persons']:,}", "total": f"{n:,}"}
                )
        self.final_count = final_count
        return counts

    def _resumption(
        self, e, adult, lo, hi, reg, cancel, last_start, history_floor, random_employer, draw_start
    ):
        """(previous employer, its start, its stop, stop reason, start here) for a person who stopped at another
        employer in the window and resumed here; None if no such history fits."""
        rand = self.rng.random
        p = self.params
        cur, first = p.current, p.first
        stop = first + 1 + int(rand() * (cur - first - 1))  # in [first + 1, cur - 1]
        start_here = min(stop + RESUME_GAPS[int(rand() * len(RESUME_GAPS))], cur)
        start_here = max(start_here, lo)
        if start_here > hi or start_here <= first:
            return None
        stop = min(stop, start_here)

        def fits(k: int) -> bool:
            if k == e:
                return False
            end = min(stop, cancel[k]) if cancel[k] else stop
            return max(adult, reg[k], history_floor) <= end - 1 and end > first

        prev = random_employer(fits)
        if prev < 0:
            return None
        reason = self.pick_switch()
        if cancel[prev] and cancel[prev] <= stop:
            stop, reason = cancel[prev], "41"
        prev_lo = max(adult, reg[prev], history_floor)
        prev_start = draw_start(prev_lo, min(first - 1, stop - 1), stop - 1)
        return prev, prev_start, stop, reason, start_here


def _insert_coverages(*, using: str, first_employment: int, first_coverage: int) -> None:
    """Coverage rows for every employment from ``first_employment`` on, set-based in the database: the five
    insurances (work injury only for the injury-only forms) with the employment's periods. Coverage k (0–4,
    in ``INSURANCES`` order) of employment e gets id ``first_coverage + (e - first_employment) * 5 + k``,
    so ids are deterministic (with gaps where an employment has fewer than five)."""
    from django.db import connections

    values = ", ".join(f"({k}, %s)" for k in range(len(INSURANCES)))
    forms = sorted(INJURY_ONLY_FORMS)
    sql = f"""
        INSERT INTO "{Coverage._meta.db_table}"
            (id, employment_id, person_id, employer_id, insurance, start_period, stop_period)
        WITH ins(k, insurance) AS (VALUES {values})
        SELECT {int(first_coverage)} + (e.id - {int(first_employment)}) * {len(INSURANCES)} + ins.k,
               e.id, e.person_id, e.employer_id, ins.insurance, e.start_period, e.stop_period
        FROM "{Employment._meta.db_table}" e CROSS JOIN ins
        WHERE e.id >= {int(first_employment)}
          AND (e.employment_form NOT IN ({", ".join(["%s"] * len(forms))}) OR ins.insurance = %s)
        ORDER BY e.id, ins.k
    """
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*INSURANCES, *forms, *INJURY_ONLY])


# --- public API -----------------------------------------------------------------------------------------


def generate(
    *,
    employers: int,
    persons: int,
    seed: int = DEFAULT_SEED,
    current_period: int,
    progress: Callable[[str], None] | None = None,
    using: str = "default",
) -> dict:
    """Fill an empty database with ``employers`` employers and ``persons`` persons and 36 periods of history
    up to ``current_period``. Returns counts per table, employers per size bucket and the seconds taken.

    Raises ``DemoDataError`` if employers or persons already exist, or a parameter the data needs is missing.
    """
    started = time.perf_counter()
    for model, columns in TABLES:
        actual = {f.column for f in model._meta.concrete_fields}
        if actual != set(columns):
            raise RuntimeError(
                f"demo generator is out of date with {model.__name__}: columns {sorted(actual ^ set(columns))}"
            )
    say = progress or (lambda message: None)
    writer = BulkWriter([model for model, _columns in TABLES], using=using)
    with writer.session(), transaction.atomic(using=using):
        if Employer.objects.using(using).exists() or Person.objects.using(using).exists():
            raise DemoDataError(_("数据库中已有单位或人员数据：演示数据只能生成到空数据库中"))
        params = _Parameters(current_period)
        generator = _Generator(employers=employers, persons=persons, seed=seed, params=params)
        writer.begin()
        first_ids = {
            "employer": writer.next_id(Employer),
            "person": writer.next_id(Person),
            "employment": writer.next_id(Employment),
            "coverage": writer.next_id(Coverage),
            "base": writer.next_id(ContributionBase),
        }
        say(_("生成单位 %(count)s 个") % {"count": f"{employers:,}"})
        employer_rows = generator.employers(first_ids["employer"])
        writer.write(Employer, EMPLOYER_COLUMNS, [generator.employer_row(r) for r in employer_rows])
        with writer.background() as write:
            counts = generator.persons(employer_rows, first_ids, write, progress)
        say(_("生成险种参保记录"))
        coverage_started = time.perf_counter()
        _insert_coverages(
            using=using, first_employment=first_ids["employment"], first_coverage=first_ids["coverage"]
        )
        writer.timings["write persons_coverage"] += time.perf_counter() - coverage_started
        say(_("建立索引并检查约束"))
        writer.finish()
    buckets = Counter(size_bucket(generator.final_count[k]) for k in range(len(employer_rows)))
    seconds = round(time.perf_counter() - started, 2)
    say(_("完成，用时 %(seconds)s 秒") % {"seconds": seconds})
    return {
        "seed": seed,
        "current_period": current_period,
        "counts": {
            "employers": len(employer_rows),
            "persons": counts["persons"],
            "employments": counts["employments"],
            "coverages": counts["coverages"],
            "contribution_bases": counts["bases"],
        },
        "employment_status": {
            k.removeprefix("status_"): v for k, v in counts.items() if k.startswith("status_")
        },
        "scenarios": {k.removeprefix("scenario_"): v for k, v in counts.items() if k.startswith("scenario_")},
        "employers_by_size": {
            bucket: buckets.get(bucket, 0) for bucket in (size_bucket(low) for low, _high in SIZE_BUCKETS)
        },
        "largest_employer": max(generator.final_count.values(), default=0),
        "seconds": seconds,
        "seconds_by_step": {k: round(v, 2) for k, v in sorted(writer.timings.items())},
    }


def pick_personas(*, current_period: int, using: str = "default") -> dict:
    """The demo's personas, chosen deterministically from generated data: two active enterprises with 20–200
    active employees (the nearest to 60 first) as "employer A" and "employer B", and for the individual an
    active contract employee of employer A insured since before the 36-period window (else the first active
    person there). Returns ``{"employer_a": Employer, "employer_b": Employer, "individual": Person}``."""
    window_start = _period(_month_index(current_period) - HISTORY_MONTHS + 1)
    active = (
        Employment.objects.using(using)
        .filter(status=EmploymentStatus.ACTIVE, start_period__lte=current_period)
        .filter(employer__status=EmployerStatus.ACTIVE, employer__employer_type=EmployerType.ENTERPRISE)
        .values("employer_id")
        .annotate(n=Count("id"))
    )
    ranked = sorted(
        ((row["n"], row["employer_id"]) for row in active),
        key=lambda t: (0 if 20 <= t[0] <= 200 else 1, abs(t[0] - 60), t[1]),
    )
    if len(ranked) < 2:
        raise DemoDataError(_("演示数据中没有足够的正常参保单位可作为演示角色"))
    employer_a = Employer.objects.using(using).get(pk=ranked[0][1])
    employer_b = Employer.objects.using(using).get(pk=ranked[1][1])
    candidates = Employment.objects.using(using).filter(
        employer=employer_a, status=EmploymentStatus.ACTIVE, stop_period__isnull=True
    )
    employment = (
        candidates.filter(Q(start_period__lte=window_start), employment_form=EmploymentForm.CONTRACT)
        .order_by("person_id")
        .first()
        or candidates.order_by("person_id").first()
    )
    return {"employer_a": employer_a, "employer_b": employer_b, "individual": employment.person}
