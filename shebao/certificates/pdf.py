"""The certificate PDF: one certificate a page, each with its number and a QR code of its public URL."""

from __future__ import annotations

from django.utils.translation import gettext as _
from reportlab.platypus import PageBreak

from shebao.core.pdf import PdfDocument

from .display import describe
from .selectors import verify_url


def certificates_pdf(certificates) -> bytes:
    certificates = list(certificates)
    first = describe(certificates[0])
    doc = PdfDocument(
        title=first["title"],
        subtitle=_("证明编号：%(number)s") % {"number": certificates[0].number},
        footer=_("社会保险经办机构 · 扫描二维码或访问核验网址可核验本证明真伪"),
        author=_("社会保险经办机构"),
        seal=_("社会保险经办机构出具参保证明"),
    )
    for index, certificate in enumerate(certificates):
        text = describe(certificate)
        if index:
            doc.story.append(PageBreak())
            doc.story.extend(
                PdfDocument(
                    title=text["title"], subtitle=_("证明编号：%(number)s") % {"number": certificate.number}
                ).story
            )
        doc.paragraph(text["statement"])
        doc.fields(text["fields"], columns=1)
        if text["rows"]:
            doc.table(text["headers"], text["rows"])
        url = verify_url(certificate.number)
        doc.paragraph(_("核验网址：%(url)s") % {"url": url})
        doc.paragraph(_("内容摘要：%(digest)s") % {"digest": certificate.digest[:16]})
        doc.qr(url, caption=_("扫码核验 %(number)s") % {"number": certificate.number})
    return doc.render()
