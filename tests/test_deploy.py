"""The production settings as an operator meets them: `check --deploy` with the environment that
docs/deploy.md documents, and a refusal to start when a key is missing. Each runs manage.py in a
process of its own with nothing but that environment."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def documented_environment() -> dict[str, str]:
    """The variables of the production environment block in docs/deploy.md, with real keys for '...'."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    block = re.search(r"## Environment\n.*?```sh\n(.*?)```", text, re.S)
    assert block, "docs/deploy.md has no production environment block"
    variables = dict(line.split("=", 1) for line in block.group(1).splitlines() if "=" in line)
    return {name: secrets.token_urlsafe(50) if value == "..." else value for name, value in variables.items()}


def manage(*args: str, environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "HUB_DATA_DIR": str(tmp_path / "data")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path: Path) -> None:
    environment = documented_environment()
    assert environment["HUB_ENV"] == "production"
    result = manage("check", "--deploy", "--fail-level", "DEBUG", environment=environment, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "HUB_AUDIT_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing: str, tmp_path: Path) -> None:
    environment = documented_environment()
    del environment[missing]
    result = manage("check", environment=environment, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"HUB_ENV=production, but {missing} is not set" in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()
    assert not (tmp_path / "data" / "audit_key").exists()


def test_production_turns_https_and_secure_cookies_on(tmp_path: Path) -> None:
    script = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = manage("shell", "-c", script, environment=documented_environment(), tmp_path=tmp_path)
    assert result.stdout.strip().splitlines()[-1] == (
        "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_check_deploy_warns_a_deployment_that_forgot_hub_env(tmp_path: Path) -> None:
    environment = documented_environment()
    del environment["HUB_ENV"]
    result = manage("check", "--deploy", environment=environment, tmp_path=tmp_path)
    assert "alliance.W001" in result.stderr


def test_an_unknown_environment_name_is_refused(tmp_path: Path) -> None:
    result = manage("check", environment={"HUB_ENV": "prod"}, tmp_path=tmp_path)
    assert result.returncode != 0 and "HUB_ENV must be" in result.stderr


def test_without_a_trusted_proxy_a_forwarded_scheme_is_not_believed(settings: Any) -> None:
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/accounts/sign-in/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert Client().get("/healthz").status_code != 301
