"""Writing the core record: persons, their employment, coverage and bases, and the employer's own details.

Every function here is keyword-only and atomic, and writes a ``RecordChange`` row for what it changed
(who, through which declaration). Declarations' effects call these; nothing else writes the record.
Checks (is the person employed here, is the base within limits…) belong to the caller; these functions
only refuse what would corrupt the record (DomainError) and let the database constraints do the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shebao.core.choices import EmployerType, Insurance, PostType, StopReason, default_post_type
from shebao.core.errors import DomainError, FieldErrors, ValidationFailed
from shebao.core.idnumbers import validate_id_number
from shebao.core.validators import parse_period, validate_name
from shebao.employers.models import Employer
from shebao.parameters.rules import clamp_base
from shebao.parameters.selectors import base_limits_for

from .models import (
    CardApplication,
    ContributionBase,
    Coverage,
    Employment,
    Person,
    RecordChange,
    person_copies,
)

INSURANCES = tuple(Insurance.values)
PERSON_FIELDS = ("id_number", "name", "gender", "birth_date", "ethnicity", "hukou_type", "phone", "address")
COPIED_FIELDS = ("id_number", "name", "gender", "birth_date")  # repeated on every Employment of the person
EMPLOYER_FIELDS = (
    "name",
    "address",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "bank_name",
    "bank_account",
)

# Fields only the office corrects (not through H10): they change the employer's rates.
EMPLOYER_OFFICE_FIELDS = ("risk_class", "employer_type")


def _who(actor, actor_label: str) -> dict:
    label = actor_label or (getattr(actor, "label", "") if actor is not None else "")
    return {"actor": actor if getattr(actor, "pk", None) else None, "actor_label": label[:60]}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:200]


# --- persons ---------------------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    employer: Employer,
    id_number: str,
    name: str,
    gender: str,
    birth_date: dt.date,
    ethnicity: str = "",
    hukou_type: str = "",
    phone: str = "",
    address: str = "",
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
) -> Person:
    if Person.objects.filter(id_number=id_number).exists():
        raise DomainError(_("公民身份号码 %(id)s 已登记") % {"id": id_number}, field="id_number")
    person = Person.objects.create(
        id_number=id_number,
        name=name,
        gender=gender,
        birth_date=birth_date,
        ethnicity=ethnicity,
        hukou_type=hukou_type,
        phone=phone,
        address=address,
    )
    RecordChange.objects.create(
        employer=employer,
        person=person,
        kind=RecordChange.Kind.PERSON_CREATED,
        new_value=f"{name}({id_number})",
        declaration_number=declaration_number,
        **_who(actor, actor_label),
    )
    return person


def person_register(
    *, id_number: str, name: str, gender: str, birth_date: dt.date, phone: str = ""
) -> Person:
    """Record a person not yet on file who comes to the counter for an individual account (no employer yet, so
    no roster change). Inputs validated by the caller. A registration of the same ID number by another counter
    at the same moment is refused with a message telling the clerk to look the person up again."""
    try:
        with transaction.atomic():
            return Person.objects.create(
                id_number=id_number, name=name, gender=gender, birth_date=birth_date, phone=phone
            )
    except IntegrityError:
        raise DomainError(_("该人员刚刚由其他窗口登记，请重新查找后再办理。"), code="conflict") from None


@transaction.atomic
def person_update(
    *,
    person: Person,
    employer: Employer,
    changes: dict,
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
    reason: str = "",
) -> list[str]:
    """Apply the changed fields (those that differ from the record); returns the names of the fields changed."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"not person fields: {sorted(unknown)}")
    changed = [field for field, value in changes.items() if getattr(person, field) != value]
    if (
        "id_number" in changed
        and Person.objects.filter(id_number=changes["id_number"]).exclude(pk=person.pk).exists()
    ):
        raise DomainError(
            _("公民身份号码 %(id)s 已被其他人员使用") % {"id": changes["id_number"]}, field="new_id_number"
        )
    rows = []
    for field in changed:
        rows.append(
            RecordChange(
                employer=employer,
                person=person,
                kind=RecordChange.Kind.PERSON_UPDATED,
                field=field,
                old_value=_text(getattr(person, field)),
                new_value=_text(changes[field]),
                reason=reason[:100],
                declaration_number=declaration_number,
                **_who(actor, actor_label),
            )
        )
        setattr(person, field, changes[field])
    if changed:
        person.save(update_fields=changed)
        RecordChange.objects.bulk_create(rows)
        if set(changed) & set(COPIED_FIELDS):
            Employment.objects.filter(person=person).update(**person_copies(person))
    return changed


