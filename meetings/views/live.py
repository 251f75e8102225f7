from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from meetings.models import DocumentVersion, Meeting, Participant
from meetings.permissions import user_runs_meeting
from meetings.rendering import PAGE_WIDTHS, page_image
from meetings.selectors.documents import document_get_for_user
from meetings.selectors.meetings import meeting_get_for_user
from static_files import client_build
from voting.models import YES_NO_LABELS, Poll

PLACEHOLDER = """<svg xmlns="http://www.w3.org/2000/svg" width="800" height="1131" viewBox="0 0 800 1131">
<rect width="800" height="1131" fill="#f4f4f4"/><text x="400" y="560" font-family="sans-serif" font-size="28"
text-anchor="middle" fill="#777">{message}</text></svg>"""


def _live_config(request: HttpRequest, meeting_id: int) -> dict:
    page_url = reverse("page_image", args=[meeting_id, 0, 0, 0, 0]).replace("/0/versions/0/pages/0/0.webp", "")
    return {
        "meetingId": meeting_id,
        "socketPath": f"/ws/meetings/{meeting_id}/",
        "pagePrefix": page_url,
        "pageWidths": PAGE_WIDTHS,
        "documentsPrefix": f"/meetings/{meeting_id}/documents/",
        "absencesUrl": reverse("meeting_absences", args=[meeting_id]),
        "minutesUrl": reverse("minutes", args=[meeting_id]),
        "userId": request.user.pk,
        "heartbeatSeconds": settings.REALTIME_HEARTBEAT_SECONDS,
        "build": client_build(),
        # Clocks on every screen show the meeting's time, whatever the device is set to.
        "timeZone": settings.TIME_ZONE,
    }


