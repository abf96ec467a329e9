"""How a decision is shown (reference §6.5): the public figure members and partners see, the
steward's figure with the evidence, the SDMX status codes, and the run record.

The public figure is built from the decision's public fields only, so the detailed rule and the
evidence cannot reach a member or partner through it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from apps.benchmarks.codes import Status
from apps.benchmarks.disclosure import Decision, RunOutcome
from apps.benchmarks.policy import canonical_json

SDMX_CODES = {
    Status.PUBLISHED: {"OBS_STATUS": "A", "CONF_STATUS": "F"},
    Status.SUPPRESSED: {"OBS_STATUS": "Q", "CONF_STATUS": "C"},
    Status.EMBARGOED: {"OBS_STATUS": "Q", "CONF_STATUS": "E"},
    Status.NOT_COMPUTED: {"OBS_STATUS": "O", "CONF_STATUS": "F"},
    Status.NO_DATA: {"OBS_STATUS": "M", "CONF_STATUS": "F"},
}
PUBLIC_FIELDS = ("cell", "statistic", "status", "value", "n_firms", "reason", "available_from", "sdmx")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def sdmx_codes(decision: Decision) -> dict[str, str]:
    """OBS_STATUS and CONF_STATUS: Q with C (suppressed) or E (embargoed), never the detailed
    confidentiality codes of SDMX (they would say why)."""
    return dict(SDMX_CODES[decision.status])


def public_figure(decision: Decision) -> dict[str, Any]:
    """The figure as members and partners see it: a null value unless published, a coarse reason."""
    return {
        "cell": decision.cell,
        "statistic": decision.statistic.value,
        "status": decision.status.value,
        "value": decision.value if decision.status is Status.PUBLISHED else None,
        "n_firms": decision.n_firms,
        "reason": _plain(decision.reason),
        "available_from": _plain(decision.available_from),
        "sdmx": sdmx_codes(decision),
    }


def steward_figure(decision: Decision) -> dict[str, Any]:
    """The public figure and the evidence behind it, for stewards only."""
    return {**public_figure(decision), "evidence": _plain(asdict(decision.evidence))}


def run_record(outcome: RunOutcome) -> str:
    """The run's immutable record in canonical JSON (it names firms in `published_facts`: keep it
    with the run, never show it)."""
    return canonical_json(
        {
            "policy_sha256": outcome.policy_sha256,
            "input_sha256": outcome.input_sha256,
            "decisions": [steward_figure(decision) for decision in outcome.decisions],
            "unresolved": list(outcome.unresolved),
            "published_facts": [_plain(asdict(fact)) for fact in outcome.published_facts],
        }
    )
