"""Issue 10's split of the money app, run on a database that has data: rows written with the models as they were
(all in contributions, at 0005) are read through parameters / individual_accounts / benefits after migrating
forward, the same tables and ids, foreign keys included; the content types follow their models."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shebao.benefits.models import InjuryCase, InjuryPayment, MaternityPayment
from shebao.individual_accounts.models import MedicalEntry, PensionEntry
from shebao.parameters.models import CreditedInterestRate, InsuranceRate, PolicySetting
from shebao.testing import make_employer, make_person

BEFORE = [
    ("contributions", "0005_settlement_run_labels"),
    ("parameters", None),
    ("individual_accounts", None),
    ("benefits", None),
]
MOVED_APPS = ("parameters", "individual_accounts", "benefits")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


# serialized_rollback: the flush after this test must not re-create content types under new ids, or the next
# serialized test (the race tests) could not restore its snapshot of them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_written_before_the_split_read_through_the_new_apps():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    employer = make_employer(number="33000001", name="杭州示例科技有限公司", org8="MA2H0001")
    person = make_person(name="王小明", birth=dt.date(1990, 5, 17), seq=11)
    # content types as a database migrated before the split has them (post_migrate created them there)
    ContentType.objects.filter(app_label__in=MOVED_APPS).delete()
    for model in ("insurancerate", "pensionentry", "injurycase"):
        ContentType.objects.get_or_create(app_label="contributions", model=model)

    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE[0]).apps
        old_rate = old.get_model("contributions", "InsuranceRate").objects.create(
            insurance="pension", employer_type="organ", effective_from=202601, employer_rate=D("0.150000"),
            individual_rate=D("0.080000"),
        )  # fmt: skip
        old.get_model("contributions", "PensionEntry").objects.create(
            person_id=person.pk, employer_id=employer.pk, period=202401, year=2024, month=1, kind="credit",
            amount=D("480.00"), credited_on=dt.date(2024, 2, 10),
        )  # fmt: skip
        old.get_model("contributions", "MedicalEntry").objects.create(
            person_id=person.pk, period=202403, kind="debit", amount=D("-30.50"), entry_date=dt.date(2024, 3, 1),
        )  # fmt: skip
        old_case = old.get_model("contributions", "InjuryCase").objects.create(
            person_id=person.pk, employer_id=employer.pk, case_number="GS202402000001",
            accident_date=dt.date(2024, 2, 10), place="公司机房", description="搬运设备时摔伤", injury="左腿骨折",
            status="determined", determined_on=dt.date(2024, 3, 1), disability_grade=9,
        )  # fmt: skip
        old.get_model("contributions", "InjuryPayment").objects.create(
            case_id=old_case.pk, person_id=person.pk, employer_id=employer.pk, period=202403, item="medical",
            amount=D("1250.50"), paid_on=dt.date(2024, 3, 5),
        )  # fmt: skip
    finally:
        _migrate(leaves)

    rate = InsuranceRate.objects.get(pk=old_rate.pk)
    assert (rate.insurance, rate.employer_type, rate.employer_rate) == ("pension", "organ", D("0.150000"))
    # the seeded parameters of contributions 0002 are there too, read through the new app
    assert PolicySetting.objects.get(key="rounding_rule").value == "half_up"
    assert CreditedInterestRate.objects.get(year=2024).rate == D("0.026200")
    entry = PensionEntry.objects.get(person=person)
    assert (entry.period, entry.month, entry.amount, entry.employer_id) == (
        202401,
        1,
        D("480.00"),
        employer.pk,
    )
    assert MedicalEntry.objects.get(person=person).amount == D("-30.50")
    case = InjuryCase.objects.get(case_number="GS202402000001")
    assert (case.pk, case.person_id, case.disability_grade) == (old_case.pk, person.pk, 9)
    payment = case.payments.get()  # the foreign key between two moved models still joins
    assert (payment.item, payment.amount) == ("medical", D("1250.50"))
    assert InjuryPayment.objects.filter(case__person=person).count() == 1
    assert not MaternityPayment.objects.exists()
    # the tables kept their names
    assert InjuryCase._meta.db_table == "contributions_injurycase"
    assert PensionEntry._meta.db_table in connection.introspection.table_names()
    # content types were relabelled, not duplicated
    labels = set(
        ContentType.objects.filter(model__in=["insurancerate", "pensionentry", "injurycase"]).values_list(
            "app_label", "model"
        )
    )
    assert labels == {
        ("parameters", "insurancerate"),
        ("individual_accounts", "pensionentry"),
        ("benefits", "injurycase"),
    }
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(InjuryCase).app_label == "benefits"
