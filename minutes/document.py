"""The minutes as a document: the HTML laid out as Decree 30/2020/NĐ-CP asks, and its appendices.

Everything a person typed is escaped by the template and normalised to Unicode NFC here; the
HTML is turned into PDF only by `minutes.rendering` (a limited process, static assets only).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from meetings.models import Document, Participant, User
from meetings.pdf_render import serif_font_css
from meetings.selectors.live import quorum_state
from meetings.selectors.meetings import participant_order_key
from meetings.templatetags.paperwork import official_date, place_date
from minutes.selectors import ItemFacts, MinutesFacts, appendix_documents
from voting.models import Poll
from voting.tally import result_chosen

WORDS = {
    "vi": {
        "lang": "vi",
        "minutes": "BIÊN BẢN",
        "number": "Số",
        "nation": "Cộng hòa xã hội chủ nghĩa Việt Nam",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "time_place": "Thời gian, địa điểm",
        "started": "Thời gian bắt đầu",
        "place": "Địa điểm",
        "attendance": "Thành phần tham dự",
        "chair": "Chủ tọa",  # as the signature block calls them
        "secretary": "Thư ký",
        "present": "Có mặt",
        # Of everyone summoned but guests (the chair and the secretary too); those with a vote are counted in the quorum line.
        "present_of": "{present}/{summoned} người được triệu tập",
        "late": "Đến muộn",
        "late_among": "Trong đó đến muộn",
        "absent_excused": "Vắng có lý do",
        "absent": "Vắng không có lý do",
        "unmarked": "Chưa điểm danh",
        "quorum_met": "Số thành viên có quyền biểu quyết có mặt: {present}/{voting}, "
        "đủ điều kiện tiến hành cuộc họp (cần ít nhất {needed})",
        "quorum_not_met": "Số thành viên có quyền biểu quyết có mặt: {present}/{voting}, "
        "không đủ số thành viên tối thiểu (cần ít nhất {needed})",
        "guests": "Khách mời",
        "nobody": "không",
        "reason": "lý do",
        "arrived": "đến lúc",
        "content": "Nội dung cuộc họp",
        "presenter": "Trình bày",
        "speakers": "Ý kiến phát biểu",
        "not_discussed": "Nội dung này không được xem xét tại cuộc họp.",
        "conclusions": "Kết luận",
        "general_conclusions": "Kết luận của chủ tọa",
        "vote": "Biểu quyết",
        "revote": "Biểu quyết lại",
        "written_poll": "Lấy ý kiến bằng văn bản",
        "appendix": "Phụ lục",
        "appendices": "Tài liệu kèm theo biên bản",
        "attendance_sheet": "Danh sách thành phần tham dự",
        "document_follows": "Tài liệu gồm {pages} trang, đóng kèm ngay sau trang này.",
        "sheet_columns": ("TT", "Họ và tên", "Chức vụ", "Vai trò", "Điểm danh", "Giờ đến"),
        "secret": "bỏ phiếu kín",
        "open": "biểu quyết công khai",
        "written_open": "công khai",
        "written_secret": "phiếu kín",
        "rule": "tỷ lệ thông qua",
        "annulled": "Kết quả biểu quyết đã bị hủy, lý do",
        "cancelled": "Cuộc biểu quyết đã bị hủy trước khi kết thúc, lý do",
        "choice": "Phương án",
        "votes": "Số phiếu",
        "percent": "Tỷ lệ",
        "ballots": "Tổng số phiếu",
        "not_voted": "không tham gia biểu quyết",
        "not_answered": "không trả lời",
        "not_passed_no_answers": "KHÔNG THÔNG QUA (không đủ số thành viên trả lời)",
        "needed": "số phiếu cần đạt",
        "of": "trên",  # "2 trên 3", not "2/3", which reads as two thirds
        "outcome": "Kết quả",
        "passed": "THÔNG QUA",
        "not_passed": "KHÔNG THÔNG QUA",
        "not_passed_no_quorum": "KHÔNG THÔNG QUA (không đủ số lượng thành viên dự họp)",
        "named": "Biểu quyết công khai",
        "secretary_role": "Thư ký",
        "chair_role": "Chủ tọa",
        "recipients": "Nơi nhận",
        "minute_word": "phút",
        "second_word": "giây",
        "at": "lúc",
        "lasting": "thời lượng",
        "continued": "tiếp sau giải lao",
        "about": "về",
        "proxy": "do {name} bỏ phiếu thay",
        "proxy_holder": "ủy quyền cho {name}",
        "break": "Cuộc họp nghỉ giải lao từ {since} đến {until} ({minutes} phút).",
    },
    "en": {
        "lang": "en",
        "minutes": "MINUTES",
        "number": "No.",
        "nation": "Socialist Republic of Viet Nam",
        "motto": "Independence - Freedom - Happiness",
        "time_place": "Time and place",
        "started": "Started",
        "place": "Place",
        "attendance": "Attendance",
        "chair": "Chaired by",
        "secretary": "Secretary",
        "present": "Present",
        "present_of": "{present} of the {summoned} summoned",
        "late": "Arrived late",
        "late_among": "Of whom arrived late",
        "absent_excused": "Absent with leave",
        "absent": "Absent without leave",
        "unmarked": "Attendance not recorded",
        "quorum_met": "Members with a vote present: {present} of {voting}; the meeting was quorate (at least {needed} needed)",
        "quorum_not_met": "Members with a vote present: {present} of {voting}; the meeting was not quorate (at least {needed} needed)",
        "guests": "Guests",
        "nobody": "none",
        "reason": "reason",
        "arrived": "arrived at",
        "content": "Proceedings",
        "presenter": "Presented by",
        "speakers": "Speakers",
        "not_discussed": "This item was not taken up at the meeting.",
        "conclusions": "Conclusions",
        "general_conclusions": "Conclusions of the chair",
        "vote": "Vote",
        "revote": "Vote again",
        "written_poll": "Written opinions",
        "appendix": "Appendix",
        "appendices": "Attached to these minutes",
        "attendance_sheet": "Attendance",
        "document_follows": "The document's {pages} pages follow this sheet.",
        "sheet_columns": ("No.", "Name", "Position", "Role", "Attendance", "Arrived"),
        "secret": "secret ballot",
        "open": "recorded vote",
        "written_open": "answers named",
        "written_secret": "answers secret",
        "rule": "majority required",
        "annulled": "The result was annulled; reason",
        "cancelled": "The vote was called off before it closed; reason",
        "choice": "Choice",
        "votes": "Votes",
        "percent": "Share",
        "ballots": "Ballots cast",
        "not_voted": "did not vote",
        "not_answered": "did not answer",
        "not_passed_no_answers": "NOT PASSED (too few members answered)",
        "needed": "votes needed",
        "of": "of",
        "outcome": "Outcome",
        "passed": "PASSED",
        "not_passed": "NOT PASSED",
        "not_passed_no_quorum": "NOT PASSED (no quorum)",
        "named": "Recorded vote",
        "secretary_role": "Secretary",
        "chair_role": "Chair",
        "recipients": "Distribution",
        "minute_word": "min",
        "second_word": "s",
        "at": "at",
        "lasting": "for",
        "continued": "continued after the break",
        "about": "on",
        "proxy": "cast by {name} as proxy",
        "proxy_holder": "proxy held by {name}",
        "break": "The meeting took a break from {since} to {until} ({minutes} min).",
    },
}

MAJORITY_TEXT = {
    "vi": {
        Poll.Majority.CAST: "quá nửa tổng số phiếu biểu quyết",
        Poll.Majority.PRESENT: "quá nửa số thành viên có mặt",
        Poll.Majority.MEMBERS: "quá nửa tổng số thành viên",
        Poll.Majority.TWO_THIRDS: "ít nhất hai phần ba tổng số thành viên",
        Poll.Majority.THREE_QUARTERS: "ít nhất ba phần tư tổng số thành viên",
    },
    "en": {
        Poll.Majority.CAST: "more than half of the votes cast",
        Poll.Majority.PRESENT: "more than half of those present",
        Poll.Majority.MEMBERS: "more than half of all members",
        Poll.Majority.TWO_THIRDS: "two thirds of all members",
        Poll.Majority.THREE_QUARTERS: "three quarters of all members",
    },
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in nfc(text).splitlines() if line.strip()]


def _when(moment: datetime.datetime | None, language: str) -> str:
    if moment is None:
        return "… giờ …, ngày … tháng … năm …" if language == "vi" else "…"
    local = timezone.localtime(moment)
    if language == "vi":
        return f"{_clock(local, language)}, {official_date(local)}"
    return f"{_clock(local, language)} on {local:%d %B %Y}"


def _clock(moment: datetime.datetime, language: str) -> str:
    """A time of the day as the minutes write it: "09 giờ 30", "09:30"."""
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M}" if language == "vi" else f"{local:%H:%M}"


def _person(participant: Participant) -> str:
    return _named(participant.user)


def _named(user: User) -> str:
    return nfc(f"{user.display_name} ({user.position})" if user.position else user.display_name)


def _absence_reason(participant: Participant) -> str:
    """The reason as the minutes' sentence continues it: "…, lý do: đi công tác", without a closing
    full stop. Only a sentence's capital is lowered: not an abbreviation (UBND) nor a name, which
    goes on with capitals (Hà Nội, Bộ Tài chính, Nguyễn Văn A)."""
    reason = nfc(participant.absence_reason).rstrip(" .;")
    first, second = [*reason.split(), "", ""][:2]
    if first[:1].isupper() and first[1:2].islower() and not second[:1].isupper():
        reason = reason[0].lower() + reason[1:]
    return reason


def _names(people: list[Participant]) -> str:
    return "; ".join(_person(p) for p in people)


def _poll_view(poll: Poll, language: str) -> Poll:
    """The poll with what the template prints: rows with decimal commas, the rule, the named list."""
    w = WORDS[language]
    poll.majority_text = MAJORITY_TEXT[language][poll.majority]
    result = poll.result or {}
    comma = language == "vi"
    poll.rows = [{**row, "percent": row["percent"].replace(".", ",") if comma else row["percent"]} for row in result.get("choices", [])]
    poll.chosen_text = "; ".join(nfc(label) for label in result_chosen(result=result))
    labels = {choice.pk: nfc(choice.label) for choice in poll.choices.all()}
    named = []
    for entry in result.get("named") or []:
        who = nfc(entry["name"])
        if entry.get("proxy_name"):
            who += f" ({w['proxy'].format(name=nfc(entry['proxy_name']))})"
        named.append(f"{who}: {', '.join(labels.get(i, '?') for i in entry['choice_ids'])}")
    for entry in result.get("not_voted") or []:
        who = nfc(entry["name"])
        if entry.get("proxy_name"):
            who += f" ({w['proxy_holder'].format(name=nfc(entry['proxy_name']))})"
        named.append(f"{who}: {w['not_answered' if poll.mode == Poll.Mode.WRITTEN else 'not_voted']}")
    poll.named_text = "; ".join(named)
    return poll


def _line_start(line: str) -> str:
    """A line of notes without its bullet: "- Lê Thị…" → "Lê Thị…"."""
    return line.strip().lstrip("-–•+* ").strip()


def _item_view(item: ItemFacts, language: str) -> dict[str, Any]:
    w = WORDS[language]
    speeches = []
    # A speech the secretary wrote up in the notes ("- Lê Thị Minh Nguyệt, Ủy viên, phát biểu về …: …",
    # as the room's "+ Ghi ý kiến" button begins it) is read there: not listed a second time.
    # One written line stands for one turn: someone who spoke twice and was written up once is listed once.
    unmatched = [_line_start(line) for line in nfc(item.notes).splitlines()]
    for speech in item.speeches:
        named = re.compile(re.escape(nfc(speech.name)) + r"(?!\w)")  # "Nguyễn Văn An" is not "Nguyễn Văn A"
        written = next((index for index, start in enumerate(unmatched) if named.match(start)), None)
        if written is not None:
            del unmatched[written]
            continue
        minutes, seconds = divmod(speech.seconds, 60)
        at = timezone.localtime(speech.started_at).strftime("%H:%M") if speech.started_at else ""
        who = nfc(f"{speech.name} ({speech.position})" if speech.position else speech.name)
        # "3 giây", "2 phút", "2 phút 5 giây": no "0 phút", no "0 giây".
        parts = [f"{minutes} {w['minute_word']}"] if minutes else []
        if seconds or not minutes:
            parts.append(f"{seconds} {w['second_word']}")
        length = " ".join(parts)
        about = f" {w['about']} “{nfc(speech.topic)}”" if speech.topic else ""
        speeches.append(f"{who}{about}, {w['at']} {at}, {w['lasting']} {length}" + (f" ({w['continued']})" if speech.continued else ""))
    breaks = [
        w["break"].format(
            since=_clock(pause.since, language),
            until=_clock(pause.until, language),
            minutes=max(1, round((pause.until - pause.since).total_seconds() / 60)),
        )
        for pause in item.breaks
    ]
    return {
        "number": item.number,
        "title": nfc(item.title),
        "breaks": breaks,
        "presenter": nfc(item.presenter),
        "notes": paragraphs(item.notes),
        "conclusions": paragraphs(item.conclusions),
        "speeches": speeches,
        "polls": [_poll_view(poll, language) for poll in item.polls],
        "touched": bool(item.reached or item.used_seconds or item.notes or item.conclusions or item.speeches or item.polls or item.breaks),
    }


def _items_view(items: list[ItemFacts], language: str) -> list[dict[str, Any]]:
    """Each item as printed. One the meeting never reached (never current, nothing written, said or
    voted on it, nor on its sub-items) says so, instead of reading as if it had been presented."""
    views = [_item_view(item, language) for item in items]
    touched = [view["number"] for view in views if view["touched"]]
    for view in views:
        view["not_discussed"] = not view["touched"] and not any(number.startswith(view["number"] + ".") for number in touched)
    return views


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")


def _appendix_label(index: int, w: dict[str, str]) -> str:
    return f"{w['appendix']} {ROMAN[index] if index < len(ROMAN) else index + 1}"


def appendix_titles(*, facts: MinutesFacts, documents: list[Document]) -> list[str]:
    """What is attached, in the order it is bound, numbered as the body and the bookmarks both name it:
    "Phụ lục I: Danh sách thành phần tham dự", "Phụ lục II: Biểu quyết: …", then the documents."""
    w = WORDS[facts.minutes.language if facts.minutes.language in WORDS else "vi"]
    vote_titles = (f"{w['revote' if poll.repeat_of_id else 'vote']}: {poll.question}" for poll in facts.polls if poll.result)
    titles = [w["attendance_sheet"], *vote_titles]
    titles += [document.title for document in documents]
    return [nfc(f"{_appendix_label(i, w)}: {title}") for i, title in enumerate(titles)]


def appendix_head(*, facts: MinutesFacts, index: int) -> dict[str, str]:
    """The head of an appendix the minutes bind: "PHỤ LỤC II" and "(Kèm theo Biên bản số 15/BB-UBND
    ngày 05 tháng 12 năm 2026)", as Decree 30 heads an appendix, so a sheet read on its own says
    what it belongs to. Its signatures are the minutes' own."""
    meeting, minutes = facts.meeting, facts.minutes
    language = minutes.language if minutes.language in WORDS else "vi"
    w = WORDS[language]
    number = minutes.number or f"…/BB-{meeting.body.short_name or '…'}"
    day = timezone.localtime(meeting.started_at or meeting.starts_at)
    if language == "vi":
        attached = f"(Kèm theo Biên bản số {number} {official_date(day)})"
    else:
        attached = f"(Attached to the minutes no. {number} of {day.day} {day:%B %Y})"
    return {"label": nfc(_appendix_label(index, w).upper()), "attached": nfc(attached)}


