"""The shared test base: named personas and a small fixed data set (STYLE.md 'Tests').

Figures tests assert against are computed by hand from these values; change them only with the tests.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shebao.accounts.models import User, UserKind
from shebao.accounts.services import account_create
from shebao.core.idnumbers import make_credit_code, make_id_number, make_org_code
from shebao.employers.models import Employer
from shebao.persons.models import ContributionBase, Coverage, Employment, Person, person_copies

PASSWORD = "Passw0rd2026"
ALL_INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")


def make_employer(
    *, number: str, name: str, org8: str, risk_class: int = 2, employer_type: str = "enterprise"
):
    org_code = make_org_code(org8)
    return Employer.objects.create(
        number=number,
        credit_code=make_credit_code("9", "1", "330106", org8),
        org_code=org_code,
        name=name,
        employer_type=employer_type,
        industry="软件和信息技术服务业",
        risk_class=risk_class,
        district_code="330106",
        address="杭州市西湖区文三路100号",
        legal_representative="张建国",
        contact_name="李敏",
        contact_phone="0571-88001234",
        bank_name="中国工商银行杭州分行",
        bank_account="1202020209000012345",
        registered_on=dt.date(2015, 3, 1),
    )


def make_person(*, name: str, birth: dt.date, seq: int, gender: str | None = None) -> Person:
    id_number = make_id_number("330106", birth, seq)
    return Person.objects.create(
        id_number=id_number,
        name=name,
        gender=gender or ("M" if seq % 2 else "F"),
        birth_date=birth,
        ethnicity="汉族",
        hukou_type="local_urban",
        phone="13800000000",
        address="杭州市西湖区",
    )


def enrol(
    *,
    person: Person,
    employer: Employer,
    start_period: int,
    wage: str,
    base_year: int,
    base: str | None = None,
    insurances=ALL_INSURANCES,
) -> Employment:
    employment = Employment.objects.create(
        person=person,
        employer=employer,
        enrolment_type="01",
        start_period=start_period,
        status="active",
        **person_copies(person),
    )
    Coverage.objects.bulk_create(
        Coverage(
            employment=employment, person=person, employer=employer, insurance=ins, start_period=start_period
        )
        for ins in insurances
    )
    used = Decimal(base or wage)
    ContributionBase.objects.create(
        person=person,
        employer=employer,
        base_year=base_year,
        start_period=start_period,
        declared_wage=Decimal(wage),
        base_pension=used,
        base_medical=used,
        base_unemployment=used,
        base_injury=used,
        base_maternity=used,
        source="test",
    )
    return employment


class Personas:
    """The fixed data set: employers A and B, three employees of A, one of B, and one user per role."""

    def __init__(self) -> None:
        self.employer_a = make_employer(number="10000001", name="杭州甲科技有限公司", org8="MA27TE8X")
        self.employer_b = make_employer(number="10000002", name="杭州乙贸易有限公司", org8="MA27TE9Y")
        self.person_1 = make_person(name="王小明", birth=dt.date(1990, 5, 17), seq=11)
        self.person_2 = make_person(name="陈丽", birth=dt.date(1985, 11, 2), seq=22)
        self.person_3 = make_person(name="赵强", birth=dt.date(1978, 1, 30), seq=31)
        self.person_b1 = make_person(name="孙悦", birth=dt.date(1992, 8, 8), seq=42)
        # The three bases of money.md's worked example (2024 limits): 3,000 → 4,812; 7,654.32; 30,000 → 24,060.
        enrol(
            person=self.person_1,
            employer=self.employer_a,
            start_period=202401,
            wage="3000.00",
            base="4812.00",
            base_year=2024,
        )
        enrol(
            person=self.person_2,
            employer=self.employer_a,
            start_period=202401,
            wage="7654.32",
            base_year=2024,
        )
        enrol(
            person=self.person_3,
            employer=self.employer_a,
            start_period=202401,
            wage="30000.00",
            base="24060.00",
            base_year=2024,
        )
        enrol(
            person=self.person_b1,
            employer=self.employer_b,
            start_period=202401,
            wage="6000.00",
            base_year=2024,
        )

        self.admin_a = account_create(
            username="a_admin",
            password=PASSWORD,
            kind=UserKind.EMPLOYER,
            employer=self.employer_a,
            display_name="李敏",
            is_employer_admin=True,
            must_change_password=False,
        )
        self.operator_a = account_create(
            username="a_operator",
            password=PASSWORD,
            kind=UserKind.EMPLOYER,
            employer=self.employer_a,
            display_name="周杰",
            must_change_password=False,
        )
        self.operator_b = account_create(
            username="b_operator",
            password=PASSWORD,
            kind=UserKind.EMPLOYER,
            employer=self.employer_b,
            display_name="吴芳",
            is_employer_admin=True,
            must_change_password=False,
        )
        self.individual = account_create(
            username=self.person_1.id_number,
            password=PASSWORD,
            kind=UserKind.INDIVIDUAL,
            person=self.person_1,
            display_name="王小明",
            must_change_password=False,
        )
        self.reviewer = account_create(
            username="reviewer",
            password=PASSWORD,
            kind=UserKind.STAFF,
            display_name="审核员甲",
            office_roles=("is_reviewer",),
            must_change_password=False,
        )
        self.clerk = account_create(
            username="clerk",
            password=PASSWORD,
            kind=UserKind.STAFF,
            display_name="窗口受理员",
            office_roles=("is_clerk",),
            must_change_password=False,
        )
        self.office_admin = account_create(
            username="office_admin",
            password=PASSWORD,
            kind=UserKind.STAFF,
            display_name="系统管理员",
            office_roles=("is_office_admin",),
            must_change_password=False,
        )

    def users(self) -> list[User]:
        return [
            self.admin_a,
            self.operator_a,
            self.operator_b,
            self.individual,
            self.reviewer,
            self.clerk,
            self.office_admin,
        ]


# --- Hostile input: the one corpus every sweep uses (issue 14) ---------------------------------------------------
# What an attacker or a careless user types or uploads. tests in shebao/tests/test_hostile_sweep.py send each of
# them into every query parameter, form field and path segment of every page the URLconf has; the API and import
# tests take them from here too, so a new kind of bad input is added once and reaches every page.

HOSTILE_VALUES: dict[str, str] = {
    "nul": "ab\x00cd",
    "terminal_escape": "\x07\x1b[31m红色\x1b[0m",
    "c1_control": "a\x85b\x9bc",
    "superscript_digit": "²",
    "arabic_indic_digits": "٢٠٢٤٠١",
    "fullwidth_digits": "２０２４０１",
    "ten_thousand_chars": "长" * 10_000,
    "emoji": "👨‍👩‍👧‍👦😀",
    "html": '<script>alert(1)</script><img src=x onerror="alert(2)">',
    "formula": '=HYPERLINK("http://evil.example","点我")',
    "date_0001": "0001-01-01",
    "date_9999": "9999-12-31",
    "huge_integer": "9" * 40,
    "negative": "-1",
    "exponent": "1e309",
    "nan": "NaN",
    "sql_quote": "' OR '1'='1' --",
    "bidi_override": "\u202eexe.txt",
    "blank": "   ",
    "empty": "",
}

# The values also tried one field at a time (the rest of the form left as the page filled it): those that pass
# the edge and reach each field's own parser.
HOSTILE_PER_FIELD = (
    "ten_thousand_chars",
    "superscript_digit",
    "date_9999",
    "huge_integer",
    "emoji",
    "formula",
)

# Uploaded files: (name, bytes).
HOSTILE_FILES: dict[str, tuple[str, bytes]] = {
    "cr_only_line_endings": ("cr.csv", "单位编号,到账日期,金额\r10000001,2024-03-20,100.00\r".encode()),
    "field_over_128k": ("big.csv", b'10000001,2024-03-20,"' + b"x" * (128 * 1024 + 10) + b'"\n'),
    "nul_bytes": ("nul.csv", b"10000001,2024-03-20,1\x0000\n"),
    "binary": ("junk.csv", bytes(range(256)) * 8),
    "unbalanced_quote": ("quote.csv", b'10000001,"2024-03-20,100\n10000002,2024-03-21,5\n'),
    "gbk_text": ("gbk.csv", "单位编号,到账日期,金额\n10000001,二〇二四年,壹佰\n".encode("gb18030")),
    "formula_cells": ("formula.csv", b'=cmd|"/C calc"!A0,@SUM(1),+1,-1\n'),
    "dates_out_of_range": ("dates.csv", b"10000001,0001-01-01,100.00,R1\n10000001,9999-12-31,100.00,R2\n"),
    "empty": ("empty.csv", b""),
    "xlsx_named_csv": ("book.csv", b"PK\x03\x04" + b"\x00" * 64),
}
