"""Meeting documents: checked uploads stored by content hash, versions, confidentiality."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfWriter
from pytest_django.fixtures import Settings

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.forms import DocumentUploadForm
from meetings.models import AuditEvent, Document, DocumentVersion, Meeting, Participant, User
from meetings.permissions import user_can_view_document
from meetings.selectors.documents import document_current_version, documents_visible_to
from meetings.services import documents as document_services
from meetings.services.agenda import agenda_item_create
from meetings.services.documents import (
    DocumentRejected,
    _rejection_message,
    document_add_version,
    document_delete,
    document_update,
    document_upload,
)
from meetings.services.participants import participants_invite
from meetings.text import shorten
from tests.conftest import files_under, make_pdf_bytes, set_state

pytestmark = pytest.mark.django_db

Upload = Callable[..., SimpleUploadedFile]

# Letters that only Vietnamese text has (the file names used below are plain ASCII).
VIETNAMESE_LETTERS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def vietnamese_catalog_compiled() -> bool:
    return (Path(django_settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.mo").exists()


def assert_vietnamese_message_naming(message: str, filename: str) -> None:
    assert filename in message
    if vietnamese_catalog_compiled():
        assert VIETNAMESE_LETTERS & set(message.lower()), f"not in Vietnamese: {message}"


def assert_nothing_stored(media_root: Path) -> None:
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert files_under(media_root / "documents") == []
    assert files_under(media_root / "incoming") == []


def encrypted_pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="matkhau", owner_password="chu-so-huu", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_without_pages() -> bytes:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    # Messages are translated when a service raises them, in the active language.
    with translation.override("vi"):
        yield


@pytest.fixture
def media_root(settings: Settings) -> Path:
    return Path(settings.MEDIA_ROOT)


# --- rejected uploads ----------------------------------------------------------------------------


def _text_named_pdf(settings: Settings) -> bytes:
    return "Kính gửi: các đại biểu.\nTài liệu này là văn bản thường, không phải PDF.\n".encode()


def _truncated(settings: Settings) -> bytes:
    whole = make_pdf_bytes(pages=5)
    return whole[: len(whole) // 2]


def _encrypted(settings: Settings) -> bytes:
    return encrypted_pdf_bytes()


def _too_many_pages(settings: Settings) -> bytes:
    settings.DOCUMENT_MAX_PAGES = 3
    return make_pdf_bytes(pages=4)


def _empty(settings: Settings) -> bytes:
    return b""


def _too_big(settings: Settings) -> bytes:
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    # A valid PDF followed by a long comment: only its size is wrong.
    return make_pdf_bytes(pages=1) + b"%" + b"0" * (1024 * 1024) + b"\n"


def _damaged(settings: Settings) -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\ntrailer\n<< /Root 99 0 R >>\n%%EOF\n"


def _no_pages(settings: Settings) -> bytes:
    return pdf_without_pages()


BAD_FILES = [
    pytest.param(_text_named_pdf, "not_pdf", id="text-named-pdf"),
    pytest.param(_truncated, "truncated", id="truncated"),
    pytest.param(_encrypted, "encrypted", id="encrypted"),
    pytest.param(_too_many_pages, "too_many_pages", id="too-many-pages"),
    pytest.param(_empty, "empty", id="empty"),
    pytest.param(_too_big, "too_big", id="too-big"),
    pytest.param(_damaged, "damaged", id="damaged"),
    pytest.param(_no_pages, "no_pages", id="no-pages"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_FILES)
def test_it_rejects_a_bad_file_naming_it_and_storing_nothing(
    meeting: Meeting,
    secretary: User,
    pdf_upload: Upload,
    settings: Settings,
    media_root: Path,
    content: Callable[[Settings], bytes],
    reason: str,
) -> None:
    upload = pdf_upload(name="bao-cao-quy-3.pdf", content=content(settings))
    before = AuditEvent.objects.count()

    with pytest.raises(DocumentRejected) as excinfo:
        document_upload(actor=secretary, meeting=meeting, upload=upload)

    message = str(excinfo.value)
    assert_vietnamese_message_naming(message, "bao-cao-quy-3.pdf")
    page_count = 4 if reason == "too_many_pages" else None
    assert message == _rejection_message(reason=reason, filename="bao-cao-quy-3.pdf", page_count=page_count)
    assert excinfo.value.code == "document_rejected"
    assert_nothing_stored(media_root)
    assert AuditEvent.objects.count() == before


def test_it_names_the_page_count_and_the_limit_when_there_are_too_many_pages(
    meeting: Meeting, secretary: User, pdf_upload: Upload, settings: Settings
) -> None:
    settings.DOCUMENT_MAX_PAGES = 3

    with pytest.raises(DocumentRejected) as excinfo:
        document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(name="phu-luc.pdf", pages=4))

    assert "4" in str(excinfo.value)
    assert "3" in str(excinfo.value)


def test_it_accepts_a_pdf_at_the_page_limit(meeting: Meeting, secretary: User, pdf_upload: Upload, settings: Settings) -> None:
    settings.DOCUMENT_MAX_PAGES = 3

    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(pages=3))

    assert document_current_version(document=document).page_count == 3


def test_it_rejects_a_bad_new_version_and_keeps_the_current_one(
    meeting: Meeting, secretary: User, pdf_upload: Upload, media_root: Path
) -> None:
    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload())
    blobs = files_under(media_root / "documents")

    with pytest.raises(DocumentRejected) as excinfo:
        document_add_version(actor=secretary, document=document, upload=pdf_upload(name="ban-moi.pdf", content=b"not a pdf at all"))

    assert_vietnamese_message_naming(str(excinfo.value), "ban-moi.pdf")
    assert list(document.versions.values_list("number", flat=True)) == [1]
    assert files_under(media_root / "documents") == blobs
    assert files_under(media_root / "incoming") == []


# --- accepted uploads ----------------------------------------------------------------------------


def test_it_stores_a_valid_pdf_by_its_content_hash(meeting: Meeting, secretary: User, pdf_upload: Upload, media_root: Path) -> None:
    content = make_pdf_bytes(pages=3)
    sha256 = hashlib.sha256(content).hexdigest()

    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(name="to-trinh-so-12.pdf", content=content))

    assert document.title == "to-trinh-so-12"
    version = document.versions.get()
    assert version.number == 1
    assert version.page_count == 3
    assert version.sha256 == sha256
    assert version.size == len(content)
    assert version.original_filename == "to-trinh-so-12.pdf"
    assert version.uploaded_by == secretary
    assert version.file.name == f"documents/{sha256[:2]}/{sha256}.pdf"
    assert (media_root / version.file.name).read_bytes() == content
    assert files_under(media_root / "incoming") == []
    assert AuditEvent.objects.filter(meeting=meeting, action="document.upload", data__sha256=sha256, data__pages=3).exists()


def test_it_uses_the_given_title(meeting: Meeting, secretary: User, pdf_upload: Upload) -> None:
    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(), title="  Tờ trình số 12/TTr-UBND  ")

    assert document.title == "Tờ trình số 12/TTr-UBND"


def test_it_keeps_one_blob_for_the_same_content_in_two_meetings(
    meeting: Meeting, secretary: User, pdf_upload: Upload, media_root: Path, make_meeting: Callable[..., Meeting]
) -> None:
    content = make_pdf_bytes(pages=2)

    first = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(name="a.pdf", content=content))
    second = document_upload(actor=secretary, meeting=make_meeting(), upload=pdf_upload(name="b.pdf", content=content))

    assert first.pk != second.pk
    assert document_current_version(document=first).file.name == document_current_version(document=second).file.name
    assert len(files_under(media_root / "documents")) == 1
    assert files_under(media_root / "incoming") == []


def test_the_same_file_twice_in_one_meeting_is_refused_and_named(meeting: Meeting, secretary: User, pdf_upload: Upload) -> None:
    content = make_pdf_bytes(pages=2)
    document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(name="to-trinh.pdf", content=content), title="Tờ trình số 12")

    with pytest.raises(ServiceError) as error:
        document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(name="to-trinh (1).pdf", content=content))

    assert error.value.code == "duplicate_document"
    assert str(error.value) == (
        "“to-trinh (1).pdf” đã có trong cuộc họp này, với tên “Tờ trình số 12”. Muốn thay tài liệu đó, hãy tải lên phiên bản mới của nó."
    )
    assert meeting.documents.count() == 1


def test_a_new_version_the_same_as_the_current_one_is_refused(meeting: Meeting, secretary: User, pdf_upload: Upload) -> None:
    content = make_pdf_bytes(pages=2)
    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(content=content))

    with pytest.raises(ServiceError) as error:
        document_add_version(actor=secretary, document=document, upload=pdf_upload(content=content))

    assert error.value.code == "same_version"
    assert document.versions.count() == 1


def test_a_new_version_that_is_another_documents_file_is_refused(meeting: Meeting, secretary: User, pdf_upload: Upload) -> None:
    other = make_pdf_bytes(pages=3)
    document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(content=other), title="Báo cáo tài chính")
    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(content=make_pdf_bytes(pages=2)))

    with pytest.raises(ServiceError) as error:
        document_add_version(actor=secretary, document=document, upload=pdf_upload(content=other))

    assert error.value.code == "duplicate_document"
    assert "Báo cáo tài chính" in str(error.value)


def test_it_adds_a_new_version_and_keeps_the_old_one(meeting: Meeting, secretary: User, pdf_upload: Upload, media_root: Path) -> None:
    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(pages=1))

    version = document_add_version(actor=secretary, document=document, upload=pdf_upload(name="to-trinh-v2.pdf", pages=2))

    assert version.number == 2
    assert version.page_count == 2
    assert list(document.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert document_current_version(document=document) == version
    old = document.versions.get(number=1)
    assert (media_root / old.file.name).is_file()
    assert (media_root / version.file.name).is_file()
    assert old.file.name != version.file.name
    assert AuditEvent.objects.filter(meeting=meeting, action="document.version", data__number=2).exists()


def test_it_attaches_a_document_to_an_agenda_item(meeting: Meeting, secretary: User, pdf_upload: Upload) -> None:
    item = meeting.agenda_items.get()

    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(), agenda_item=item)

    assert document.agenda_item == item


def test_it_rejects_an_agenda_item_of_another_meeting(
    meeting: Meeting, secretary: User, pdf_upload: Upload, make_meeting: Callable[..., Meeting], media_root: Path
) -> None:
    foreign = make_meeting().agenda_items.get()

    with pytest.raises(ServiceError) as excinfo:
        document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(), agenda_item=foreign)

    assert excinfo.value.code == "invalid_item"
    assert_nothing_stored(media_root)


@pytest.mark.parametrize("who", ["delegate", "chair", "outsider"])
def test_it_rejects_an_upload_by_someone_who_does_not_prepare_the_meeting(
    request: pytest.FixtureRequest, who: str, meeting: Meeting, pdf_upload: Upload, media_root: Path
) -> None:
    with pytest.raises(NotAllowed):
        document_upload(actor=request.getfixturevalue(who), meeting=meeting, upload=pdf_upload())
    assert_nothing_stored(media_root)


def test_it_forbids_uploads_once_the_meeting_has_started(
    published_meeting: Meeting, secretary: User, pdf_upload: Upload, media_root: Path
) -> None:
    set_state(published_meeting, Meeting.State.IN_PROGRESS)

    with pytest.raises(WrongState):
        document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload())
    assert_nothing_stored(media_root)


def test_it_refuses_an_upload_when_the_meeting_starts_while_the_pdf_is_checked(
    published_meeting: Meeting, secretary: User, pdf_upload: Upload, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = document_services.pdf_check

    def check_then_start(*, path: Path, filename: str) -> int:
        pages = check(path=path, filename=filename)
        Meeting.objects.filter(pk=published_meeting.pk).update(state=Meeting.State.IN_PROGRESS)
        return pages

    monkeypatch.setattr(document_services, "pdf_check", check_then_start)

    with pytest.raises(WrongState):
        document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload())
    assert_nothing_stored(media_root)


def test_it_refuses_a_new_version_when_the_meeting_starts_while_the_pdf_is_checked(
    published_meeting: Meeting, secretary: User, pdf_upload: Upload, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload())
    check = document_services.pdf_check

    def check_then_start(*, path: Path, filename: str) -> int:
        pages = check(path=path, filename=filename)
        Meeting.objects.filter(pk=published_meeting.pk).update(state=Meeting.State.IN_PROGRESS)
        return pages

    monkeypatch.setattr(document_services, "pdf_check", check_then_start)

    with pytest.raises(WrongState):
        document_add_version(actor=secretary, document=document, upload=pdf_upload(pages=2))


def _update(document: Document, secretary: User) -> None:
    document_update(actor=secretary, document=document, title="Đổi tên", agenda_item=None, confidential=True, readers=[])


def _delete(document: Document, secretary: User) -> None:
    document_delete(actor=secretary, document=document)


@pytest.mark.parametrize("operation", [_update, _delete])
def test_it_checks_the_state_of_the_locked_meeting_for_document_changes(
    published_meeting: Meeting, secretary: User, pdf_upload: Upload, operation: Callable[[Document, User], None]
) -> None:
    uploaded = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload())
    # The view loads the document with its meeting; then the chair opens the meeting in another request.
    document = Document.objects.select_related("meeting").get(pk=uploaded.pk)
    Meeting.objects.filter(pk=published_meeting.pk).update(state=Meeting.State.IN_PROGRESS)

    with pytest.raises(WrongState):
        operation(document, secretary)


def test_it_forbids_document_changes_once_the_meeting_has_started(published_meeting: Meeting, secretary: User, pdf_upload: Upload) -> None:
    document = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload())
    set_state(published_meeting, Meeting.State.IN_PROGRESS)
    document = Document.objects.get(pk=document.pk)

    with pytest.raises(WrongState):
        document_add_version(actor=secretary, document=document, upload=pdf_upload(pages=2))
    with pytest.raises(WrongState):
        _update(document, secretary)
    with pytest.raises(WrongState):
        _delete(document, secretary)
    assert Document.objects.filter(pk=document.pk, confidential=False).exists()


def test_it_marks_a_document_added_after_publishing_as_a_change_to_notify(
    published_meeting: Meeting, secretary: User, pdf_upload: Upload
) -> None:
    document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload())

    published_meeting.refresh_from_db()
    assert published_meeting.changed_since_notice


# --- confidential documents ----------------------------------------------------------------------


@pytest.fixture
def documents(
    published_meeting: Meeting, secretary: User, delegate: User, other_delegate: User, outsider: User, pdf_upload: Upload
) -> dict[str, Document]:
    """A public and a confidential document; the delegate may read the latter, the other delegate (also invited) not."""
    participants_invite(actor=secretary, meeting=published_meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=True)
    public = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload(name="chuong-trinh.pdf"))
    secret = document_upload(
        actor=secretary,
        meeting=published_meeting,
        upload=pdf_upload(name="bao-cao-mat.pdf", pages=2),
        confidential=True,
        readers=[delegate, outsider],
    )
    return {"public": public, "secret": secret}


def test_it_keeps_only_participants_as_readers_of_a_confidential_document(documents: dict[str, Document], delegate: User) -> None:
    assert list(documents["secret"].readers.all()) == [delegate]
    assert not documents["public"].readers.exists()


@pytest.mark.parametrize(
    ("who", "sees_secret"),
    [("secretary", True), ("chair", True), ("delegate", True), ("other_delegate", False), ("guest", False)],
)
def test_it_lists_confidential_documents_only_to_those_allowed(
    request: pytest.FixtureRequest,
    published_meeting: Meeting,
    secretary: User,
    documents: dict[str, Document],
    who: str,
    sees_secret: bool,
) -> None:
    user = request.getfixturevalue(who)

    visible = set(documents_visible_to(user=user, meeting=published_meeting))

    expected = {documents["public"], documents["secret"]} if sees_secret else {documents["public"]}
    assert visible == expected
    assert user_can_view_document(user=user, document=documents["secret"]) is sees_secret
    assert user_can_view_document(user=user, document=documents["public"]) is True


def test_it_hides_every_document_from_an_outsider(documents: dict[str, Document], outsider: User) -> None:
    assert not user_can_view_document(user=outsider, document=documents["public"])
    assert not user_can_view_document(user=outsider, document=documents["secret"])


def test_it_hides_the_documents_of_a_draft_from_its_delegates(
    meeting: Meeting, secretary: User, delegate: User, pdf_upload: Upload
) -> None:
    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload())

    assert not user_can_view_document(user=delegate, document=document)
    assert user_can_view_document(user=secretary, document=document)


def test_it_clears_the_readers_when_a_document_is_no_longer_confidential(
    documents: dict[str, Document], secretary: User, guest: User
) -> None:
    secret = documents["secret"]

    document_update(actor=secretary, document=secret, title=secret.title, agenda_item=None, confidential=False, readers=[])

    secret.refresh_from_db()
    assert not secret.confidential
    assert not secret.readers.exists()
    assert user_can_view_document(user=guest, document=secret)


def test_it_makes_a_document_confidential_for_chosen_readers(
    documents: dict[str, Document], secretary: User, guest: User, delegate: User
) -> None:
    public = documents["public"]

    document_update(actor=secretary, document=public, title="", agenda_item=None, confidential=True, readers=[guest])

    public.refresh_from_db()
    assert public.confidential
    assert public.title == "chuong-trinh"  # an empty title keeps the old one
    assert user_can_view_document(user=guest, document=public)
    assert not user_can_view_document(user=delegate, document=public)


def test_it_deletes_a_document_but_keeps_its_blob(documents: dict[str, Document], secretary: User, media_root: Path) -> None:
    public = documents["public"]
    blob = media_root / document_current_version(document=public).file.name
    public_id = public.pk

    document_delete(actor=secretary, document=public)

    assert not Document.objects.filter(pk=public_id).exists()
    assert blob.is_file()
    assert AuditEvent.objects.filter(action="document.delete", data__document=public_id).exists()


def test_the_upload_form_lists_the_agenda_numbered_with_sub_items_under_their_item(meeting: Meeting, secretary: User) -> None:
    report = agenda_item_create(actor=secretary, meeting=meeting, title="Báo cáo kinh tế - xã hội")
    agenda_item_create(actor=secretary, meeting=meeting, title="Kết luận")
    agenda_item_create(actor=secretary, meeting=meeting, title="Tình hình thu ngân sách", parent=report)

    labels = [label for _value, label in DocumentUploadForm(meeting=meeting).fields["agenda_item"].choices][1:]

    assert labels == ["1. Khai mạc", "2. Báo cáo kinh tế - xã hội", "2.1. Tình hình thu ngân sách", "3. Kết luận"]


def test_a_file_name_too_long_for_a_title_is_cut_between_words_and_says_so(
    meeting: Meeting, secretary: User, pdf_upload: Callable[..., SimpleUploadedFile]
) -> None:
    stem = "Bao_cao " + " ".join(["tổng hợp ý kiến góp ý dự thảo quy hoạch chung thành phố"] * 8)
    document = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload(f"{stem}.pdf"))

    # Django cut the uploaded name to 255 characters, in the middle of a word.
    assert len(document.title) < 255
    assert document.title.startswith("Bao cao tổng hợp")  # underscores read as spaces
    assert document.title.endswith("…")
    assert stem.replace("_", " ").startswith(document.title[:-1])
    assert document.title[:-1].split()[-1] in stem.split()  # a whole word before the ellipsis


@pytest.mark.parametrize(("text", "limit", "shortened"), [("một hai ba", 20, "một hai ba"), ("một hai ba bốn", 10, "một hai…")])
def test_shorten_cuts_between_words(text: str, limit: int, shortened: str) -> None:
    assert shorten(text, limit) == shortened