def minutes_html(*, facts: MinutesFacts) -> str:
    meeting, minutes = facts.meeting, facts.minutes
    language = minutes.language if minutes.language in WORDS else "vi"
    w = WORDS[language]
    members = facts.present + facts.late + facts.absent_excused + facts.absent + facts.unmarked
    started = meeting.started_at or meeting.starts_at
    if language == "vi":
        ended = f"Cuộc họp kết thúc vào {_when(meeting.ended_at, 'vi')}."
    else:
        ended = f"The meeting ended at {_when(meeting.ended_at, 'en')}."
    # "./." closes the text: after the secretary's closing words when there are any.
    closing = [ended, *paragraphs(minutes.closing)]
    closing[-1] = closing[-1].rstrip(".") + "./."
    quorum = quorum_state(meeting=meeting, participants=members + facts.guests + facts.guests_away)
    context = {
        "w": w,
        "fonts": serif_font_css(),
        "now": timezone.now(),
        "meeting": meeting,
        "minutes": minutes,
        "place_date": nfc(place_date(place=meeting.body.place, moment=started, language=language)),
        "started": _when(started, language),
        # Named with their position whatever their attendance, as the signature block signs for them.
        "chair": _named(meeting.chair),
        "secretary": _named(meeting.secretary),
        # As the attendance was finally recorded: what the chair's opening and every vote rested on.
        # Not said of a meeting where nobody votes (a working meeting of officials).
        "quorum": w["quorum_met" if quorum["met"] else "quorum_not_met"].format(**quorum) if quorum["voting"] else "",
        "present_of": w["present_of"].format(present=len(facts.present) + len(facts.late), summoned=len(members)),
        "present_names": _names(facts.present + facts.late),
        "late_names": "; ".join(
            f"{_person(p)}, {w['arrived']} {timezone.localtime(p.arrived_at):%H:%M}" if p.arrived_at else _person(p) for p in facts.late
        ),
        "absent_excused_names": "; ".join(
            f"{_person(p)}, {w['reason']}: {_absence_reason(p)}" if _absence_reason(p) else _person(p) for p in facts.absent_excused
        ),
        "absent_names": _names(facts.absent),
        "unmarked_names": _names(facts.unmarked),
        "guest_names": _names(facts.guests),
        "general": _item_view(facts.general, language),
        "items": _items_view(facts.items, language),
        "closing": closing,
        "appendices": appendix_titles(facts=facts, documents=[document for document, _version in appendix_documents(minutes=minutes)]),
    }
    return render_to_string("minutes/minutes.html", context)