# --- employment and coverage -----------------------------------------------------------------------------


@transaction.atomic
def employment_open(
    *,
    person: Person,
    employer: Employer,
    start_period: int,
    enrolment_type: str,
    insurances: Iterable[str],
    employment_form: str = "contract",
    post_type: str = "",
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
) -> Employment:
    """Open an employment at `employer` from `start_period` with a coverage per insurance. The post type
    defaults by employer type (cadre at organs and institutions, worker elsewhere)."""
    insurances = [i for i in INSURANCES if i in set(insurances)]
    if not insurances:
        raise DomainError(_("至少选择一个险种"), field="insurances")
    # The person's fields are copied from the row as stored (the caller's instance may predate a
    # person_update in the same transaction); locking it orders this before or after a concurrent update.
    stored = Person.objects.select_for_update().get(pk=person.pk)
    if Employment.objects.select_for_update().filter(person=person, stop_period__isnull=True).exists():
        raise DomainError(_("该人员存在未终止的参保关系，不能重复参保"), field="id_number")
    employment = Employment.objects.create(
        person=stored,
        employer=employer,
        enrolment_type=enrolment_type,
        employment_form=employment_form,
        post_type=post_type or default_post_type(employer.employer_type),
        start_period=start_period,
        status="active",
        **person_copies(stored),
    )
    Coverage.objects.bulk_create(
        Coverage(
            employment=employment, person=person, employer=employer, insurance=ins, start_period=start_period
        )
        for ins in insurances
    )
    who = _who(actor, actor_label)
    RecordChange.objects.create(
        employer=employer,
        person=person,
        kind=RecordChange.Kind.EMPLOYMENT_OPENED,
        period=start_period,
        field="enrolment_type",
        new_value=enrolment_type,
        declaration_number=declaration_number,
        **who,
    )
    RecordChange.objects.bulk_create(
        RecordChange(
            employer=employer,
            person=person,
            kind=RecordChange.Kind.COVERAGE_OPENED,
            period=start_period,
            insurance=ins,
            declaration_number=declaration_number,
            **who,
        )
        for ins in insurances
    )
    return employment


@transaction.atomic
def employment_post_type_set(
    *,
    employment: Employment,
    post_type: str,
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
    reason: str = "",
) -> Employment:
    """Change the post type of an open employment (H09, the office): it decides a woman's retirement age."""
    if post_type not in PostType.values:
        raise DomainError(_("岗位类型不正确"), field="post_type")
    employment = Employment.objects.select_for_update().get(pk=employment.pk)
    if employment.post_type == post_type:
        return employment
    old = employment.post_type
    employment.post_type = post_type
    employment.save(update_fields=["post_type"])
    RecordChange.objects.create(
        employer=employment.employer,
        person=employment.person,
        kind=RecordChange.Kind.PERSON_UPDATED,
        field="post_type",
        old_value=old,
        new_value=post_type,
        reason=reason[:100],
        declaration_number=declaration_number,
        **_who(actor, actor_label),
    )
    return employment


@transaction.atomic
def employment_stop(
    *,
    employment: Employment,
    stop_period: int,
    reason: str,
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
) -> Employment:
    """Close the employment and all its open coverages from `stop_period` (the first month not covered)."""
    employment = Employment.objects.select_for_update().get(pk=employment.pk)
    if employment.stop_period is not None:
        raise DomainError(_("该参保关系已于 %(period)s 终止") % {"period": employment.stop_period})
    if stop_period < employment.start_period:
        raise DomainError(
            _("停保期 %(stop)s 不能早于参保开始期 %(start)s")
            % {"stop": stop_period, "start": employment.start_period},
            field="stop_period",
        )
    open_coverages = list(employment.coverages.filter(stop_period__isnull=True))
    for coverage in open_coverages:
        coverage.stop_period = max(stop_period, coverage.start_period)
    Coverage.objects.bulk_update(open_coverages, ["stop_period"])
    employment.stop_period = stop_period
    employment.stop_reason = reason
    employment.status = "retired" if reason == StopReason.RETIRED else "stopped"
    employment.save(update_fields=["stop_period", "stop_reason", "status"])
    who = _who(actor, actor_label)
    RecordChange.objects.create(
        employer=employment.employer,
        person=employment.person,
        kind=RecordChange.Kind.EMPLOYMENT_STOPPED,
        period=stop_period,
        field="stop_reason",
        new_value=reason,
        reason=reason,
        declaration_number=declaration_number,
        **who,
    )
    RecordChange.objects.bulk_create(
        RecordChange(
            employer=employment.employer,
            person=employment.person,
            kind=RecordChange.Kind.COVERAGE_CLOSED,
            period=c.stop_period,
            insurance=c.insurance,
            reason=reason,
            declaration_number=declaration_number,
            **who,
        )
        for c in open_coverages
    )
    return employment


