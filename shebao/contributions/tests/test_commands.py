"""The console commands behind `shebao settle` and `shebao credit-interest`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shebao.contributions.models import SettlementRun


@pytest.mark.django_db
def test_settle_command(personas):
    out = StringIO()
    call_command("settle", "202403", "2024-04", stdout=out)
    assert SettlementRun.objects.filter(status="done").count() == 2
    assert "202403: 单位 2，明细 20" in out.getvalue()
    with pytest.raises(CommandError, match="格式不正确"):
        call_command("settle", "2024")
