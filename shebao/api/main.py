"""The REST API at /api/v1/: one NinjaAPI, one router per area. Which routers a process serves follows
SHEBAO_SITES, as for pages: the portal process serves the employer side (employer tokens), the office process
the review side (staff tokens). OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs (Swagger UI
from django-ninja's own static files, no CDN)."""

from django.conf import settings
from ninja import NinjaAPI

from . import errors
from .auth import TokenAuth, TokenThrottle

DESCRIPTION = """社会保险网上办事系统 REST API（供单位人事、薪酬软件及省级共享平台调用）。

- 认证：`Authorization: Bearer sbk_…`。单位令牌由单位管理员在网上办事大厅「接口令牌」页面创建（限定事项、有效期，可吊销）；
  经办机构令牌由系统管理员签发（限定角色）。
- 错误统一为 `{"code", "message", "errors": [{"field", "code", "message"}]}`：401 令牌缺失/无效/过期/吊销；
  403 令牌无权；404 对象不存在或不属于本单位；409 状态不允许；422 输入有误（列出每个字段）；429 调用过于频繁（见 Retry-After）。
- 金额为十进制字符串，结算期为 YYYYMM 整数，时间为北京时间（+08:00）。
- 申报与草稿接口支持 `Idempotency-Key` 请求头：同一键只生成一笔申报。
"""


def build() -> NinjaAPI:
    api = NinjaAPI(
        title="社保网上办事 API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api-1",
        auth=TokenAuth(),
        throttle=[TokenThrottle()],
    )
    errors.install(api)
    sites = settings.SHEBAO_SITES
    if sites in ("portal", "all"):
        from .routers import certificates, declarations, queries

        api.add_router("/queries", queries.router)
        api.add_router("/handling", declarations.router)
        api.add_router("/declarations", declarations.progress)
        api.add_router("/certificates", certificates.router)
    if sites in ("office", "all"):
        from .routers import office

        api.add_router("/office", office.router)
    return api


api = build()
