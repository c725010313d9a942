"""Q16 参保证明: issue certificates (the same services the Q16 page calls) and download their PDF. The list of
issued certificates is the Q16 query (GET /queries/Q16)."""

import re

from django.urls import reverse
from ninja import Router, Status

from shebao.certificates.models import Certificate
from shebao.certificates.pdf import certificates_pdf
from shebao.certificates.selectors import certificate_for, verify_url
from shebao.certificates.services import certificate_issue_employer, certificates_issue_persons
from shebao.core.idnumbers import normalize_identifier
from shebao.core.pdf import pdf_response
from shebao.portal.queries.inputs import parse_period
from shebao.portal.queries.scope import PersonNotFound, employee_lookup

from ..auth import require_item
from ..errors import field_error, invalid, not_found
from ..schemas import CertificateIn, CertificateOut, ErrorOut, local
from .declarations import PDF_RESPONSE

router = Router(tags=["参保证明"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _out(certificate: Certificate) -> dict:
    if certificate.kind == Certificate.Kind.EMPLOYER:
        subject = certificate.content["employer"]["name"]
    else:
        person = certificate.content["person"]
        subject = f"{person['name']}（{person['id_number']}）"
    return {
        "number": certificate.number,
        "kind": certificate.kind,
        "subject": subject,
        "start_period": certificate.start_period,
        "end_period": certificate.end_period,
        "issued_at": local(certificate.issued_at),
        "verify_url": verify_url(certificate.number),
        "pdf_url": reverse("api-1:certificate_pdf", args=[certificate.number]),
    }


@router.post(
    "",
    response={201: list[CertificateOut], **ERRORS},
    summary="Q16 出具参保证明",
    description="单位参保证明（kind=employer）或职工个人参保证明（kind=persons，列出身份证号）。",
    operation_id="certificates_issue",
)
def certificates_issue(request, body: CertificateIn):
    require_item(request, "Q16")
    employer = request.auth.employer
    errors = []
    periods = {}
    for name in ("start", "end"):
        found = parse_period(str(getattr(body, name)))
        if found is None:
            errors.append(field_error(name, "format", f"{name} 应为年月 YYYYMM"))
        periods[name] = found
    if body.kind not in ("employer", "persons"):
        errors.append(field_error("kind", "choice", "证明类型应为 employer 或 persons"))
    if errors:
        raise invalid(errors)
    start, end = periods["start"].value, periods["end"].value
    if body.kind == "employer":
        issued = [certificate_issue_employer(employer=employer, start=start, end=end, user=request.auth.user)]
    else:
        numbers = []
        for raw in body.id_numbers:
            value = normalize_identifier(re.sub(r"\s+", "", str(raw)))[:18]
            if value and value not in numbers:
                numbers.append(value)
        if not numbers:
            raise invalid([field_error("id_numbers", "required", "请填写要出具证明的职工身份证号")])
        try:
            persons = [employee_lookup(employer=employer, id_number=n) for n in numbers]
        except PersonNotFound as exc:
            raise not_found(exc.message) from exc
        issued = certificates_issue_persons(
            persons=persons, employer=employer, start=start, end=end, user=request.auth.user
        )
    request.api_object = issued[0].number
    return Status(201, [_out(c) for c in issued])


@router.get(
    "/{number}/pdf",
    response=ERRORS,
    summary="Q16 参保证明 PDF",
    operation_id="certificate_pdf",
    url_name="certificate_pdf",
    openapi_extra=PDF_RESPONSE,
)
def certificate_pdf(request, number: str):
    require_item(request, "Q16")
    certificate = certificate_for(number=number[:40], employer=request.auth.employer)
    if certificate is None:
        raise not_found()
    request.api_object = certificate.number
    return pdf_response(certificates_pdf([certificate]), f"参保证明_{certificate.number}.pdf")