def attendance_sheet_html(*, facts: MinutesFacts) -> str:
    language = facts.minutes.language if facts.minutes.language in WORDS else "vi"
    w = WORDS[language]
    # The states as the minutes' own text names them ("Vắng không có lý do"), in the minutes' language.
    states = {
        Participant.Attendance.UNKNOWN: w["unmarked"],
        Participant.Attendance.PRESENT: w["present"],
        Participant.Attendance.LATE: w["late"],
        Participant.Attendance.ABSENT_EXCUSED: w["absent_excused"],
        Participant.Attendance.ABSENT: w["absent"],
    }
    rows = []
    everyone = facts.present + facts.late + facts.absent_excused + facts.absent + facts.unmarked + facts.guests + facts.guests_away
    # In the order of the participants page: the chair first, then the secretaries, delegates and guests.
    with translation.override(language):
        for index, participant in enumerate(sorted(everyone, key=participant_order_key), 1):
            state = states.get(participant.attendance, participant.get_attendance_display())
            reason = _absence_reason(participant) if participant.attendance == Participant.Attendance.ABSENT_EXCUSED else ""
            rows.append(
                {
                    "index": index,
                    "name": nfc(participant.user.display_name),
                    "position": nfc(participant.user.position),
                    "role": participant.get_role_display(),
                    "attendance": f"{state}: {reason}" if reason else state,
                    "arrived": timezone.localtime(participant.arrived_at).strftime("%H:%M") if participant.arrived_at else "",
                }
            )
    return render_to_string(
        "minutes/attendance_sheet.html",
        {
            "meeting": facts.meeting,
            "rows": rows,
            "fonts": serif_font_css(),
            "w": w,
            "appendix": appendix_head(facts=facts, index=0),
        },
    )


def appendix_cover_html(*, facts: MinutesFacts, index: int, title: str, pages: int) -> str:
    """The sheet bound before a document appended as it was uploaded: the appendix's head, which the
    document's own first page has no room for, and what follows."""
    language = facts.minutes.language if facts.minutes.language in WORDS else "vi"
    w = WORDS[language]
    return render_to_string(
        "minutes/appendix_cover.html",
        {
            "meeting": facts.meeting,
            "title": nfc(title),
            "follows": w["document_follows"].format(pages=pages),
            "fonts": serif_font_css(),
            "w": w,
            "appendix": appendix_head(facts=facts, index=index),
        },
    )
