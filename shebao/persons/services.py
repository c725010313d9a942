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

from shebao.core.choices import Insurance, PostType, StopReason, default_post_type
from shebao.core.errors import DomainError
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


def clamped_bases(
    *, base_year: int, declared_wage: Decimal, limits: dict | None = None
) -> dict[str, Decimal]:
    """The base used per insurance: the declared wage clamped to that insurance's floor and ceiling. The one
    function both approval (``bases_set``) and the preview an operator sees before submitting use."""
    if limits is None:
        limits = {ins: base_limits_for(base_year=base_year, insurance=ins) for ins in INSURANCES}
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
    limits = {ins: base_limits_for(base_year=base_year, insurance=ins) for ins in INSURANCES}
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
) -> list[str]:
    """Apply the changed employer fields (history kept); returns the names of the fields changed."""
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    unknown = set(changes) - set(EMPLOYER_FIELDS)
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
