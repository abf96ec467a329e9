"""The permission matrices' rows refuse to leave an actor out (tests/matrix.py)."""

from __future__ import annotations

import pytest

from tests.matrix import ACTORS, LOGIN, MatrixError, NotApplicable, renders, row


def test_a_row_that_leaves_an_actor_out_is_refused_naming_the_row_and_the_actor() -> None:
    with pytest.raises(MatrixError, match=r"row GET /x/ \(own\) says nothing for token_viewer, anonymous"):
        row("GET", "/x/", "own", effect=renders("x.html"), people=200, token_contributor=LOGIN)


def test_a_row_that_names_someone_outside_the_cast_is_refused() -> None:
    with pytest.raises(MatrixError, match="'a_admn'"):
        row("GET", "/x/", "own", a_admn=200, others=LOGIN)


def test_a_row_that_allows_an_action_must_say_its_effect() -> None:
    with pytest.raises(MatrixError, match="allows a_admin but names no effect"):
        row("POST", "/x/", "own", a_admin=302, others=403)


def test_others_covers_everyone_not_named_and_not_applicable_leaves_out_on_purpose() -> None:
    cases = row(
        "GET", "/x/", "own", effect=renders("x.html"), anonymous=NotApplicable("for the test"), others=200
    )
    assert [case.actor for case in cases] == [actor for actor in ACTORS if actor != "anonymous"]
    assert {case.status for case in cases} == {200}
