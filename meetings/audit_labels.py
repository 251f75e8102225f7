"""What each audit action means, in words an inspector reads (the log stores stable codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

AUDIT_ACTION_LABELS = {
    "meeting.create": _("Meeting created"),
    "meeting.update": _("Meeting details changed"),
    "meeting.publish": _("Meeting published to participants"),
    "meeting.notice_sent": _("Participants notified of changes"),
    "meeting.cancel": _("Meeting cancelled, participants told why"),
    "meeting.delete": _("Meeting deleted"),
    "meeting.start": _("Meeting started"),
    "meeting.end": _("Meeting ended"),
    "meeting.recess": _("Break called"),
    "meeting.resume": _("Meeting resumed after the break"),
    "participant.invite": _("Participant invited"),
    "participant.update": _("Participant's role or vote changed"),
    "participant.remove": _("Participant removed"),
    "user.create_guest": _("Guest account created"),
    "user.guest_password": _("Password made for a guest to hand over"),
    "agenda.create": _("Agenda item added"),
    "agenda.update": _("Agenda item changed"),
    "agenda.delete": _("Agenda item deleted"),
    "agenda.move": _("Agenda item moved"),
    "agenda.reorder": _("Agenda reordered"),
    "agenda.current": _("Room moved to an agenda item"),
    "document.upload": _("Document uploaded"),
    "document.version": _("New version of a document"),
    "document.update": _("Document details changed"),
    "document.delete": _("Document deleted"),
    "present.document": _("Document presented"),
    "present.handover": _("Presenting handed over or taken back"),
    "present.stop": _("Presenting stopped"),
    "projector.clear": _("Room's screen cleared"),
    "attendance.mark": _("Attendance marked"),
    "attendance.check_in": _("Checked in"),
    "attendance.absence_notice": _("Absence notified"),
    "attendance.absence_withdrawn": _("Notice of absence withdrawn"),
    "speaker.start": _("Floor given"),
    "speaker.end": _("Speech ended"),
    "speaker.extend": _("Speaking time extended"),
    "speaker.dismiss": _("Request to speak taken off the queue"),
    "speaker.allot": _("Speaking time per turn changed"),
    "notice.send": _("Notice sent to every screen"),
    "annotation.withhold": _("Annotations withheld"),
    "poll.create": _("Vote prepared"),
    "poll.update": _("Vote changed"),
    "poll.delete": _("Vote deleted"),
    "poll.open": _("Vote opened"),
    "poll.close": _("Vote closed"),
    "poll.annul": _("Vote annulled or cancelled"),
    "ballot.cast": _("Ballot cast"),
    "ballot.change": _("Ballot changed"),
    "proxy.give": _("Proxy given"),
    "proxy.revoke": _("Proxy revoked"),
    "minutes.edit": _("Minutes written after the meeting"),
    "minutes.conclusion": _("Conclusion announced"),
    "minutes.settings": _("Minutes settings changed"),
    "minutes.compile": _("Minutes compiled"),
    "minutes.circulate": _("Minutes circulated for remarks"),
    "minutes.back_to_draft": _("Minutes taken back to draft"),
    "minutes.remark": _("Remark on the minutes"),
    "minutes.remark_answer": _("Remark answered"),
    "minutes.assent": _("Agreed with the minutes"),
    # Shares its words with the meeting's state ("Đã duyệt biên bản"): named here as the act.
    "minutes.approve": pgettext_lazy("audit action", "Minutes approved"),
    "minutes.sign": _("Minutes signed"),
    "minutes.archive": _("Minutes archived"),
}

# The details' keys as an inspector reads them; numbers after "#" are the record's id.
AUDIT_DETAIL_LABELS = {
    "poll": _("vote #"),
    "participant": _("participant #"),
    "user": _("account #"),
    "voter": _("voter #"),
    "giver": _("proxy given by #"),
    "holder": _("proxy held by #"),
    "item": _("agenda item #"),
    "document": _("document #"),
    "repeat_of": _("repeats vote #"),
    "remark": _("remark #"),
    "role": _("role"),
    "status": _("attendance"),
    "title": _("title"),
    "question": _("question"),
    "reason": _("reason"),
    "why": _("why"),
    "minutes": _("minutes of time"),
    "seconds": _("seconds"),
    "version": _("version"),
    "pages": _("pages"),
    "secret": _("secret ballot"),
    "choices": _("choices #"),
    "outcome": _("outcome"),
    "text": _("text"),
    "username": _("user name"),
    "sequence": _("notice number"),
    "confidential": _("confidential"),
}
# Why a vote closed, or the minutes went back to draft.
AUDIT_WHY_LABELS = {
    "deadline": _("its time ran out"),
    "chair": _("closed by hand"),
    "all_voted": _("everyone had voted"),
    "compiled": _("a new version was compiled"),
}
# Too long for a line of the log (the agenda's layout, a vote's whole result): the record keeps them.
AUDIT_DETAILS_LEFT_OUT = ("layout", "result", "sha256", "fields", "chars_before", "on_start", "page", "direction", "field", "meeting_id")


def audit_details_text(data: dict[str, object]) -> str:
    """An audit event's details in words: "vote #4; question: …; secret ballot: yes"."""
    from meetings.models import Participant  # the models' labels; the models import this module

    # Each key's own words: "chair" is a role under "role" and a way a vote closed under "why".
    values_of = {"role": dict(Participant.Role.choices), "status": dict(Participant.Attendance.choices), "why": AUDIT_WHY_LABELS}
    parts = []
    for key, value in data.items():
        if key in AUDIT_DETAILS_LEFT_OUT or value in (None, "", []):
            continue
        label = str(AUDIT_DETAIL_LABELS.get(key, key))
        if isinstance(value, bool):
            shown = str(pgettext_lazy("audit detail", "yes") if value else pgettext_lazy("audit detail", "no"))
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(values_of.get(key, {}).get(value, value))
        parts.append(f"{label}{shown}" if label.endswith("#") else f"{label}: {shown}")
    return "; ".join(parts)
