"""H11, H12, H14, H15: hostile input in every field, through the form and the 检查/试算 action, never a server error
and never a write (run on PostgreSQL too: NUL bytes, control characters, Unicode digits, 10,000 characters)."""

import pytest

from shebao.benefits.models import MaternityPayment, PensionAward
from shebao.contributions.models import ContributionLine
from shebao.declarations.items import definition_for
from shebao.declarations.models import Declaration

from .test_journey import login, post_form

pytestmark = pytest.mark.django_db
HOSTILE = [
    "\x00",
    "a\x00b",
    "\x07\x1b[2J",
    "２０２６０１",
    "٢٠٢٤٠١",
    "x" * 10_000,
    "-1",
    "1e9",
    "NaN",
    "<script>",
]


@pytest.mark.parametrize("code", ["H11", "H12", "H14", "H15"])
@pytest.mark.parametrize("action", ["preview", "submit"])
def test_hostile_values_in_every_field(personas, code, action):
    operator = login("a_operator")
    definition = definition_for(code)
    for field in definition.fields:
        for value in HOSTILE:
            raw = {f.name: "" for f in definition.fields}
            raw[field.name] = value
            response = post_form(operator, f"/portal/items/{code}/", raw, action=action)
            assert response.status_code in (200, 400), (field.name, value[:20], response.status_code)
            if response.status_code == 400:  # a control character: refused at the edge (core.edge), named
                assert "含有不允许的控制字符" in response.content.decode()
            assert "<script>" not in response.content.decode().replace("&lt;script&gt;", "")
    assert not Declaration.objects.exists()
    assert not ContributionLine.objects.filter(kind="back_payment").exists()
    assert not PensionAward.objects.exists() and not MaternityPayment.objects.exists()
