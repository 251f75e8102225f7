"""A vote in the room: the chair opens it, two tablets vote, the projector shows the result."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import (
    LAPTOP,
    LATER_QUESTION,
    NEW_MEETING,
    PROJECTOR,
    QUESTION,
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    DaphneServer,
    meeting_opened,
    open_page,
    start_meeting,
)
from tests.servers import manage

pytestmark = pytest.mark.browser


def vote(page: Page, meaning: str) -> None:
    ballot = page.locator("#ballot")
    expect(ballot).to_be_visible()
    expect(ballot.locator("h2")).to_have_text(QUESTION)
    ballot.locator(f".choice.meaning-{meaning}").click()
    # One tap chooses; the ballot is sent only after the confirmation.
    expect(ballot.locator(".ballot-confirm")).to_be_visible()
    ballot.locator("[data-action=confirm]").click()
    expect(ballot.locator(".ballot-card.voted")).to_be_visible()
    # Said back in words (a recorded vote; a secret one is not shown to a neighbour's glance).
    expect(ballot.locator(".voted-choice")).to_have_text(re.compile(r"^Bạn đã chọn: "))


def vote_offline(page: Page, context: BrowserContext) -> None:
    """The tablet loses its network and votes "yes": the card says the ballot waits on the tablet."""
    context.set_offline(True)
    expect(page.locator("#connection")).not_to_have_attribute("data-state", "online")
    page.locator("#ballot .choice.meaning-yes").click()
    page.locator("#ballot [data-action=confirm]").click()
    expect(page.locator("#ballot .ballot-card.sending")).to_contain_text("Chưa có mạng: phiếu của bạn được giữ trên máy")


def test_two_tablets_vote_and_the_projector_shows_the_result(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    meeting_id = int(manage(daphne_server.env, "shell", "-c", NEW_MEETING).strip().splitlines()[-1])
    password = daphne_server.demo["password"]
    room = f"/meetings/{meeting_id}/live/"
    chair = open_page(new_context(LAPTOP, touch=False), "chutoa", password, room)
    secretary = open_page(new_context(LAPTOP, touch=False), "thuky", password, room)
    first = open_page(new_context(TABLET_LANDSCAPE), "daibieu01", password, room)
    second = open_page(new_context(TABLET_PORTRAIT), "daibieu02", password, room)
    # The first delegate also has the room open on a laptop.
    first_elsewhere = open_page(new_context(LAPTOP, touch=False), "daibieu01", password, room)
    projector = open_page(new_context(PROJECTOR, touch=False), "thuky", password, f"/meetings/{meeting_id}/projector/")
    for page in (chair, secretary, first, second, first_elsewhere):
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")

    start_meeting(chair)
    expect(first.locator("#meeting-state")).to_have_text("Đang họp")
    # The vote for the item under discussion is in sight; the one for a later item is folded away.
    expect(chair.locator(f".poll:has-text('{QUESTION}') [data-action=open-poll]")).to_be_visible()
    later = chair.locator("details.polls-later")
    expect(later.locator("summary")).to_have_text("Nội dung biểu quyết khác (1)")
    expect(later.locator(".poll-question")).to_be_hidden()
    later.locator("summary").click()
    expect(later.locator(".poll-question")).to_have_text(LATER_QUESTION)
    # Both delegates check in from their tablets (the button is in the head, above the document,
    # where someone arriving looks first); the chair and the secretary are present from the moment it opened.
    checkin_bottom, viewer_top = second.evaluate(
        "() => [document.getElementById('checkin').getBoundingClientRect().bottom,"
        " document.getElementById('viewer').getBoundingClientRect().top]"
    )
    assert 0 < checkin_bottom <= viewer_top
    first.click("#checkin")
    expect(first.locator("#notice")).to_contain_text("Đã điểm danh")
    expect(secretary.locator("#attendance select[aria-label$='Nguyễn Văn Thành']")).to_have_value("present")
    expect(chair.locator("#checkin")).to_be_hidden()
    expect(chair.locator("#quorum")).to_have_class("quorum met")
    # What the secretary reads out at the opening (checking in as the meeting opens is on time); the delegates do not see it.
    expect(secretary.locator("#attendance-tally")).to_have_text("Có mặt: 3 · Chưa điểm danh: 1")
    expect(first.locator("#attendance-tally")).to_be_hidden()

    # The chair opens the prepared vote; a ballot appears on every tablet of a member who is present.
    chair.locator(f".poll:has-text('{QUESTION}') [data-action=open-poll]").click()
    expect(projector.locator("#proj-poll")).to_contain_text(QUESTION)
    # The chair's keyboard waits on "Close the vote" while ballots redraw the list.
    chair.locator("[data-action=close-poll]").focus()
    vote(first, "yes")
    expect(first.locator("#ballot [data-action=ballot-close-poll]")).to_have_count(0)
    # Their laptop stops offering the ballot they have cast (it cannot say the choice: only the tablet knows it).
    expect(first_elsewhere.locator("#ballot .ballot-card.voted")).to_be_visible()
    expect(first_elsewhere.locator("#ballot .choice")).to_have_count(0)
    first_elsewhere.close()
    # The second delegate has not checked in: the vote says why there is no ballot, and checking in brings it.
    expect(second.locator("#ballot")).to_be_hidden()
    expect(second.locator(".not-checked-in")).to_contain_text("chưa điểm danh")
    second.locator(".poll-open button", has_text="Điểm danh").click()
    vote(second, "no")
    expect(projector.locator("#proj-poll .progress-text")).to_contain_text("2")
    expect(chair.locator("li.poll-open .progress-text")).to_contain_text("2")
    assert chair.evaluate("() => document.activeElement.dataset.action") == "close-poll"
    # Without a tally: nothing says how anyone voted while the vote is open.
    expect(projector.locator("#proj-poll .result")).to_have_count(0)
    expect(secretary.locator(".not-voted")).to_contain_text("Nguyễn Văn Thành")

    # The chair votes too, then closes the vote.
    # The chair's own ballot does not cover the console: it waits behind "Vote now" in the vote's card.
    expect(chair.locator("#ballot")).to_be_hidden()
    chair.locator("li.poll-open [data-action=show-ballot]").click()
    vote(chair, "yes")
    # Everyone present has voted: the vote closes without a question, from the chair's own ballot.
    expect(chair.locator("li.poll-open .progress-text")).to_have_text("Đã biểu quyết: 3/3")
    chair.locator("#ballot [data-action=ballot-close-poll]").click()

    result = projector.locator("#proj-poll .result")
    expect(result).to_be_visible()
    expect(result.locator(".verdict")).to_have_text("THÔNG QUA")
    expect(result.locator(".result-row.meaning-yes .result-count")).to_have_text("2 · 66,67 %")
    expect(result.locator(".result-row.meaning-no .result-count")).to_have_text("1 · 33,33 %")
    for page in (first, second):
        expect(page.locator("#poll-result .verdict")).to_have_text("THÔNG QUA")
    # An open vote names who voted what.
    expect(second.locator("#poll-result .result-named")).to_contain_text("Lê Thị Minh Nguyệt")

    # The chair, having read it, puts the result aside with Escape.
    expect(chair.locator("#poll-result")).to_be_visible()
    chair.keyboard.press("Escape")
    expect(chair.locator("#poll-result")).to_be_hidden()

    # Read out, the result comes off the room's screen when the secretary clears it.
    secretary.locator("#poll-result [data-action=hide-result]").click()
    secretary.click("#projector-clear")
    expect(projector.locator("#proj-poll")).to_be_hidden()
    expect(secretary.locator("#notice")).to_contain_text("Đã gỡ thông báo và kết quả biểu quyết khỏi màn chiếu")
    # The tablets put it away with the room's screen.
    expect(first.locator("#poll-result")).to_be_hidden()

    # The second delegate's tablet, reloaded, knows it has voted and shows the result in the list.
    second.reload()
    expect(second.locator(f".poll:has-text('{QUESTION}') .verdict")).to_have_text("THÔNG QUA")
    expect(second.locator("#polls")).not_to_contain_text("null")  # nothing folded away on a delegate's list, and no trace of it
    expect(second.locator("#ballot")).to_be_hidden()

    # The chair puts a question to the vote on the spot: one step, and the ballots are out.
    on_the_spot = "Đồng ý kéo dài thời gian thảo luận thêm 15 phút?"
    chair.fill("#poll-create input[name=question]", on_the_spot)
    chair.click("#poll-create button[type=submit]")
    expect(first.locator("#ballot h2")).to_have_text(on_the_spot)
    expect(projector.locator("#proj-poll h2")).to_have_text(on_the_spot)


def test_chair_is_asked_before_closing_a_vote_someone_present_has_not_voted_in(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    chair, delegate, _tablet = meeting_opened(daphne_server, new_context)
    meeting_id = int(chair.url.rstrip("/").split("/")[-2])
    password = daphne_server.demo["password"]
    # The second delegate sends word from the meeting page that they cannot come: the chair sees why, the room does not.
    away = open_page(new_context(TABLET_PORTRAIT), "daibieu02", password, f"/meetings/{meeting_id}/")
    away.click("#my-attendance > summary")
    away.fill("#absence-reason", "Đi công tác tại Hà Nội")
    away.click("#my-attendance button[type=submit]")
    expect(away.locator(".message-success")).to_contain_text("Đã báo vắng")
    expect(chair.locator("#attendance .absence-reason")).to_have_text("Lý do: Đi công tác tại Hà Nội")
    expect(chair.locator("#attendance-tally")).to_contain_text("Vắng có lý do: 1")
    expect(delegate.locator("#attendance li", has_text="Phạm Quốc Cường")).to_contain_text("Vắng có lý do")
    expect(delegate.locator("#attendance .absence-reason")).to_have_count(0)
    chair.locator(f".poll:has-text('{QUESTION}') [data-action=open-poll]").click()
    expect(chair.locator("li.poll-open [data-action=show-ballot]")).to_be_visible()
    # Ending the meeting now is refused before it is asked for, not after the chair has said yes.
    said: list[str] = []
    chair.once("dialog", lambda dialog: (said.append(dialog.message), dialog.accept()))
    chair.click("[data-command='meeting.end']")
    expect(chair.locator("#meeting-state")).to_have_text("Đang họp")
    assert said == ["Đang có biểu quyết chưa kết thúc. Hãy kết thúc (hoặc hủy) biểu quyết đó trước, rồi mới kết thúc cuộc họp."]
    # The ballot takes the keyboard's focus when it opens, keeps Tab inside, and Escape puts it aside.
    expect(delegate.locator("#ballot-question")).to_be_focused()
    for _ in range(8):
        delegate.keyboard.press("Tab")
        assert delegate.evaluate("document.getElementById('ballot').contains(document.activeElement)")
    delegate.keyboard.press("Escape")
    expect(delegate.locator("#ballot")).to_be_hidden()
    delegate.locator("li.poll-open [data-action=show-ballot]").click()
    asked: list[str] = []
    answers = [False, True]

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    chair.on("dialog", answer)

    # A slip of the finger: the chair says no, and the vote stays open for everyone.
    chair.locator("[data-action=close-poll]").click()
    assert len(asked) == 1
    assert asked[0].startswith("Còn 2 trong số 2 phiếu chưa được bỏ.")
    expect(chair.locator("li.poll-open")).to_have_count(1)
    vote(delegate, "yes")

    # One still has not voted; the chair closes all the same.
    expect(chair.locator("li.poll-open .progress-text")).to_have_text("Đã biểu quyết: 1/2")
    chair.locator("[data-action=close-poll]").click()
    expect(delegate.locator("#poll-result .verdict")).to_be_visible()
    assert asked[1].startswith("Còn 1 trong số 2 phiếu chưa được bỏ.")


def test_marking_someone_absent_with_leave_in_the_room_asks_why(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    chair, _delegate, _tablet = meeting_opened(daphne_server, new_context)
    select = chair.locator("#attendance select[aria-label$='Phạm Quốc Cường']")
    asked: list[str] = []

    # Cancelled, nothing is marked.
    chair.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    select.select_option("absent_excused")
    expect(select).to_have_value("unknown")
    assert asked == ["Lý do vắng của Phạm Quốc Cường? Biên bản sẽ ghi lý do này. Có thể để trống và bổ sung sau."]

    chair.once("dialog", lambda dialog: dialog.accept("Đi công tác tại Hà Nội"))
    select.select_option("absent_excused")
    expect(chair.locator("#attendance .absence-reason")).to_have_text("Lý do: Đi công tác tại Hà Nội")
    expect(select).to_have_value("absent_excused")
    # Put right later, from beside it.
    chair.once("dialog", lambda dialog: dialog.accept("Đi công tác tại Hà Nội theo Giấy triệu tập 215/GTT"))
    chair.locator("#attendance .reason-edit").click()
    expect(chair.locator("#attendance .absence-reason")).to_have_text("Lý do: Đi công tác tại Hà Nội theo Giấy triệu tập 215/GTT")


def test_a_tablet_offline_when_the_vote_closes_shows_the_result_on_its_return(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    chair, away, away_context = meeting_opened(daphne_server, new_context, tablet=TABLET_PORTRAIT)
    chair.locator(f".poll:has-text('{QUESTION}') [data-action=open-poll]").click()
    expect(away.locator("#ballot")).to_be_visible()

    # Voting without a network: the card says the ballot waits on the tablet.
    vote_offline(away, away_context)
    chair.on("dialog", lambda dialog: dialog.accept())
    chair.locator("[data-action=close-poll]").click()
    expect(chair.locator("#poll-result .verdict")).to_be_visible()
    away_context.set_offline(False)

    # The close came back in the reconnection's snapshot, not as an event: the result is shown all the same,
    # and says the ballot held on the tablet came too late.
    expect(away.locator("#connection")).to_have_attribute("data-state", "online")
    expect(away.locator("#poll-result .verdict")).to_have_text("KHÔNG THÔNG QUA")
    expect(away.locator("#poll-result .ballot-missed")).to_contain_text("Phiếu của bạn chưa được ghi nhận")
    expect(away.locator("#ballot")).to_be_hidden()


def test_a_ballot_sent_offline_and_counted_after_a_reload_is_not_offered_again(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    chair, away, away_context = meeting_opened(daphne_server, new_context, tablet=TABLET_PORTRAIT)
    room = away.url
    # Secret: no progress event names the voter, so only the ballot's own answer can tell the tablet.
    secret = f"from voting.models import Poll; Poll.objects.filter(question={QUESTION!r}).update(secret=True)"
    manage(daphne_server.env, "shell", "-c", secret)
    chair.locator(f".poll:has-text('{QUESTION}') [data-action=open-poll]").click()
    expect(away.locator("#ballot")).to_be_visible()
    vote_offline(away, away_context)
    with contextlib.suppress(PlaywrightError):
        away.reload()  # the browser's own "no network" page

    # Loaded again once the network is back, the page sends the ballot the last one kept, and learns from
    # its answer that it was counted.
    away_context.set_offline(False)
    away.goto(room)
    expect(away.locator("#ballot .ballot-card.voted")).to_be_visible()
    expect(chair.locator("li.poll-open .progress-text")).to_have_text("Đã biểu quyết: 1/2")


def test_secretary_prepares_polls_on_a_tablet_and_sees_a_mistake_below_the_list(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    meeting_id = int(manage(daphne_server.env, "shell", "-c", NEW_MEETING).strip().splitlines()[-1])
    secretary = open_page(new_context(TABLET_LANDSCAPE), "thuky", daphne_server.demo["password"], f"/meetings/{meeting_id}/polls/")
    form = secretary.locator("form:has(input[name=question])")
    for number in range(1, 5):
        form.locator("input[name=question]").fill(f"Thông qua nội dung số {number}")
        form.locator("button[type=submit]").click()
        expect(secretary.locator(".message-success")).to_contain_text(f"nội dung số {number}")
        # The page opens on the list of prepared polls, not scrolled down to the empty form.
        assert secretary.evaluate("() => scrollY") == 0
    expect(secretary.locator(".poll-admin")).to_contain_text("Thông qua nội dung số 4")

    # Named options with only one option: the service refuses, and the error is brought into sight.
    form.locator("input[name=question]").fill("Chọn đơn vị thí điểm")
    form.locator("select[name=kind]").select_option("options")
    form.locator("textarea[name=options]").fill("Phường Vũng Tàu")
    form.locator("button[type=submit]").click()
    error = secretary.locator("form .errorlist")
    expect(error).to_contain_text("ít nhất hai phương án")
    expect(error).to_be_in_viewport()
    expect(secretary.locator(".message-success")).to_have_count(0)


def test_the_chair_cancels_a_vote_only_with_the_dialogs_own_button(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    chair, delegate, _tablet = meeting_opened(daphne_server, new_context)
    chair.locator(f".poll:has-text('{QUESTION}') [data-action=open-poll]").click()
    expect(delegate.locator("#ballot")).to_be_visible()

    # Having second thoughts, the chair goes back: the vote stays open.
    dialog = chair.locator("#annul-dialog")
    chair.locator("[data-action=annul-poll]").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("Hủy cuộc biểu quyết")
    dialog.locator("textarea").fill("Nhầm nội dung")
    dialog.locator("button[value=back]").click()
    expect(dialog).to_be_hidden()
    # A command's round trip after it: had "Go back" sent the cancellation, its event would be in by now.
    assert chair.evaluate("() => window.liveRoom.connection.command('notice.send', {text: 'Tiếp tục biểu quyết'})")["type"] == "ack"
    expect(chair.locator("li.poll-open")).to_have_count(1)
    expect(delegate.locator("#ballot")).to_be_visible()

    # Without a reason nothing goes; with one, every screen says the vote was called off, not that a result was.
    chair.locator("[data-action=annul-poll]").click()
    dialog.locator("[data-action=annul-confirm]").click()
    expect(dialog).to_be_visible()
    dialog.locator("textarea").fill("Nhầm nội dung câu hỏi")
    dialog.locator("[data-action=annul-confirm]").click()
    expect(dialog).to_be_hidden()
    result = delegate.locator("#poll-result")
    expect(result.locator(".ballot-kicker")).to_have_text("Đã hủy biểu quyết")
    expect(result.locator(".verdict")).to_contain_text("Nhầm nội dung câu hỏi")
    # The same question is prepared again, as the box was left ticked.
    expect(chair.locator("li.poll-draft", has_text=QUESTION)).to_have_count(1)


def test_written_opinions_closed_during_the_meeting_do_not_take_over_the_room(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    chair, delegate, _tablet = meeting_opened(daphne_server, new_context)
    meeting_id = int(re.search(r"/meetings/(\d+)/live/", chair.url).group(1))
    asked = f"""
