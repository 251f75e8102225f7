"""A poll's result, computed from its stored ballots only.

`poll_tally` is a pure function of the ballots and the two bases (the weight of all members
and of those present) recorded when the poll closed, so recomputing it later gives the
published result exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from meetings.majorities import at_least, more_than_half
from meetings.text import person_sort_key
from voting.models import Ballot, Poll, PollChoice

MEMBERS_BASED = (Poll.Majority.MEMBERS, Poll.Majority.TWO_THIRDS, Poll.Majority.THREE_QUARTERS)


def majority_reached(*, votes: int, base: int, majority: str) -> bool:
    """More than half (strictly: exactly half is not enough); two thirds and three quarters at least."""
    if base <= 0:
        return False
    if majority == Poll.Majority.TWO_THIRDS:
        return votes * 3 >= base * 2
    if majority == Poll.Majority.THREE_QUARTERS:
        return votes * 4 >= base * 3
    return votes * 2 > base


def votes_needed(*, base: int, majority: str) -> int:
    """The fewest votes that reach the majority (0 when nothing can: an empty base)."""
    if base <= 0:
        return 0
    if majority == Poll.Majority.TWO_THIRDS:
        return at_least(numerator=2, denominator=3, of=base)
    if majority == Poll.Majority.THREE_QUARTERS:
        return at_least(numerator=3, denominator=4, of=base)
    return more_than_half(of=base)


def percent(votes: int, base: int) -> str:
    """Two decimals, rounded half up, as officials write it (66,67 %)."""
    if base <= 0:
        return "0.00"
    return str((Decimal(votes * 100) / Decimal(base)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def poll_tally(
    *,
    poll: Poll,
    members_weight: int,
    present_weight: int,
    quorum_met: bool,
    proxy_weight: int = 0,
    names: dict[int, dict[str, Any]] | None = None,
    not_voted: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`present_weight`: who could vote (in a live vote, those present and those represented by a proxy,
    `proxy_weight` of them). `names`: how the named list called each voter when it was published (people change
    position; the record of who voted what does not). `not_voted`: who could have voted and did
    not, as recorded when the poll closed (named polls only; a secret poll gives only the count)."""
    choices = list(poll.choices.all())
    counts = {choice.pk: 0 for choice in choices}
    ballots = 0
    cast_weight = 0
    named = []
    for ballot in Ballot.objects.filter(poll=poll).select_related("voter__user", "cast_by__user"):
        choice_ids, weight = ballot.choices, ballot.weight
        if ballot.voter is not None:
            entry = {
                "participant_id": ballot.voter_id,
                "name": ballot.voter.user.display_name,
                "position": ballot.voter.user.position,
                "choice_ids": choice_ids,
                "weight": weight,
                "proxy_name": ballot.cast_by.user.display_name if ballot.cast_by_id != ballot.voter_id else None,
            }
            if names is not None and ballot.voter_id in names:
                entry.update({key: names[ballot.voter_id][key] for key in ("name", "position", "proxy_name")})
            named.append(entry)
        ballots += 1
        cast_weight += weight
        for choice_id in choice_ids:
            counts[choice_id] += weight
    # In the order Vietnamese lists put people (by given name), as the attendance sheet does.
    named.sort(key=lambda entry: (person_sort_key(entry["name"]), entry["participant_id"]))
    if poll.majority == Poll.Majority.CAST:
        base = cast_weight
    elif poll.majority == Poll.Majority.PRESENT:
        base = present_weight
    else:
        base = members_weight
    no_quorum = poll.requires_quorum and not quorum_met
    rows = []
    for choice in choices:
        reached = majority_reached(votes=counts[choice.pk], base=base, majority=poll.majority)
        rows.append(
            {
                "choice_id": choice.pk,
                "label": choice.label,
                "meaning": choice.meaning,
                "votes": counts[choice.pk],
                "percent": percent(counts[choice.pk], base),
                "reached": reached and not no_quorum and choice.meaning in (PollChoice.Meaning.YES, PollChoice.Meaning.OPTION),
            }
        )
    if poll.kind == Poll.Kind.YES_NO:
        passed = any(row["reached"] for row in rows if row["meaning"] == PollChoice.Meaning.YES)
    else:
        passed = any(row["reached"] for row in rows)
    return {
        "ballots": ballots,
        "cast_weight": cast_weight,
        "members_weight": members_weight,
        "present_weight": present_weight,
        "proxy_weight": proxy_weight,
        "base": base,
        "needed": votes_needed(base=base, majority=poll.majority),
        "majority": poll.majority,
        "quorum_met": quorum_met,
        "no_quorum": no_quorum,
        "choices": rows,
        "passed": passed,
        "named": named if not poll.secret else None,
        # Official results count those present who did not vote beside the ballots ("không tham gia
        # biểu quyết"; "không biểu quyết" is the abstention): the weight that could have voted and did not.
        "not_voted_weight": max(0, present_weight - cast_weight),
        "not_voted": (not_voted or []) if not poll.secret else None,
    }


def result_chosen(*, result: dict[str, Any]) -> list[str]:
    """The named options that won, in the poll's order: what a vote between options decided, beside
    whether it passed. Empty for agree / disagree."""
    return [row["label"] for row in result.get("choices", []) if row["reached"] and row["meaning"] == PollChoice.Meaning.OPTION]


def poll_tally_again(*, poll: Poll) -> dict[str, Any]:
    """The published result recomputed from the ballots, with the bases it recorded (for checking)."""
    if poll.result is None:
        raise ValueError("The poll has no published result.")
    recomputed = poll_tally(
        poll=poll,
        members_weight=poll.result["members_weight"],
        present_weight=poll.result["present_weight"],
        proxy_weight=poll.result.get("proxy_weight", 0),  # not recorded before 2026-12-07
        quorum_met=poll.result["quorum_met"],
        names={entry["participant_id"]: entry for entry in poll.result.get("named") or []},
        not_voted=poll.result.get("not_voted"),
    )
    return recomputed