@transaction.atomic
def coverage_open(
    *,
    employment: Employment,
    insurances: Iterable[str],
    start_period: int,
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
) -> list[Coverage]:
    employment = Employment.objects.select_for_update().get(pk=employment.pk)
    if employment.stop_period is not None:
        raise DomainError(_("该参保关系已终止，不能增加险种"))
    wanted = [i for i in INSURANCES if i in set(insurances)]
    already = set(employment.coverages.filter(stop_period__isnull=True).values_list("insurance", flat=True))
    clash = [i for i in wanted if i in already]
    if clash:
        raise DomainError(
            _("已参加险种：%(list)s") % {"list": "、".join(str(Insurance(i).label) for i in clash)},
            field="insurances",
        )
    created = Coverage.objects.bulk_create(
        Coverage(
            employment=employment,
            person_id=employment.person_id,
            employer_id=employment.employer_id,
            insurance=ins,
            start_period=start_period,
        )
        for ins in wanted
    )
    who = _who(actor, actor_label)
    RecordChange.objects.bulk_create(
        RecordChange(
            employer_id=employment.employer_id,
            person_id=employment.person_id,
            kind=RecordChange.Kind.COVERAGE_OPENED,
            period=start_period,
            insurance=ins,
            declaration_number=declaration_number,
            **who,
        )
        for ins in wanted
    )
    return created


@transaction.atomic
def coverage_close(
    *,
    employment: Employment,
    insurances: Iterable[str],
    stop_period: int,
    reason: str = "",
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
) -> list[Coverage]:
    employment = Employment.objects.select_for_update().get(pk=employment.pk)
    wanted = set(insurances)
    rows = list(employment.coverages.filter(stop_period__isnull=True, insurance__in=wanted))
    missing = wanted - {c.insurance for c in rows}
    if missing:
        raise DomainError(
            _("未参加险种：%(list)s") % {"list": "、".join(str(Insurance(i).label) for i in sorted(missing))},
            field="insurances",
        )
    for coverage in rows:
        if stop_period < coverage.start_period:
            raise DomainError(
                _("停保期 %(stop)s 不能早于该险种开始期 %(start)s")
                % {"stop": stop_period, "start": coverage.start_period},
                field="stop_period",
            )
        coverage.stop_period = stop_period
    Coverage.objects.bulk_update(rows, ["stop_period"])
    who = _who(actor, actor_label)
    RecordChange.objects.bulk_create(
        RecordChange(
            employer_id=employment.employer_id,
            person_id=employment.person_id,
            kind=RecordChange.Kind.COVERAGE_CLOSED,
            period=stop_period,
            insurance=c.insurance,
            reason=reason,
            declaration_number=declaration_number,
            **who,
        )
        for c in rows
    )
    return rows


# --- contribution bases ----------------------------------------------------------------------------------


def base_limits(*, base_year: int) -> dict[str, tuple[Decimal, Decimal]]:
    """(floor, ceiling) per insurance of a base year (for clamping many wages: ``clamped_bases(limits=…)``)."""
    return {ins: base_limits_for(base_year=base_year, insurance=ins) for ins in INSURANCES}


def clamped_bases(
    *, base_year: int, declared_wage: Decimal, limits: dict | None = None
) -> dict[str, Decimal]:
    """The base used per insurance: the declared wage clamped to that insurance's floor and ceiling. The one
    function both approval (``bases_set``) and the preview an operator sees before submitting use."""
    if limits is None:
        limits = base_limits(base_year=base_year)
    return {ins: clamp_base(declared_wage, *limits[ins]) for ins in INSURANCES}


def _base_row(*, person_id, employer_id, base_year, start_period, wage, limits, source) -> ContributionBase:
    bases = clamped_bases(base_year=base_year, declared_wage=wage, limits=limits)
    values = {f"base_{ins}": bases[ins] for ins in INSURANCES}
    return ContributionBase(
        person_id=person_id,
        employer_id=employer_id,
        base_year=base_year,
        start_period=start_period,
        declared_wage=wage,
        source=source,
        **values,
    )


@transaction.atomic
def base_set(
    *,
    person: Person,
    employer: Employer,
    base_year: int,
    start_period: int,
    declared_wage: Decimal,
    source: str = "",
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
) -> ContributionBase:
    """Set the person's base at this employer from `start_period` on (replacing a base of the same start)."""
    return bases_set(
        employer=employer,
        base_year=base_year,
        start_period=start_period,
        wages={person.pk: declared_wage},
        source=source,
        declaration_number=declaration_number,
        actor=actor,
        actor_label=actor_label,
    )[0]


