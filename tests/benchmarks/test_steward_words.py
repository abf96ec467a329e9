"""The stewards' benchmark pages speak words, in the reader's language: a figure's statistic, status,
reason, rule, warnings, attacker, attack test and what it protects; a cohort's size classes; a run's
counts; the policy's measure classes and statistics. A rule's and a warning's code stay beside their
label (in `<code>`), and no English label is left on a page in another language. The words are the
glossary's (docs/glossary.md, "Benchmark pages (stewards)")."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import escape

from apps.benchmarks import labels, services
from apps.benchmarks.codes import HOMOGENEITY_WARNING, Rule
from apps.benchmarks.models import Cohort, Run
from apps.benchmarks.runs import compute_run
from apps.benchmarks.selectors import DEFAULT_NAMES
from apps.standards.models import StandardVersion
from tests.benchmarks.hub import Alliance, make_alliance, row, spread

PERIOD = "2026-06"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
GLOSSARY = Path(settings.BASE_DIR) / "docs" / "glossary.md"
RULES_SEEN = (Rule.THRESHOLD, Rule.DOMINANCE, Rule.P_PERCENT, Rule.STATISTIC_MIN_N, Rule.COMPLEMENTARY)
"""The rules this alliance's run applies (test_the_run_decides_what_the_pages_show checks it)."""
STEWARD_LABELS: dict[str, dict[str, Promise]] = {
    "rule": labels.RULE_LABELS,
    "attacker": labels.ATTACKER_LABELS,
    "attack": labels.ATTACK_LABELS,
    "warning": labels.WARNING_LABELS,
    "status": labels.STATUS_LABELS,
    "reason": labels.REASON_LABELS,
    "statistic": labels.STATISTIC_LABELS,
    "size class": labels.SIZE_CLASS_LABELS,
    "class": labels.CLASS_LABELS,
    "cohort state": {str(code): label for code, label in Cohort.Status.choices},
}


@pytest.fixture
def alliance(cast: Any, version: StandardVersion) -> Alliance:
    """Fifteen firms, one of them dominant in the shipments to UZ: the run withholds figures by the
    threshold, the dominance cap, the p% rule, the statistics' minimums and complementary suppression,
    and warns of one homogeneous cell. A draft cohort filters by region and two size classes."""
    found = make_alliance(cast.steward, version)
    spread(found, PERIOD, 14)
    big = found.add_firm("big-one", region="Kashgar", size_class="large")
    found.send(big, PERIOD, [row("cold-break-28-30", "UZ", 4000, 4000 * 1000.0, 29.0)])
    compute_run(version.standard, PERIOD, trigger=Run.Trigger.COMMAND)
    services.create_cohort(
        actor=cast.steward,
        standard=version.standard,
        code="changji",
        names={"en": "Changji firms", "ru": "Компании Чанцзи"},
        regions=["Changji"],
        size_classes=["small", "large"],
    )
    return found


def _steward(cast: Any, language: str) -> Client:
    client = cast.client_for("steward")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page(client: Client, path: str, language: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Language"] == language
    return response.content.decode()


def _text(page: str) -> str:
    """What a reader sees as words: no `<code>` (the codes kept on purpose), no tags or attributes."""
    page = re.sub(r"<code[^>]*>.*?</code>", " ", page, flags=re.S)
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w|]){re.escape(word)}(?![\w|])", text, flags=re.I) is not None


def _has_code(text: str, code: str) -> bool:
    return re.search(rf"(?<![\w|]){re.escape(code)}(?![\w|])", text) is not None


def _in(language: str, label: Promise) -> str:
    with translation.override(language):
        return str(label)


def _no_english_label(text: str, language: str) -> None:
    """No label of the steward sets is left in English (where the language's word differs)."""
    if language == "en":
        return
    leaked = [
        (kind, _in("en", label))
        for kind, found in STEWARD_LABELS.items()
        for label in found.values()
        if _in(language, label) != _in("en", label) and _has_word(text, _in("en", label))
    ]
    assert not leaked, (language, leaked)


def test_the_run_decides_what_the_pages_show(alliance: Alliance) -> None:
    run = Run.objects.latest("id")
    evidence = [figure.evidence for figure in run.figures.all()]
    assert {e["rule"] for e in evidence} >= set(RULES_SEEN)
    assert any(HOMOGENEITY_WARNING in e["warnings"] for e in evidence)
    assert any(e["attacker"] == "insider" and e["attack"] == "interval" for e in evidence)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_run_page_names_each_rule_with_its_code(cast: Any, alliance: Alliance, language: str) -> None:
    run = Run.objects.latest("id")
    client = _steward(cast, language)
    withheld = _page(client, f"/benchmarks/steward/runs/{run.pk}/?status=suppressed", language)
    published = _page(client, f"/benchmarks/steward/runs/{run.pk}/?status=published", language)
    for rule in RULES_SEEN:
        label = escape(_in(language, labels.RULE_LABELS[rule]))
        assert f'{label} <code class="muted">{rule}</code>' in withheld
    warning = escape(_in(language, labels.WARNING_LABELS[HOMOGENEITY_WARNING]))
    assert f"{warning} <code>{HOMOGENEITY_WARNING}</code>" in published
    text = _text(withheld) + _text(published)
    for code in [*RULES_SEEN, HOMOGENEITY_WARNING, "too_few_firms", "statistic_needs_more_firms"]:
        assert not _has_code(text, code), (language, code)
    assert _in(language, labels.ATTACKER_LABELS["insider"]) in text
    assert _in(language, labels.ATTACK_LABELS["interval"]) in text
    assert _in(language, labels.STATUS_LABELS["suppressed"]) in text
    assert _in(language, labels.REASON_LABELS["confidential"]) in text
    if language != "en":
        for code in ("suppressed", "confidential", "insider", "interval"):
            assert not _has_code(text, code), (language, code)
    _no_english_label(text, language)


