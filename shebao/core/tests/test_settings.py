"""Settings come from SHEBAO_* environment variables; each case runs the settings module in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), 'debug': settings.DEBUG, "
    "'hosts': settings.ALLOWED_HOSTS, 'sites': settings.SHEBAO_SITES, 'key': settings.SECRET_KEY, "
    "'tz': settings.TIME_ZONE, 'lang': settings.LANGUAGE_CODE, 'hasher': settings.PASSWORD_HASHERS[0], "
    "'user': settings.AUTH_USER_MODEL, 'urls': [str(p.pattern) for p in "
    "__import__('shebao.urls', fromlist=['x']).urlpatterns]}))"
)


def load(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHEBAO_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "shebao.settings", "SHEBAO_DATA_DIR": str(tmp_path)}, **env)
    out = subprocess.run([sys.executable, "-c", PROBE], env=clean, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_defaults_are_sqlite_in_data_dir_production_safe(tmp_path):
    s = load(tmp_path)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "shebao.sqlite3")
    assert s["debug"] is False
    assert s["sites"] == "all"
    assert s["tz"] == "Asia/Shanghai" and s["lang"] == "zh-hans"
    assert s["hasher"].endswith("Argon2PasswordHasher")
    assert s["user"] == "accounts.User"


def test_secret_key_generated_once_and_kept(tmp_path):
    first = load(tmp_path)["key"]
    assert len(first) >= 50
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert load(tmp_path)["key"] == first


def test_explicit_values_win(tmp_path):
    s = load(
        tmp_path,
        SHEBAO_SECRET_KEY="k" * 60,
        SHEBAO_DEBUG="1",
        SHEBAO_ALLOWED_HOSTS="portal.example.cn, office.example.cn",
        SHEBAO_DATABASE_URL="postgres://u:p@db.example:5432/shebao",
    )
    assert s["key"] == "k" * 60
    assert s["debug"] is True
    assert s["hosts"] == ["portal.example.cn", "office.example.cn"]
    assert s["engine"] == "django.db.backends.postgresql" and s["name"] == "shebao"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("sites", "portal", "office"), [("portal", True, False), ("office", False, True), ("all", True, True)]
)
def test_sites_choose_url_trees(tmp_path, sites, portal, office):
    urls = load(tmp_path, SHEBAO_SITES=sites)["urls"]
    assert ("portal/" in urls) is portal
    assert ("office/" in urls) is office
    assert "healthz" in urls


def test_unknown_sites_value_refused(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHEBAO_")}
    clean.update(DJANGO_SETTINGS_MODULE="shebao.settings", SHEBAO_DATA_DIR=str(tmp_path), SHEBAO_SITES="both")
    out = subprocess.run([sys.executable, "-c", PROBE], env=clean, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode != 0 and "SHEBAO_SITES" in out.stderr
