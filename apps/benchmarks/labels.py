"""The words for benchmark codes in the reader's language: statistics, statuses, public reasons,
reliability and position bands; for stewards also measure classes, rules, attackers, attack tests,
warnings, what a withdrawn figure protects and organization size classes. Codes stay codes in the API;
pages and CSV headers use these (the stewards' pages show the code beside its label)."""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.benchmarks.codes import HOMOGENEITY_WARNING, MeasureClass, PublicReason, Rule, Statistic, Status
from apps.organizations.models import Organization

STATISTIC_LABELS: dict[str, Promise] = {
    Statistic.P10: gettext_lazy("p10"),
    Statistic.P25: gettext_lazy("p25"),
    Statistic.MEDIAN: gettext_lazy("median"),
    Statistic.P75: gettext_lazy("p75"),
    Statistic.P90: gettext_lazy("p90"),
    Statistic.MEAN: gettext_lazy("mean"),
}
STATUS_LABELS: dict[str, Promise] = {
    Status.PUBLISHED: pgettext_lazy("figure status", "published"),
    Status.SUPPRESSED: pgettext_lazy("figure status", "withheld"),
    Status.EMBARGOED: pgettext_lazy("figure status", "embargoed"),
    Status.NOT_COMPUTED: pgettext_lazy("figure status", "not computed"),
    Status.NO_DATA: pgettext_lazy("figure status", "no data"),
}
NOT_COMPUTED_HELP = gettext_lazy(
    "The hub could not compute this period's benchmarks in the time a run is given; nothing is "
    "published until it can."
)
REASON_LABELS: dict[str, Promise] = {
    PublicReason.CONFIDENTIAL: gettext_lazy("confidential"),
    PublicReason.TOO_FEW_FIRMS: gettext_lazy("too few firms"),
    PublicReason.STATISTIC_NEEDS_MORE_FIRMS: gettext_lazy("statistic needs more firms"),
    PublicReason.EMBARGOED: pgettext_lazy("reason a figure is not published", "embargoed"),
}
REASON_HELP: dict[str, Promise] = {
    PublicReason.CONFIDENTIAL: gettext_lazy(
        "Withheld to protect individual firms: alone or with other figures, it would reveal what one "
        "firm reported."
    ),
    PublicReason.TOO_FEW_FIRMS: gettext_lazy("Fewer than five firms contributed to this cell."),
    PublicReason.STATISTIC_NEEDS_MORE_FIRMS: gettext_lazy(
        "This cell has enough firms for some statistics, but this one needs more firms to be published."
    ),
    PublicReason.EMBARGOED: gettext_lazy(
        "Prices and quantities are published three months after the period ends."
    ),
}
RELIABILITY_LABELS: dict[str, Promise] = {
    "low": pgettext_lazy("reliability of a figure", "low"),
    "medium": pgettext_lazy("reliability of a figure", "medium"),
    "high": pgettext_lazy("reliability of a figure", "high"),
}

CLASS_LABELS: dict[str, Promise] = {
    MeasureClass.PRICE_COST: gettext_lazy("Prices and costs"),
    MeasureClass.QUANTITY: gettext_lazy("Quantities"),
    MeasureClass.QUALITY: gettext_lazy("Quality"),
}

# --- For stewards only: the exact rule and its evidence -------------------------------------------------

RULE_LABELS: dict[str, Promise] = {
    Rule.THRESHOLD: pgettext_lazy("disclosure rule", "threshold rule"),
    Rule.DOMINANCE: pgettext_lazy("disclosure rule", "dominance rule"),
    Rule.P_PERCENT: pgettext_lazy("disclosure rule", "p-percent rule"),
    Rule.STATISTIC_MIN_N: pgettext_lazy("disclosure rule", "minimum firms for the statistic"),
    Rule.COMPLEMENTARY: pgettext_lazy("disclosure rule", "complementary suppression"),
    Rule.AUDIT_EXTRA_PRIMARY: pgettext_lazy("disclosure rule", "recoverable aggregate"),
    Rule.REVISION_HISTORY: pgettext_lazy("disclosure rule", "earlier publications"),
    Rule.LAG: pgettext_lazy("disclosure rule", "embargo period"),
    Rule.NO_DATA: pgettext_lazy("disclosure rule", "no contributors"),
    Rule.OVER_BUDGET: pgettext_lazy("disclosure rule", "run out of time"),
}
ATTACKER_LABELS: dict[str, Promise] = {
    "outsider": pgettext_lazy("attacker", "outsider"),
    "insider": pgettext_lazy("attacker", "insider (one contributor)"),
}
ATTACK_LABELS: dict[str, Promise] = {
    "span": pgettext_lazy("attack test", "exact recovery"),
    "interval": pgettext_lazy("attack test", "bounds too narrow"),
}
WARNING_LABELS: dict[str, Promise] = {
    HOMOGENEITY_WARNING: pgettext_lazy("warning on a figure", "contributors' figures close together"),
}
SIZE_CLASS_LABELS: dict[str, Promise] = {str(code): label for code, label in Organization.SizeClass.choices}
"""The organizations' own labels (apps.organizations), not a second set."""

_TARGETS: tuple[tuple[re.Pattern[str], Promise], ...] = (
    (
        re.compile(r"one contributor of (?P<cell>.+) \((?P<part>[^()]*)\)"),
        pgettext_lazy("protected quantity", "one contributor's part of %(cell)s (%(part)s)"),
    ),
    (
        re.compile(r"one contributor's figure in (?P<figure>.+)"),
        pgettext_lazy("protected quantity", "one contributor's figure in %(figure)s"),
    ),
    (
        re.compile(r"atom in (?P<cells>.+) \((?P<part>[^()]*)\)"),
        pgettext_lazy("protected quantity", "part shared by %(cells)s (%(part)s)"),
    ),
    (
        re.compile(r"(?P<big>.+) minus (?P<small>.+) \((?P<part>[^()]*)\)"),
        pgettext_lazy("protected quantity", "%(big)s less %(small)s (%(part)s)"),
    ),
)


def code_label(labels: dict[str, Promise], code: str | None) -> str:
    """The label of `code`, or the code itself when it has none (a code added after this page)."""
    if not code:
        return ""
    return str(labels[code]) if code in labels else code


def target_label(label: str) -> str:
    """What a withdrawn figure protects, in words around its cell codes. The engine names targets in
    its run record ("one contributor of all|quantity| (quantity)"); a cell's own total is its code."""
    for pattern, words in _TARGETS:
        found = pattern.fullmatch(label)
        if found:
            return str(words) % found.groupdict()
    return label


def summary_label(key: str) -> str:
    """A run's count key, "status:reason" ("suppressed:confidential"), as "withheld (confidential)"."""
    status, _sep, reason = key.partition(":")
    label = code_label(STATUS_LABELS, status)
    if not reason or reason == status:
        return label
    return f"{label} ({code_label(REASON_LABELS, reason)})"


def band_label(lower: Statistic | None, upper: Statistic | None) -> str:
    """'between p25 and median', 'below p10', 'above p90' (the published quantiles around a value)."""
    if lower is not None and upper is not None:
        return _("between %(lower)s and %(upper)s") % {
            "lower": STATISTIC_LABELS[lower],
            "upper": STATISTIC_LABELS[upper],
        }
    if upper is not None:
        return _("below %(upper)s") % {"upper": STATISTIC_LABELS[upper]}
    if lower is not None:
        return _("above %(lower)s") % {"lower": STATISTIC_LABELS[lower]}
    return ""
