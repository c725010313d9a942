"""The links printed on a certificate point home: `shebao demo --port P` (no SHEBAO_PUBLIC_URL) serves on P, a
certificate issued there carries a QR code which, decoded from the rendered page image, leads back to the very
process that issued it, where the certificate is confirmed."""

import http.cookiejar
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from shebao.core.tests.test_cli_demo import ROOT, SHEBAO, free_port

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SHEBAO_DATABASE_URL")),
    reason="runs its own SQLite database; once per CI run is enough",
)


def decode_qr_codes(pdf: bytes, workdir: Path) -> list[str]:
    """Render the first page as an image (poppler's pdftoppm) and decode every QR code on it (zbar's zbarimg),
    the way a phone camera would read the printed page."""
    source = workdir / "certificate.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(source), str(workdir / "page")],
        check=True,
    )
    (image,) = sorted(workdir.glob("page*.png"))
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        text=True,
    )
    assert decoded.returncode == 0, decoded.stderr
    return decoded.stdout.split()


def test_demo_port_is_the_public_url_a_scanned_certificate_leads_to(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEBAO_")}
    env.update(SHEBAO_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="shebao.settings")
    port = free_port()
    server = subprocess.Popen(
        [
            *SHEBAO,
            "demo",
            "--employers",
            "3",
            "--persons",
            "30",
            "--period",
            "202611",
            "--port",
            str(port),
            "--no-worker",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    output = []
    try:
        for line in server.stdout:
            output.append(line)
            if line.startswith("服务已启动"):
                output.append(server.stdout.readline())  # the warning, printed right after
                break
        else:
            pytest.fail("demo did not start serving:\n" + "".join(output)[-3000:])
        printed = "".join(output)
        # A non-debug server without SHEBAO_PUBLIC_URL says where its links will point.
        assert f"未设置 SHEBAO_PUBLIC_URL，证明和回执上的二维码与核验网址将指向 {base}" in printed
        username = re.search(r"^\s+单位经办人\s+用户名 (\S+)", printed, flags=re.M).group(1)
        password = re.search(r"密码均为 (\S+?)\)", printed).group(1)

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _ in range(100):
            try:
                page = opener.open(f"{base}/accounts/login/").read().decode()
                break
            except OSError:
                time.sleep(0.2)

        def post(url, fields, page_html):
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_html).group(1)
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
            return opener.open(urllib.request.Request(url, data=data, headers={"Referer": f"{base}/"}))

        post(
            f"{base}/accounts/login/", {"username": username, "password": password, "kind": "employer"}, page
        )
        form = opener.open(f"{base}/portal/items/Q16/").read().decode()
        response = post(
            f"{base}/portal/items/Q16/", {"kind": "employer", "start": "202601", "end": "202610"}, form
        )
        assert response.headers["Content-Type"] == "application/pdf"
        (scanned,) = decode_qr_codes(response.read(), tmp_path)

        assert scanned.startswith(f"{base}/verify/certificate/"), scanned
        verified = urllib.request.urlopen(scanned).read().decode()  # a bank scanning it, not logged in
        assert "经核验，该证明由本经办机构出具" in verified
    finally:
        server.terminate()
        server.wait(timeout=20)
