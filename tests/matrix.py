"""The permission matrices' table: every actor of the cast against a page or an endpoint, with the
status each gets and what that answer must do (tests/organizations/test_permission_matrix.py,
tests/standards/test_permissions.py, tests/submissions/test_api.py).

A row names every actor, directly or through the shorthands `people` (everyone signed in),
`stewards`, `tokens` and `others` (every actor the row names in no other way); later keys win. A row
that leaves an actor out, or names one the cast lacks, is refused while the tests are collected. An
actor to whom a row does not apply says so: `actor=NotApplicable("why")`.

What an answer must do, besides its status:
- allowed (a 2xx, or a 3xx other than LOGIN and ADMIN_LOGIN): the row's `effect`, which looks at the
  response and at the state before and after the request (the write made, the page shown, where a
  redirect leads);
- LOGIN, ADMIN_LOGIN: a 302 to the site's or the admin's sign-in page with next= the path asked for,
  and nothing changed;
- refused (a 4xx): nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

STEWARDS = ("steward", "superuser", "self_invited_steward")
PEOPLE = ("a_admin", "a_contributor", "a_viewer", *STEWARDS, "staff")
TOKENS = ("token_viewer", "token_contributor")
ACTORS = (*PEOPLE, *TOKENS, "anonymous")
SHORTHANDS = {"people": PEOPLE, "stewards": STEWARDS, "tokens": TOKENS}

State = dict[str, frozenset[tuple[Any, ...]]]


class MatrixError(Exception):
    """A row that does not say what every actor gets, or allows an action without saying its effect."""


@dataclass(frozen=True)
class SignIn:
    """A 302 to a sign-in page with next= the path asked for; nothing changes."""

    page: str
    status: int = 302

    def __str__(self) -> str:
        return f"{self.status} to {self.page}"


LOGIN = SignIn("/accounts/sign-in/")  # pages send whoever has not signed in (tokens too) to sign in
ADMIN_LOGIN = SignIn("/admin/login/")  # the admin sends people who are not staff to its own sign-in page


@dataclass(frozen=True)
class NotApplicable:
    """An actor a row leaves out on purpose, and why."""

    reason: str


Expected = int | SignIn | NotApplicable


@dataclass
class Outcome:
    """What an effect checks: the answer, and the state before and after the request."""

    case: Case
    path: str
    response: Any
    before: State
    after: State
    objects: dict[str, Any] = field(default_factory=dict)

    @property
    def actor(self) -> str:
        return self.case.actor

    def changed(self) -> set[str]:
        """The names of the state's parts that the request changed."""
        return {name for name in self.before if self.before[name] != self.after[name]}

    def added(self, name: str) -> frozenset[tuple[Any, ...]]:
        return self.after[name] - self.before[name]

    def removed(self, name: str) -> frozenset[tuple[Any, ...]]:
        return self.before[name] - self.after[name]

    def location(self) -> str:
        assert self.response.status_code in (301, 302, 303), (self.case, self.response.status_code)
        return str(self.response["Location"])


Effect = Callable[[Outcome], None]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    target: str
    actor: str
    expected: int | SignIn
    effect: Effect | None

    @property
    def status(self) -> int:
        return self.expected.status if isinstance(self.expected, SignIn) else self.expected

    @property
    def allowed(self) -> bool:
        return not isinstance(self.expected, SignIn) and self.status < 400

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.target} {self.actor}"


def row(
    method: str, path: str, target: str, *, effect: Effect | None = None, **expected: Expected
) -> list[Case]:
    """The cases of one row: {actor or shorthand: status, LOGIN, ADMIN_LOGIN or NotApplicable}, every
    actor covered; `effect` is what an allowed answer must do (required when the row allows one)."""
    name = f"{method} {path} ({target})"
    answers: dict[str, Expected] = {}
    for key, answer in expected.items():
        if key == "others":
            continue
        if key in SHORTHANDS:
            answers.update(dict.fromkeys(SHORTHANDS[key], answer))
        elif key in ACTORS:
            answers[key] = answer
        else:
            raise MatrixError(f"row {name} names {key!r}, who is not an actor of the matrix ({ACTORS})")
    if "others" in expected:
        for actor in ACTORS:
            answers.setdefault(actor, expected["others"])
    missing = [actor for actor in ACTORS if actor not in answers]
    if missing:
        raise MatrixError(
            f"row {name} says nothing for {', '.join(missing)}: give each a status, LOGIN, ADMIN_LOGIN "
            "or NotApplicable(reason)"
        )
    cases = [
        Case(method, path, target, actor, answer, effect)
        for actor, answer in ((actor, answers[actor]) for actor in ACTORS)
        if not isinstance(answer, NotApplicable)
    ]
    allowed = [case.actor for case in cases if case.allowed]
    if allowed and effect is None:
        raise MatrixError(f"row {name} allows {', '.join(allowed)} but names no effect to check")
    return cases


def snapshot(**parts: Iterable[tuple[Any, ...]]) -> State:
    """The state a matrix compares before and after a request: each part a set of row tuples
    (values_list querysets of the fields that matter)."""
    return {name: frozenset(rows) for name, rows in parts.items()}


def check(outcome: Outcome) -> None:
    """Assert the case's status and what its answer must do (the module's docstring)."""
    case, response = outcome.case, outcome.response
    assert response.status_code == case.status, (str(case), response.status_code, response.content[:300])
    if isinstance(case.expected, SignIn):
        target = urlsplit(outcome.location())
        assert (target.path, parse_qs(target.query)) == (case.expected.page, {"next": [outcome.path]}), (
            str(case),
            outcome.location(),
        )
        unchanged(outcome)
    elif not case.allowed:
        unchanged(outcome)
    else:
        assert case.effect is not None
        case.effect(outcome)


# --- Effects shared by the matrices ------------------------------------------------------------------


def unchanged(outcome: Outcome) -> None:
    assert not outcome.changed(), (str(outcome.case), "changed", sorted(outcome.changed()))


def renders(template: str) -> Effect:
    """A page drawn from `template`, changing nothing."""

    def effect(outcome: Outcome) -> None:
        names = [t.name for t in outcome.response.templates]
        assert template in names, (str(outcome.case), names[:5])
        unchanged(outcome)

    effect.__name__ = f"renders({template})"
    return effect


def redirects_to(url: str) -> Effect:
    """A 302 to `url`, formatted with the outcome's objects (slug, version and so on)."""

    def effect(outcome: Outcome) -> None:
        assert outcome.location() == url.format(**outcome.objects), str(outcome.case)

    return effect


def all_of(*effects: Effect) -> Effect:
    def effect(outcome: Outcome) -> None:
        for each in effects:
            each(outcome)

    return effect
