from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_person_signs_in_switches_language_and_sees_the_dashboard(
    live_server: Any, browser: Any, request: Any
) -> None:
    cast = request.getfixturevalue("cast")
    browser.get(f"{live_server.url}/")
    assert "/accounts/sign-in/" in browser.current_url
    browser.find_element(By.ID, "id_username").send_keys("admin@firm-a.example")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#sign-in-form button[type=submit]").click()
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.ID, "dashboard-title"))
    )
    assert browser.find_element(By.ID, "dashboard-title").text == "Your organizations"
    assert "Firm A" in browser.page_source and "Firm B" not in browser.page_source

    Select(browser.find_element(By.ID, "language-select")).select_by_value("ru")
    WebDriverWait(browser, 10).until(
        expected_conditions.text_to_be_present_in_element((By.ID, "dashboard-title"), "Ваши")
    )
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
    assert "Фирма А" in browser.page_source  # the organization's own Russian short name
    cast.person("a", "admin").refresh_from_db()
    assert cast.person("a", "admin").preferred_language == "ru"
