"""InsuranceRate, RiskClassRate, AverageWage, BaseLimit, CreditedInterestRate, PolicySetting, RetirementAgeRule move here from contributions (issue 10). Their tables keep their names
(db_table = contributions_*): this migration changes Django's state only, no SQL."""

import django.db.models.functions.math
import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contributions', '0005_settlement_run_labels'),
    ]

    operations = [
        # The tables exist already (created by contributions' migrations): only Django's state moves.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AverageWage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='年度')),
                        ('monthly_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='社会平均工资(月)')),
                    ],
                    options={
                        'verbose_name': '社会平均工资',
                        'verbose_name_plural': '社会平均工资',
                        'db_table': 'contributions_averagewage',
                        'ordering': ['-year'],
                    },
                ),
                migrations.CreateModel(
                    name='CreditedInterestRate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='年度')),
                        ('rate', models.DecimalField(decimal_places=6, max_digits=9, verbose_name='记账利率')),
                    ],
                    options={
                        'verbose_name': '记账利率',
                        'verbose_name_plural': '记账利率',
                        'db_table': 'contributions_creditedinterestrate',
                        'ordering': ['-year'],
                    },
                ),
                migrations.CreateModel(
                    name='RetirementAgeRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('group', models.CharField(choices=[('male', '男职工'), ('female_worker', '女职工(工人岗位)'), ('female_cadre', '女职工(管理技术岗位)')], max_length=16, unique=True, verbose_name='人员类别')),
                        ('gender', models.CharField(choices=[('M', '男'), ('F', '女')], max_length=1, verbose_name='性别')),
                        ('pivot_birth_month', models.PositiveIntegerField(verbose_name='起算出生年月')),
                        ('base_age_months', models.PositiveSmallIntegerField(verbose_name='原退休年龄(月)')),
                        ('step_birth_months', models.PositiveSmallIntegerField(verbose_name='每延迟一个月对应出生月数')),
                        ('target_age_months', models.PositiveSmallIntegerField(verbose_name='目标退休年龄(月)')),
                    ],
                    options={
                        'verbose_name': '退休年龄规则',
                        'verbose_name_plural': '退休年龄规则',
                        'db_table': 'contributions_retirementagerule',
                    },
                ),
                migrations.CreateModel(
                    name='BaseLimit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('base_year', models.PositiveSmallIntegerField(verbose_name='基数年度')),
                        ('insurance', models.CharField(choices=[('pension', '养老'), ('medical', '医疗'), ('unemployment', '失业'), ('injury', '工伤'), ('maternity', '生育')], max_length=16, verbose_name='险种')),
                        ('floor', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='基数下限')),
                        ('ceiling', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='基数上限')),
                    ],
                    options={
                        'verbose_name': '缴费基数上下限',
                        'verbose_name_plural': '缴费基数上下限',
                        'db_table': 'contributions_baselimit',
                        'ordering': ['-base_year', 'insurance'],
                        'constraints': [models.UniqueConstraint(fields=('base_year', 'insurance'), name='one_limit_per_year_insurance'), models.CheckConstraint(condition=models.Q(('floor__gte', 0), ('ceiling__gte', models.F('floor'))), name='floor_le_ceiling')],
                    },
                ),
                migrations.CreateModel(
                    name='InsuranceRate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('insurance', models.CharField(choices=[('pension', '养老'), ('medical', '医疗'), ('unemployment', '失业'), ('injury', '工伤'), ('maternity', '生育')], max_length=16, verbose_name='险种')),
                        ('employer_type', models.CharField(blank=True, choices=[('enterprise', '企业'), ('organ', '机关'), ('institution', '事业单位'), ('private_non_enterprise', '民办非企业'), ('individual_business', '个体工商户')], max_length=32, verbose_name='单位类型')),
                        ('effective_from', models.PositiveIntegerField(verbose_name='起始期')),
                        ('employer_rate', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, verbose_name='单位缴费比例')),
                        ('individual_rate', models.DecimalField(decimal_places=6, default=0, max_digits=9, verbose_name='个人缴费比例')),
                    ],
                    options={
                        'verbose_name': '缴费比例',
                        'verbose_name_plural': '缴费比例',
                        'db_table': 'contributions_insurancerate',
                        'ordering': ['insurance', 'employer_type', '-effective_from'],
                        'constraints': [models.UniqueConstraint(fields=('insurance', 'employer_type', 'effective_from'), name='one_rate_per_start'), models.CheckConstraint(condition=models.Q(('effective_from__gte', 190001), ('effective_from__lte', 210012), django.db.models.lookups.GreaterThanOrEqual(django.db.models.functions.math.Mod(models.F('effective_from'), 100), 1), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.math.Mod(models.F('effective_from'), 100), 12)), name='rate_effective_from_valid'), models.CheckConstraint(condition=models.Q(models.Q(('employer_rate__isnull', True), models.Q(('employer_rate__gte', 0), ('employer_rate__lt', 1)), _connector='OR'), ('individual_rate__gte', 0), ('individual_rate__lt', 1)), name='rate_is_fraction')],
                    },
                ),
                migrations.CreateModel(
                    name='PolicySetting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(choices=[('late_surcharge_daily_rate', '滞纳金日费率'), ('due_months_after', '缴费期限(次月后月数)'), ('rounding_rule', '舍入规则'), ('base_year_first_month', '基数年度起始月'), ('maternity_leave_days', '产假天数'), ('retiree_medical_monthly_credit', '退休人员医疗帐户月划入额'), ('min_contribution_years', '最低缴费年限'), ('max_backdate_months', '参保开始期最多追溯月数')], max_length=48, verbose_name='参数')),
                        ('effective_from', models.PositiveIntegerField(verbose_name='起始期')),
                        ('value', models.CharField(max_length=40, verbose_name='值')),
                    ],
                    options={
                        'verbose_name': '政策参数',
                        'verbose_name_plural': '政策参数',
                        'db_table': 'contributions_policysetting',
                        'ordering': ['key', '-effective_from'],
                        'constraints': [models.UniqueConstraint(fields=('key', 'effective_from'), name='one_setting_per_start'), models.CheckConstraint(condition=models.Q(('effective_from__gte', 190001), ('effective_from__lte', 210012), django.db.models.lookups.GreaterThanOrEqual(django.db.models.functions.math.Mod(models.F('effective_from'), 100), 1), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.math.Mod(models.F('effective_from'), 100), 12)), name='setting_effective_from_valid')],
                    },
                ),
                migrations.CreateModel(
                    name='RiskClassRate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('risk_class', models.PositiveSmallIntegerField(verbose_name='工伤风险类别')),
                        ('effective_from', models.PositiveIntegerField(verbose_name='起始期')),
                        ('rate', models.DecimalField(decimal_places=6, max_digits=9, verbose_name='工伤费率')),
                    ],
                    options={
                        'verbose_name': '工伤行业费率',
                        'verbose_name_plural': '工伤行业费率',
                        'db_table': 'contributions_riskclassrate',
                        'ordering': ['risk_class', '-effective_from'],
                        'constraints': [models.UniqueConstraint(fields=('risk_class', 'effective_from'), name='one_risk_rate_per_start'), models.CheckConstraint(condition=models.Q(('effective_from__gte', 190001), ('effective_from__lte', 210012), django.db.models.lookups.GreaterThanOrEqual(django.db.models.functions.math.Mod(models.F('effective_from'), 100), 1), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.math.Mod(models.F('effective_from'), 100), 12)), name='risk_rate_effective_from_valid')],
                    },
                ),
            ],
        ),
    ]
