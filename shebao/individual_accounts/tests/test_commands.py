"""The console commands behind `shebao settle` and `shebao credit-interest`."""

import datetime as dt
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shebao.individual_accounts.models import PensionYear
from shebao.individual_accounts.services import pension_opening_record


@pytest.mark.django_db
def test_credit_interest_command(personas):
    pension_opening_record(
        person=personas.person_1, year=2024, amount=D("50000.00"), credited_on=dt.date(2024, 1, 1)
    )
    out = StringIO()
    call_command("credit_interest", "2024", "--today", "2025-01-10", stdout=out)
    assert "2024 年度结息完成：帐户 1" in out.getvalue()
    assert PensionYear.objects.get(person=personas.person_1, year=2024).closing == D("51310.00")
    with pytest.raises(CommandError, match="已结息"):
        call_command("credit_interest", "2024", "--today", "2025-01-10")
