"""Writing the personal accounts (money.md): balances brought in, the yearly interest closing of pension
accounts, retirees' monthly medical credits and medical spending. (The monthly credits from paid contributions are
written by ``contributions.services.accounts_credit_paid``, a step of allocation.)

The yearly closing is written set-based with INSERT … SELECT in integer cents (see ``shebao.core.sql``).
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.csvfiles import ImportRejected, ImportResult
from shebao.core.errors import DomainError
from shebao.core.money import round_money
from shebao.core.period import Period
from shebao.core.sql import SESSION_TUNING, cents, from_cents, round_div
from shebao.core.sql import micro as to_micro
from shebao.parameters.models import PolicySetting
from shebao.parameters.selectors import interest_rate_for, policy_decimal, rounding_rule
from shebao.persons.models import Employment

from .models import InterestClosing, MedicalEntry, PensionEntry, PensionTransfer, PensionYear
from .selectors import medical_balance, pension_balance_at

Key = PolicySetting.Key


@transaction.atomic
def pension_opening_record(*, person, year: int, amount: Decimal, credited_on: dt.date) -> PensionEntry:
    """A balance brought into the account from before the system (counts as the opening of `year`)."""
    if InterestClosing.objects.filter(year__gte=year).exists():
        raise DomainError(_("%(year)s 年度已结息，不能再记入期初余额") % {"year": year})
    return PensionEntry.objects.create(
        person=person,
        period=year * 100 + 1,
        year=year,
        month=1,
        kind=PensionEntry.Kind.OPENING,
        amount=amount,
        credited_on=credited_on,
    )


@transaction.atomic
def pension_transfer_record(
    *,
    employment: Employment,
    transfer_date: dt.date,
    destination: str,
    reason: str = "",
    declaration_number: str = "",
) -> PensionTransfer:
    """Transfer a stopped employment's pension relation out (H17's effect): the balance at the transfer date is
    computed by ``selectors.pension_balance_at`` (money.md's balance at retirement, for H12 too) and certified on the
    row with every figure. One transfer per employment (a unique key: a second at once is refused)."""
    employment = (
        Employment.objects.select_for_update().select_related("person", "employer").get(pk=employment.pk)
    )
    if employment.stop_period is None:
        raise DomainError(_("该人员仍在参保，须先办理停保"), field="id_number")
    if PensionTransfer.objects.filter(employment=employment).exists():
        raise DomainError(_("该人员本次参保的养老关系已办理转出"), field="id_number")
    balance = pension_balance_at(person=employment.person, day=transfer_date)
    return PensionTransfer.objects.create(
        person=employment.person,
        employer=employment.employer,
        employment=employment,
        transfer_date=transfer_date,
        destination=destination[:60],
        reason=reason[:200],
        closed_year=balance.closed_year,
        closed_balance=balance.closed_balance,
        carried=balance.carried,
        opening=balance.opening,
        credits=balance.credits_total,
        months_credited=len(balance.credits),
        months=balance.months,
        rate_year=balance.rate_year,
        rate=balance.rate,
        interest=balance.interest,
        balance=balance.balance,
        declaration_number=declaration_number,
    )


@transaction.atomic
def pension_transfer_certify(*, transfer: PensionTransfer, certificate_number: str) -> PensionTransfer:
    """Note the 参保缴费凭证 issued for a transfer (certificates.services issues it from the transfer row)."""
    PensionTransfer.objects.filter(pk=transfer.pk).update(certificate_number=certificate_number)
    transfer.certificate_number = certificate_number
    return transfer


@transaction.atomic
def interest_close(*, year: int, today: dt.date, user=None) -> InterestClosing:
    """Close a year of every pension account: opening (last year's closing plus balances brought in), credits,
    interest = opening × r + Σ credit_m × r × (13 − m) / 12 rounded once, closing. Set-based."""
    started = time.perf_counter()
    year = int(year)
    if year >= today.year:
        raise DomainError(_("%(year)s 年度尚未结束，不能结息") % {"year": year}, field="year")
    if InterestClosing.objects.filter(year=year).exists():
        raise DomainError(_("%(year)s 年度已结息") % {"year": year}, field="year")
    last = InterestClosing.objects.aggregate(y=Max("year"))["y"]
    if last is not None and year != last + 1:
        if year < last:
            raise DomainError(_("%(last)s 年度已结息，不能再结 %(year)s 年度") % {"last": last, "year": year})
        raise DomainError(_("请先结息 %(next)s 年度") % {"next": last + 1}, field="year")
    rate = interest_rate_for(year=year)
    micro = to_micro(rate)
    rule = rounding_rule(year * 100 + 12)
    interest_c = round_div(f"((a.o_c * 12 + a.w_c) * {micro})", 12_000_000, rule, signed=True)
    entries = PensionEntry._meta.db_table
    years = PensionYear._meta.db_table
    # months with a credit, without COUNT(DISTINCT …), which forces PostgreSQL to sort 12 rows a person
    months_credited = " + ".join(
        f"MAX(CASE WHEN kind = 'credit' AND month = {m} THEN 1 ELSE 0 END)" for m in range(1, 13)
    )
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute(SESSION_TUNING[connection.vendor])
        cur.execute(
            f"""INSERT INTO {years}
                (person_id, year, opening, credits, months_credited, rate, interest, closing, closed_at)
            SELECT x.person_id, {year}, {from_cents("x.o_c")}, {from_cents("x.c_c")}, x.months, %s,
                   {from_cents("x.i_c")}, {from_cents("x.o_c + x.c_c + x.i_c")}, %s
            FROM (
                SELECT a.person_id, a.o_c, a.c_c, a.months, {interest_c} AS i_c
                FROM (
                    SELECT u.person_id, CAST(SUM(u.o_c) AS BIGINT) AS o_c, CAST(SUM(u.c_c) AS BIGINT) AS c_c,
                           SUM(u.months) AS months, CAST(SUM(u.w_c) AS BIGINT) AS w_c
                    FROM (
                        SELECT person_id, {cents("closing")} AS o_c, 0 AS c_c, 0 AS months, 0 AS w_c
                        FROM {years} WHERE year = {year - 1}
                        UNION ALL
                        SELECT person_id,
                               SUM(CASE WHEN kind = 'opening' THEN {cents("amount")} ELSE 0 END),
                               SUM(CASE WHEN kind = 'credit' THEN {cents("amount")} ELSE 0 END),
                               {months_credited},
                               SUM(CASE WHEN kind = 'credit' THEN {cents("amount")} * (13 - month) ELSE 0 END)
                        FROM {entries} WHERE year = {year}
                        GROUP BY person_id
                    ) u
                    GROUP BY u.person_id
                ) a
            ) x""",
            [
                connection.ops.adapt_decimalfield_value(rate, 9, 6),
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        accounts = max(cur.rowcount, 0)
    totals = PensionYear.objects.filter(year=year).aggregate(i=Sum("interest"), c=Sum("closing"))
    return InterestClosing.objects.create(
        year=year,
        rate=rate,
        accounts=accounts,
        interest_total=round_money(Decimal(totals["i"] or 0)),
        closing_total=round_money(Decimal(totals["c"] or 0)),
        closed_by=user,
        closed_at=now,
        seconds=time.perf_counter() - started,
    )


@transaction.atomic
def medical_retiree_credits(*, period: int, credited_on: dt.date) -> int:
    """Credit the fixed monthly amount to every retiree's medical account for `period` (idempotent)."""
    amount = policy_decimal(Key.RETIREE_MEDICAL_MONTHLY_CREDIT, period=period)
    table = MedicalEntry._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {table} (person_id, employer_id, period, kind, amount, entry_date, place, reference)
            SELECT e.person_id, NULL, {int(period)}, 'retiree_credit', %s, %s, '', ''
            FROM persons_employment e
            WHERE e.status = 'retired' AND e.stop_period <= {int(period)}
              AND NOT EXISTS (SELECT 1 FROM {table} m WHERE m.person_id = e.person_id
                              AND m.period = {int(period)} AND m.kind = 'retiree_credit')
            GROUP BY e.person_id""",
            [
                connection.ops.adapt_decimalfield_value(amount, 14, 2),
                connection.ops.adapt_datefield_value(credited_on),
            ],
        )
        return max(cur.rowcount, 0)


@transaction.atomic
def medical_debit_record(
    *, person, amount: Decimal, entry_date: dt.date, place: str = "", reference: str = ""
) -> MedicalEntry:
    """Spending at a pharmacy or clinic paid from the account; refused beyond the balance."""
    if amount <= 0:
        raise DomainError(_("消费金额必须大于0"), field="amount")
    balance = medical_balance(person=person, as_of=entry_date)
    if amount > balance:
        raise DomainError(
            _("医疗帐户余额不足：余额 %(balance)s 元，消费 %(amount)s 元")
            % {"balance": balance, "amount": amount},
            field="amount",
        )
    return MedicalEntry.objects.create(
        person=person,
        period=Period.from_date(entry_date).value,
        kind=MedicalEntry.Kind.DEBIT,
        amount=-amount,
        entry_date=entry_date,
        place=place,
        reference=reference,
    )


@transaction.atomic
def medical_debits_import(*, rows: list[dict]) -> ImportResult:
    """Rows {line, person, amount, entry_date, place, reference}: all or nothing, balances checked row by row."""
    running: dict[int, Decimal] = {}
    errors = []
    for row in rows:
        person = row["person"]
        if person.pk not in running:
            running[person.pk] = medical_balance(person=person, as_of=row["entry_date"])
        if row["amount"] > running[person.pk]:
            errors.append(
                _("第 %(line)d 行：%(name)s 医疗帐户余额不足（余额 %(balance)s 元）")
                % {"line": row["line"], "name": person.name, "balance": running[person.pk]}
            )
        running[person.pk] -= row["amount"]
    if errors:
        raise ImportRejected(errors)
    MedicalEntry.objects.bulk_create(
        MedicalEntry(
            person=row["person"],
            period=Period.from_date(row["entry_date"]).value,
            kind=MedicalEntry.Kind.DEBIT,
            amount=-row["amount"],
            entry_date=row["entry_date"],
            place=row.get("place", ""),
            reference=row.get("reference", ""),
        )
        for row in rows
    )
    return ImportResult(created=len(rows))
