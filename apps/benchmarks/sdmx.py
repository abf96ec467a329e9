"""Benchmark figures as SDMX 3.0 data messages: SDMX-CSV 2.0 and SDMX-JSON 2.0 (docs/benchmarks.md,
"SDMX").

The rows are the API's own (apps.benchmarks.api.figure_row), so the SDMX outputs carry exactly the
figures the JSON and CSV outputs carry for the same caller and filters. One dataflow,
ALLIANCE:BENCHMARKS(1.0.0), holds every standard's figures: the standard is a dimension, so the
structure never depends on which standards a reader may see. Its dimensions, in key order, are
STANDARD, MEASURE, COHORT, BREAKDOWN, STATISTIC and TIME_PERIOD; the one measure is OBS_VALUE, empty
(null) unless the figure is published; the observation-level attributes say why (OBS_STATUS,
CONF_STATUS, REASON) and which run and disclosure policy version decided it (RUN, POLICY).

BREAKDOWN is one dimension whose value is `field=value` (`destination_country=KZ`), or `_T` (SDMX's
code for a total) for the whole cohort: a dimension cannot be empty in SDMX (an empty dimension cell
means "any" in SDMX-CSV), and one column per breakdown field would make the structure depend on the
standard, which neither SDMX tools nor a plain CSV reader handle well.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.utils.mediatypes import _MediaType

from alliance.rest import BinaryRenderer
from apps.benchmarks.labels import REASON_LABELS, RELIABILITY_LABELS, STATISTIC_LABELS
from apps.benchmarks.marking import SDMX_CODES

AGENCY = "ALLIANCE"
DATAFLOW = f"{AGENCY}:BENCHMARKS(1.0.0)"
DATAFLOW_URN = f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={DATAFLOW}"
JSON_SCHEMA = (
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/schemas/2.0.0/"
    "sdmx-json-data-schema.json"
)
SDMX_TYPES = ("application/vnd.sdmx.data+csv", "application/vnd.sdmx.data+json")
SDMX_VERSION = "2.0.0"
CSV_MEDIA_TYPE = f"{SDMX_TYPES[0]}; version={SDMX_VERSION}"
JSON_MEDIA_TYPE = f"{SDMX_TYPES[1]}; version={SDMX_VERSION}"
TOTAL = "_T"
SDMX_ID = re.compile(r"[A-Za-z0-9_@$-]+")

# The status codes come from apps.benchmarks.marking.SDMX_CODES (CL_OBS_STATUS and CL_CONF_STATUS of
# SDMX), the run record's own: A/F published, Q/C suppressed, Q/E embargoed (not for publication until
# the embargo ends, AVAILABLE_FROM), O/F not computed, M/F no data. Suppression is C whatever the rule:
# SDMX's detailed confidentiality codes (primary, secondary, dominance) would say why.
OBS_STATUS_NAMES: dict[str, Promise] = {
    "A": pgettext_lazy("SDMX observation status", "Normal value"),
    "Q": pgettext_lazy("SDMX observation status", "Missing value; suppressed"),
    "O": pgettext_lazy("SDMX observation status", "Missing value"),
    "M": pgettext_lazy("SDMX observation status", "Missing value; data cannot exist"),
}
CONF_STATUS_NAMES: dict[str, Promise] = {
    "F": pgettext_lazy("SDMX confidentiality status", "Free"),
    "C": pgettext_lazy("SDMX confidentiality status", "Confidential statistical information"),
    "E": pgettext_lazy("SDMX confidentiality status", "Not for publication until the embargo ends"),
}


@dataclass(frozen=True)
class Component:
    """One column of the dataflow: its id, its name, the row's value for it, and the names of its
    codes when it is coded (None: a free value such as a number, a date or a unit)."""

    id: str
    name: Promise
    value: Callable[[dict[str, Any]], Any]
    codes: dict[str, Promise] | None = None


def _breakdown(row: dict[str, Any]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(row["breakdown"].items())) or TOTAL


DIMENSIONS = (
    Component("STANDARD", gettext_lazy("Standard"), lambda row: row["standard"]),
    Component("MEASURE", gettext_lazy("Measure"), lambda row: row["measure"], {}),
    Component("COHORT", gettext_lazy("Cohort"), lambda row: row["cohort"], {}),
    Component("BREAKDOWN", gettext_lazy("Breakdown"), _breakdown),
    Component("STATISTIC", gettext_lazy("Statistic"), lambda row: row["statistic"], STATISTIC_LABELS),
    Component("TIME_PERIOD", gettext_lazy("Period"), lambda row: row["period"], {}),
)
ATTRIBUTES = (
    Component("UNIT_MEASURE", gettext_lazy("Unit"), lambda row: row["unit"]),
    Component(
        "OBS_STATUS",
        gettext_lazy("Observation status"),
        lambda row: SDMX_CODES[row["status"]]["OBS_STATUS"],
        OBS_STATUS_NAMES,
    ),
    Component(
        "CONF_STATUS",
        gettext_lazy("Confidentiality status"),
        lambda row: SDMX_CODES[row["status"]]["CONF_STATUS"],
        CONF_STATUS_NAMES,
    ),
    Component("REASON", gettext_lazy("Reason withheld"), lambda row: row["reason"], REASON_LABELS),
    Component("N_FIRMS", gettext_lazy("Number of firms"), lambda row: row["n_firms"]),
    Component("RELIABILITY", gettext_lazy("Reliability"), lambda row: row["reliability"], RELIABILITY_LABELS),
    Component("AVAILABLE_FROM", gettext_lazy("Available from"), lambda row: row["available_from"]),
    Component("RUN", gettext_lazy("Benchmark run"), lambda row: row["run"]),
    Component("POLICY", gettext_lazy("Disclosure policy version"), lambda row: row["policy"]),
)
CSV_HEADER = [
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    *(d.id for d in DIMENSIONS),
    "OBS_VALUE",
    *(a.id for a in ATTRIBUTES),
]


class SdmxNegotiation(DefaultContentNegotiation):
    """Content negotiation that knows SDMX versions: an SDMX media type with a `version` other than
    2.0.0 is not one the hub sends (406 if nothing else asked for is), and one without a version is
    2.0.0. DRF alone would match a renderer's parameters only when the client repeats them all."""

    def get_accept_list(self, request: Any) -> list[str]:
        return [accepted for accepted in super().get_accept_list(request) if _served(accepted)]