def test_the_run_page_in_russian_reads_as_russian(cast: Any, alliance: Alliance) -> None:
    run = Run.objects.latest("id")
    page = _page(_steward(cast, "ru"), f"/benchmarks/steward/runs/{run.pk}/?status=suppressed", "ru")
    quantity = alliance.version.fields.get(name="quantity").titles["ru"]
    assert f'<td>{quantity} <code class="muted">quantity</code></td>' in page
    assert 'title="destination_country=UZ">Страна назначения: ' in page
    assert 'правило доминирования <code class="muted">DOMINANCE</code>' in page
    assert "(конфиденциально)" in page
    assert "инсайдер (один из респондентов), слишком узкие границы: " in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_runs_page_counts_figures_in_words(cast: Any, alliance: Alliance, language: str) -> None:
    text = _text(_page(_steward(cast, language), "/benchmarks/steward/runs/", language))
    withheld = _in(language, labels.STATUS_LABELS["suppressed"])
    confidential = _in(language, labels.REASON_LABELS["confidential"])
    assert f"{withheld} ({confidential})" in text
    assert "suppressed:confidential" not in text and not _has_code(text, "no_data")
    _no_english_label(text, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cohort_pages_name_the_size_classes(cast: Any, alliance: Alliance, language: str) -> None:
    client = _steward(cast, language)
    cohort = Cohort.objects.get(code="changji")
    small, large = (_in(language, labels.SIZE_CLASS_LABELS[code]) for code in ("small", "large"))
    listed = _text(_page(client, "/benchmarks/steward/cohorts/", language))
    shown = _text(_page(client, f"/benchmarks/steward/cohorts/{cohort.pk}/", language))
    for text in (listed, shown):
        assert f"{small}, {large}" in text
        assert _in(language, Cohort.Status.DRAFT.label) in text
        assert "Changji" in text  # a region is a name as the organizations give it, not a code
        _no_english_label(text, language)
    if language != "en":
        assert not _has_code(listed + shown, "small") and not _has_code(listed + shown, "large")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_policy_page_names_classes_and_statistics(cast: Any, db: Any, language: str) -> None:
    text = _text(_page(_steward(cast, language), "/benchmarks/steward/policy/", language))
    assert _in(language, labels.CLASS_LABELS["price_cost"]) in text
    assert _in(language, labels.STATISTIC_LABELS["median"]) in text
    assert not _has_code(text, "price_cost")
    _no_english_label(text, language)


def test_what_a_figure_protects_is_said_in_words() -> None:
    with translation.override("ru"):
        assert labels.target_label("all|quantity| (quantity)") == "all|quantity| (quantity)"
        assert (
            labels.target_label("one contributor of all|quantity|destination_country=UZ (quantity)")
            == "часть одного респондента в all|quantity|destination_country=UZ (quantity)"
        )
        assert (
            labels.target_label("all|quantity| minus all|quantity|destination_country=KZ (quantity)")
            == "all|quantity| за вычетом all|quantity|destination_country=KZ (quantity)"
        )
        assert labels.target_label("atom in a, b (quantity)") == "общая часть a, b (quantity)"
        assert labels.code_label(labels.RULE_LABELS, "NEW_RULE") == "NEW_RULE"


def _glossary_rows(section: str) -> dict[str, list[str]]:
    """A glossary table's rows by their English term: the six languages' words, in LANGUAGES' order."""
    text = GLOSSARY.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in body.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 6 and cells[0] not in ("en", "---"):
            rows[cells[0]] = cells
    return rows


def test_the_stewards_words_are_the_glossarys() -> None:
    rows = _glossary_rows("Benchmarks and disclosure") | _glossary_rows("Benchmark pages (stewards)")
    shown = [*labels.RULE_LABELS.values(), *labels.ATTACKER_LABELS.values(), *labels.ATTACK_LABELS.values()]
    shown += list(labels.WARNING_LABELS.values())
    for label in shown:
        english = _in("en", label)
        assert english in rows, english
        assert [_in(language, label) for language in LANGUAGES] == rows[english]


def test_the_default_cohort_is_named_with_the_glossarys_member_firm() -> None:
    member_firm = _glossary_rows("People and organizations")["member firm"]
    for language, term in zip(LANGUAGES, member_firm, strict=True):
        if language != "ru":  # Russian declines the term (компании-участники)
            assert term in DEFAULT_NAMES[language], language
