"""How many people make "more than half" or "at least two thirds" of a number: the quorum of a body
and the majority of a vote count the same way, in whole people."""

from __future__ import annotations


def more_than_half(*, of: int) -> int:
    return of // 2 + 1


def at_least(*, numerator: int, denominator: int, of: int) -> int:
    """The fewest whole people that are at least numerator/denominator of `of` (rounded up)."""
    return -(-of * numerator // denominator)