def _served(accepted: str) -> bool:
    media = _MediaType(accepted)
    if f"{media.main_type}/{media.sub_type}" not in SDMX_TYPES:
        return True
    version = media.params.get("version")
    return version is None or str(version).strip() == SDMX_VERSION


class SdmxCsvRenderer(BinaryRenderer):
    """SDMX-CSV 2.0, for `Accept: application/vnd.sdmx.data+csv; version=2.0.0` or the type alone
    (with SdmxNegotiation)."""

    media_type = SDMX_TYPES[0]
    format = "sdmx-csv"
    charset = "utf-8"


class SdmxJsonRenderer(BinaryRenderer):
    media_type = SDMX_TYPES[1]
    format = "sdmx-json"
    charset = "utf-8"


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def sdmx_csv(rows: list[dict[str, Any]]) -> bytes:
    """The rows as an SDMX-CSV 2.0 message (RFC 4180, comma, UTF-8 without a byte order mark): one
    line per observation, action I (information), every attribute repeated on every line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                "dataflow",
                DATAFLOW,
                "I",
                *(_cell(d.value(row)) for d in DIMENSIONS),
                _cell(row["value"]),
                *(_cell(a.value(row)) for a in ATTRIBUTES),
            ]
        )
    return buffer.getvalue().encode()


def _component_value(component: Component, value: Any) -> dict[str, Any]:
    if isinstance(value, str) and SDMX_ID.fullmatch(value):
        return {"id": value, "name": str(component.codes.get(value, value) if component.codes else value)}
    return {"value": value}


def _values(component: Component, rows: list[dict[str, Any]]) -> list[Any]:
    """The component's distinct values in the order they first appear (None left out)."""
    seen: dict[Any, None] = {}
    for row in rows:
        value = component.value(row)
        if value is not None:
            seen.setdefault(value, None)
    return list(seen)


