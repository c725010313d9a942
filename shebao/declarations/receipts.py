"""Receipts (申报回执): a PDF per declaration with a QR code leading to the public verification page.

The verification URL carries a short HMAC of the number, so sequential numbers cannot be walked to learn
about other employers' declarations; the page shows only that the receipt exists, its number, state and date.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.pdf import PdfDocument

from .items import definition_for
from .models import Declaration


def verification_code(number: str) -> str:
    key = hashlib.sha256(("shebao-receipt:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:12]


def code_matches(number: str, code: str) -> bool:
    # compared as bytes: hmac.compare_digest refuses str with non-ASCII characters (a TypeError, a 500)
    return hmac.compare_digest(verification_code(number).encode(), str(code or "").encode())


def verification_path(declaration: Declaration) -> str:
    return reverse("verify_receipt", args=[declaration.number, verification_code(declaration.number)])


def verification_url(declaration: Declaration) -> str:
    return settings.SHEBAO_PUBLIC_URL + verification_path(declaration)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def receipt_pdf(declaration: Declaration) -> bytes:
    definition = definition_for(declaration.item_code)
    employer = declaration.employer
    doc = PdfDocument(
        title=_("社会保险业务申报回执"),
        subtitle=_("申报流水号 %(number)s") % {"number": declaration.number},
        footer=_("本回执由社会保险网上办事大厅生成，可扫描二维码核验真伪。"),
        author=_("社会保险经办机构"),
        seal=_("社会保险业务申报回执"),
    )
    doc.fields(
        [
            (_("单位编号"), employer.number),
            (_("单位名称"), employer.name),
            (_("申报事项"), declaration.item.name),
            (_("申报流水号"), declaration.number),
            (_("办理状态"), declaration.get_state_display()),
            (_("申报时间"), _when(declaration.submitted_at) or _when(declaration.created_at)),
            (_("审核时间"), _when(declaration.decided_at)),
            (_("审核意见"), declaration.review_comment),
        ]
    )
    if definition is not None:
        doc.heading(_("申报内容"))
        doc.fields(definition.display_rows(declaration.data))
        for table in definition.tables(declaration.data):
            rows = table["rows"][:200]
            doc.table(table["headers"], rows, title=table["label"])
            if len(table["rows"]) > 200:
                doc.paragraph(_("（共 %(n)d 行，此处列出前 200 行）") % {"n": len(table["rows"])})
        if declaration.state == "awaiting_counter":
            doc.paragraph(definition.counter_note or _("请携带相关材料到经办窗口办结。"))
    doc.qr(verification_url(declaration), caption=_("扫码核验回执"))
    return doc.render()
