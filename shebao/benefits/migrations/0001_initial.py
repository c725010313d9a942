"""PensionPayment, MaternityPayment, InjuryCase, InjuryPayment move here from contributions (issue 10). Their tables keep their names
(db_table = contributions_*): this migration changes Django's state only, no SQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contributions', '0005_settlement_run_labels'),
        ('employers', '0001_initial'),
        ('persons', '0005_drop_fk_indexes_covered_by_composites'),
    ]

    operations = [
        # The tables exist already (created by contributions' migrations): only Django's state moves.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='InjuryCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('case_number', models.CharField(max_length=20, unique=True, verbose_name='案件编号')),
                        ('accident_date', models.DateField(verbose_name='事故日期')),
                        ('place', models.CharField(max_length=100, verbose_name='事故地点')),
                        ('description', models.TextField(verbose_name='事故经过')),
                        ('injury', models.CharField(max_length=200, verbose_name='受伤部位及程度')),
                        ('witness', models.CharField(blank=True, max_length=60, verbose_name='证人')),
                        ('status', models.CharField(choices=[('reported', '已备案'), ('determined', '认定为工伤'), ('rejected', '不予认定'), ('closed', '已结案')], default='reported', max_length=16, verbose_name='认定状态')),
                        ('determined_on', models.DateField(blank=True, null=True, verbose_name='认定日期')),
                        ('disability_grade', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='伤残等级')),
                        ('reported_at', models.DateTimeField(auto_now_add=True, verbose_name='备案时间')),
                        ('declaration_id', models.BigIntegerField(blank=True, null=True)),
                        ('employer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='employers.employer')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='persons.person')),
                    ],
                    options={
                        'verbose_name': '工伤事故',
                        'verbose_name_plural': '工伤事故',
                        'db_table': 'contributions_injurycase',
                        'ordering': ['-accident_date', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='InjuryPayment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.PositiveIntegerField(verbose_name='支付期')),
                        ('item', models.CharField(choices=[('medical', '医疗费'), ('hospital_food', '住院伙食补助费'), ('temporary_disability', '停工留薪期工资'), ('disability_grant', '一次性伤残补助金'), ('disability_allowance', '伤残津贴'), ('nursing', '生活护理费'), ('rehabilitation', '康复及辅助器具费'), ('other', '其他')], max_length=24, verbose_name='费用项目')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='金额')),
                        ('paid_on', models.DateField(verbose_name='支付日期')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                        ('source', models.CharField(default='manual', max_length=16, verbose_name='来源')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='benefits.injurycase')),
                        ('employer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='employers.employer')),
                        ('person', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='persons.person')),
                    ],
                    options={
                        'verbose_name': '工伤待遇支付',
                        'verbose_name_plural': '工伤待遇支付',
                        'db_table': 'contributions_injurypayment',
                    },
                ),
                migrations.CreateModel(
                    name='MaternityPayment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.PositiveIntegerField(verbose_name='支付期')),
                        ('delivery_date', models.DateField(verbose_name='生育日期')),
                        ('delivery_type', models.CharField(choices=[('natural', '顺产'), ('caesarean', '剖宫产'), ('multiple', '多胞胎'), ('miscarriage', '流产')], max_length=16, verbose_name='生育类型')),
                        ('hospital', models.CharField(blank=True, max_length=100, verbose_name='医院')),
                        ('leave_days', models.PositiveSmallIntegerField(verbose_name='产假天数')),
                        ('average_base', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='单位月平均缴费基数')),
                        ('allowance', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='生育津贴')),
                        ('medical_costs', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='医疗费用')),
                        ('total', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='合计')),
                        ('paid_on', models.DateField(verbose_name='支付日期')),
                        ('source', models.CharField(default='manual', max_length=16, verbose_name='来源')),
                        ('employer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='employers.employer')),
                        ('person', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='persons.person')),
                    ],
                    options={
                        'verbose_name': '生育待遇支付',
                        'verbose_name_plural': '生育待遇支付',
                        'db_table': 'contributions_maternitypayment',
                    },
                ),
                migrations.CreateModel(
                    name='PensionPayment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.PositiveIntegerField(verbose_name='支付期')),
                        ('basic_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='基础养老金')),
                        ('account_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='个人帐户养老金')),
                        ('transitional_amount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='过渡性养老金')),
                        ('supplement_amount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='调整及补贴')),
                        ('total', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='月养老金')),
                        ('paid_on', models.DateField(verbose_name='支付日期')),
                        ('source', models.CharField(default='manual', max_length=16, verbose_name='来源')),
                        ('employer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='employers.employer')),
                        ('person', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='persons.person')),
                    ],
                    options={
                        'verbose_name': '养老金支付',
                        'verbose_name_plural': '养老金支付',
                        'db_table': 'contributions_pensionpayment',
                    },
                ),
                migrations.AddIndex(
                    model_name='injurycase',
                    index=models.Index(fields=['employer', 'accident_date'], name='injury_case_employer_date'),
                ),
                migrations.AddConstraint(
                    model_name='injurycase',
                    constraint=models.CheckConstraint(condition=models.Q(('disability_grade__isnull', True), models.Q(('disability_grade__gte', 1), ('disability_grade__lte', 10)), _connector='OR'), name='injury_grade_1_10'),
                ),
                migrations.AddIndex(
                    model_name='injurypayment',
                    index=models.Index(fields=['employer', 'period'], name='injury_pay_employer_period'),
                ),
                migrations.AddConstraint(
                    model_name='injurypayment',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='injury_payment_positive'),
                ),
                migrations.AddIndex(
                    model_name='maternitypayment',
                    index=models.Index(fields=['employer', 'period'], name='maternity_pay_employer_period'),
                ),
                migrations.AddIndex(
                    model_name='pensionpayment',
                    index=models.Index(fields=['employer', 'period'], name='pension_pay_employer_period'),
                ),
                migrations.AddConstraint(
                    model_name='pensionpayment',
                    constraint=models.UniqueConstraint(fields=('person', 'period'), name='one_pension_payment_per_period'),
                ),
            ],
        ),
    ]
