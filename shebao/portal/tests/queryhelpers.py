"""Helpers shared by the query tests (Q01–Q20)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from django.utils import timezone

# Queries every logged-in page makes whatever it shows (session, user, grants, employer, the unread-results
# badge, the session save); a query page may add a few of its own, never one per row.
OVERHEAD = 10
FROZEN_NOW = dt.datetime(2024, 3, 15, 10, 0, tzinfo=dt.UTC)  # "today" is 2024-03-15: current period 202403


@pytest.fixture(name="frozen_now")
def frozen_now_fixture(monkeypatch):
    """Freeze "now" at 2024-03-15 18:00 Asia/Shanghai so default periods are deterministic."""
    monkeypatch.setattr(timezone, "now", lambda: FROZEN_NOW)
    return FROZEN_NOW


def text_of(response) -> str:
    """The page text with tags removed and whitespace collapsed (for asserting figures as shown)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def table_rows(response, css_class: str = "list") -> list[list[str]]:
    """The body rows of the first <table class="list…"> as lists of cell texts."""
    html = response.content.decode()
    match = re.search(rf'<table class="{css_class}[^"]*">(.*?)</table>', html, flags=re.S)
    assert match, "no list table on the page"
    body = re.search(r"<tbody>(.*?)</tbody>", match.group(1), flags=re.S)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body.group(1) if body else "", flags=re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)
        rows.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows


def footer_row(response) -> list[str]:
    html = response.content.decode()
    match = re.search(r"<tfoot>(.*?)</tfoot>", html, flags=re.S)
    assert match, "no totals row"
    cells = re.findall(r"<th[^>]*>(.*?)</th>", match.group(1), flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells]


def links_in(response) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', response.content.decode())]


def read_csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


class History:
    """The fixed query data set on top of Personas (all figures by hand in the tests that use them).

    - settlement of 202401–202403 (employer A: 13,478.22 a period; B: 2,214.00)
    - A pays 13,478.22 on 2024-02-20 (202401 in full, on time) and 5,000.00 on 2024-04-05 (202402, 5 days late);
      B pays 2,214.00 on 2024-02-25 (202401)
    - person_1's pension account: 50,000.00 brought in for 2023, 2023 closed at 3.97 % (interest 1,985.00);
      202401's individual parts credited when A paid; a medical spending of 30.50 on 2024-03-01
    - a retiree of A (retired from 202301) paid 2,406.00 + 1,079.50 pension in 202402 and 202403
    - a maternity payment to 陈丽 (average base 6,000.00, 158 days → 31,600.00, medical costs 3,200.00)
    - a work-injury case of 王小明 (determined, grade 9) with three payments in 202403, one case still reported
    """

    def __init__(self, personas):
        from decimal import Decimal as D

        from shebao.benefits import services as benefit_services
        from shebao.contributions import services
        from shebao.individual_accounts import services as account_services
        from shebao.persons.models import Employment, person_copies
        from shebao.testing import make_person

        p = self.personas = personas
        self.retiree = make_person(name="钱老伯", birth=dt.date(1962, 4, 3), seq=51)
        Employment.objects.create(
            person=self.retiree,
            employer=p.employer_a,
            enrolment_type="01",
            start_period=200501,
            stop_period=202301,
            stop_reason="31",
            status="retired",
            **person_copies(self.retiree),
        )
        account_services.pension_opening_record(
            person=p.person_1, year=2023, amount=D("50000.00"), credited_on=dt.date(2023, 1, 1)
        )
        account_services.interest_close(year=2023, today=dt.date(2024, 1, 5))
        for period in (202401, 202402, 202403):
            run = services.settlement_run(period=period)
            assert run.status == "done", run.message
        services.arrival_record(
            employer=p.employer_a, received_on=dt.date(2024, 2, 20), amount=D("13478.22"), reference="A-0220"
        )
        services.arrival_record(
            employer=p.employer_a, received_on=dt.date(2024, 4, 5), amount=D("5000.00"), reference="A-0405"
        )
        services.arrival_record(
            employer=p.employer_b, received_on=dt.date(2024, 2, 25), amount=D("2214.00"), reference="B-0225"
        )
        account_services.medical_debit_record(
            person=p.person_1, amount=D("30.50"), entry_date=dt.date(2024, 3, 1), place="杭州市第一人民医院"
        )
        for period, paid_on in ((202402, dt.date(2024, 2, 10)), (202403, dt.date(2024, 3, 10))):
            benefit_services.pension_payment_record(
                person=self.retiree,
                employer=p.employer_a,
                period=period,
                basic_amount=D("2406.00"),
                account_amount=D("1079.50"),
                paid_on=paid_on,
            )
        self.maternity = benefit_services.maternity_payment_record(
            person=p.person_2,
            employer=p.employer_a,
            delivery_date=dt.date(2024, 3, 2),
            delivery_type="natural",
            paid_on=dt.date(2024, 3, 20),
            hospital="浙江省妇幼保健院",
            leave_days=158,
            average_base=D("6000.00"),
            medical_costs=D("3200.00"),
        )
        case = benefit_services.injury_case_open(
            person=p.person_1,
            employer=p.employer_a,
            accident_date=dt.date(2024, 2, 10),
            place="公司机房",
            description="搬运设备时摔伤",
            injury="左腿骨折",
        )
        self.case = benefit_services.injury_case_determine(
            case=case, status="determined", determined_on=dt.date(2024, 3, 1), disability_grade=9
        )
        for item, amount, day in (
            ("medical", "1250.50", 5),
            ("hospital_food", "300.00", 5),
            ("disability_grant", "43308.00", 12),
        ):
            benefit_services.injury_payment_record(
                case=self.case, item=item, amount=D(amount), paid_on=dt.date(2024, 3, day)
            )
        self.open_case = benefit_services.injury_case_open(
            person=p.person_2,
            employer=p.employer_a,
            accident_date=dt.date(2024, 3, 8),
            place="公司食堂",
            description="地滑摔倒",
            injury="右手腕扭伤",
        )


@pytest.fixture(name="history")
def history_fixture(personas) -> History:
    return History(personas)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_qr_modules(content: bytes, page: int = 0) -> set[tuple[int, int]]:
    """The dark modules of the QR code drawn (as vector squares) on a PDF page, as (row, column) from the
    top-left dark module: enough to compare with the code a URL should give."""
    from pypdf import PdfReader

    data = PdfReader(io.BytesIO(content)).pages[page].get_contents().get_data().decode("latin-1")
    rects = [
        tuple(float(v) for v in m.groups())
        for m in re.finditer(r"n ([\d.\-]+) ([\d.\-]+) ([\d.\-]+) ([\d.\-]+) re f\*", data)
    ]
    squares = [r for r in rects if 0 < r[3] < 5]
    module = min(r[3] for r in squares)
    cells = set()
    for x, y, w, _h in squares:
        first, count, row = round(x / module), round(w / module), round(y / module)
        cells |= {(-row, first + i) for i in range(count)}
    return _normalised(cells)


def qr_modules(url: str) -> set[tuple[int, int]]:
    import segno

    matrix = segno.make(url, error="m").matrix
    return _normalised({(r, c) for r, row in enumerate(matrix) for c, dark in enumerate(row) if dark})


def _normalised(cells):
    top = min(r for r, _c in cells)
    left = min(c for _r, c in cells)
    return {(r - top, c - left) for r, c in cells}
