"""The words for benchmark codes in the reader's language: statistics, statuses, public reasons,
reliability and position bands. Codes stay codes in the API; pages and CSV headers use these."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.benchmarks.codes import PublicReason, Statistic, Status

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
