"""Queries Q01–Q20: each endpoint asks the item's own portal page for its result (captured, not rendered —
see portal.queries.page), so inputs, scoping, selectors and figures are the page's by construction. The
query parameters are the page's own inputs; the answer is the page's list, 50 rows a page."""

from django.http import QueryDict
from ninja import Query, Router
from pydantic import ConfigDict, Field, create_model

from shebao.catalogue.items import ITEMS, ItemGroup
from shebao.core.choices import EmploymentStatus, Insurance
from shebao.portal.items import q03, q05, q06, q10, q12, q14
from shebao.portal.queries.listing import value_of
from shebao.portal.queries.page import capture
from shebao.portal.registry import ITEM_VIEWS

from ..auth import require_item
from ..errors import ApiError, field_error, invalid, not_found
from ..present import scalar
from ..schemas import ErrorOut, QueryOut

router = Router(tags=["信息查询"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _enum(choices, *extra) -> dict:
    return {"enum": [str(value) for value, _label in choices] + list(extra)}


PERIOD = (int | None, Field(None, description="结算期 YYYYMM，默认当前期"))
START = (int | None, Field(None, description="起始期 YYYYMM"))
END = (int | None, Field(None, description="截止期 YYYYMM"))
YEAR = (int | None, Field(None, description="年度，默认本年"))
ID_NUMBER = (str | None, Field(None, max_length=30, description="职工公民身份号码（单位令牌必填）"))
NAME = (str | None, Field(None, max_length=30, description="职工姓名（可选，用于核对）"))
INSURANCE = (str | None, Field(None, json_schema_extra=_enum(Insurance.choices), description="险种"))

# Each query's own inputs, as its page reads them (code tables taken from the pages themselves).
PARAMS = {
    "Q01": {},
    "Q02": {
        "status": (
            str | None,
            Field(None, json_schema_extra=_enum(EmploymentStatus.choices, "all"), description="参保状态"),
        ),
        "insurance": INSURANCE,
    },
    "Q03": {
        "period": PERIOD,
        "part": (str | None, Field(None, json_schema_extra=_enum(q03.PARTS), description="明细：缴费项目")),
        "insurance": INSURANCE,
    },
    "Q04": {"period": PERIOD},
    "Q05": {
        "period": PERIOD,
        "detail": (str | None, Field(None, json_schema_extra=_enum(q05.COMPONENTS), description="明细项目")),
    },
    "Q06": {
        "period": PERIOD,
        "detail": (str | None, Field(None, json_schema_extra=_enum(q06.DETAILS), description="明细项目")),
    },
    "Q07": {"year": YEAR, "id_number": ID_NUMBER, "name": NAME},
    "Q08": {"year": YEAR, "id_number": ID_NUMBER, "name": NAME},
    "Q09": {"start": START, "end": END, "id_number": ID_NUMBER, "name": NAME},
    "Q10": {
        "start": START,
        "end": END,
        "tab": (str | None, Field(None, json_schema_extra=_enum(q10.TABS), description="查看方式")),
    },
    "Q11": {},
    "Q12": {
        "start": START,
        "end": END,
        "type": (str | None, Field(None, json_schema_extra=_enum(q12.CHANGE_TYPES), description="变动类型")),
    },
    "Q13": {"year": YEAR},
    "Q14": {"tab": (str | None, Field(None, json_schema_extra=_enum(q14.TABS), description="类别"))},
    "Q15": {"period": PERIOD},
    "Q16": {},
    "Q17": {"status": (str | None, Field(None, max_length=20, description="认定状态"))},
    "Q18": {"year": YEAR},
    "Q19": {"start": START, "end": END},
    "Q20": {"year": YEAR},
}
COMMON = {
    "q": (str | None, Field(None, max_length=40, description="按身份证号或姓名搜索（列表支持时）")),
    "sort": (str | None, Field(None, max_length=40, description="排序列名，前加 - 为倒序")),
    "page": (int, Field(1, ge=1, le=1_000_000, description="页码，每页 50 行")),
}
PERSONAL = {"Q07", "Q08", "Q09"}


def _params_model(code: str):
    return create_model(f"{code}Params", __config__=ConfigDict(extra="ignore"), **PARAMS[code], **COMMON)


def _key(column) -> str:
    return column.param.replace(".", "_")


def _cell_values(listing, row) -> dict:
    out = {}
    for column in listing.columns:
        value = value_of(row, column.key)
        out[_key(column)] = scalar(value, column.kind)
        if column.display is not None:
            out[f"{_key(column)}_label"] = str(column.display(value))
    return out


def _totals(listing) -> dict | None:
    if not listing.totals:
        return None
    out = {}
    for column in listing.columns:
        if column.key in listing.totals:
            value = listing.totals[column.key]
            if isinstance(value, tuple):
                value = value[0]
            out[_key(column)] = scalar(value, column.kind)
    return out


def run_query(request, code: str, params: dict) -> dict:
    item = require_item(request, code)
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = str(value)
    request.GET = query
    request.user = request.auth.user
    taken = capture(request)
    ITEM_VIEWS[item.code](request)
    errors = dict(taken.inputs.errors) if taken.inputs is not None else {}
    if errors:
        if code in PERSONAL and "id_number" in errors and params.get("id_number"):
            raise not_found(errors["id_number"])
        raise invalid([field_error(name, "invalid", message) for name, message in errors.items()])
    context = taken.context or {}
    if context.get("prompt"):
        raise invalid([field_error("id_number", "required", context["prompt"])])
    listing = taken.listing or context.get("listing")
    if listing is None:
        raise ApiError(422, "invalid", str(next(iter(context.get("errors") or []), "查询条件有误")))
    page = listing.page
    rows = [_cell_values(listing, row) for row in listing.shown_rows]
    inputs = taken.inputs.values if taken.inputs is not None else {}
    return {
        "item": item.code,
        "title": str(listing.title),
        "inputs": {k: str(v) for k, v in inputs.items() if v not in (None, "")},
        "columns": [{"name": _key(c), "label": str(c.label), "kind": c.kind} for c in listing.columns],
        "rows": rows,
        "totals": _totals(listing),
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "per_page": listing.per_page,
    }


def _register(code: str, item) -> None:
    model = _params_model(code)

    def endpoint(request, params: Query[model]):
        return run_query(request, code, params.model_dump())

    endpoint.__name__ = f"query_{code.lower()}"
    router.get(
        f"/{code}",
        response={200: QueryOut, **ERRORS},
        summary=f"{code} {item.name}",
        operation_id=f"query_{code}",
        url_name=f"query_{code}",
    )(endpoint)


for _item in ITEMS:
    if _item.group == ItemGroup.QUERY and _item.for_employer and _item.code in PARAMS:
        _register(_item.code, _item)
