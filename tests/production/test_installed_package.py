"""``pip install .`` gives a whole application, started from any folder.

The wheel is built from this checkout and installed (without dependencies: those of the test
environment are reused) into a fresh virtual environment, then migrated and served with gunicorn
from an empty folder, so that nothing can be read from the checkout.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False,
                          **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The Python of a virtual environment holding the wheel of this checkout."""
    folder = tmp_path_factory.mktemp("installed")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "--wheel-dir", str(folder / "dist"), str(ROOT))
    assert built.returncode == 0, built.stderr
    venv = folder / "venv"
    made = _run(sys.executable, "-m", "venv", "--system-site-packages", str(venv))
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    wheel = next((folder / "dist").glob("recollect_archive-*.whl"))
    added = _run(str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel))
    assert added.returncode == 0, added.stderr
    return python


def test_the_installed_app_migrates_and_serves_pages_and_their_files_from_any_folder(
        installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items()
           if key not in {"SECRET_KEY", "ARCHIVE_DEMO", "FLASK_APP", "PYTHONPATH"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'archive.sqlite3'}",
               MEDIA_ROOT=str(tmp_path / "media"))

    where = _run(str(installed), "-c", "import archive; print(archive.__file__)",
                 cwd=elsewhere, env=env)
    assert where.stdout.startswith(str(installed.parents[1])), where.stdout

    # The schema comes from the migrations inside the package; no secret is needed for that.
    upgraded = _run(str(installed), "-m", "flask", "--app", "archive", "db", "upgrade",
                    cwd=elsewhere, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "0009_contribution_language" in upgraded.stderr

    port = _free_port()
    env.update(SECRET_KEY="installed-package-test-" + "k" * 20, SESSION_COOKIE_SECURE="0")
    server = subprocess.Popen(
        [str(installed), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "archive:create_app()"], cwd=elsewhere, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        # gunicorn listens before its worker has built the app: on a busy machine (the suite
        # runs on every core) the first answer can take longer than one request's timeout.
        deadline = time.monotonic() + 60
        while True:
            try:
                home = requests.get(base + "/", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert server.poll() is None and time.monotonic() < deadline, "no answer"
                time.sleep(0.2)
        assert home.status_code == 200
        assert "Can you help?" in home.text or "archive" in home.text.lower()
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', home.text)
        assert stylesheet, home.text[:500]
        css = requests.get(base + stylesheet.group(1), timeout=5)
        assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]
        viewer = requests.get(base + "/vendor/openseadragon/openseadragon.min.js", timeout=5)
        assert viewer.status_code == 200 and b"OpenSeadragon" in viewer.content
        welsh = requests.get(base + "/", headers={"Accept-Language": "cy"}, timeout=5)
        assert "Chwilio" in welsh.text  # the compiled Welsh catalogue travels with the package
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "Traceback" not in output, output