def live_strings() -> dict:
    """What the live screens say, in the user's language (the scripts have no catalogue of their own)."""
    return {
        "connection": {
            "connecting": _("Connecting…"),
            "online": _("Connected"),
            "offline": _("Connection lost, reconnecting… What you do meanwhile is sent when the network is back."),
            "reconnecting": _("Connection lost, reconnecting… What you do meanwhile is sent when the network is back."),
            "logged-out": _("You have been logged out. Log in again to rejoin the meeting."),
            "gone": _("This meeting is no longer available to you."),
            # The projector is not operated: it says only that what it shows may be out of date.
            "screen_lost": _("Connection lost, reconnecting… This screen may not show the latest."),
        },
        "queued": _("(%(count)s waiting to be sent)"),
        "absence_reason_add": _("Give the reason"),
        "proxy_given_to": _("Proxy given to %(name)s"),
        "proxy_held_for": _("Holds the proxy of %(name)s"),
        "absence_reason_change": _("Change the reason"),
        "absence_reason_prompt": _("Why is %(name)s absent? The minutes give the reason. It may be left empty and added later."),
        "states": dict(Meeting.State.choices),
        "roles": dict(Participant.Role.choices),
        "attendance": dict(Participant.Attendance.choices),
        "absence_reason": _("Reason"),
        "page_of": _("Page %(page)s / %(count)s"),
        "now_discussing": _("Now discussing"),
        "recess": {
            "title": _("Break"),
            "until": _("the meeting goes on at %(time)s"),
            "left": _("%(time)s left"),
            "over": _("%(minutes)s min past the time set"),
            "back": _("Please take your seats: the meeting goes on"),
            "length": pgettext("length of a break", "%(minutes)s min"),
            "after": _("After the break, the meeting goes on with"),
            "chair_note": _("Give the floor, move to another item and open votes once you resume the meeting."),
            "projector_note": _("The projector shows the break; the page presented comes back on it when the meeting resumes."),
            "speech_paused": _("Your speech stops for the break. You are first in the queue to go on when the meeting resumes."),
        },
        "loading_page": _("Loading the page…"),
        "choose_document": _("— Choose a document —"),
        "confidential": _("confidential"),
        "nothing_presented": _("Nothing is being presented. Choose a document to read it on your own."),
        "confidential_not_for_you": _("A confidential document is being presented that you are not allowed to see."),
        "confidential_not_projected": _(
            "A confidential document is being presented: it is not shown on this screen, only on the tablets of those allowed to read it."
        ),
        "confidential_presented": _(
            "Confidential document: only those allowed to read it see it on their tablets; the projector does not show it."
        ),
        "make_current": _("Make this the current item"),
        "give_floor": _("Give the floor"),
        "dismiss": _("Take off the queue"),
        "speaks_again": _("turn %(number)s on this item"),
        "speaks_on": _("goes on after the break"),
        "speaks_about": _("about: %(topic)s"),
        "topic_sent": _("The queue shows what you will speak about."),
        "topic_cleared": _("The queue no longer shows a topic for you."),
        "edit_topic": _("Change"),
        "speaking_time": _("Each turn: up to %(minutes)s min."),
        "speaking_time_label": _("Each turn"),
        "minutes_short": pgettext("speaking time", "%(minutes)s min"),
        "speaks_again_title": _("Has already spoken on this item: %(count)s time(s)"),
        "cut_off_confirm": _("%(speaking)s is still speaking. End their turn and give the floor to %(name)s?"),
        "dismiss_confirm": _("Take %(name)s off the speakers' queue? They lose their place and can ask to speak again."),
        "dismissed_you": _("The chair has taken your request to speak off the queue. You can ask again."),
        "checked_in": _("Checked in: you are on the attendance list."),
        "checkin_cancels_absence": _(
            "You sent word that you cannot attend. Checking in takes that back and lists you as present. Check in?"
        ),
        "your_turn": _("You have the floor: please speak."),
        # Said before asking to end, as the server would refuse it after.
        "end_vote_open": _("A vote is still open. Close it (or cancel it) first, then end the meeting."),
        "end_confirm": _(
            "End the meeting? It cannot be reopened: whoever is speaking stops, the speakers' queue is cleared, "
            "and the minutes are then compiled from what was recorded."
        ),
        "last_item": _("This is the last item on the agenda."),
        "forecast": {
            "pace": _("At the planned pace: about %(left)s to go, ending at %(time)s (called to end at %(called)s)"),
            "late": _("%(late)s later than called"),
            "minutes": pgettext("duration", "%(minutes)s min"),
            "hours": pgettext("duration", "%(hours)s h"),
            "hours_minutes": pgettext("duration", "%(hours)s h %(minutes)s min"),
        },
        "start_confirm": _("Start the meeting now? Every tablet and the projector show it in progress; it cannot be undone."),
        "start_early": _("The meeting is called for %(when)s, not now."),
        "projector_cleared": _("The notice and the vote result are off the room's screen."),
        "notice_sent": _("Sent: every screen in the room shows it."),
        "end_not_reached": _("Items never taken up: %(items)s."),
        "end_not_opened": _("Prepared votes never opened: %(count)s."),
        "move_confirm": _("Move the whole room to item %(number)s. %(title)s? Every tablet and the projector follow."),
        "queue_place": _("You are number %(place)s waiting to speak"),
        "not_marked_present": _("not marked present"),
        "hand_over": _("Let %(name)s present"),
        "take_back": _("Take presenting back from %(name)s"),
        "handed_to_you": _(
            "The chair has let you present. Choose the document and tap “Present this page”: every screen then turns with you."
        ),
        "taken_back_from_you": _("The chair has taken presenting back."),
        "quorum_met": _("Quorum: %(present)s of %(voting)s voting members present (%(needed)s needed)."),
        "quorum_not_met": _("No quorum: %(present)s of %(voting)s voting members present, %(needed)s needed."),
        "online": _("connected now"),
        "offline": _("not connected"),
        "attendance_of": _("Attendance of"),
        "to_attendance": _("Take attendance: %(count)s not yet marked ↓"),
        "home": _("Your meetings"),
        "role_now": _("Your role in this meeting is now: %(role)s."),
        "panes": {
            "waiting": _("Waiting to speak: %(count)s"),
            "open_votes": _("Votes open: %(count)s"),
        },
        "speaking": _("Speaking"),
        "next_speakers": _("Waiting to speak (%(count)s)"),
        "idle": _("Please wait: the meeting will begin shortly."),
        "ended": _("The meeting has ended."),
        "following": _("Following the presenter"),
        "back_to_page": _("Back to the presented page (page %(page)s)"),
        "back_to_document": _("Back to the presented document (%(title)s, page %(page)s)"),
        "following_stale": _("Offline: the presenter may have turned the page since"),
        "not_started": _("Not started yet"),
        "starts_at": _(
            "The meeting has not started yet: it is called for %(time)s on %(date)s. The documents are here to read beforehand."
        ),
        "ended_at": _("The meeting ended at %(time)s. Your documents and notes stay here to read."),
        "whole_meeting_documents": _("Documents for the whole meeting"),
        "annotate": {
            "shared": _("shared"),
            "private": _("seen by you only"),
            "not_yours": _("This annotation is someone else's; only its author can erase it."),
            "note_text": _("Text of the note"),
            "save_note": _("Add the note"),
            "cancel": _("Cancel"),
            "now_shared": _("Annotation shared with everyone who reads this document."),
            "now_private": _("Annotation now visible to you only."),
            "withhold_confirm": _("Take this annotation by %(name)s off everyone's screen? Its author keeps it, visible to them only."),
            "withheld_done": _("The annotation is off everyone's screen; its author still has it."),
            "withheld": _("The chair has taken this annotation off the shared view; it stays visible to you only."),
            "share": _("Share with everyone"),
            "seen_by_everyone": _("seen by everyone who may read this document, guests included"),
            "make_private": _("Only for me"),
            "withhold": _("Take off everyone's screen"),
            "close": _("Close"),
            "old_version": _("You are reading version %(number)s, which has since been replaced."),
            "open_current": _("Open the current version"),
            "on_version": _("You have %(count)s annotations on version %(number)s of this document; they stay there."),
            "open_version": _("Open version %(number)s"),
        },
        "search": {
            "page": _("Page %(page)s"),
            "nothing": _("“%(query)s” was not found in this document."),
            "offline": _("Search needs the network. Try again when the connection is back."),
            "failed": _("The search could not be done just now. Try again in a moment."),
        },
        "poll": {
            "states": dict(Poll.State.choices),
            "secret": _("secret"),
            "revote": _("vote again"),
            "open_other_item": _("This vote was prepared for item %(number)s, not the one under discussion. Open it now?"),
            "secret_ballot": _("Secret ballot"),
            "open_ballot": _("Recorded vote: your name is kept with your choice"),
            "choose_up_to": _("Choose up to %(count)s."),
            "your_ballot": _("Your ballot"),
            "proxy_ballot": _("Ballot of %(name)s (by proxy)"),
            "sending": _("Sending your ballot…"),
            "sending_offline": _("No network: your ballot is kept on this tablet and sent as soon as the network is back."),
            "ballot_missed": _(
                "Your ballot was not counted: the vote closed before it reached the server. Tell the secretary if you had voted."
            ),
            "voted": _("Your ballot has been recorded."),
            "proxy_voted": _("The ballot of %(name)s has been recorded."),
            "you_chose": _("You chose: %(choice)s"),
            "voted_can_change": _("recorded; you may change it until the vote closes"),
            "confirm": _("You chose: %(choice)s. Send this ballot? It cannot be changed afterwards."),
            "send": _("Send ballot"),
            "change": _("Choose again"),
            "hide": _("Close"),
            "later": _("Later"),
            "vote_now": _("Vote now"),
            "check_in_to_vote": _("You have not checked in, so you have no ballot yet. Check in to vote."),
            "ask_secretary_to_vote": _("You are not marked present, so you have no ballot yet. Ask the secretary to mark you present."),
            "check_in": _("Check in: I am here"),
            "progress": _("%(voted)s of %(eligible)s have voted"),
            "open": _("Open the vote"),
            "close": _("Close the vote"),
            "close_early": _("%(waiting)s of %(eligible)s have not voted yet. Close the vote now? No ballot can be cast after it closes."),
            "annul": _("Annul"),
            # On a vote still open, where there is no result yet to annul.
            "annul_open": _("Cancel this vote"),
            "annulled_because": _("Annulled: %(reason)s"),
            "cancelled_because": _("The vote was cancelled before it closed: %(reason)s"),
            "cancelled": _("Vote cancelled"),
            "reason_needed": _("Write the reason: it is kept on record."),
            "others": _("Other votes (%(count)s)"),
            "kept_prepared": _("The question is kept in the list of votes: open it from there when it can be put."),
            # Beside a vote's question: the agenda item it belongs to.
            "of_item": _("Item %(number)s"),
            "not_voted": _("Not voted yet"),
            "all_voted": _("Everyone present has voted."),
            "result_of": _("Result of the vote"),
            "passed": _("PASSED"),
            "not_passed": _("NOT PASSED"),
            "no_quorum": _("NOT PASSED: there was no quorum"),
            "base": _("Needed (%(rule)s): at least %(needed)s of %(base)s."),
            "ballots_one": ngettext("%(count)s ballot cast.", "%(count)s ballots cast.", 1),
            "ballots_other": ngettext("%(count)s ballot cast.", "%(count)s ballots cast.", 2),
            # The rule and the choices in the reader's language: events carry the poll's stored words.
            "majorities": {value: str(label) for value, label in Poll.Majority.choices},
            "meanings": {str(meaning): str(label) for meaning, label in YES_NO_LABELS.items()},
            "named_list": _("Who voted what (%(count)s)"),
            "by_proxy": _("by proxy: %(name)s"),
            "proxy_held_by": _("proxy held by %(name)s"),
            "not_voted_names": _("Did not vote: %(names)s"),
            # After the ballots cast: the weight of those present who could have voted and did not.
            "not_voted_count": _("Did not vote: %(count)s."),
        },
        "minutes": {
            "general": _("— The meeting as a whole —"),
            "typing": _("Typing…"),
            "saving": _("Saving…"),
            "saved_by": _("Saved (%(name)s, %(time)s)"),
            "time_used": _("Time used: %(used)s of %(allotted)s minutes"),
            "presenter": _("Presented by"),
            "replaced": _("%(writer)s's later edit replaced the text %(previous)s had written. That text is kept here:"),
            "someone": _("someone"),
            "write_conclusion": _("Write the conclusion first."),
            # The chair's conclusion is a draft of theirs until announced: nothing of it is saved before.
            "chair_draft": _("Your draft: it goes into the minutes when you announce it."),
            "conclusion_conflict": _(
                "%(writer)s has meanwhile written this conclusion:\n\n%(text)s\n\n"
                "OK announces yours in its place. Cancel shows theirs in the box, and keeps yours below it."
            ),
            "your_draft": _("Your draft, not announced:"),
            "locked": {
                "circulated": _(
                    "The minutes have gone round for remarks, so they are not edited here. To edit them, take them back to draft "
                    "on the minutes page."
                ),
                "approved": _("The minutes have been approved: they can no longer be edited."),
            },
            "open_minutes_page": _("Open the minutes page"),
            "announced": _("The conclusion has been announced on every screen."),
            "conclusion_of": _("Conclusion"),
            "general_conclusion": _("The chair's conclusion of the meeting"),
            "announce": _("Announce the conclusion"),
            "announce_general": _("Announce the meeting's conclusion"),
            "general_announced": _("The chair has announced the conclusion of the meeting: read it at the end of the agenda."),
            "note_speaker": _("+ Write down: %(name)s"),
            "speaker_line": _("- %(name)s, %(position)s, said: "),
            "speaker_line_no_position": _("- %(name)s said: "),
            "speaker_line_topic": _("- %(name)s, %(position)s, spoke on “%(topic)s”: "),
            "speaker_line_topic_no_position": _("- %(name)s spoke on “%(topic)s”: "),
        },
    }


