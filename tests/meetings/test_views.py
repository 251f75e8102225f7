"""The web pages, through Django's test client."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from pypdf import PdfReader
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from meetings.models import AgendaItem, Body, Document, Meeting, Participant, User
from meetings.selectors.agenda import agenda_numbers
from meetings.services.agenda import agenda_item_create
from meetings.services.documents import _rejection_message, document_add_version, document_upload
from meetings.services.meetings import meeting_publish
from meetings.services.participants import participants_invite
from tests.conftest import files_under, logged_in, meeting_form_of, set_state

pytestmark = pytest.mark.django_db

Upload = Callable[..., SimpleUploadedFile]


def vietnamese_catalog_compiled() -> bool:
    return (Path(django_settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.mo").exists()


@pytest.fixture
def secret_document(published_meeting: Meeting, secretary: User, delegate: User, pdf_upload: Upload) -> Document:
    """A confidential document of the published meeting that the delegate may read (and the guest may not)."""
    return document_upload(
        actor=secretary,
        meeting=published_meeting,
        upload=pdf_upload(name="bao-cao-mat.pdf", pages=2),
        title="Báo cáo mật về quy hoạch",
        confidential=True,
        readers=[delegate],
    )


# --- home and the meeting page -------------------------------------------------------------------


def test_it_lists_a_meeting_on_a_delegates_home_only_after_publishing(
    client: Client, meeting: Meeting, secretary: User, delegate: User
) -> None:
    logged_in(client, delegate)

    response = client.get("/")
    assert response.status_code == 200
    assert meeting.title not in response.content.decode()

    meeting_publish(actor=secretary, meeting=meeting)

    response = client.get("/")
    assert meeting.title in response.content.decode()
    assert f'href="/meetings/{meeting.pk}/"' in response.content.decode()


def test_it_lists_a_draft_on_its_secretarys_home(client: Client, meeting: Meeting, secretary: User) -> None:
    response = logged_in(client, secretary).get("/")

    assert meeting.title in response.content.decode()


def test_an_empty_home_tells_a_secretary_how_to_begin_and_a_delegate_what_to_wait_for(
    client: Client, secretary: User, delegate: User
) -> None:
    secretarys = logged_in(client, secretary).get("/").content.decode()
    delegates = logged_in(client, delegate).get("/").content.decode()

    assert "Bấm “Tạo cuộc họp mới” để chuẩn bị một cuộc họp" in secretarys
    assert "Khi thư ký công bố" not in secretarys
    assert "Khi thư ký công bố cuộc họp có mời bạn" in delegates


def test_it_shows_the_meeting_page_to_a_participant(client: Client, published_meeting: Meeting, delegate: User) -> None:
    response = logged_in(client, delegate).get(f"/meetings/{published_meeting.pk}/")

    assert response.status_code == 200
    content = response.content.decode()
    assert published_meeting.title in content
    assert "Khai mạc" in content


def test_it_hides_the_meeting_page_from_an_outsider(client: Client, published_meeting: Meeting, outsider: User) -> None:
    assert logged_in(client, outsider).get(f"/meetings/{published_meeting.pk}/").status_code == 404


def test_it_hides_a_draft_from_its_delegates(client: Client, meeting: Meeting, delegate: User, secretary: User) -> None:
    assert logged_in(client, delegate).get(f"/meetings/{meeting.pk}/").status_code == 404
    assert logged_in(Client(), secretary).get(f"/meetings/{meeting.pk}/").status_code == 200


def test_it_answers_404_for_a_meeting_that_does_not_exist(client: Client, delegate: User) -> None:
    assert logged_in(client, delegate).get("/meetings/987654/").status_code == 404


def test_it_lists_a_confidential_document_only_to_its_readers(
    client: Client, published_meeting: Meeting, secret_document: Document, delegate: User, guest: User
) -> None:
    reader_page = logged_in(client, delegate).get(f"/meetings/{published_meeting.pk}/").content.decode()
    guest_page = logged_in(Client(), guest).get(f"/meetings/{published_meeting.pk}/").content.decode()

    assert secret_document.title in reader_page
    assert secret_document.title not in guest_page


# --- document files ------------------------------------------------------------------------------


def test_it_serves_a_confidential_document_to_a_reader_with_their_watermark(
    client: Client, published_meeting: Meeting, secret_document: Document, delegate: User
) -> None:
    response = logged_in(client, delegate).get(f"/meetings/{published_meeting.pk}/documents/{secret_document.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # Made for this reader at this time: no validator to reuse, no cache may keep it.
    assert "ETag" not in response
    assert "no-store" in response["Cache-Control"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "MẬT" in text and delegate.display_name in text


@pytest.mark.parametrize("who", ["guest", "outsider"])
def test_it_answers_404_for_a_confidential_document_to_a_non_reader(
    request: pytest.FixtureRequest, client: Client, published_meeting: Meeting, secret_document: Document, who: str
) -> None:
    response = logged_in(client, request.getfixturevalue(who)).get(f"/meetings/{published_meeting.pk}/documents/{secret_document.pk}/")

    assert response.status_code == 404


def test_it_answers_not_modified_when_the_reader_has_the_current_version(
    client: Client, published_meeting: Meeting, secretary: User, delegate: User, pdf_upload: Upload
) -> None:
    document = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload(pages=1))
    etag = f'"{document.versions.get().sha256}"'

    response = logged_in(client, delegate).get(
        f"/meetings/{published_meeting.pk}/documents/{document.pk}/", headers={"if-none-match": etag}
    )

    assert response.status_code == 304


def test_it_never_answers_not_modified_for_a_confidential_document(
    client: Client, published_meeting: Meeting, secret_document: Document, delegate: User
) -> None:
    etag = f'"{secret_document.versions.get().sha256}"'

    response = logged_in(client, delegate).get(
        f"/meetings/{published_meeting.pk}/documents/{secret_document.pk}/", headers={"if-none-match": etag}
    )

    assert response.status_code == 200


def test_it_serves_each_version_of_a_document(
    client: Client, published_meeting: Meeting, secretary: User, delegate: User, pdf_upload: Upload
) -> None:
    document = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload(pages=1))
    newer = document_add_version(actor=secretary, document=document, upload=pdf_upload(pages=3))
    logged_in(client, delegate)

    current = client.get(f"/meetings/{published_meeting.pk}/documents/{document.pk}/")
    first = client.get(f"/meetings/{published_meeting.pk}/documents/{document.pk}/v1/")
    missing = client.get(f"/meetings/{published_meeting.pk}/documents/{document.pk}/v9/")

    assert current["ETag"] == f'"{newer.sha256}"'
    assert first["ETag"] == f'"{document.versions.get(number=1).sha256}"'
    assert missing.status_code == 404
    for response in (current, first):
        response.close()


# --- preparation pages ---------------------------------------------------------------------------

PREPARATION_PAGES = ["edit/", "participants/", "agenda/", "documents/upload/"]


@pytest.mark.parametrize("page", PREPARATION_PAGES)
def test_it_forbids_preparation_pages_to_a_delegate(client: Client, published_meeting: Meeting, delegate: User, page: str) -> None:
    assert logged_in(client, delegate).get(f"/meetings/{published_meeting.pk}/{page}").status_code == 403


@pytest.mark.parametrize("page", PREPARATION_PAGES)
def test_it_shows_preparation_pages_to_the_secretary(client: Client, meeting: Meeting, secretary: User, page: str) -> None:
    response = logged_in(client, secretary).get(f"/meetings/{meeting.pk}/{page}")

    assert response.status_code == 200
    assert meeting.title in response.content.decode()


def test_it_forbids_publishing_to_a_delegate(client: Client, published_meeting: Meeting, delegate: User) -> None:
    assert logged_in(client, delegate).post(f"/meetings/{published_meeting.pk}/publish/").status_code == 403


def test_it_forbids_the_new_meeting_page_to_a_delegate(client: Client, delegate: User) -> None:
    assert logged_in(client, delegate).get("/meetings/new/").status_code == 403


def test_it_creates_a_meeting_from_the_form(client: Client, body: Body, secretary: User, chair: User) -> None:
    starts = timezone.localtime() + datetime.timedelta(days=5)
    data = {
        "title": "Họp thường kỳ tháng 6",
        "kind": Meeting.Kind.REGULAR,
        "body": body.pk,
        "starts_at": starts.strftime("%Y-%m-%dT08:00"),
        "ends_at": starts.strftime("%Y-%m-%dT11:30"),
        "location": "Phòng họp A",
        "chair": chair.pk,
        "secretary": secretary.pk,
        "speaker_seconds": "5",
    }

    response = logged_in(client, secretary).post("/meetings/new/", data)

    meeting = Meeting.objects.get(title="Họp thường kỳ tháng 6")
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/participants/"
    assert meeting.state == Meeting.State.DRAFT
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M") == "08:00"
    assert str(timezone.localtime(meeting.starts_at).tzinfo) == "Asia/Ho_Chi_Minh"
    assert meeting.participants.get(user=chair).role == Participant.Role.CHAIR
    assert meeting.speaker_seconds == 300
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_it_says_at_once_that_a_meeting_dated_in_the_past_cannot_be_published(
    client: Client, body: Body, secretary: User, chair: User
) -> None:
    day = timezone.localtime() - datetime.timedelta(days=400)
    data = {
        "title": "Họp thường kỳ tháng 1",
        "kind": Meeting.Kind.REGULAR,
        "body": body.pk,
        "starts_at": day.strftime("%Y-%m-%dT08:00"),
        "ends_at": day.strftime("%Y-%m-%dT11:30"),
        "location": "Phòng họp A",
        "chair": chair.pk,
        "secretary": secretary.pk,
        "speaker_seconds": "5",
    }

    response = logged_in(client, secretary).post("/meetings/new/", data, follow=True)

    assert Meeting.objects.filter(title="Họp thường kỳ tháng 1", state=Meeting.State.DRAFT).exists()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == ["Thời gian họp đã qua. Vui lòng sửa lại ngày họp trước khi công bố."]


def test_it_offers_the_speaking_time_in_minutes(client: Client, meeting: Meeting, secretary: User) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(speaker_seconds=300)

    new = logged_in(client, secretary).get("/meetings/new/").content.decode()
    edit = client.get(f"/meetings/{meeting.pk}/edit/").content.decode()

    assert 'name="speaker_seconds" value="3"' in new
    assert 'name="speaker_seconds" value="5"' in edit


def test_it_saves_the_speaking_time_given_in_minutes(client: Client, meeting: Meeting, secretary: User) -> None:
    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/edit/", {**meeting_form_of(meeting), "speaker_seconds": "7"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.speaker_seconds == 420
    assert meeting.allow_self_checkin


def test_it_asks_again_for_a_speaking_time_left_empty(client: Client, meeting: Meeting, secretary: User) -> None:
    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/edit/", {**meeting_form_of(meeting), "speaker_seconds": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["speaker_seconds"]
    meeting.refresh_from_db()
    assert meeting.speaker_seconds == 180


def test_it_refuses_a_speaking_time_over_an_hour_on_the_form(client: Client, meeting: Meeting, secretary: User) -> None:
    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/edit/", {**meeting_form_of(meeting), "speaker_seconds": "61"})

    assert response.status_code == 200
    assert response.context["form"].errors["speaker_seconds"] == ["Mỗi lượt phát biểu dài nhất 60 phút."]
    assert 'value="61"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.speaker_seconds == 180


def test_it_tells_participants_the_speaking_time_on_the_meeting_page(client: Client, published_meeting: Meeting, delegate: User) -> None:
    Meeting.objects.filter(pk=published_meeting.pk).update(speaker_seconds=420)

    page = logged_in(client, delegate).get(f"/meetings/{published_meeting.pk}/").content.decode()

    assert "7 phút mỗi lượt" in page


def test_saving_other_details_keeps_the_speaking_time_the_chair_set_meanwhile(client: Client, meeting: Meeting, secretary: User) -> None:
    shown = logged_in(client, secretary).get(f"/meetings/{meeting.pk}/edit/").content.decode()
    assert 'name="initial-speaker_seconds" value="3"' in shown
    Meeting.objects.filter(pk=meeting.pk).update(speaker_seconds=300)  # the chair, in the room

    form = {**meeting_form_of(meeting), "location": "Phòng họp B", "speaker_seconds": "3", "initial-speaker_seconds": "3"}
    response = client.post(f"/meetings/{meeting.pk}/edit/", form)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.location, meeting.speaker_seconds) == ("Phòng họp B", 300)


def test_it_shows_the_form_again_when_the_meeting_ends_before_it_starts(client: Client, body: Body, secretary: User, chair: User) -> None:
    starts = timezone.localtime() + datetime.timedelta(days=5)
    data = {
        "title": "Họp ngược giờ",
        "kind": Meeting.Kind.REGULAR,
        "body": body.pk,
        "starts_at": starts.strftime("%Y-%m-%dT11:00"),
        "ends_at": starts.strftime("%Y-%m-%dT08:00"),
        "location": "Phòng họp A",
        "chair": chair.pk,
        "secretary": secretary.pk,
        "speaker_seconds": "3",
    }

    response = logged_in(client, secretary).post("/meetings/new/", data)

    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"]
    assert not Meeting.objects.filter(title="Họp ngược giờ").exists()


def test_it_publishes_from_the_meeting_page(
    client: Client, meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/publish/")

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PUBLISHED
    assert len(mail.outbox) == 4
    assert "đến 4 người tham dự" in str(next(iter(get_messages(response.wsgi_request))))


def test_it_asks_to_confirm_publishing_and_shows_who_gets_the_invitation(
    client: Client, meeting: Meeting, secretary: User, delegate: User, guest: User
) -> None:
    response = logged_in(client, secretary).get(f"/meetings/{meeting.pk}/publish/")

    assert response.status_code == 200
    content = response.content.decode()
    for person in (delegate, guest):
        assert person.display_name in content
        assert person.email in content
    assert 'data-testid="publish-confirm"' in content
    assert 'data-testid="publish-problems"' not in content
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.DRAFT
    assert mail.outbox == []


def test_it_warns_before_publishing_of_people_without_an_address_and_items_without_a_document(
    client: Client, meeting: Meeting, secretary: User, delegate: User, pdf_upload: Upload
) -> None:
    User.objects.filter(pk=delegate.pk).update(email="")
    with_document = agenda_item_create(actor=secretary, meeting=meeting, title="Báo cáo kinh tế - xã hội")
    document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(), agenda_item=with_document)
    heading = agenda_item_create(actor=secretary, meeting=meeting, title="Các tờ trình")
    agenda_item_create(actor=secretary, meeting=meeting, title="Tờ trình đặt tên đường", parent=heading)

    response = logged_in(client, secretary).get(f"/meetings/{meeting.pk}/publish/")

    without_email = response.context["without_email"]
    assert [p.user for p in without_email] == [delegate]
    missing = [node.item.title for node in response.context["items_without_documents"]]
    # A heading whose sub-items carry the documents is not missing one.
    assert missing == ["Khai mạc", "Tờ trình đặt tên đường"]


def test_it_warns_of_a_presenter_who_is_not_invited_before_publishing_and_on_the_agenda(
    client: Client, meeting: Meeting, secretary: User, delegate: User, outsider: User
) -> None:
    agenda_item_create(actor=secretary, meeting=meeting, title="Báo cáo của Sở Xây dựng", presenter=outsider)
    agenda_item_create(actor=secretary, meeting=meeting, title="Tờ trình của phường", presenter=delegate)
    logged_in(client, secretary)

    publish = client.get(f"/meetings/{meeting.pk}/publish/")
    agenda = client.get(f"/meetings/{meeting.pk}/agenda/").content.decode()

    assert [node.item.title for node in publish.context["presenters_not_invited"]] == ["Báo cáo của Sở Xây dựng"]
    warning = publish.content.decode().split('data-testid="presenters-not-invited">')[1].split("</div>")[0]
    assert "Đặng Văn Ngoài (2. Báo cáo của Sở Xây dựng)" in warning
    assert f'href="/meetings/{meeting.pk}/participants/"' in warning
    assert agenda.count("chưa được mời") == 1


def test_it_shows_why_a_meeting_cannot_be_published_before_anyone_confirms(
    client: Client, make_meeting: Callable[..., Meeting], secretary: User
) -> None:
    past = make_meeting(starts_in=-datetime.timedelta(days=2), with_item=False)

    response = logged_in(client, secretary).get(f"/meetings/{past.pk}/publish/")

    assert [problem.code for problem in response.context["problems"]] == ["empty_agenda", "in_the_past"]
    assert 'data-testid="publish-confirm" disabled' in response.content.decode()


def test_it_sends_the_confirm_page_of_a_published_meeting_back_to_the_meeting(
    client: Client, published_meeting: Meeting, secretary: User
) -> None:
    response = logged_in(client, secretary).get(f"/meetings/{published_meeting.pk}/publish/")

    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{published_meeting.pk}/"


def test_it_forbids_the_publish_page_to_a_delegate(client: Client, published_meeting: Meeting, delegate: User) -> None:
    assert logged_in(client, delegate).get(f"/meetings/{published_meeting.pk}/publish/").status_code == 403


# --- agenda --------------------------------------------------------------------------------------


def test_it_adds_an_agenda_item_and_a_sub_item_from_the_form(client: Client, meeting: Meeting, secretary: User, delegate: User) -> None:
    logged_in(client, secretary)
    url = f"/meetings/{meeting.pk}/agenda/"

    response = client.post(
        url, {"title": "Báo cáo kinh tế - xã hội", "description": "", "presenter": delegate.pk, "duration_minutes": 20, "parent": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    report = AgendaItem.objects.get(meeting=meeting, title="Báo cáo kinh tế - xã hội")

    response = client.post(url, {"title": "Quý 2", "description": "", "presenter": "", "duration_minutes": 10, "parent": report.pk})

    # The next sub-item goes under the same item unless the secretary chooses otherwise.
    assert response["Location"] == f"{url}?parent={report.pk}#add-item"
    next_form = client.get(response["Location"])
    assert next_form.context["form"]["parent"].value() == str(report.pk)
    # The form says so in its heading, with the way back to main items.
    heading = next_form.content.decode().split('data-testid="adding-under">')[1].split("</h2>")[0]
    assert heading == "Thêm nội dung con của 2. Báo cáo kinh tế - xã hội"
    assert f'href="{url}#add-item"' in next_form.content.decode()
    assert 'data-testid="adding-under"' not in client.get(url).content.decode()
    sub = AgendaItem.objects.get(meeting=meeting, title="Quý 2")
    assert agenda_numbers(meeting=meeting) == {meeting.agenda_items.get(title="Khai mạc").pk: "1", report.pk: "2", sub.pk: "2.1"}
    assert report.presenter == delegate
    assert report.duration_minutes == 20
    page = client.get(url).content.decode()
    assert "2.1." in page


def test_the_agenda_adds_up_its_time_and_warns_when_the_meeting_is_too_short(client: Client, meeting: Meeting, secretary: User) -> None:
    # The fixture's meeting lasts three hours and opens with a five-minute item.
    agenda_item_create(actor=secretary, meeting=meeting, title="Thảo luận", duration_minutes=150)
    logged_in(client, secretary)

    fits = client.get(f"/meetings/{meeting.pk}/agenda/")
    agenda_item_create(actor=secretary, meeting=meeting, title="Kết luận", duration_minutes=30)
    too_long = client.get(f"/meetings/{meeting.pk}/agenda/")

    assert (fits.context["planned_minutes"], fits.context["meeting_minutes"]) == (155, 180)
    assert 'class="agenda-total over"' not in fits.content.decode()
    assert too_long.context["planned_minutes"] == 185
    assert 'class="agenda-total over"' in too_long.content.decode()


def test_it_reorders_the_agenda_from_json_and_answers_the_new_numbers(client: Client, meeting: Meeting, secretary: User) -> None:
    first = meeting.agenda_items.get()
    second = agenda_item_create(actor=secretary, meeting=meeting, title="Thảo luận")
    third = agenda_item_create(actor=secretary, meeting=meeting, title="Kết luận")
    layout = [[third.pk, None], [first.pk, None], [second.pk, first.pk]]

    response = logged_in(client, secretary).post(
        f"/meetings/{meeting.pk}/agenda/reorder/", json.dumps({"layout": layout}), content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"numbers": {str(third.pk): "1", str(first.pk): "2", str(second.pk): "2.1"}}
    assert agenda_numbers(meeting=meeting) == {third.pk: "1", first.pk: "2", second.pk: "2.1"}


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'{"order": []}',
        b'{"layout": 5}',
        b'{"layout": [[1, null, 3]]}',
        b'{"layout": [["one", null]]}',
        b'{"layout": [[{}, null]]}',
    ],
)
def test_it_answers_400_to_a_malformed_reorder_request(client: Client, meeting: Meeting, secretary: User, payload: bytes) -> None:
    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/agenda/reorder/", payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]


def test_it_answers_409_to_a_stale_reorder_request(client: Client, meeting: Meeting, secretary: User) -> None:
    first = meeting.agenda_items.get()
    agenda_item_create(actor=secretary, meeting=meeting, title="Thêm bởi người khác")

    response = logged_in(client, secretary).post(
        f"/meetings/{meeting.pk}/agenda/reorder/", json.dumps({"layout": [[first.pk, None]]}), content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_agenda"


def test_it_answers_400_to_an_impossible_layout(client: Client, meeting: Meeting, secretary: User) -> None:
    first = meeting.agenda_items.get()
    second = agenda_item_create(actor=secretary, meeting=meeting, title="Thảo luận")

    response = logged_in(client, secretary).post(
        f"/meetings/{meeting.pk}/agenda/reorder/",
        json.dumps({"layout": [[second.pk, first.pk], [first.pk, None]]}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_layout"


def test_it_forbids_reordering_to_a_delegate(client: Client, published_meeting: Meeting, delegate: User) -> None:
    first = published_meeting.agenda_items.get()

    response = logged_in(client, delegate).post(
        f"/meetings/{published_meeting.pk}/agenda/reorder/", json.dumps({"layout": [[first.pk, None]]}), content_type="application/json"
    )

    assert response.status_code == 403


def test_it_moves_an_item_with_the_buttons(client: Client, meeting: Meeting, secretary: User) -> None:
    first = meeting.agenda_items.get()
    second = agenda_item_create(actor=secretary, meeting=meeting, title="Thảo luận")

    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/agenda/{second.pk}/move/", {"direction": "indent"})

    assert response.status_code == 302
    assert agenda_numbers(meeting=meeting) == {first.pk: "1", second.pk: "1.1"}


# --- uploads -------------------------------------------------------------------------------------


def test_it_saves_the_good_files_and_reports_the_bad_one_of_a_multi_file_upload(
    client: Client, meeting: Meeting, secretary: User, pdf_upload: Upload
) -> None:
    good = pdf_upload(name="to-trinh.pdf", pages=2)
    also_good = pdf_upload(name="du-thao-nghi-quyet.pdf", pages=3)
    bad = SimpleUploadedFile("ghi-chu.pdf", "Đây là ghi chú, không phải PDF.".encode(), content_type="application/pdf")

    response = logged_in(client, secretary).post(
        f"/meetings/{meeting.pk}/documents/upload/", {"files": [good, bad, also_good], "title": "", "agenda_item": ""}
    )

    assert response.status_code == 200
    assert sorted(Document.objects.filter(meeting=meeting).values_list("title", flat=True)) == ["du-thao-nghi-quyet", "to-trinh"]
    # The files kept are named as participants will see them, with how to give them a better title.
    assert "Đã tải lên 2 tài liệu: “to-trinh”; “du-thao-nghi-quyet”." in response.content.decode()
    with translation.override("vi"):
        expected = _rejection_message(reason="not_pdf", filename="ghi-chu.pdf")
    assert escape(expected) in response.content.decode()
    media_root = Path(django_settings.MEDIA_ROOT)
    assert len(files_under(media_root / "documents")) == 2
    assert files_under(media_root / "incoming") == []


def test_it_returns_to_the_meeting_after_an_upload_without_problems(
    client: Client, meeting: Meeting, secretary: User, pdf_upload: Upload
) -> None:
    response = logged_in(client, secretary).post(
        f"/meetings/{meeting.pk}/documents/upload/",
        {"files": [pdf_upload()], "title": "Tờ trình số 5", "agenda_item": meeting.agenda_items.get().pk},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    document = Document.objects.get(meeting=meeting)
    assert document.title == "Tờ trình số 5"
    assert document.agenda_item == meeting.agenda_items.get()


# --- language, login -----------------------------------------------------------------------------


def test_it_speaks_vietnamese_by_default(client: Client, published_meeting: Meeting, delegate: User) -> None:
    response = logged_in(client, delegate).get("/")

    content = response.content.decode()
    assert '<html lang="vi"' in content
    if vietnamese_catalog_compiled():
        assert "Cuộc họp" in content


def test_it_speaks_english_when_chosen(client: Client, delegate: User) -> None:
    logged_in(client, delegate)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    content = client.get("/").content.decode()
    assert '<html lang="en"' in content
    assert "My meetings" in content


def test_it_shows_the_login_page(client: Client) -> None:
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content


def test_it_logs_in_with_the_right_password(client: Client, delegate: User) -> None:
    response = client.post("/accounts/login/", {"username": delegate.username, "password": "matkhau-123"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_refuses_a_wrong_password(client: Client, delegate: User) -> None:
    response = client.post("/accounts/login/", {"username": delegate.username, "password": "sai-mat-khau"})

    assert response.status_code == 200
    # It says what to do, in the person's language.
    assert "Tên đăng nhập hoặc mật khẩu chưa đúng" in response.content.decode()
    assert "Quên mật khẩu?" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/", "/meetings/new/", "/meetings/1/", "/meetings/1/agenda/"])
def test_it_sends_an_anonymous_visitor_to_the_login_page(client: Client, meeting: Meeting, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# --- removing a participant ----------------------------------------------------------------------


def test_it_removes_a_participant_of_a_draft_in_one_step(client: Client, meeting: Meeting, secretary: User, guest: User) -> None:
    participant = meeting.participants.get(user=guest)

    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/{participant.pk}/remove/")

    assert response.status_code == 302
    assert not meeting.participants.filter(user=guest).exists()
    assert mail.outbox == []


def test_it_asks_before_removing_someone_from_a_published_meeting_and_says_they_are_told(
    client: Client,
    published_meeting: Meeting,
    secretary: User,
    guest: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    participant = published_meeting.participants.get(user=guest)
    logged_in(client, secretary)
    participants_page = client.get(f"/meetings/{published_meeting.pk}/participants/").content.decode()
    url = f"/meetings/{published_meeting.pk}/participants/{participant.pk}/remove/"
    assert f'href="{url}"' in participants_page

    confirm = client.get(url)
    assert guest.email in confirm.content.decode()
    assert published_meeting.participants.filter(user=guest).exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert not published_meeting.participants.filter(user=guest).exists()
    assert [message.to for message in mail.outbox] == [[guest.email]]
    assert guest.display_name in str(next(iter(get_messages(response.wsgi_request))))


# --- home ----------------------------------------------------------------------------------------


def test_home_puts_a_meeting_in_progress_first_even_when_it_runs_past_its_end(
    client: Client, published_meeting: Meeting, make_meeting: Callable[..., Meeting], secretary: User, delegate: User
) -> None:
    later = make_meeting(title="Họp giao ban tháng sau", starts_in=datetime.timedelta(days=30))
    participants_invite(actor=secretary, meeting=later, users=[delegate], role=Participant.Role.DELEGATE, can_vote=True)
    meeting_publish(actor=secretary, meeting=later)
    # It began three hours ago and was to end twenty minutes ago; the debate goes on.
    began = timezone.now() - datetime.timedelta(hours=3)
    Meeting.objects.filter(pk=published_meeting.pk).update(
        state=Meeting.State.IN_PROGRESS, starts_at=began, ends_at=timezone.now() - datetime.timedelta(minutes=20)
    )

    response = logged_in(client, delegate).get("/")

    assert [m.pk for m in response.context["running"]] == [published_meeting.pk]
    assert [m.pk for m in response.context["upcoming"]] == [later.pk]
    assert published_meeting.pk not in [m.pk for m in response.context["past"]]
    assert "Đang diễn ra" in response.content.decode()


def test_a_meeting_that_is_over_offers_no_preparation_forms_and_says_why_if_one_is_posted(
    client: Client, published_meeting: Meeting, secretary: User, pdf_upload: Upload
) -> None:
    document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload())
    set_state(published_meeting, Meeting.State.CLOSED)
    logged_in(client, secretary)

    overview = client.get(f"/meetings/{published_meeting.pk}/").content.decode()
    response = client.post(
        f"/meetings/{published_meeting.pk}/edit/",
        {**meeting_form_of(published_meeting), "title": "Đổi tên", "speaker_seconds": "3"},
        follow=True,
    )

    for url in (f"/meetings/{published_meeting.pk}/edit/", f"/meetings/{published_meeting.pk}/documents/upload/", '/edit/">'):
        assert url not in overview
    assert response.redirect_chain == [(f"/meetings/{published_meeting.pk}/", 302)]
    assert "Cuộc họp đã kết thúc" in response.content.decode()
    published_meeting.refresh_from_db()
    assert published_meeting.title != "Đổi tên"


def _preparation_forms(meeting: Meeting) -> list[str]:
    item = meeting.agenda_items.first()
    document = meeting.documents.first()
    return [
        "edit/",
        "documents/upload/",
        f"agenda/{item.pk}/",
        f"agenda/{item.pk}/delete/",
        f"documents/{document.pk}/edit/",
        f"documents/{document.pk}/delete/",
    ]


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (Meeting.State.IN_PROGRESS, "Cuộc họp đang diễn ra nên không thể sửa phần chuẩn bị nữa."),
        (Meeting.State.CLOSED, "Cuộc họp đã kết thúc nên phần chuẩn bị được giữ nguyên như khi họp."),
    ],
)
def test_the_preparation_forms_of_a_meeting_that_has_begun_lead_back_to_the_overview_with_the_reason(
    client: Client, published_meeting: Meeting, secretary: User, pdf_upload: Upload, state: str, reason: str
) -> None:
    document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload())
    set_state(published_meeting, state)
    logged_in(client, secretary)

    for page in _preparation_forms(published_meeting):
        response = client.get(f"/meetings/{published_meeting.pk}/{page}", follow=True)
        assert response.redirect_chain == [(f"/meetings/{published_meeting.pk}/", 302)], page
        assert [str(m) for m in response.context["messages"]] == [reason], page


def test_a_meeting_in_progress_shows_its_agenda_as_held_with_nothing_to_move_or_add(
    client: Client, published_meeting: Meeting, secretary: User
) -> None:
    item = published_meeting.agenda_items.get()
    set_state(published_meeting, Meeting.State.IN_PROGRESS)
    logged_in(client, secretary)

    page = client.get(f"/meetings/{published_meeting.pk}/agenda/").content.decode()
    posted = client.post(f"/meetings/{published_meeting.pk}/agenda/", {"title": "Thêm giữa buổi họp", "duration_minutes": 10})

    assert item.title in page
    assert 'data-testid="agenda-closed"' in page
    assert "Cuộc họp đang diễn ra nên không thể sửa phần chuẩn bị nữa." in page
    assert f'href="/meetings/{published_meeting.pk}/live/"' in page
    for control in ('id="add-item"', "agenda-sortable", "drag-handle", "agenda-sort.js", f"/agenda/{item.pk}/delete/"):
        assert control not in page, control
    assert posted.status_code == 200
    assert list(published_meeting.agenda_items.values_list("title", flat=True)) == [item.title]


def test_a_meeting_that_is_over_shows_its_agenda_with_the_way_to_its_minutes(
    client: Client, published_meeting: Meeting, secretary: User
) -> None:
    set_state(published_meeting, Meeting.State.CLOSED)

    page = logged_in(client, secretary).get(f"/meetings/{published_meeting.pk}/agenda/").content.decode()

    assert "Cuộc họp đã kết thúc nên phần chuẩn bị được giữ nguyên như khi họp." in page
    assert f'href="/meetings/{published_meeting.pk}/minutes/"' in page
    assert 'id="add-item"' not in page


def test_the_page_where_the_agenda_changed_offers_to_notify_participants(
    client: Client, published_meeting: Meeting, secretary: User
) -> None:
    logged_in(client, secretary)
    assert 'data-testid="notify-changes"' not in client.get(f"/meetings/{published_meeting.pk}/agenda/").content.decode()

    agenda_item_create(actor=secretary, meeting=published_meeting, title="Báo cáo bổ sung")

    for page in ("agenda/", "documents/upload/", ""):
        html = client.get(f"/meetings/{published_meeting.pk}/{page}").content.decode()
        assert 'data-testid="notify-changes"' in html, page
        # What the notice will say, before it goes to everyone.
        assert "<li>Thêm nội dung: Báo cáo bổ sung</li>" in html, page
