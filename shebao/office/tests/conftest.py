import pytest

from shebao.accounts.models import UserKind
from shebao.accounts.services import account_create
from shebao.testing import PASSWORD

ROLES = ("is_clerk", "is_reviewer", "is_settlement", "is_finance", "is_office_admin", "is_auditor")


@pytest.fixture
def staff(db):
    """staff(role) → a staff user holding only that office role (one per role, made once per test)."""
    made = {}

    def _make(role: str):
        if role not in made:
            made[role] = account_create(
                username=f"only_{role}",
                password=PASSWORD,
                kind=UserKind.STAFF,
                display_name=f"{role}员",
                office_roles=(role,),
                must_change_password=False,
            )
        return made[role]

    return _make
