"""Q16 参保证明打印: issue an insurance certificate as a PDF (employer-wide, for chosen employees, or for the
individual themselves) over a period range; each has a number and a QR code of its public verification page."""

import re

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.certificates.models import Certificate
from shebao.certificates.pdf import certificates_pdf
from shebao.certificates.selectors import certificate_for, certificates_for, verify_url
from shebao.certificates.services import certificate_issue_employer, certificates_issue_persons
from shebao.core.errors import DomainError
from shebao.core.idnumbers import normalize_identifier
from shebao.core.pdf import pdf_response
from shebao.portal.queries.inputs import Inputs
from shebao.portal.queries.listing import Column, Listing, query_string
from shebao.portal.queries.page import render_query
from shebao.portal.queries.scope import PersonNotFound, employee_lookup, scope_of
from shebao.portal.registry import portal_item

KINDS = [("employer", gettext_lazy("单位参保证明")), ("persons", gettext_lazy("职工个人参保证明"))]
KIND_LABELS = dict(Certificate.Kind.choices)


def _id_numbers(text: str) -> list[str]:
    seen = []
    for token in re.split(r"[\s,，;；、]+", text or ""):
        token = normalize_identifier(token)
        if token and token not in seen:
            seen.append(token)
    return seen


@portal_item("Q16")
def q16_certificates(request):
    scope = scope_of(request)
    if number := request.GET.get("pdf"):
        certificate = certificate_for(number=number, employer=scope.employer, person=scope.person)
        if certificate is None:
            raise Http404
        return pdf_response(certificates_pdf([certificate]), f"参保证明_{certificate.number}.pdf")

    data = request.POST if request.method == "POST" else request.GET
    inputs = Inputs(data=data)
    start, end = inputs.period_range(default_months=12)
    kind = (
        "persons"
        if scope.is_individual
        else inputs.choice("kind", KINDS, default="employer", label=_("证明类型"))
    )
    id_text = (data.get("id_numbers") or "")[:4000]
    inputs.values["id_numbers"] = id_text

    if request.method == "POST" and inputs.ok:
        try:
            if scope.is_individual:
                issued = certificates_issue_persons(
                    persons=[scope.person], start=start.value, end=end.value, user=request.user
                )
            elif kind == "employer":
                issued = [
                    certificate_issue_employer(
                        employer=scope.employer, start=start.value, end=end.value, user=request.user
                    )
                ]
            else:
                numbers = _id_numbers(id_text)
                if not numbers:
                    raise DomainError(_("请填写要出具证明的职工身份证号，每行一个。"), field="id_numbers")
                persons = [employee_lookup(employer=scope.employer, id_number=n) for n in numbers]
                issued = certificates_issue_persons(
                    persons=persons,
                    employer=scope.employer,
                    start=start.value,
                    end=end.value,
                    user=request.user,
                )
        except PersonNotFound as exc:
            inputs.errors["id_numbers"] = exc.message
        except DomainError as exc:
            inputs.errors[exc.field or "form"] = exc.message
        else:
            filename = (
                f"参保证明_{issued[0].number}.pdf" if len(issued) == 1 else f"参保证明_{len(issued)}份.pdf"
            )
            return pdf_response(certificates_pdf(issued), filename)

    def subject(certificate):
        if certificate.kind == Certificate.Kind.EMPLOYER:
            return certificate.content["employer"]["name"]
        person = certificate.content["person"]
        return f"{person['name']}（{person['id_number']}）"

    listing = Listing(
        request,
        title=_("已出具的参保证明"),
        columns=[
            Column("number", _("证明编号"), link=lambda c: query_string(pdf=c.number)),
            Column("kind", _("证明类型"), display=lambda v: str(KIND_LABELS.get(v, v))),
            Column(subject, _("证明对象"), name="subject"),
            Column("start_period", _("起始期"), kind="period"),
            Column("end_period", _("截止期"), kind="period"),
            Column(
                lambda c: timezone.localdate(c.issued_at),
                _("出具日期"),
                kind="date",
                sort="issued_at",
                name="issued",
            ),
            Column(lambda c: verify_url(c.number), _("核验网址"), name="url"),
        ],
        rows=certificates_for(employer=scope.employer, person=scope.person if scope.is_individual else None),
        search=("person__id_number", "person__name") if not scope.is_individual else None,
        default_sort="-issued",
        empty_message=_("尚未出具参保证明。"),
    )
    if request.method == "GET" and (response := listing.respond()):
        return response
    return render_query(
        request,
        "portal/queries/q16.html",
        {
            "inputs": inputs.values,
            "errors": list(inputs.errors.values()),
            "listing": listing,
            "kinds": KINDS,
            "kind": kind,
            "subject_is_self": scope.is_individual,
            "person": scope.person,
        },
    )