import datetime
from django.utils import timezone
from meetings.models import Meeting, User
from voting.services.ballots import poll_open
from voting.services.polls import poll_create
secretary, meeting = User.objects.get(username="thuky"), Meeting.objects.get(pk={meeting_id})
poll = poll_create(actor=secretary, meeting=meeting, question="Góp ý dự thảo Quy chế làm việc", mode="written")
poll_open(actor=secretary, meeting=meeting, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=1))
"""
    manage(daphne_server.env, "shell", "-c", asked)
    seen = delegate.evaluate("() => window.liveRoom.connection.seq")
    secretary = open_page(new_context(LAPTOP, touch=False), "thuky", daphne_server.demo["password"], f"/meetings/{meeting_id}/polls/")

    secretary.once("dialog", lambda dialog: dialog.accept())
    secretary.locator("form[action$='/close/'] button").click()
    expect(secretary.locator(".message-success")).to_contain_text("Góp ý dự thảo Quy chế làm việc")

    # The close reached the room (its number), and the room carried on: no result over the tablets.
    delegate.wait_for_function(f"() => window.liveRoom.connection.seq > {seen}")
    chair.wait_for_function(f"() => window.liveRoom.connection.seq > {seen}")
    for page in (delegate, chair):
        expect(page.locator("#poll-result")).to_be_hidden()