@transaction.atomic
def bases_set(
    *,
    employer: Employer,
    base_year: int,
    start_period: int,
    wages: dict[int, Decimal],
    source: str = "",
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
) -> list[ContributionBase]:
    """Set many persons' bases (person id → declared wage) from `start_period`, set-based."""
    if not wages:
        return []
    limits = base_limits(base_year=base_year)
    person_ids = list(wages)
    previous = {}
    for row in (
        ContributionBase.objects.filter(
            employer=employer, person_id__in=person_ids, start_period__lte=start_period
        )
        .order_by("person_id", "start_period")
        .values("person_id", "declared_wage")
    ):
        previous[row["person_id"]] = row["declared_wage"]  # the last one (highest start) wins
    ContributionBase.objects.filter(
        employer=employer, person_id__in=person_ids, start_period=start_period
    ).delete()
    rows = ContributionBase.objects.bulk_create(
        _base_row(
            person_id=pid,
            employer_id=employer.pk,
            base_year=base_year,
            start_period=start_period,
            wage=wage,
            limits=limits,
            source=source,
        )
        for pid, wage in wages.items()
    )
    who = _who(actor, actor_label)
    RecordChange.objects.bulk_create(
        RecordChange(
            employer=employer,
            person_id=pid,
            kind=RecordChange.Kind.BASE_SET,
            period=start_period,
            field="declared_wage",
            old_value=_text(previous.get(pid)),
            new_value=_text(wage),
            declaration_number=declaration_number,
            **who,
        )
        for pid, wage in wages.items()
    )
    return rows


# --- the employer's own details --------------------------------------------------------------------------


@transaction.atomic
def employer_update(
    *,
    employer: Employer,
    changes: dict,
    declaration_number: str = "",
    actor=None,
    actor_label: str = "",
    reason: str = "",
    period: int | None = None,
) -> list[str]:
    """Apply the changed employer fields (history kept); returns the names of the fields changed. `period`: the
    first period the change concerns (an office correction names it, so the money can follow from there)."""
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    unknown = set(changes) - set(EMPLOYER_FIELDS) - set(EMPLOYER_OFFICE_FIELDS)
    if unknown:
        raise ValueError(f"not employer fields: {sorted(unknown)}")
    changed = [field for field, value in changes.items() if getattr(employer, field) != value]
    who = _who(actor, actor_label)
    rows = [
        RecordChange(
            employer=employer,
            kind=RecordChange.Kind.EMPLOYER_UPDATED,
            field=field,
            old_value=_text(getattr(employer, field)),
            new_value=_text(changes[field]),
            reason=reason[:100],
            period=period,
            declaration_number=declaration_number,
            **who,
        )
        for field in changed
    ]
    for field in changed:
        setattr(employer, field, changes[field])
    if changed:
        employer.save(update_fields=changed)
        RecordChange.objects.bulk_create(rows)
    return changed


# --- office record corrections (the counter, with documents seen) ---------------------------------------------


def _reason(reason: str) -> str:
    reason = " ".join(str(reason or "").replace("\x00", "").split())
    if not reason:
        raise FieldErrors({"reason": [_("请填写更正原因（如：核对身份证原件）")]})
    if len(reason) > 100:
        raise FieldErrors({"reason": [_("更正原因不能超过 100 个字，当前 %(n)d 个字") % {"n": len(reason)}]})
    return reason


@transaction.atomic
def person_correct(
    *, person: Person, name: str, id_number: str, reason: str, actor, today: dt.date
) -> list[str]:
    """An office correction of a person's name and/or ID number (after H09's counter step: the documents were
    seen at the counter). A new ID number brings its birth date and gender with it. Every changed field is a
    RecordChange row with the reason and the clerk; returns the fields changed."""
    reason = _reason(reason)
    errors: dict[str, list[str]] = {}
    changes: dict = {}
    try:
        changes["name"] = validate_name(name, field="name")
    except ValidationFailed as exc:
        errors["name"] = [exc.message]
    try:
        info = validate_id_number(id_number, today=today, field="id_number")
        changes.update(id_number=info.number, birth_date=info.birth_date, gender=info.gender)
    except ValidationFailed as exc:
        errors["id_number"] = [exc.message]
    if errors:
        raise FieldErrors(errors)
    employment = Employment.objects.filter(person=person).order_by("-start_period", "-id").first()
    if employment is None:
        raise DomainError(_("该人员没有参保关系，无法记录更正所属单位。"))
    changed = person_update(
        person=person,
        employer=employment.employer,
        changes=changes,
        actor=actor,
        actor_label=actor.label if actor else "",
        reason=reason,
    )
    if not changed:
        raise DomainError(_("与现有记录相同，没有需要更正的内容。"))
    return changed


