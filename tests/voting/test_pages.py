"""The voting pages: the secretary prepares polls and runs written opinions; members answer and
give proxies from the meeting page; anyone who may see the meeting downloads the results."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from meetings.errors import WrongState
from meetings.models import Meeting, Participant, User
from meetings.services.meetings import meeting_cancel
from meetings.templatetags.paperwork import official_date
from tests.voting.helpers import close, street_names_poll, vote
from voting.export import poll_result_csv, poll_result_html
from voting.models import Ballot, Poll, Proxy, VoterMark
from voting.services.ballots import poll_open

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _written_poll(council: Meeting, secretary: User) -> Poll:
    page = logged_in(secretary)
    response = page.post(
        f"/meetings/{council.pk}/polls/",
        {
            "question": "Lấy ý kiến về dự thảo Quy chế làm việc",
            "mode": "written",
            "kind": "yes_no",
            "majority": "members",
            "max_choices": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    poll = Poll.objects.get(meeting=council, question__startswith="Lấy ý kiến")
    deadline = timezone.now() + datetime.timedelta(days=3)
    page.post(f"/meetings/{council.pk}/polls/{poll.pk}/open-written/", {"deadline": _local(deadline)})
    return Poll.objects.get(pk=poll.pk)


def test_a_meeting_is_not_cancelled_while_written_opinions_are_asked_nor_asked_for_once_cancelled(
    council: Meeting, secretary: User
) -> None:
    written = _written_poll(council, secretary)
    assert written.state == Poll.State.OPEN

    with pytest.raises(WrongState) as refused:
        meeting_cancel(actor=secretary, meeting=council, reason="Hoãn")
    assert refused.value.code == "poll_open"
    # The page says so before asking for a reason.
    response = logged_in(secretary).get(f"/meetings/{council.pk}/cancel/", follow=True)
    assert "Cuộc họp đang lấy ý kiến bằng văn bản." in response.content.decode()

    Poll.objects.filter(pk=written.pk).update(state=Poll.State.DRAFT, opened_at=None, closes_at=None)
    cancelled = meeting_cancel(actor=secretary, meeting=council, reason="Hoãn")
    with pytest.raises(WrongState, match="đã bị hủy"):
        poll_open(actor=secretary, meeting=cancelled, poll_id=written.pk, deadline=timezone.now() + datetime.timedelta(days=1))


def test_the_secretary_prepares_a_poll_with_named_options(council: Meeting, secretary: User) -> None:
    response = logged_in(secretary).post(
        f"/meetings/{council.pk}/polls/",
        {
            "question": "Chọn phường thí điểm",
            "mode": "live",
            "kind": "options",
            "options": "Phường 1\nPhường 2\n\nPhường 3",
            "max_choices": 2,
            "majority": "cast",
            "secret": "on",
        },
    )

    assert response.status_code == 302
    poll = Poll.objects.get(meeting=council)
    assert (poll.kind, poll.max_choices, poll.secret, poll.state) == ("options", 2, True, "draft")
    assert [c.label for c in poll.choices.all()] == ["Phường 1", "Phường 2", "Phường 3"]


def test_it_shows_why_a_poll_cannot_be_prepared(council: Meeting, secretary: User) -> None:
    response = logged_in(secretary).post(
        f"/meetings/{council.pk}/polls/",
        {"question": "Chọn một", "mode": "live", "kind": "options", "options": "Chỉ một phương án", "max_choices": 1, "majority": "cast"},
    )

    assert response.status_code == 200
    assert not Poll.objects.filter(meeting=council).exists()
    # Beside the options, where the secretary types, not above the question at the top of the form.
    assert response.context["form"].errors["options"] == ["Vui lòng nhập ít nhất hai phương án để lựa chọn."]
    assert not response.context["form"].non_field_errors()


def test_it_shows_a_secret_ballot_that_may_be_changed_beside_that_box(council: Meeting, secretary: User) -> None:
    response = logged_in(secretary).post(
        f"/meetings/{council.pk}/polls/",
        {
            "question": "Thông qua",
            "mode": "live",
            "kind": "yes_no",
            "max_choices": 1,
            "majority": "cast",
            "secret": "on",
            "allow_change": "on",
        },
    )

    assert list(response.context["form"].errors) == ["allow_change"]


def test_it_offers_no_poll_form_once_the_minutes_are_approved_and_says_why(council: Meeting, secretary: User) -> None:
    council.state = Meeting.State.MINUTES_APPROVED
    council.save(update_fields=["state"])
    page = logged_in(secretary)

    response = page.get(f"/meetings/{council.pk}/polls/")
    posted = page.post(
        f"/meetings/{council.pk}/polls/",
        {"question": "Muộn quá", "mode": "live", "kind": "yes_no", "majority": "members", "max_choices": 1},
    )

    assert response.context["form"] is None
    assert 'class="poll-form"' not in response.content.decode()
    assert "Biên bản cuộc họp đã được duyệt nên không thể thêm nội dung biểu quyết." in response.content.decode()
    assert posted.status_code == 200
    assert not Poll.objects.filter(meeting=council).exists()


def test_the_edit_page_of_an_opened_poll_leads_back_to_the_polls_with_the_reason(open_poll: Callable[..., Poll], secretary: User) -> None:
    poll = open_poll()

    response = logged_in(secretary).get(f"/meetings/{poll.meeting_id}/polls/{poll.pk}/edit/", follow=True)

    assert response.redirect_chain == [(f"/meetings/{poll.meeting_id}/polls/", 302)]
    assert "đã được đưa ra biểu quyết nên không thể thay đổi nữa" in response.content.decode()


def test_a_delegate_may_not_open_the_poll_page(council: Meeting, delegate: User) -> None:
    assert logged_in(delegate).get(f"/meetings/{council.pk}/polls/").status_code == 403


def test_the_secretary_edits_and_deletes_a_draft(council: Meeting, secretary: User) -> None:
    page = logged_in(secretary)
    page.post(
        f"/meetings/{council.pk}/polls/",
        {"question": "Câu hỏi cũ", "mode": "live", "kind": "yes_no", "majority": "members", "max_choices": 1},
    )
    poll = Poll.objects.get(meeting=council)

    page.post(
        f"/meetings/{council.pk}/polls/{poll.pk}/edit/",
        {"question": "Câu hỏi mới", "mode": "live", "kind": "yes_no", "majority": "two_thirds", "max_choices": 1, "time_limit_minutes": 2},
    )
    poll.refresh_from_db()
    assert (poll.question, poll.majority, poll.duration_seconds) == ("Câu hỏi mới", "two_thirds", 120)
    # The list says the time limit it was given, beside the other settings.
    listed = " ".join(page.get(f"/meetings/{council.pk}/polls/").content.decode().split())
    assert "Ít nhất hai phần ba tổng số thành viên · 2 phút biểu quyết" in listed

    confirm = page.get(f"/meetings/{council.pk}/polls/{poll.pk}/delete/")
    assert "Câu hỏi mới" in confirm.content.decode()
    assert Poll.objects.filter(pk=poll.pk).exists()

    page.post(f"/meetings/{council.pk}/polls/{poll.pk}/delete/")
    assert not Poll.objects.filter(pk=poll.pk).exists()


def test_members_answer_written_opinions_from_the_meeting_page_and_the_secretary_sees_who_has_not(
    council: Meeting, secretary: User, delegate: User, other_delegate: User
) -> None:
    poll = _written_poll(council, secretary)
    assert poll.state == "open"
    member = logged_in(delegate)
    page = member.get(f"/meetings/{council.pk}/").content.decode()
    assert "written-ballot" in page
    agree = poll.choices.get(meaning="yes")

    member.post(f"/meetings/{council.pk}/polls/{poll.pk}/vote/", {"choice": agree.pk})

    assert VoterMark.objects.filter(poll=poll, participant__user=delegate).exists()
    assert "written-ballot" not in member.get(f"/meetings/{council.pk}/").content.decode()
    overview = logged_in(secretary).get(f"/meetings/{council.pk}/polls/").content.decode()
    voting_members = Participant.objects.filter(meeting=council, can_vote=True).count()
    assert f"1/{voting_members}" in overview or f"1 of {voting_members}" in overview or f"1 trên {voting_members}" in overview
    assert other_delegate.display_name in overview


def test_a_second_written_opinion_is_refused_with_a_message(council: Meeting, secretary: User, delegate: User) -> None:
    poll = _written_poll(council, secretary)
    member = logged_in(delegate)
    member.post(f"/meetings/{council.pk}/polls/{poll.pk}/vote/", {"choice": poll.choices.get(meaning="yes").pk})

    response = member.post(f"/meetings/{council.pk}/polls/{poll.pk}/vote/", {"choice": poll.choices.get(meaning="no").pk}, follow=True)

    assert VoterMark.objects.filter(poll=poll).count() == 1
    assert list(response.context["messages"])


def test_a_written_opinion_closes_at_its_deadline_when_the_page_is_opened(council: Meeting, secretary: User, delegate: User) -> None:
    poll = _written_poll(council, secretary)
    logged_in(delegate).post(f"/meetings/{council.pk}/polls/{poll.pk}/vote/", {"choice": poll.choices.get(meaning="yes").pk})
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))

    logged_in(delegate).get(f"/meetings/{council.pk}/")

    poll.refresh_from_db()
    assert poll.state == "closed"
    assert poll.result["ballots"] == 1


def test_results_download_as_csv_and_as_a_pdf_sheet(council: Meeting, secretary: User, delegate: User, outsider: User) -> None:
    poll = _written_poll(council, secretary)
    logged_in(delegate).post(f"/meetings/{council.pk}/polls/{poll.pk}/vote/", {"choice": poll.choices.get(meaning="yes").pk})
    logged_in(secretary).post(f"/meetings/{council.pk}/polls/{poll.pk}/close/")

    csv_response = logged_in(delegate).get(f"/meetings/{council.pk}/polls/{poll.pk}/result.csv")
    pdf_response = logged_in(delegate).get(f"/meetings/{council.pk}/polls/{poll.pk}/result.pdf")

    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert "Lấy ý kiến về dự thảo Quy chế làm việc" in text
    assert delegate.display_name in text
    pages = PdfReader(io.BytesIO(pdf_response.content)).pages
    sheet = "".join(page.extract_text() for page in pages)
    assert "KẾT QUẢ LẤY Ý KIẾN BẰNG VĂN BẢN" in sheet  # a written poll is not called a vote
    assert "Lấy ý kiến về dự thảo Quy chế làm việc" in sheet
    assert logged_in(outsider).get(f"/meetings/{council.pk}/polls/{poll.pk}/result.pdf").status_code == 404


def test_a_member_changes_a_written_opinion_that_may_be_changed_until_the_deadline(
    council: Meeting, secretary: User, delegate: User
) -> None:
    poll = _written_poll(council, secretary)
    Poll.objects.filter(pk=poll.pk).update(allow_change=True)
    member = logged_in(delegate)
    agree, disagree = poll.choices.get(meaning="yes"), poll.choices.get(meaning="no")

    sent = member.post(f"/meetings/{council.pk}/polls/{poll.pk}/vote/", {"choice": agree.pk})
    page = member.get(f"/meetings/{council.pk}/").content.decode()
    member.post(f"/meetings/{council.pk}/polls/{poll.pk}/vote/", {"choice": disagree.pk})

    assert sent["Location"] == f"/meetings/{council.pk}/#votes"
    assert "Bạn có thể đổi ý kiến đến hết hạn." in page
    assert f'value="{agree.pk}" required checked' in page
    assert "Đổi ý kiến" in page
    assert Ballot.objects.get(poll=poll).choices == [disagree.pk]
    assert VoterMark.objects.filter(poll=poll).count() == 1


def test_a_written_opinion_of_several_choices_says_how_many_and_a_guest_is_told_they_are_not_asked(
    council: Meeting, secretary: User, delegate: User, guest: User
) -> None:
    poll = street_names_poll(meeting=council, actor=secretary)
    poll_open(actor=secretary, meeting=council, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=1))

    member_page = logged_in(delegate).get(f"/meetings/{council.pk}/").content.decode()
    guest_page = logged_in(guest).get(f"/meetings/{council.pk}/").content.decode()

    assert 'data-max-choices="2"' in member_page
    assert "Chọn tối đa 2 phương án." in member_page
    assert "Đang lấy ý kiến" in member_page
    assert "written-ballot" not in guest_page
    assert "Chỉ thành viên có quyền biểu quyết được lấy ý kiến" in guest_page


def test_the_home_page_asks_a_member_for_a_written_opinion_until_it_is_given(council: Meeting, secretary: User, delegate: User) -> None:
    poll = _written_poll(council, secretary)
    member = logged_in(delegate)

    asked = member.get("/").content.decode()
    member.post(f"/meetings/{council.pk}/polls/{poll.pk}/vote/", {"choice": poll.choices.get(meaning="yes").pk})
    answered = member.get("/").content.decode()

    assert 'data-task="written-opinion"' in asked
    assert f"Cho ý kiến bằng văn bản: {poll.question}" in asked
    assert f'href="/meetings/{council.pk}/#votes"' in asked
    assert 'data-task="written-opinion"' not in answered
    assert 'data-task="written-opinion"' not in logged_in(secretary).get("/").content.decode()  # asked of members with a vote


def test_closing_written_opinions_early_asks_first_and_says_it_is_done(council: Meeting, secretary: User) -> None:
    poll = _written_poll(council, secretary)
    page = logged_in(secretary)

    listed = page.get(f"/meetings/{council.pk}/polls/").content.decode()
    closed = page.post(f"/meetings/{council.pk}/polls/{poll.pk}/close/", follow=True)

    assert f'action="/meetings/{council.pk}/polls/{poll.pk}/close/" data-confirm="Kết thúc lấy ý kiến ngay, trước thời hạn' in listed
    assert closed.redirect_chain[-1][0] == f"/meetings/{council.pk}/polls/#poll-{poll.pk}"
    assert f"Đã kết thúc: {poll.question}." in closed.content.decode()


def test_there_is_no_result_to_download_before_the_poll_closes(council: Meeting, secretary: User) -> None:
    poll = _written_poll(council, secretary)

    assert logged_in(secretary).get(f"/meetings/{council.pk}/polls/{poll.pk}/result.csv").status_code == 404


def test_a_member_gives_and_revokes_a_proxy_from_the_meeting_page(council: Meeting, delegate: User, other_delegate: User) -> None:
    holder = Participant.objects.get(meeting=council, user=other_delegate)
    member = logged_in(delegate)

    member.post(f"/meetings/{council.pk}/proxies/", {"holder": holder.pk})

    proxy = Proxy.objects.get(meeting=council, revoked_at=None)
    assert proxy.holder == holder
    assert (
        "Proxies" in member.get(f"/meetings/{council.pk}/").content.decode()
        or "Ủy quyền" in member.get(f"/meetings/{council.pk}/").content.decode()
    )

    member.post(f"/meetings/{council.pk}/proxies/{proxy.pk}/revoke/")

    assert not Proxy.objects.filter(meeting=council, revoked_at=None).exists()


def test_a_proxy_form_without_a_holder_is_refused_with_a_message(council: Meeting, delegate: User) -> None:
    response = logged_in(delegate).post(f"/meetings/{council.pk}/proxies/", {"holder": ""}, follow=True)

    assert not Proxy.objects.exists()
    assert list(response.context["messages"])


def test_a_vote_between_options_says_which_won_in_the_sheet_and_the_csv(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User
) -> None:
    poll = open_poll(kind=Poll.Kind.OPTIONS, options=["Phường 1", "Phường Thắng Tam"], majority=Poll.Majority.CAST)
    vote(poll, chair, "Phường Thắng Tam")
    vote(poll, delegate, "Phường Thắng Tam")
    vote(poll, other_delegate, "Phường 1")
    poll = close(poll, chair)

    assert "THÔNG QUA: Phường Thắng Tam" in poll_result_html(poll=poll)
    assert "Kết quả,Thông qua,Phường Thắng Tam" in poll_result_csv(poll=poll).decode("utf-8")


def test_the_sheet_and_the_csv_name_who_did_not_vote_and_the_sheet_is_dated_and_has_room_to_sign(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User
) -> None:
    poll = open_poll(majority=Poll.Majority.CAST)
    vote(poll, chair, "yes")
    vote(poll, delegate, "yes")
    poll = close(poll, chair)
    closed = timezone.localtime(poll.closed_at)

    sheet = poll_result_html(poll=poll)
    csv_text = poll_result_csv(poll=poll).decode("utf-8")

    assert "không tham gia biểu quyết: 2" in sheet
    assert "trọng số" not in sheet  # one vote each: the weights are not worth a word
    assert f"{other_delegate.display_name}</td><td>{other_delegate.position}</td><td><i>Không tham gia biểu quyết</i>" in sheet
    assert official_date(closed) in sheet
    assert "Thư ký</div>" in sheet and f"{poll.meeting.chair.display_name}</div>" in sheet
    assert "Không tham gia biểu quyết,2" in csv_text
    assert "Tỷ lệ cần đạt,Quá nửa số phiếu biểu quyết,ít nhất 2 trên 2" in csv_text
    assert 'Đồng ý,2,"100,00",x' in csv_text
    assert f"{other_delegate.display_name},{other_delegate.position},Không tham gia biểu quyết,1," in csv_text


def test_the_csv_names_who_did_not_vote_even_when_nobody_voted(open_poll: Callable[..., Poll], chair: User, delegate: User) -> None:
    poll = close(open_poll(), chair)

    csv_text = poll_result_csv(poll=poll).decode("utf-8")

    assert f"{delegate.display_name},{delegate.position},Không tham gia biểu quyết,1," in csv_text


def test_a_result_downloads_under_a_name_that_keeps_every_letter_and_a_decimal_comma_on_the_page(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User
) -> None:
    poll = open_poll(majority=Poll.Majority.CAST)
    for voter, choice in ((chair, "yes"), (delegate, "yes"), (other_delegate, "no")):
        vote(poll, voter, choice)
    poll = close(poll, chair)
    page = logged_in(delegate)

    response = page.get(f"/meetings/{poll.meeting_id}/polls/{poll.pk}/result.csv")
    meeting_page = page.get(f"/meetings/{poll.meeting_id}/").content.decode()

    # "Thông qua đề án…": đ has no decomposition, and slugify alone would drop it ("e-an").
    assert "thong-qua-de-an-chuyen-doi-so" in response["Content-Disposition"]
    assert "(66,67 %)" in meeting_page


def test_the_chair_prepares_votes_without_the_secretarys_preparation_steps(
    open_poll: Callable[..., Poll], chair: User, secretary: User
) -> None:
    poll = open_poll()
    polls_url = f"/meetings/{poll.meeting_id}/polls/"

    chair_page = logged_in(chair).get(polls_url).content.decode()
    secretary_page = logged_in(secretary).get(polls_url).content.decode()

    assert 'aria-label="Chuẩn bị"' not in chair_page
    assert 'aria-label="Chuẩn bị"' in secretary_page
    # An opened poll is not offered for deletion, and asking anyway says what can be done instead.
    response = logged_in(secretary).get(f"{polls_url}{poll.pk}/delete/")
    assert response.status_code == 302
    assert Poll.objects.filter(pk=poll.pk).exists()


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Phiên họp chuyên đề về chuyển đổi số thành phố Vũng Tàu năm 2026", "phien-hop-chuyen-de-ve-chuyen-doi-so-thanh-pho"),
        ("Họp giao ban", "hop-giao-ban"),
        ("Đề án " + "x" * 60, "de-an"),
    ],
)
def test_a_long_title_makes_a_file_name_cut_after_a_whole_word(text: str, slug: str) -> None:
    from meetings.text import file_slug

    assert file_slug(text, limit=50) == slug


def test_a_long_question_makes_a_file_name_that_does_not_end_on_a_hyphen() -> None:
    from voting.views import _filename

    poll = Poll(pk=7, question="Thông qua Báo cáo kết quả xây dựng chính quyền số 9 tháng đầu năm 2026")

    assert _filename(poll, "pdf") == "ket-qua-bieu-quyet-7-thong-qua-bao-cao-ket-qua-xay-dung-chinh-quyen-so.pdf"


def test_a_guest_is_not_shown_an_empty_proxies_section(council: Meeting, secretary: User, guest: User, delegate: User) -> None:
    _written_poll(council, secretary)

    guest_page = logged_in(guest).get(f"/meetings/{council.pk}/").content.decode()
    delegate_page = logged_in(delegate).get(f"/meetings/{council.pk}/").content.decode()

    assert "Chưa có ủy quyền nào." not in guest_page
    assert "Chưa có ủy quyền nào." in delegate_page
