"""docs/api.md: every curl example in the guide is run, as written, against a live server (with the guide's
variables set), and answers with the status the guide says (200 unless it writes “# 应答：NNN”); the
interactive docs are served from the package's own files."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import employer_token, staff_token

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "api.md"
BLOCK = re.compile(r"```bash\n(.*?)```", re.S)
EXPECTED = re.compile(r"#\s*应答：(\d{3})")


def examples() -> list[tuple[str, int]]:
    found = []
    for block in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        expected = EXPECTED.search(block)
        command = EXPECTED.sub("", block).strip()
        assert command.startswith("curl "), command
        found.append((command, int(expected.group(1)) if expected else 200))
    return found


def test_the_guide_has_examples_for_every_area():
    commands = " ".join(c for c, _s in examples())
    for path in (
        "/queries/",
        "/handling/H01/validate",
        "/handling/H01/declarations",
        "/declarations?",
        "/receipt",
        "/certificates",
        "/office/declarations",
        "/approve",
    ):
        assert path in commands, path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_every_curl_example_runs_against_a_live_server(personas, live_server, tmp_path):
    env = {
        **os.environ,
        "SHEBAO": live_server.url,
        "TOKEN": employer_token(personas.admin_a)[1],
        "STAFF_TOKEN": staff_token(personas.office_admin, personas.reviewer, ["is_reviewer"])[1],
        "NUMBER": "",
    }
    ran = []
    for command, expected in examples():
        if "$NUMBER" in command:
            assert env["NUMBER"], "an example uses $NUMBER before one was made"
        result = subprocess.run(
            ["bash", "-c", command + " -w '\\n%{http_code}'"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, (command, result.stderr)
        body, _newline, status = result.stdout.rpartition("\n")
        assert int(status) == expected, (command, status, body[:500])
        if "/handling/H01/declarations" in command and expected == 201:
            env["NUMBER"] = json.loads(body)["number"]
        ran.append(command)
    assert len(ran) == len(examples()) >= 12
    assert (tmp_path / "receipt.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.django_db
def test_docs_and_openapi_are_served_without_a_cdn(client):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "社保网上办事 API"
    assert spec["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
