"""How many make a quorum or a majority, in whole people, under each rule."""

from __future__ import annotations

import pytest

from meetings.majorities import at_least, more_than_half
from meetings.models import Body


@pytest.mark.parametrize(
    ("rule", "voting", "needed"),
    [
        ("more_than_half", 9, 5),
        ("more_than_half", 10, 6),
        ("two_thirds", 9, 6),
        ("two_thirds", 10, 7),
        ("two_thirds", 3, 2),
        ("half", 9, 5),
        ("half", 10, 5),
    ],
)
def test_the_bodys_rule_says_how_many_make_a_quorum(rule: str, voting: int, needed: int) -> None:
    assert Body(quorum_rule=rule).quorum_needed(voting=voting) == needed


def test_more_than_half_of_an_even_number_is_one_more_than_half() -> None:
    assert (more_than_half(of=8), more_than_half(of=7), more_than_half(of=0)) == (5, 4, 1)


def test_at_least_a_fraction_rounds_up_to_a_whole_person() -> None:
    assert (at_least(numerator=2, denominator=3, of=8), at_least(numerator=3, denominator=4, of=9)) == (6, 7)
