"""Parameters, individual accounts and benefits leave contributions for their own apps (issue 10).

Their tables stay (db_table keeps contributions_*): the models leave Django's state here and enter it in
parameters/individual_accounts/benefits 0001, without SQL. The content types of the moved models are relabelled
so that permissions and the admin's change log keep pointing at them."""

from django.db import migrations


MOVED = {
    'parameters': ['insurancerate', 'riskclassrate', 'averagewage', 'baselimit', 'creditedinterestrate', 'policysetting', 'retirementagerule'],
    'individual_accounts': ['pensionentry', 'pensionyear', 'interestclosing', 'medicalentry'],
    'benefits': ['pensionpayment', 'maternitypayment', 'injurycase', 'injurypayment'],
}


def _relabel(apps, *, source: str, target_of) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app, models in MOVED.items():
        for model in models:
            old, new = source if source else app, target_of(app)
            if ContentType.objects.filter(app_label=new, model=model).exists():
                continue  # already there (created by a post_migrate of a partial run): keep it
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_forward(apps, schema_editor):
    _relabel(apps, source="contributions", target_of=lambda app: app)


def content_types_backward(apps, schema_editor):
    _relabel(apps, source="", target_of=lambda app: "contributions")


class Migration(migrations.Migration):

    dependencies = [
        ('parameters', '0001_initial'),
        ('individual_accounts', '0001_initial'),
        ('benefits', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('contributions', '0005_settlement_run_labels'),
    ]

    operations = [
        # The tables exist already (created by contributions' migrations): only Django's state moves.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(
                    name='AverageWage',
                ),
                migrations.DeleteModel(
                    name='BaseLimit',
                ),
                migrations.DeleteModel(
                    name='CreditedInterestRate',
                ),
                migrations.RemoveField(
                    model_name='injurycase',
                    name='employer',
                ),
                migrations.RemoveField(
                    model_name='injurycase',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='injurypayment',
                    name='case',
                ),
                migrations.RemoveField(
                    model_name='injurypayment',
                    name='employer',
                ),
                migrations.RemoveField(
                    model_name='injurypayment',
                    name='person',
                ),
                migrations.DeleteModel(
                    name='InsuranceRate',
                ),
                migrations.RemoveField(
                    model_name='interestclosing',
                    name='closed_by',
                ),
                migrations.RemoveField(
                    model_name='maternitypayment',
                    name='employer',
                ),
                migrations.RemoveField(
                    model_name='maternitypayment',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='medicalentry',
                    name='employer',
                ),
                migrations.RemoveField(
                    model_name='medicalentry',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='pensionentry',
                    name='employer',
                ),
                migrations.RemoveField(
                    model_name='pensionentry',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='pensionpayment',
                    name='employer',
                ),
                migrations.RemoveField(
                    model_name='pensionpayment',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='pensionyear',
                    name='person',
                ),
                migrations.DeleteModel(
                    name='PolicySetting',
                ),
                migrations.DeleteModel(
                    name='RetirementAgeRule',
                ),
                migrations.DeleteModel(
                    name='RiskClassRate',
                ),
                migrations.DeleteModel(
                    name='InjuryCase',
                ),
                migrations.DeleteModel(
                    name='InjuryPayment',
                ),
                migrations.DeleteModel(
                    name='InterestClosing',
                ),
                migrations.DeleteModel(
                    name='MaternityPayment',
                ),
                migrations.DeleteModel(
                    name='MedicalEntry',
                ),
                migrations.DeleteModel(
                    name='PensionEntry',
                ),
                migrations.DeleteModel(
                    name='PensionPayment',
                ),
                migrations.DeleteModel(
                    name='PensionYear',
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