@transaction.atomic
def employer_correct(
    *, employer: Employer, name: str, risk_class, employer_type: str, reason: str, actor, from_period=""
) -> list[str]:
    """An office correction of an employer's name, injury risk class (1–8) or employer type, with a reason and the
    first period it concerns (`from_period`, recorded on each change row). Rates follow the new risk class and
    type from the next settlement of any period (a rerun of a paid period books the difference as adjustment
    lines); contributions.services.record_correction_carry marks the settled periods from `from_period` on."""
    reason = _reason(reason)
    errors: dict[str, list[str]] = {}
    period = None
    try:
        period = parse_period(from_period, field="from_period", label=_("更正起始期"))
    except ValidationFailed as exc:
        errors["from_period"] = [exc.message]
    clean_name = " ".join(str(name or "").split())
    if not clean_name or len(clean_name) > 100 or any(ord(c) < 32 for c in clean_name):
        errors["name"] = [_("单位名称须为 1–100 个字，不能含控制字符")]
    try:
        risk = int(str(risk_class).strip())
        if not 1 <= risk <= 8:
            raise ValueError
    except (TypeError, ValueError):
        errors["risk_class"] = [_("工伤风险类别须为 1 至 8 的整数")]
        risk = None
    if employer_type not in EmployerType.values:
        errors["employer_type"] = [_("请选择单位类型")]
    if errors:
        raise FieldErrors(errors)
    changed = employer_update(
        employer=employer,
        changes={"name": clean_name, "risk_class": risk, "employer_type": employer_type},
        actor=actor,
        actor_label=actor.label if actor else "",
        reason=reason,
        period=period,
    )
    if not changed:
        raise DomainError(_("与现有记录相同，没有需要更正的内容。"))
    return changed


@transaction.atomic
def employment_post_type_correct(*, employment: Employment, post_type: str, reason: str, actor) -> Employment:
    """An office correction of an employment's post type (岗位类型), with a reason: it decides a woman's
    retirement age (Q14, H12). Recorded like H09's change (employment_post_type_set) with the clerk and reason."""
    reason = _reason(reason)
    if post_type not in PostType.values:
        raise FieldErrors({"post_type": [_("请选择岗位类型")]})
    if employment.post_type == post_type:
        raise DomainError(_("与现有记录相同，没有需要更正的内容。"))
    return employment_post_type_set(
        employment=employment,
        post_type=post_type,
        actor=actor,
        actor_label=actor.label if actor else "",
        reason=reason,
    )


# --- social security cards (H16) ----------------------------------------------------------------------------


@transaction.atomic
def card_application_open(
    *,
    person: Person,
    employer: Employer,
    kind: str,
    applied_on: dt.date,
    photo_reference: str = "",
    note: str = "",
    declaration_number: str = "",
) -> CardApplication:
    """Record a card application (in process until collected). A second one while one is in process is refused;
    two at once are stopped by the partial unique index (the caller's approval is refused, nothing written)."""
    if kind not in CardApplication.Kind.values:
        raise DomainError(_("申领类型不正确"), field="reason")
    current = CardApplication.objects.filter(person=person, status=CardApplication.Status.IN_PROCESS).first()
    if current is not None:
        raise DomainError(
            _("该人员已有社会保障卡申领在办理中（%(date)s 受理），不能重复申领")
            % {"date": current.applied_on.isoformat()},
            field="id_number",
        )
    return CardApplication.objects.create(
        person=person,
        employer=employer,
        kind=kind,
        photo_reference=photo_reference[:40],
        note=note[:200],
        applied_on=applied_on,
        declaration_number=declaration_number,
    )


@transaction.atomic
def card_application_collect(*, declaration_number: str, collected_on: dt.date) -> CardApplication:
    """The card of the application made by this declaration is handed over at the counter."""
    application = (
        CardApplication.objects.select_for_update().filter(declaration_number=declaration_number).first()
    )
    if application is None:
        raise DomainError(_("申报 %(number)s 没有社会保障卡申领记录") % {"number": declaration_number})
    if application.status != CardApplication.Status.IN_PROCESS:
        raise DomainError(_("该社会保障卡已于 %(date)s 领取") % {"date": application.collected_on})
    application.status = CardApplication.Status.COLLECTED
    application.collected_on = collected_on
    application.save(update_fields=["status", "collected_on"])
    return application
