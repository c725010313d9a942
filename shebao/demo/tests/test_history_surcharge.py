"""The demo command makes employers with late surcharge owed, paid and waived through the production services."""

import pytest
from django.core.management import call_command
from django.db.models import F

from shebao.contributions.models import Allocation, EmployerPeriod, SurchargeWaiver


@pytest.mark.django_db
def test_demo_has_surcharge_owed_paid_and_waived(capsys):
    call_command(
        "demo", "--no-serve", "--employers", "30", "--persons", "300", "--period", "202611", "--seed", "7"
    )
    assert "滞纳金减免示例" in capsys.readouterr().out
    eps = EmployerPeriod.objects.all()
    assert eps.filter(surcharge_assessed__gt=0).exists()
    assert eps.filter(surcharge_paid__gt=0).exists()
    assert eps.filter(surcharge_waived__gt=0).exists()
    assert eps.filter(surcharge_assessed__gt=F("surcharge_paid") + F("surcharge_waived")).exists()  # owed
    # every figure comes from the ledger's rows
    for ep in eps.filter(surcharge_paid__gt=0)[:20]:
        paid = sum(
            a.amount
            for a in Allocation.objects.filter(employer=ep.employer, period=ep.period, kind="surcharge")
        )
        assert paid == ep.surcharge_paid
    for ep in eps.filter(surcharge_waived__gt=0)[:20]:
        waived = sum(w.amount for w in SurchargeWaiver.objects.filter(employer=ep.employer, period=ep.period))
        assert waived == ep.surcharge_waived
