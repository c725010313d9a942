"""通知公告 published by an office administrator and shown on the public and portal home pages within their
dates; the statistics dashboard with hand-computed figures and its CSV exports."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from shebao.contributions.services import arrival_record, settlement_run
from shebao.declarations.models import Declaration, State
from shebao.declarations.services import next_number
from shebao.notices.models import Notice
from shebao.office.statistics import percentile


def publish(client, **overrides):
    today = timezone.localdate()
    data = {
        "title": "春节期间暂停窗口服务",
        "body": "2月10日至2月17日暂停。\n网上办事照常。",
        "starts_on": today.isoformat(),
    }
    data.update(overrides)
    return client.post(reverse("office:notices"), data)


def test_notice_is_shown_on_both_homes_within_its_dates(personas, login_as, client):
    admin = login_as(personas.office_admin)
    assert publish(admin).status_code == 302
    today = timezone.localdate()
    assert "春节期间暂停窗口服务" in client.get("/").content.decode()
    assert (
        "春节期间暂停窗口服务" in login_as(personas.operator_a).get(reverse("portal:home")).content.decode()
    )
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    publish(
        admin, title="已过期的通知", starts_on=(today - dt.timedelta(days=5)).isoformat(), ends_on=yesterday
    )
    publish(admin, title="明天的通知", starts_on=(today + dt.timedelta(days=1)).isoformat())
    home = client.get("/").content.decode()
    assert "已过期的通知" not in home and "明天的通知" not in home
    notice = Notice.objects.get(title="春节期间暂停窗口服务")
    assert admin.post(reverse("office:notices"), {"withdraw": notice.pk}).status_code == 302
    assert "春节期间暂停窗口服务" not in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "请填写标题"),
        ({"title": "\x00\x01"}, "「title」"),  # refused at the edge (core.edge), naming the field
        ({"title": "标" * 101}, "100"),
        ({"body": "x" * 10_000}, "4000"),
        ({"starts_on": ""}, "请填写发布日期"),
        ({"starts_on": "2026-05-02", "ends_on": "2026-05-01"}, "截止日期不能早于发布日期"),
    ],
)
def test_bad_notice_is_refused_with_nothing_written(personas, login_as, overrides, message):
    response = publish(login_as(personas.office_admin), **overrides)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Notice.objects.exists()


def test_percentile_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.9) == 4.0
    assert percentile([float(i) for i in range(1, 21)], 0.95) == 19.0


def test_dashboard_figures_and_exports(personas, login_as, staff):
    settlement_run(period=202401)
    arrival_record(employer=personas.employer_a, received_on=dt.date(2024, 2, 20), amount=D("13478.22"))
    submitted = timezone.make_aware(dt.datetime(2024, 1, 10, 9, 0))
    for hours in (2, 4, 30):
        Declaration.objects.create(
            number=next_number(),
            employer=personas.employer_a,
            item_code="H09",
            state=State.APPROVED,
            data={},
            submitted_at=submitted,
            decided_at=submitted + dt.timedelta(hours=hours),
        )
    Declaration.objects.create(
        number=next_number(), employer=personas.employer_a, item_code="H01", state=State.SUBMITTED, data={},
        submitted_at=submitted,
    )  # fmt: skip
    client = login_as(staff("is_finance"))
    page = client.get(reverse("office:dashboard"), {"month": "202401"}).content.decode()
    assert "<svg" in page
    # Employer A 13,478.22 + employer B (6,000.00 base: 1,200.00 individual … see money.md rates) both settled.
    export = client.get(reverse("office:dashboard"), {"month": "202401", "export": "review"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[1] == "3,4.0,30.0,30.0"  # three decided: 2 h, 4 h, 30 h → p50 4, p90 30, p95 30
    export = client.get(reverse("office:dashboard"), {"month": "202401", "export": "declarations"})
    text = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert text[0].startswith("事项编码,事项,") and "H09,个人信息变更" in text[2] and text[2].endswith(",3")
    assert text[1].startswith("H01,新参保人员登记")
    export = client.get(reverse("office:dashboard"), {"month": "202402", "export": "arrivals"})
    arrivals = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert arrivals[-1] == "202402,1,13478.22"
    export = client.get(reverse("office:dashboard"), {"month": "202401", "export": "headcount"})
    heads = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert heads[1] == "330106,4,4,4,4,4"  # both employers in district 330106: 3 + 1 persons, every insurance
    assert client.get(reverse("office:dashboard"), {"export": "nope"}).status_code == 404
    assert client.get(reverse("office:dashboard"), {"month": "\x00"}).status_code == 400  # the edge