def _cancelled(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """A cancelled meeting has no room: its page says why, and keeps its papers."""
    messages.info(request, _("This meeting was cancelled: it has no meeting room. Its page says why."))
    return redirect(meeting)


@login_required
def live_room(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if meeting.state == Meeting.State.CANCELLED:
        return _cancelled(request, meeting)
    context = {
        "meeting": meeting,
        "config": _live_config(request, meeting_id),
        "strings": live_strings(),
        "majorities": Poll.Majority.choices,
        # The projector is set up by whoever runs the meeting; a delegate's tablet has no use for it.
        "runs_meeting": user_runs_meeting(user=request.user, meeting=meeting),
        "annotation_colours": [
            ("#d32f2f", _("Red")),
            ("#1565c0", _("Blue")),
            ("#2e7d32", _("Green")),
            ("#f9a825", _("Yellow")),
            ("#212121", _("Black")),
        ],
    }
    return render(request, "meetings/live.html", context)


@login_required
def projector(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if meeting.state == Meeting.State.CANCELLED:
        return _cancelled(request, meeting)
    context = {"meeting": meeting, "config": _live_config(request, meeting_id), "strings": live_strings()}
    return render(request, "meetings/projector.html", context)


@login_required
def page_image_view(request: HttpRequest, meeting_id: int, document_id: int, version_id: int, page: int, width: int) -> HttpResponse:
    """A page as an image. The URL names the exact version, so the response never changes."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    document = document_get_for_user(user=request.user, meeting=meeting, document_id=document_id)
    version = DocumentVersion.objects.filter(document=document, pk=version_id).first()
    if version is None or width not in PAGE_WIDTHS or not 1 <= page <= version.page_count:
        raise Http404
    etag = f'"{version.sha256[:16]}-{page}-{width}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    path = page_image(version=version, page=page, width=width)
    if path is None:
        message = _("This page cannot be shown. Open the PDF instead.")
        response = HttpResponse(PLACEHOLDER.format(message=message), content_type="image/svg+xml")
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(path.open("rb"), content_type="image/webp")
    response["ETag"] = etag
    # A confidential page is fetched again each time rather than left in a shared tablet's cache.
    response["Cache-Control"] = "private, no-store" if document.confidential else "private, max-age=31536000, immutable"
    return response
