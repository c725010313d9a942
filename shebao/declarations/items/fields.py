"""Fields several items share (the same label, type and code table everywhere)."""

from django.utils.translation import gettext_lazy as _

from shebao.core.choices import (
    ETHNICITIES,
    EmploymentForm,
    Gender,
    HukouType,
    Insurance,
    StopReason,
)
from shebao.core.validators import PAST_DATE

from .base import Field, code_table

ID_NUMBER = Field("id_number", _("公民身份号码"), "id_number", required=True)
NAME = Field("name", _("姓名"), "name", required=True)
GENDER = Field("gender", _("性别"), "choice", required=True, choices=code_table(Gender))
BIRTH_DATE = Field(
    "birth_date", _("出生日期"), "date", required=True, help=_("如 1990-05-17"), window=PAST_DATE
)
ETHNICITY = Field(
    "ethnicity", _("民族"), "choice", required=True, choices=lambda: [(e, e) for e in ETHNICITIES]
)
HUKOU_TYPE = Field("hukou_type", _("户籍性质"), "choice", required=True, choices=code_table(HukouType))
PHONE = Field("phone", _("联系电话"), "phone")
ADDRESS = Field("address", _("地址"), "text", max_length=200)
START_PERIOD = Field("start_period", _("参保开始期"), "period", required=True, help=_("年月，如 202611"))
WAGE = Field("wage", _("月工资(缴费基数)"), "amount", required=True, help=_("超出年度上下限的按上下限计"))
INSURANCES = Field(
    "insurances",
    _("参保险种"),
    "multi",
    required=True,
    choices=code_table(Insurance),
    default=list(Insurance.values),
)
EMPLOYMENT_FORM = Field(
    "employment_form", _("用工形式"), "choice", choices=code_table(EmploymentForm), default="contract"
)
STOP_PERIOD = Field(
    "stop_period", _("停保期"), "period", required=True, help=_("自该月起不再缴费，如 202612")
)
STOP_REASON = Field("reason", _("减员原因"), "choice", required=True, choices=code_table(StopReason))
