"""The live protocol's client → server messages: what each command carries, and how it is checked.

A command is `{"type": "<noun.verb>", "id": "<client uuid>", ...fields}`. Anything else gets
an `error` reply with one of the codes below; the connection stays open.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

COMMAND_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def command_id_of(raw: str) -> str | None:
    """The id of a message that will not be processed (too many at once), if it can be read."""
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    command_id = message.get("id") if isinstance(message, dict) else None
    return command_id if isinstance(command_id, str) and COMMAND_ID.fullmatch(command_id) else None


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, command_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.command_id = command_id


Check = Callable[[Any], Any]


def integer(minimum: int = 0, maximum: int = 2**31 - 1, *, nullable: bool = False) -> Check:
    def check(value: Any) -> int | None:
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise ValueError
        return value

    return check


def text(max_length: int) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or len(value) > max_length:
            raise ValueError
        return value

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def integers(max_items: int) -> Check:
    """A non-empty list of ids (whether they are distinct and valid is the service's business)."""
    each = integer(1)

    def check(value: Any) -> list[int]:
        if not isinstance(value, list) or not 1 <= len(value) <= max_items:
            raise ValueError
        return [each(item) for item in value]

    return check


def texts(max_items: int, max_length: int) -> Check:
    each = text(max_length)

    def check(value: Any) -> list[str]:
        if not isinstance(value, list) or len(value) > max_items:
            raise ValueError
        return [each(item) for item in value]

    return check


def viewport(value: Any) -> dict[str, float]:
    """Where the presenter is looking on the page, normalised: x, y of the top-left corner (0–1), the zoom,
    and h, the share of the page's height in sight (the width in sight is 1/zoom)."""
    if not isinstance(value, dict) or set(value) - {"x", "y", "zoom", "h"}:
        raise ValueError
    result = {}
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ValueError
        low, high = (1.0, 8.0) if key == "zoom" else (0.0, 1.0)
        if not low <= number <= high:
            raise ValueError
        result[key] = float(number)
    return result


def json_object(value: Any) -> dict[str, Any]:
    """A JSON object whose fields the service checks (e.g. an annotation's shape)."""
    if not isinstance(value, dict):
        raise ValueError
    return value


def point_list(max_points: int) -> Check:
    def check(value: Any) -> list[Any]:
        if not isinstance(value, list) or not 1 <= len(value) <= max_points:
            raise ValueError
        return value

    return check


def number(minimum: float, maximum: float) -> Check:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not minimum <= value <= maximum:
            raise ValueError
        return float(value)

    return check


@dataclass(frozen=True)
class Command:
    required: dict[str, Check]
    optional: dict[str, Check]


COMMANDS: dict[str, Command] = {
    "meeting.start": Command({}, {}),
    "meeting.end": Command({}, {}),
    "meeting.recess": Command({"minutes": integer(1, 240)}, {}),  # as long as RECESS_LONGEST_MINUTES allows
    "meeting.resume": Command({}, {}),
    "agenda.current": Command({"item_id": integer(1)}, {}),
    "present.page": Command({"document_id": integer(1), "page": integer(1, 100_000)}, {"viewport": viewport}),
    "present.stop": Command({}, {}),
    "present.handover": Command({"user_id": integer(1, nullable=True)}, {}),
    "attendance.update": Command({"participant_id": integer(1), "status": text(20)}, {"reason": text(500)}),
    "attendance.checkin": Command({}, {}),
    # Asked again while waiting, with a topic: the topic changes, the place stays.
    "speaker.request": Command({}, {"topic": text(200)}),
    "speaker.withdraw": Command({}, {}),
    "speaker.start": Command({}, {"request_id": integer(1), "participant_id": integer(1)}),
    "speaker.end": Command({}, {}),
    "speaker.extend": Command({"request_id": integer(1), "seconds": integer(1, 3600)}, {}),
    "speaker.dismiss": Command({"request_id": integer(1)}, {}),
    "speaker.allot": Command({"seconds": integer(1, 3600)}, {}),
    "notice.send": Command({"text": text(2000)}, {}),
    "projector.clear": Command({}, {}),
    "poll.create": Command(
        {"question": text(500)},
        {
            "agenda_item_id": integer(1, nullable=True),
            "kind": text(20),
            "options": texts(50, 200),
            "max_choices": integer(1, 50),
            "secret": boolean,
            "majority": text(20),
            "requires_quorum": boolean,
            "allow_change": boolean,
            "close_when_all_voted": boolean,
            "duration_seconds": integer(10, 86_400, nullable=True),
        },
    ),
    "poll.open": Command({"poll_id": integer(1)}, {}),
    "poll.close": Command({"poll_id": integer(1)}, {}),
    "poll.annul": Command({"poll_id": integer(1), "reason": text(2000)}, {"repeat": boolean, "expected_state": text(20)}),
    "ballot.cast": Command({"poll_id": integer(1), "choices": integers(50)}, {"for_participant_id": integer(1)}),
    "proxy.give": Command({"holder_id": integer(1)}, {"giver_id": integer(1)}),
    "proxy.revoke": Command({"proxy_id": integer(1)}, {}),
    "minutes.update": Command(
        {"field": text(20), "text": text(20_000), "base_version": integer(0)}, {"item_id": integer(1, nullable=True)}
    ),
    # No item: the chair's conclusion of the meeting as a whole.
    "minutes.conclude": Command({"text": text(20_000)}, {"item_id": integer(1, nullable=True), "base_version": integer(0)}),
    "annotation.upsert": Command(
        {
            "annotation_id": text(64),
            "document_id": integer(1),
            "version_id": integer(1),
            "page": integer(1, 100_000),
            "kind": text(20),
            "data": json_object,
            "revision": integer(1),
        },
        {"shared": boolean},
    ),
    "annotation.delete": Command({"annotation_id": text(64), "revision": integer(1)}, {}),
    "annotation.withhold": Command({"annotation_id": text(64)}, {}),
    # A few points of the presenter's stroke in progress, relayed and not stored.
    "stroke.points": Command(
        {
            "stroke_id": text(64),
            "document_id": integer(1),
            "page": integer(1, 100_000),
            "points": point_list(500),
            "color": text(7),
            "width": number(0.0, 1.0),
        },
        {},
    ),
}


@dataclass(frozen=True)
class Parsed:
    type: str
    id: str | None
    args: dict[str, Any]


def parse(raw: str) -> Parsed:
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ProtocolError("malformed", _("The message could not be read (it is not valid JSON).")) from error
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError("malformed", _("The message has no type."))
    command_id = message.get("id")
    kind = message["type"]
    if kind == "ping":
        return Parsed(type=kind, id=None, args={})
    if kind == "resync":
        since = message.get("since")
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise ProtocolError(
                "invalid", _("Resync needs the last sequence number received."), command_id if isinstance(command_id, str) else None
            )
        return Parsed(type=kind, id=command_id if isinstance(command_id, str) else None, args={"since": since})
    if not isinstance(command_id, str) or not COMMAND_ID.fullmatch(command_id):
        raise ProtocolError("invalid", _("Every command needs an id (letters, digits, - or _, at most 64)."))
    command = COMMANDS.get(kind)
    if command is None:
        raise ProtocolError("unknown_type", _("Unknown command: %(type)s.") % {"type": kind[:40]}, command_id)
    args = {}
    for name, check in (*command.required.items(), *command.optional.items()):
        if name not in message:
            if name in command.required:
                raise ProtocolError("invalid", _("The command lacks “%(field)s”.") % {"field": name}, command_id)
            continue
        try:
            args[name] = check(message[name])
        except ValueError:
            raise ProtocolError(
                "invalid", _("“%(field)s” has a value this command does not accept.") % {"field": name}, command_id
            ) from None
    unexpected = set(message) - {"type", "id"} - set(command.required) - set(command.optional)
    if unexpected:
        raise ProtocolError("invalid", _("Unexpected fields: %(fields)s.") % {"fields": ", ".join(sorted(unexpected))[:100]}, command_id)
    return Parsed(type=kind, id=command_id, args=args)
