import pytest

from .queryhelpers import frozen_now_fixture, history_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_every_query_page_opens(login_as, history):
    client = login_as(history.personas.operator_a)
    for code in [f"Q{n:02d}" for n in range(1, 21) if n != 16]:
        response = client.get(f"/portal/items/{code}/")
        assert response.status_code == 200, (code, response.content[:500])
