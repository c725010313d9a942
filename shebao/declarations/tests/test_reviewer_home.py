"""The reviewer's home: queue counts by item and age, the oldest waiting, own work today; the queue's
「近7日申报」 counts the declarations of each day."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shebao.declarations import services
from shebao.declarations.models import Declaration

from .conftest import TODAY, h01_raw
from .helpers import submit
from .test_journey import login

pytestmark = pytest.mark.django_db


def _raw(seq: int) -> dict:
    """H01 for a man born 1995-03-08 with sequence `seq` (odd: male)."""
    from shebao.core.idnumbers import make_id_number

    seq = seq if seq % 2 else seq + 1
    return h01_raw(id_number=make_id_number("330106", dt.date(1995, 3, 8), seq))


def _text(response) -> str:
    import re
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_reviewer_home_counts_ages_oldest_and_own_work(personas, monkeypatch):
    now = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
    made = []
    for n, days_ago in enumerate((0, 0, 2, 5, 9)):
        d = submit(personas, "H01", _raw(101 + 2 * n))
        Declaration.objects.filter(pk=d.pk).update(submitted_at=now - dt.timedelta(days=days_ago, minutes=n))
        made.append(d)
    monkeypatch.setattr(timezone, "now", lambda: now)
    # the reviewer decides one today (rejects it) and holds another
    claimed = services.declaration_claim(declaration=made[0], actor=personas.reviewer)
    services.declaration_reject(declaration=claimed, actor=personas.reviewer, comment="材料不全", today=TODAY)
    services.declaration_claim(declaration=made[1], actor=personas.reviewer)

    response = login("reviewer").get(reverse("office:home"))
    text = _text(response)
    assert "待审核 4 今天： 1 1–3 天： 1 3–7 天： 1 7 天以上： 1" in text
    assert f"等待最久 {made[4].number} 杭州甲科技有限公司 申报于 2026-11-17" in text
    assert "已审核 1 件（通过 0，退回 1）" in text and "我认领未办结 1 件" in text
    assert "新参保人员登记 4" in text


def test_queue_shows_declarations_of_the_last_seven_days(personas):
    for n in range(3):
        submit(personas, "H01", _raw(201 + 2 * n))
    text = _text(login("reviewer").get(reverse("office:review")))
    day = timezone.localdate().strftime("%m-%d")
    assert f"近7日申报： {day} 3" in text
