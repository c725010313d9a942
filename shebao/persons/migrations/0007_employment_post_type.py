"""Employment.post_type (岗位类型): worker by default, cadre for the employments at organs and public
institutions (money.md's default by employer type); one set-based UPDATE."""

from django.db import migrations, models


def cadre_at_organs(apps, schema_editor):
    employment = apps.get_model("persons", "Employment")
    employer = apps.get_model("employers", "Employer")
    employment.objects.filter(
        employer_id__in=employer.objects.filter(employer_type__in=["organ", "institution"]).values("id")
    ).update(post_type="cadre")


class Migration(migrations.Migration):

    dependencies = [
        ('persons', '0006_card_applications'),
        ('employers', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='employment',
            name='post_type',
            field=models.CharField(choices=[('worker', '工人岗位'), ('cadre', '管理技术岗位')], default='worker', max_length=8, verbose_name='岗位类型'),
        ),
        migrations.RunPython(cadre_at_organs, migrations.RunPython.noop),
    ]
