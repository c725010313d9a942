"""The 39 business items plus the progress query and batch import: each is one grantable permission.

Codes are stable (catalogue.md) and appear in URLs, permissions, the API and the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


class ItemGroup:
    QUERY = "query"
    HANDLING = "handling"
    PROGRESS = "progress"


GROUP_LABELS = {
    ItemGroup.QUERY: _("信息查询"),
    ItemGroup.HANDLING: _("业务经办"),
    ItemGroup.PROGRESS: _("办事进度查询"),
}

PROGRESS = "PROGRESS"
BATCH = "BATCH"


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    group: str
    for_employer: bool = True
    for_individual: bool = False
    public: bool = False  # readable without login (Q20)

    @property
    def url_code(self) -> str:
        return "progress" if self.code == PROGRESS else self.code


ITEMS: tuple[Item, ...] = (
    Item("Q01", _("单位基本信息查询"), ItemGroup.QUERY),
    Item("Q02", _("参保职工名单查询"), ItemGroup.QUERY),
    Item("Q03", _("社保应付信息查询"), ItemGroup.QUERY),
    Item("Q04", _("养老支付明细查询"), ItemGroup.QUERY),
    Item("Q05", _("生育支付明细查询"), ItemGroup.QUERY),
    Item("Q06", _("工伤支付明细查询"), ItemGroup.QUERY),
    Item("Q07", _("个人养老帐户查询"), ItemGroup.QUERY, for_individual=True),
    Item("Q08", _("个人医疗帐户查询"), ItemGroup.QUERY, for_individual=True),
    Item("Q09", _("个人缴费明细查询"), ItemGroup.QUERY, for_individual=True),
    Item("Q10", _("单位缴费到账查询"), ItemGroup.QUERY),
    Item("Q11", _("单位欠费查询"), ItemGroup.QUERY),
    Item("Q12", _("人员增减变动查询"), ItemGroup.QUERY),
    Item("Q13", _("缴费基数查询"), ItemGroup.QUERY),
    Item("Q14", _("退休及到龄人员查询"), ItemGroup.QUERY),
    Item("Q15", _("单位缴费比例查询"), ItemGroup.QUERY),
    Item("Q16", _("参保证明打印"), ItemGroup.QUERY, for_individual=True),
    Item("Q17", _("工伤事故查询"), ItemGroup.QUERY),
    Item("Q18", _("年度对账单"), ItemGroup.QUERY),
    Item("Q19", _("缴费趋势分析"), ItemGroup.QUERY),
    Item("Q20", _("政策参数查询"), ItemGroup.QUERY, for_individual=True, public=True),
    Item("H01", _("新参保人员登记"), ItemGroup.HANDLING),
    Item("H02", _("续保(人员增加)"), ItemGroup.HANDLING),
    Item("H03", _("人员转入"), ItemGroup.HANDLING),
    Item("H04", _("人员减少(停保)"), ItemGroup.HANDLING),
    Item("H05", _("险种增加"), ItemGroup.HANDLING),
    Item("H06", _("险种减少"), ItemGroup.HANDLING),
    Item("H07", _("年度缴费基数申报"), ItemGroup.HANDLING),
    Item("H08", _("缴费基数调整"), ItemGroup.HANDLING),
    Item("H09", _("个人信息变更"), ItemGroup.HANDLING),
    Item("H10", _("单位信息变更"), ItemGroup.HANDLING),
    Item("H11", _("补缴申报"), ItemGroup.HANDLING),
    Item("H12", _("退休申报"), ItemGroup.HANDLING),
    Item("H13", _("工伤事故备案"), ItemGroup.HANDLING),
    Item("H14", _("生育待遇申请"), ItemGroup.HANDLING),
    Item("H15", _("工伤待遇申请"), ItemGroup.HANDLING),
    Item("H16", _("社会保障卡申领"), ItemGroup.HANDLING),
    Item("H17", _("养老关系转出"), ItemGroup.HANDLING),
    Item("H18", _("退费申请"), ItemGroup.HANDLING),
    Item("H19", _("经办人授权"), ItemGroup.HANDLING),
    Item(PROGRESS, _("办事进度查询"), ItemGroup.PROGRESS),
    Item(BATCH, _("批量导入"), ItemGroup.HANDLING),
)

ITEMS_BY_CODE: dict[str, Item] = {item.code: item for item in ITEMS}


def get_item(code: str) -> Item | None:
    return ITEMS_BY_CODE.get("PROGRESS" if code.lower() == "progress" else code.upper())


def items_for_employer() -> list[Item]:
    return [item for item in ITEMS if item.for_employer]


def items_for_individual() -> list[Item]:
    return [item for item in ITEMS if item.for_individual]


def default_grants(kind: str) -> list[str]:
    """Items granted by default to a new account of this kind (employer or individual)."""
    items = items_for_individual() if kind == "individual" else items_for_employer()
    return [item.code for item in items]
