"""Employment repeats the person's ID number, name, gender and birth date (see Employment's docstring):
the roster (Q02) and the reaching-retirement list (Q14) search, sort and filter a large employer's employments
without joining the persons table. Existing rows are filled from their person in one set-based UPDATE.

Q14 no longer reads persons by (gender, birth_date), so that index (0003) goes."""

from django.db import migrations, models
from django.db.models import Q


def copy_person_fields(apps, schema_editor):
    # UPDATE … FROM: PostgreSQL, and SQLite from 3.33.
    schema_editor.execute(
        """UPDATE persons_employment SET person_id_number = p.id_number, person_name = p.name,
               person_gender = p.gender, person_birth_date = p.birth_date
           FROM persons_person p WHERE p.id = persons_employment.person_id"""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("persons", "0003_query_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="employment",
            name="person_id_number",
            field=models.CharField(default="", max_length=18, verbose_name="公民身份号码"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="employment",
            name="person_name",
            field=models.CharField(default="", max_length=30, verbose_name="姓名"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="employment",
            name="person_gender",
            field=models.CharField(
                choices=[("M", "男"), ("F", "女")], default="", max_length=1, verbose_name="性别"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="employment",
            name="person_birth_date",
            field=models.DateField(null=True, verbose_name="出生日期"),
        ),
        migrations.RunPython(copy_person_fields, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="employment",
            name="person_birth_date",
            field=models.DateField(verbose_name="出生日期"),
        ),
        migrations.AddConstraint(
            model_name="employment",
            constraint=models.CheckConstraint(
                condition=~Q(person_id_number=""), name="employment_person_copied"
            ),
        ),
        migrations.AddIndex(
            model_name="employment",
            index=models.Index(
                fields=["employer", "status", "person_name", "id"], name="employment_roster_name"
            ),
        ),
        migrations.RemoveIndex(
            model_name="person",
            name="person_gender_birth",
        ),
    ]
