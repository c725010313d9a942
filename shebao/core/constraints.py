"""Database check constraints shared by models: a valid YYYYMM period column."""

from django.db.models import Q


def period_check(field: str, name: str, *, nullable: bool = False):
    from django.db.models import CheckConstraint, F
    from django.db.models.functions import Mod
    from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

    month = Mod(F(field), 100)
    valid = (
        Q(**{f"{field}__gte": 190001, f"{field}__lte": 210012})
        & Q(GreaterThanOrEqual(month, 1))
        & Q(LessThanOrEqual(month, 12))
    )
    if nullable:
        valid = Q(**{f"{field}__isnull": True}) | valid
    return CheckConstraint(condition=valid, name=name)
