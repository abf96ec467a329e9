"""The partner API guide as its readers meet it: the shell examples of each language's guide run as
they are, in order, against a live hub whose partner has the demo's machine client; and the page
/api/guide/ shows the guide in the reader's language, its raw HTML escaped."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from apps.accounts.models import User
from apps.exchange.clients import create_machine_client
from apps.exchange.services import Grant, create_agreement
from apps.organizations.models import Organization, Role
from apps.organizations.services import create_organization, grant_membership
from tests.exchange.conftest import CODE

DOCS = Path(settings.BASE_DIR) / "docs"
GUIDES = ["api-guide.md", "api-guide.ru.md", "api-guide.zh-hans.md"]


def shell_blocks(name: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", (DOCS / name).read_text("utf-8"), re.S)


@pytest.fixture
def chamber(cast: Any, alliance: Any, standards: Any) -> Organization:
    """The demo's `regional-chamber` as the guide knows it: its machine client and an agreement that
    grants tomato paste's unit price and lets it push market prices."""
    organization = create_organization(
        actor=cast.steward,
        slug="regional-chamber",
        legal_name="Regional Chamber of Commerce",
        country="KG",
        kind=Organization.Kind.PARTNER,
        status=Organization.Status.ACTIVE,
    )
    admin = User.objects.create_user("admin@regional-chamber.example", "exchange-tests-2026")
    grant_membership(actor=cast.steward, organization=organization, user=admin, role=Role.ADMIN)
    create_agreement(
        actor=cast.steward,
        partner=organization,
        title="Sector benchmarks",
        valid_from=date(2024, 1, 1),
        lag_months=3,
        reads=[Grant(CODE, ("unit_price",), ("all",))],
        push_standards=["ca.market-prices"],
    )
    create_machine_client(
        actor=admin,
        organization=organization,
        name="Demo client",
        client_id="regional-chamber-demo",
        secret="alliance-demo-2026",
    )
    return organization


@pytest.mark.skipif(shutil.which("curl") is None, reason="the guide's examples need curl")
@pytest.mark.parametrize("guide", GUIDES)
def test_the_guides_examples_run_as_written(
    guide: str, chamber: Organization, live_server: Any, tmp_path: Path
) -> None:
    blocks = shell_blocks(guide)
    assert len(blocks) >= 6, "the quickstart's steps"
    assert "HUB=http://127.0.0.1:8000" in blocks[0]
    script = "\n".join(["set -eu", blocks[0].replace("http://127.0.0.1:8000", live_server.url), *blocks[1:]])
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"partner":"regional-chamber"' in done.stdout  # allowed/
    assert '"measure":"unit_price"' in done.stdout  # the JSON pull
    assert "standard,measure,unit,period" in done.stdout  # the CSV pull
    assert '"standard":"ca.market-prices"' in done.stdout  # the pushed submission
    assert done.stdout.rstrip().endswith("404")  # the measure outside the agreement


@pytest.mark.parametrize(
    ("language", "shown", "marker"),
    [
        ("en", "en", "Quickstart"),
        ("ru", "ru", "Быстрый старт"),
        ("zh-hans", "zh-hans", "快速入门"),
        ("kk", "ru", "Быстрый старт"),
        ("uz", "ru", "Быстрый старт"),
    ],
)
def test_the_guide_page_is_in_the_readers_language(db: Any, language: str, shown: str, marker: str) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/api/guide/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'lang="{shown}"' in html and marker in html
    assert "<pre><code" in html and "<table>" in html
    assert "<script" not in html.split('class="card guide"')[1]
