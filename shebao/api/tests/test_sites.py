"""SHEBAO_SITES decides which API routers a process serves, as for pages: the portal process the employer side,
the office process the review side (each case in a fresh interpreter)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROBE = (
    "import json, django; django.setup(); from shebao.api.main import api; "
    "print(json.dumps(sorted(api.get_openapi_schema()['paths'])))"
)


def paths(tmp_path, sites) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEBAO_")}
    env.update(DJANGO_SETTINGS_MODULE="shebao.settings", SHEBAO_DATA_DIR=str(tmp_path), SHEBAO_SITES=sites)
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("sites", "employer", "office"), [("portal", True, False), ("office", False, True), ("all", True, True)]
)
def test_sites_choose_the_api_routers(tmp_path, sites, employer, office):
    found = paths(tmp_path, sites)
    assert ("/api/v1/queries/Q02" in found) is employer
    assert ("/api/v1/handling/H01/declarations" in found) is employer
    assert ("/api/v1/office/declarations" in found) is office
