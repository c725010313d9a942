from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.core.choices import EmployerStatus, EmployerType


class Employer(models.Model):
    number = models.CharField(_("单位编号"), max_length=8, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True)
    org_code = models.CharField(_("组织机构代码"), max_length=9, blank=True, db_index=True)
    name = models.CharField(_("单位名称"), max_length=100, db_index=True)  # office search by name prefix
    employer_type = models.CharField(_("单位类型"), max_length=32, choices=EmployerType.choices)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    risk_class = models.PositiveSmallIntegerField(_("工伤风险类别"), default=1)
    district_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=30, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=30, blank=True)
    registered_on = models.DateField(_("参保登记日期"))
    status = models.CharField(_("单位状态"), max_length=16, choices=EmployerStatus.choices, default="active")

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_class__gte=1, risk_class__lte=8), name="employer_risk_class_1_8"
            ),
            models.CheckConstraint(
                condition=Q(credit_code__isnull=False) | ~Q(org_code=""), name="employer_has_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"
