"""Code tables shared by several apps (catalogue.md 'Code tables'). Labels are what users see."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Insurance(models.TextChoices):
    PENSION = "pension", _("养老")
    MEDICAL = "medical", _("医疗")
    UNEMPLOYMENT = "unemployment", _("失业")
    INJURY = "injury", _("工伤")
    MATERNITY = "maternity", _("生育")


class EmployerType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    ORGAN = "organ", _("机关")
    INSTITUTION = "institution", _("事业单位")
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("民办非企业")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class HukouType(models.TextChoices):
    LOCAL_URBAN = "local_urban", _("本市城镇")
    LOCAL_RURAL = "local_rural", _("本市农村")
    OTHER_URBAN = "other_urban", _("外市城镇")
    OTHER_RURAL = "other_rural", _("外市农村")


class EnrolmentType(models.TextChoices):
    FIRST = "01", _("新参保")
    RESUMED = "02", _("续保")
    TRANSFERRED_IN = "03", _("转入")
    MERGER = "04", _("单位合并划入")
    OTHER = "09", _("其他")


class StopReason(models.TextChoices):
    RESIGNED = "11", _("辞职")
    DISMISSED = "12", _("解除劳动合同")
    CONTRACT_ENDED = "13", _("劳动合同到期终止")
    EXPELLED = "14", _("除名/开除")
    TRANSFERRED_OUT = "21", _("转出(跨统筹区)")
    RETIRED = "31", _("退休")
    DIED = "32", _("死亡")
    EMIGRATED = "33", _("出国(境)定居")
    ENLISTED = "34", _("参军")
    STUDIES = "35", _("升学")
    MISSING = "36", _("失踪")
    IMPRISONED = "37", _("判刑收监")
    EMPLOYER_CLOSED = "41", _("单位分立/合并/注销")
    OTHER = "99", _("其他")


class EmploymentForm(models.TextChoices):
    CONTRACT = "contract", _("合同制")
    DISPATCHED = "dispatched", _("劳务派遣")
    PART_TIME = "part_time", _("非全日制")
    REEMPLOYED_RETIREE = "reemployed_retiree", _("退休返聘")
    OTHER = "other", _("其他")


class PostType(models.TextChoices):
    """A woman's retirement group follows her post (money.md): worker 50→55, cadre 55→58."""

    WORKER = "worker", _("工人岗位")
    CADRE = "cadre", _("管理技术岗位")


# The post type an employment starts with, by employer type (money.md): cadre at organs and institutions.
CADRE_EMPLOYER_TYPES = ("organ", "institution")


def default_post_type(employer_type: str) -> str:
    return PostType.CADRE if employer_type in CADRE_EMPLOYER_TYPES else PostType.WORKER


def retirement_group_of(gender: str, post_type: str) -> str:
    """The retirement-age rule's group (parameters.RetirementAgeRule.Group) of a person on a post."""
    if gender == "M":
        return "male"
    return "female_cadre" if post_type == PostType.CADRE else "female_worker"


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", _("正常参保")
    SUSPENDED = "suspended", _("暂停缴费")
    STOPPED = "stopped", _("终止")
    RETIRED = "retired", _("退休")


class EmployerStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停")
    CANCELLED = "cancelled", _("注销")


# Employment forms that are insured for work injury only (catalogue.md).
INJURY_ONLY_FORMS = {EmploymentForm.PART_TIME, EmploymentForm.REEMPLOYED_RETIREE}

# 民族, GB/T 3304-1991 in its code order (01–56), then 97 其他 and 98 外国血统中国籍人士. Stored by name.
ETHNICITY_CODES = {
    "01": "汉族", "02": "蒙古族", "03": "回族", "04": "藏族", "05": "维吾尔族", "06": "苗族", "07": "彝族",
    "08": "壮族", "09": "布依族", "10": "朝鲜族", "11": "满族", "12": "侗族", "13": "瑶族", "14": "白族",
    "15": "土家族", "16": "哈尼族", "17": "哈萨克族", "18": "傣族", "19": "黎族", "20": "傈僳族", "21": "佤族",
    "22": "畲族", "23": "高山族", "24": "拉祜族", "25": "水族", "26": "东乡族", "27": "纳西族", "28": "景颇族",
    "29": "柯尔克孜族", "30": "土族", "31": "达斡尔族", "32": "仫佬族", "33": "羌族", "34": "布朗族",
    "35": "撒拉族", "36": "毛南族", "37": "仡佬族", "38": "锡伯族", "39": "阿昌族", "40": "普米族",
    "41": "塔吉克族", "42": "怒族", "43": "乌孜别克族", "44": "俄罗斯族", "45": "鄂温克族", "46": "德昂族",
    "47": "保安族", "48": "裕固族", "49": "京族", "50": "塔塔尔族", "51": "独龙族", "52": "鄂伦春族",
    "53": "赫哲族", "54": "门巴族", "55": "珞巴族", "56": "基诺族", "97": "其他", "98": "外国血统中国籍人士",
}  # fmt: skip
ETHNICITIES = list(ETHNICITY_CODES.values())


class RoundingRule(models.TextChoices):
    """How amounts are rounded to the cent (a policy parameter; core.money.ROUNDING_MODES has the same keys)."""

    HALF_UP = "half_up", _("四舍五入")
    HALF_EVEN = "half_even", _("四舍六入五成双")
    DOWN = "down", _("舍去")
    UP = "up", _("进位")
