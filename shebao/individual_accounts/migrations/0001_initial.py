"""PensionEntry, PensionYear, InterestClosing, MedicalEntry move here from contributions (issue 10). Their tables keep their names
(db_table = contributions_*): this migration changes Django's state only, no SQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contributions', '0005_settlement_run_labels'),
        ('employers', '0001_initial'),
        ('persons', '0005_drop_fk_indexes_covered_by_composites'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (created by contributions' migrations): only Django's state moves.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='InterestClosing',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='年度')),
                        ('rate', models.DecimalField(decimal_places=6, max_digits=9, verbose_name='记账利率')),
                        ('accounts', models.PositiveIntegerField(verbose_name='帐户数')),
                        ('interest_total', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='利息合计')),
                        ('closing_total', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='年末余额合计')),
                        ('closed_at', models.DateTimeField(verbose_name='结息时间')),
                        ('seconds', models.FloatField(default=0, verbose_name='耗时(秒)')),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '年度结息',
                        'verbose_name_plural': '年度结息',
                        'db_table': 'contributions_interestclosing',
                        'ordering': ['-year'],
                    },
                ),
                migrations.CreateModel(
                    name='MedicalEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.PositiveIntegerField(verbose_name='所属期')),
                        ('kind', models.CharField(choices=[('credit', '个人缴费划入'), ('retiree_credit', '退休人员定额划入'), ('debit', '医疗消费'), ('opening', '期初结转')], max_length=16, verbose_name='类型')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='金额')),
                        ('entry_date', models.DateField(verbose_name='发生日期')),
                        ('place', models.CharField(blank=True, max_length=100, verbose_name='消费机构')),
                        ('reference', models.CharField(blank=True, max_length=60, verbose_name='单据号')),
                        ('employer', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='employers.employer')),
                        ('person', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='persons.person')),
                    ],
                    options={
                        'verbose_name': '医疗帐户记账',
                        'verbose_name_plural': '医疗帐户记账',
                        'db_table': 'contributions_medicalentry',
                        'indexes': [models.Index(fields=['person', 'period'], name='medical_entry_person_period')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'retiree_credit')), fields=('person', 'period'), name='one_retiree_credit')],
                    },
                ),
                migrations.CreateModel(
                    name='PensionEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.PositiveIntegerField(verbose_name='所属期')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='记账年度')),
                        ('month', models.PositiveSmallIntegerField(verbose_name='记账月份')),
                        ('kind', models.CharField(choices=[('credit', '个人缴费划入'), ('opening', '期初结转')], default='credit', max_length=16, verbose_name='类型')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='金额')),
                        ('credited_on', models.DateField(verbose_name='记账日期')),
                        ('employer', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='employers.employer')),
                        ('person', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='persons.person')),
                    ],
                    options={
                        'verbose_name': '养老帐户记账',
                        'verbose_name_plural': '养老帐户记账',
                        'db_table': 'contributions_pensionentry',
                        'indexes': [models.Index(fields=['person', 'year'], name='pension_entry_person_year')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='pension_entry_month_valid')],
                    },
                ),
                migrations.CreateModel(
                    name='PensionYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('opening', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='上年结转')),
                        ('credits', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='本年记账')),
                        ('months_credited', models.PositiveSmallIntegerField(verbose_name='记账月数')),
                        ('rate', models.DecimalField(decimal_places=6, max_digits=9, verbose_name='记账利率')),
                        ('interest', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='本年利息')),
                        ('closing', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='年末余额')),
                        ('closed_at', models.DateTimeField(verbose_name='结息时间')),
                        ('person', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='persons.person')),
                    ],
                    options={
                        'verbose_name': '养老帐户年度结息',
                        'verbose_name_plural': '养老帐户年度结息',
                        'db_table': 'contributions_pensionyear',
                        'indexes': [models.Index(fields=['year'], name='pension_year_year')],
                        'constraints': [models.UniqueConstraint(fields=('person', 'year'), name='one_pension_year')],
                    },
                ),
            ],
        ),
    ]
