"""Flow faults: Q09 by a unique name, Q09 as a months × insurances grid, the employee page the roster links to,
H01's 读取档案 for someone already insured here."""

import re

import pytest

from .queryhelpers import frozen_now_fixture, history_fixture, text_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
Q09 = "/portal/items/Q09/"


def _grid(response) -> list[list[str]]:
    html = response.content.decode()
    table = re.search(r'<table class="contribution-grid">(.*?)</table>', html, flags=re.S).group(1)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def test_q09_by_a_unique_name_alone(login_as, history):
    p = history.personas
    client = login_as(p.operator_a)
    response = client.get(Q09, {"name": "王小明", "start": "202401", "end": "202403"})
    text = text_of(response)
    assert "王小明" in text and p.person_1.id_number in text and "202401" in text
    # months × insurances: 202401 paid (✔), 202402–03 not yet (○); money.md's first row 1,775.63 a month
    # base 4,812.00: 养老 16 %+8 % = 769.92+384.96; 医疗 9 %+2 % = 433.08+96.24; 失业 0.5 %+0.5 %;
    # 工伤 0.4 % = 19.248 → 19.25; 生育 0.5 % = 24.06
    grid = _grid(response)
    assert grid[0] == ["202401", "1,154.88 ✔", "529.32 ✔", "48.12 ✔", "19.25 ✔", "24.06 ✔", "1,775.63"]
    assert [row[0] for row in grid] == ["202401", "202402", "202403"]
    assert all("○" in c for c in grid[1][1:-1]) and grid[1][-1] == "1,775.63"


def test_q09_name_not_unique_or_not_here(login_as, history):
    p = history.personas
    from shebao.persons.models import Employment

    Employment.objects.filter(person=p.person_2).update(person_name="王小明")  # two employees of that name
    text = text_of(login_as(p.operator_a).get(Q09, {"name": "王小明"}))
    assert "本单位有 2 名职工姓名为「王小明」，请同时输入公民身份号码。" in text
    other = text_of(login_as(p.operator_b).get(Q09, {"name": "赵强"}))
    assert "本单位没有姓名为「赵强」的参保职工。" in other and p.person_3.id_number not in other


def test_roster_rows_lead_to_the_employee_page(login_as, history):
    p = history.personas
    operator = login_as(p.operator_a)
    roster = operator.get("/portal/items/Q02/").content.decode()
    link = f"/portal/employees/?id_number={p.person_1.id_number}"
    assert f'href="{link}"' in roster
    page = operator.get(link)
    assert page.status_code == 200
    text = text_of(page)
    assert "王小明" in text and "自 202401 起参保" in text and "当前缴费基数 4,812.00" in text
    # a year of contributions up to the current period (202403), months × insurances
    grid = _grid(page)
    assert [row[0] for row in grid] == ["202401", "202402", "202403"]
    assert grid[0][-1] == "1,775.63"
    # next steps carry the person
    html = page.content.decode()
    assert f"/portal/items/H04/?id_number={p.person_1.id_number}&amp;lookup=1" in html
    assert f"/portal/items/Q07/?id_number={p.person_1.id_number}" in html


def test_employee_page_is_the_employers_own(login_as, history):
    p = history.personas
    assert (
        login_as(p.operator_b).get(f"/portal/employees/?id_number={p.person_1.id_number}").status_code == 404
    )
    assert login_as(p.operator_a).get("/portal/employees/?id_number=").status_code == 404
    assert (
        login_as(p.individual).get(f"/portal/employees/?id_number={p.person_1.id_number}").status_code == 403
    )


def test_h01_lookup_of_someone_insured_here_says_so_at_once(login_as, personas):
    operator = login_as(personas.operator_a)
    id_number = personas.person_1.id_number
    for response in (
        operator.post("/portal/items/H01/", {"id_number": id_number, "action": "lookup"}),
        operator.get("/portal/items/H01/", {"id_number": id_number, "lookup": "1"}),
        operator.post("/portal/items/H02/", {"id_number": id_number, "action": "lookup"}),
    ):
        assert response.status_code == 200  # no detour to H02, which would refuse at submit
        text = text_of(response)
        assert "该人员已在本单位参保（自 202401 起），不需要再办理参保登记。" in text
        html = response.content.decode()
        assert f"/portal/items/Q09/?id_number={id_number}" in html
        assert f"/portal/items/H04/?id_number={id_number}&amp;lookup=1" in html


def test_withdraw_asks_first(login_as, personas):
    from shebao.declarations.tests.conftest import h01_raw
    from shebao.declarations.tests.helpers import submit

    declaration = submit(personas, "H01", h01_raw())
    page = login_as(personas.operator_a).get("/portal/items/progress/", {"open": declaration.number})
    html = page.content.decode()
    confirm = re.search(r'<details class="confirm-withdraw">(.*?)</details>', html, flags=re.S).group(1)
    assert (
        "撤回后本申报不再审核，且不能恢复" in confirm
        and 'value="withdraw"' in confirm
        and "确认撤回" in confirm
    )
