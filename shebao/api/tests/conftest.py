"""Fixtures for the API tests: a fixed "today", tokens made through the services, and a client that sends one."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client

from shebao.accounts.services import api_token_create_employer, api_token_create_staff, api_token_items_for

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _fixed_today(settings):
    settings.SHEBAO_FIXED_TODAY = TODAY
    settings.SHEBAO_API_RATE = "10000/min"
    cache.clear()


class Api:
    """A test client that calls /api/v1/ with a bearer token."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.secret = secret

    def _headers(self, extra):
        headers = {} if self.secret is None else {"Authorization": f"Bearer {self.secret}"}
        return headers | (extra or {})

    def get(self, path, params=None, headers=None):
        return self.client.get("/api/v1" + path, params or {}, headers=self._headers(headers))

    def post(self, path, body=None, headers=None):
        return self.client.post(
            "/api/v1" + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(headers),
        )


def employer_token(admin, *, items=None, days=30, name="薪酬系统"):
    token, secret = api_token_create_employer(
        admin=admin,
        name=name,
        item_codes=items if items is not None else api_token_items_for(admin),
        expires_on=TODAY + dt.timedelta(days=days),
        today=TODAY,
    )
    return token, secret


def staff_token(actor, user, roles, *, days=30):
    return api_token_create_staff(
        actor=actor,
        user=user,
        name="审核机器人",
        roles=roles,
        expires_on=TODAY + dt.timedelta(days=days),
        today=TODAY,
    )


@pytest.fixture
def api_a(personas) -> Api:
    return Api(employer_token(personas.admin_a)[1])


@pytest.fixture
def api_b(personas) -> Api:
    return Api(employer_token(personas.operator_b)[1])  # operator_b is employer B's administrator


@pytest.fixture
def api_reviewer(personas) -> Api:
    return Api(staff_token(personas.office_admin, personas.reviewer, ["is_reviewer"])[1])


@pytest.fixture
def api_clerk(personas) -> Api:
    return Api(staff_token(personas.office_admin, personas.clerk, ["is_clerk"])[1])
