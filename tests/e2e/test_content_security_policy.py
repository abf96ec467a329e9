"""The pages in a real browser under the hub's Content-Security-Policy: nothing they need is blocked,
and the API docs (Swagger UI and Redoc from drf-spectacular-sidecar) still draw."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LISTEN = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation', (e) =>"
    " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def watch(browser: Any) -> None:
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})


def violations(browser: Any) -> list[str]:
    return browser.execute_script("return window.__violations || []")


def test_swagger_ui_draws_the_schema_under_the_policy(live_server: Any, browser: Any) -> None:
    watch(browser)
    browser.get(f"{live_server.url}/api/docs/")
    WebDriverWait(browser, 20).until(
        expected_conditions.text_to_be_present_in_element(
            (By.CSS_SELECTOR, ".swagger-ui .info"), "Alliance Hub"
        )
    )
    assert browser.find_elements(By.CSS_SELECTOR, ".opblock-tag")  # the operations, from /api/schema/
    assert violations(browser) == []


def test_redoc_draws_the_schema_under_its_policy(live_server: Any, browser: Any) -> None:
    watch(browser)
    browser.get(f"{live_server.url}/api/redoc/")
    WebDriverWait(browser, 20).until(
        expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "body"), "Alliance Hub API")
    )
    # Redoc's sidebar asks its maker's site for a logo; the policy keeps the page off other sites.
    assert [v for v in violations(browser) if "https://cdn.redoc.ly/" not in v] == []


def test_pages_and_the_admin_need_nothing_the_policy_forbids(
    live_server: Any, browser: Any, request: Any
) -> None:
    request.getfixturevalue("cast")
    watch(browser)
    browser.get(f"{live_server.url}/accounts/sign-in/")
    browser.find_element(By.ID, "id_username").send_keys("steward@alliance.example")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#sign-in-form button[type=submit]").click()
    WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.ID, "sign-out")))
    seen = violations(browser)
    for path in ("/", "/standards/", "/steward/organizations/", "/admin/", "/admin/accounts/user/"):
        browser.get(f"{live_server.url}{path}")
        seen += [f"{path}: {v}" for v in violations(browser)]
    assert seen == []