def _definition(component: Component, values: list[Any], position: int | None) -> dict[str, Any]:
    definition: dict[str, Any] = {"id": component.id, "name": str(component.name)}
    if position is None:
        definition["relationship"] = {"observation": {}}
    else:
        definition["keyPosition"] = position
        if component.id == "TIME_PERIOD":
            definition["roles"] = ["TIME_PERIOD"]
    if values:
        definition["values"] = [_component_value(component, value) for value in values]
    return definition


def _listed(component: Component) -> bool:
    """Whether the component's values are listed in the structure (and observations hold indexes):
    dimensions and coded attributes. A free attribute (a number, a date, a unit) is written into the
    observation itself, as the format allows; the published schema would refuse a listed integer."""
    return component in DIMENSIONS or component.codes is not None


def sdmx_json(rows: list[dict[str, Any]], *, prepared: datetime, language: str) -> dict[str, Any]:
    """The rows as an SDMX-JSON 2.0 data message, every dimension at observation level (a flat
    view, as with dimensionAtObservation=allDimensions): each observation's key is the indexes of its
    dimension values joined by `:`, and its array is OBS_VALUE (null unless published) followed by
    each attribute: the index of its value for a coded one, the value itself for a free one (null
    when it has none). The structure's annotations name every run and policy version in the message."""
    listed = {c.id: _values(c, rows) for c in (*DIMENSIONS, *ATTRIBUTES) if _listed(c)}
    index = {name: {v: i for i, v in enumerate(values)} for name, values in listed.items()}
    observations: dict[str, list[Any]] = {}
    for row in rows:
        key = ":".join(str(index[d.id][d.value(row)]) for d in DIMENSIONS)
        attributes = [
            a.value(row) if a.id not in index or a.value(row) is None else index[a.id][a.value(row)]
            for a in ATTRIBUTES
        ]
        observations[key] = [row["value"], *attributes]
    dimensions = [_definition(d, listed[d.id], p) for p, d in enumerate(DIMENSIONS)]
    structure = {
        "dataSets": [0],
        "links": [{"rel": "dataflow", "urn": DATAFLOW_URN}],
        "name": str(gettext_lazy("Benchmarks")),
        # A dimension with no value cannot be listed: an empty message lists none.
        "dimensions": {
            "dataSet": [],
            "series": [],
            "observation": dimensions if rows else [],
        },
        "measures": {"observation": [{"id": "OBS_VALUE", "name": str(gettext_lazy("Value"))}]},
        "attributes": {
            "dataSet": [],
            "series": [],
            "observation": [_definition(a, listed.get(a.id, []), None) for a in ATTRIBUTES],
        },
        "annotations": [
            {"type": name, "value": str(value)}
            for name in ("RUN", "POLICY")
            for value in _values(next(a for a in ATTRIBUTES if a.id == name), rows)
        ],
    }
    data_set = {
        "structure": 0,
        "action": "Information",
        "links": [{"rel": "dataflow", "urn": DATAFLOW_URN}],
        "observations": observations,
    }
    return {
        "meta": {
            "schema": JSON_SCHEMA,
            "id": f"BENCHMARKS-{data_digest(structure, data_set)[:20]}",
            "test": False,
            "prepared": prepared.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "contentLanguages": [language.lower()],
            "sender": {"id": AGENCY, "name": str(gettext_lazy("Alliance Hub"))},
        },
        "data": {"structures": [structure], "dataSets": [data_set]},
    }


def data_digest(*parts: Any) -> str:
    """A digest of a message's data, not of its header: the same figures give the same digest (the
    message id and the ETag) whenever the message is prepared."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
