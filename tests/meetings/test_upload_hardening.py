"""Hostile PDFs are refused at upload with a clear message, and ordinary ones still pass.

Every hostile file is written here by hand, byte by byte, so the test says exactly what it
contains: decompression bombs (one of 2 GiB of zeros that is 2 MB on disk), images and pages of
absurd size, objects nested 100 000 deep, page trees that loop.
"""

from __future__ import annotations

import base64
import binascii
import logging
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pytest_django.fixtures import Settings

from meetings import pdf_probe, pdf_streams
from meetings.models import AuditEvent, Document, DocumentVersion, Meeting, User
from meetings.pdf_render import html_to_pdf
from meetings.services.documents import DocumentRejected, _rejection_message, document_upload
from tests.conftest import files_under

pytestmark = pytest.mark.django_db

GIB = 1024 * 1024 * 1024
MIB = 1024 * 1024
A4 = b"[0 0 595 842]"


# --- writing PDFs by hand ------------------------------------------------------------------------


def build_pdf(objects: dict[int, bytes], *, root: int = 1) -> bytes:
    """A PDF of the given numbered objects with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    start = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, start)
    return bytes(out)


def build_pdf_with_object_stream(objects: dict[int, bytes], *, packed: dict[int, tuple[int, int]]) -> bytes:
    """Like build_pdf, with a cross-reference stream so that `packed` objects can live in an object stream."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_number = max([*objects, *packed]) + 1
    offsets[xref_number] = len(out)
    rows = b""
    for number in range(xref_number + 1):
        if number in offsets:
            rows += struct.pack(">BIH", 1, offsets[number], 0)
        elif number in packed:
            rows += struct.pack(">BIH", 2, *packed[number])
        else:
            rows += struct.pack(">BIH", 0, 0, 65535)
    entries = b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % (xref_number + 1)
    out += b"%d 0 obj\n" % xref_number + stream(rows, entries) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), entries) + data + b"\nendstream"


def one_page(*, page: bytes = b"", contents: bytes = b"q Q", contents_entries: bytes = b"", more: dict[int, bytes] | None = None) -> bytes:
    """A one-page A4 document (objects 1–4); `page` adds entries to the page, `more` adds objects from 5 on."""
    if b"/MediaBox" not in page:
        page += b" /MediaBox " + A4
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R " + page + b" >>",
        4: stream(contents, contents_entries),
    }
    objects.update(more or {})
    return build_pdf(objects)


def deflated_zeros(total: int, *, prefix: bytes = b"", block: int = MIB) -> bytes:
    """A zlib stream of `prefix` then `total` zero bytes, built without compressing them all.

    After a full flush deflate forgets its history, so every further block of zeros compresses to
    the same bytes: one is made and repeated. Compressing 2 GiB outright takes ~10 s; this takes milliseconds.
    """
    compressor = zlib.compressobj(9)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    # Adler-32 of the zeros in closed form: the low sum stays, the high sum grows by it per byte.
    low, high = zlib.adler32(prefix) & 0xFFFF, zlib.adler32(prefix) >> 16
    checksum = ((high + low * total) % 65521) << 16 | low
    # b"\x03\x00" is an empty final block, as compressor.flush() would end the stream.
    return head + repeated * (total // block) + b"\x03\x00" + checksum.to_bytes(4, "big")


# --- hostile files -------------------------------------------------------------------------------


def _bomb_in_the_page_content() -> bytes:
    return one_page(contents=deflated_zeros(2 * GIB), contents_entries=b"/Filter /FlateDecode")


def _bomb_behind_chained_filters_in_a_form() -> bytes:
    # Compressed twice: a few kilobytes that inflate to 2 MB, which inflate to 2 GiB.
    twice = zlib.compress(deflated_zeros(2 * GIB), 9)
    form = stream(twice, b"/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Filter [/FlateDecode /FlateDecode]")
    return one_page(page=b"/Resources << /XObject << /Fm0 5 0 R >> >>", contents=b"/Fm0 Do", more={5: form})


def _bomb_as_an_image() -> bytes:
    image = stream(
        deflated_zeros(2 * GIB),
        b"/Type /XObject /Subtype /Image /Width 1000 /Height 1000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
    )
    return one_page(page=b"/Resources << /XObject << /Im0 5 0 R >> >>", contents=b"q 100 0 0 100 0 0 cm /Im0 Do Q", more={5: image})


def _bomb_in_an_annotation_appearance() -> bytes:
    appearance = stream(deflated_zeros(2 * GIB), b"/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Filter /FlateDecode")
    annotation = b"<< /Type /Annot /Subtype /Square /Rect [10 10 110 110] /AP << /N 6 0 R >> >>"
    return one_page(page=b"/Annots [5 0 R]", more={5: annotation, 6: appearance})


def _bomb_in_an_object_stream() -> bytes:
    # pypdf inflates object streams itself, before anything else sees them.
    page = b"5 0 << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> "
    packed = stream(deflated_zeros(2 * GIB, prefix=page), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode")
    return build_pdf_with_object_stream(
        {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>", 6: packed}, packed={5: (6, 0)}
    )


def _image_of_ten_gigapixels() -> bytes:
    image = stream(
        zlib.compress(bytes(1000)),
        b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode",
    )
    return one_page(page=b"/Resources << /XObject << /Im0 5 0 R >> >>", contents=b"q 100 0 0 100 0 0 cm /Im0 Do Q", more={5: image})


def _inline_image_of_two_gigapixels() -> bytes:
    return one_page(contents=b"q 100 0 0 100 0 0 cm\nBI /W 50000 /H 50000 /CS /G /BPC 8 ID \x00\x00\x00\x00 EI\nQ")


def _arrays_nested_100_000_deep_in_a_resource() -> bytes:
    nested = b"[" * 100_000 + b"]" * 100_000
    return one_page(page=b"/Resources << /Properties << /MC0 5 0 R >> >>", more={5: nested})


def _arrays_nested_100_000_deep_in_the_page() -> bytes:
    return one_page(page=b"/Resources << >> /Nested " + b"[" * 100_000 + b"]" * 100_000)


def _dictionaries_nested_100_000_deep() -> bytes:
    nested = b"<< /A " * 100_000 + b"0" + b" >>" * 100_000
    return one_page(page=b"/Resources 5 0 R", more={5: nested})


def _arrays_nested_200_deep() -> bytes:
    # Shallow enough for pypdf's recursion, still deeper than any renderer reads.
    nested = b"[" * 200 + b"]" * 200
    return one_page(page=b"/Resources << /Properties << /MC0 5 0 R >> >>", more={5: nested})


def _kids_pointing_to_themselves() -> bytes:
    return build_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        }
    )


def _kids_looping_through_a_child() -> bytes:
    return build_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            4: b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        }
    )


def _parent_chain_looping() -> bytes:
    return build_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Parent 4 0 R /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            4: b"<< /Type /Pages /Parent 2 0 R /Kids [] /Count 0 >>",
        }
    )


def _page_tree_multiplying_itself() -> bytes:
    # Each level lists the next one twice: 40 levels would mean 2^40 pages.
    levels = 40
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    for level in range(levels):
        number = 2 + level
        objects[number] = b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count %d >>" % (number + 1, number + 1, 2 ** (levels - level))
    objects[2 + levels] = b"<< /Type /Page /MediaBox [0 0 595 842] >>"
    return build_pdf(objects)


def _media_box_of_a_billion_points() -> bytes:
    return one_page(page=b"/MediaBox [0 0 1000000000 1000000000]")


def _absurd_user_unit() -> bytes:
    return one_page(page=b"/UserUnit 75000")


def _page_one_point_wide_and_five_metres_long() -> bytes:
    return one_page(page=b"/MediaBox [0 0 1 14000]")


HOSTILE_FILES = [
    pytest.param(_bomb_in_the_page_content, "bomb", id="flate-bomb-2GiB-in-page-content"),
    pytest.param(_bomb_behind_chained_filters_in_a_form, "bomb", id="bomb-behind-chained-filters-in-a-form"),
    pytest.param(_bomb_as_an_image, "bomb", id="bomb-as-an-image"),
    pytest.param(_bomb_in_an_annotation_appearance, "bomb", id="bomb-in-an-annotation-appearance"),
    pytest.param(_bomb_in_an_object_stream, "bomb", id="bomb-in-an-object-stream"),
    pytest.param(_image_of_ten_gigapixels, "huge_image", id="image-100000x100000"),
    pytest.param(_inline_image_of_two_gigapixels, "huge_image", id="inline-image-50000x50000"),
    pytest.param(_arrays_nested_100_000_deep_in_a_resource, "too_complex", id="arrays-nested-100000-deep-in-a-resource"),
    pytest.param(_arrays_nested_100_000_deep_in_the_page, "too_complex", id="arrays-nested-100000-deep-in-the-page"),
    pytest.param(_dictionaries_nested_100_000_deep, "too_complex", id="dictionaries-nested-100000-deep"),
    pytest.param(_arrays_nested_200_deep, "too_complex", id="arrays-nested-200-deep"),
    pytest.param(_kids_pointing_to_themselves, "damaged", id="kids-pointing-to-themselves"),
    pytest.param(_kids_looping_through_a_child, "damaged", id="kids-looping-through-a-child"),
    pytest.param(_parent_chain_looping, "damaged", id="parent-chain-looping"),
    pytest.param(_page_tree_multiplying_itself, "too_complex", id="page-tree-multiplying-itself"),
    pytest.param(_media_box_of_a_billion_points, "huge_page", id="media-box-1e9-points"),
    pytest.param(_absurd_user_unit, "huge_page", id="user-unit-75000"),
    pytest.param(_page_one_point_wide_and_five_metres_long, "huge_page", id="page-1pt-by-14000pt"),
]


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def media_root(settings: Settings) -> Path:
    return Path(settings.MEDIA_ROOT)


def upload_of(content: bytes, name: str = "to-trinh-doc-hai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def assert_nothing_stored(media_root: Path) -> None:
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert files_under(media_root / "documents") == []
    assert files_under(media_root / "incoming") == []


def probe_bytes(tmp_path: Path, content: bytes, *, max_pages: int = 1000) -> dict[str, object]:
    """The probe run in this process (for limits patched here); the service runs it in a child."""
    path = tmp_path / "probe.pdf"
    path.write_bytes(content)
    return pdf_probe.probe(str(path), max_pages=max_pages)


# --- refused -------------------------------------------------------------------------------------


def test_the_hand_made_bomb_inflates_to_what_it_claims() -> None:
    small = deflated_zeros(64 * MIB, prefix=b"5 0 << >> ")
    assert zlib.decompress(small) == b"5 0 << >> " + bytes(64 * MIB)
    assert len(deflated_zeros(2 * GIB)) < 3 * MIB


@pytest.mark.parametrize(("content", "reason"), HOSTILE_FILES)
def test_it_refuses_a_hostile_pdf_naming_it_and_storing_nothing(
    meeting: Meeting, secretary: User, media_root: Path, content: Callable[[], bytes], reason: str
) -> None:
    before = AuditEvent.objects.count()

    with pytest.raises(DocumentRejected) as excinfo:
        document_upload(actor=secretary, meeting=meeting, upload=upload_of(content()))

    # The exact message of the expected reason: not "took too long", so the check finished on its own.
    assert str(excinfo.value) == _rejection_message(reason=reason, filename="to-trinh-doc-hai.pdf")
    assert excinfo.value.code == "document_rejected"
    assert_nothing_stored(media_root)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("reason", ["bomb", "huge_image", "huge_page"])
def test_each_new_refusal_names_the_file_and_says_what_to_do(reason: str) -> None:
    with translation.override("en"):
        message = _rejection_message(reason=reason, filename="phu-luc-02.pdf")

    assert "“phu-luc-02.pdf”" in message
    assert message.endswith("then upload it.")
    assert message != _rejection_message(reason="damaged", filename="phu-luc-02.pdf")


# --- accepted ------------------------------------------------------------------------------------


RGB_FLATE = b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode"


def _ordinary_page_objects() -> dict[int, bytes]:
    """Text, a Flate image, a form, an inline image and an annotation: what real documents contain."""
    text = b"BT /F1 12 Tf 72 770 Td (Bao cao tinh hinh kinh te - xa hoi quy III) Tj ET\n" * 200
    # A white A4 page scanned at 300 dpi: 26 MB that deflate squeezes ~1000:1, as real scans are.
    scan = zlib.compress(b"\xff" * (2480 * 3508 * 3), 9)
    gradient = zlib.compress(bytes(range(256)) * 3 * 600)
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 9 0 R] /Annots [8 0 R]"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>"
        b" /XObject << /Scan 5 0 R /Im1 6 0 R /Fm0 7 0 R >> >> >>",
        4: stream(zlib.compress(text), b"/Filter /FlateDecode"),
        5: stream(scan, b"/Type /XObject /Subtype /Image /Width 2480 /Height 3508 " + RGB_FLATE),
        6: stream(gradient, b"/Type /XObject /Subtype /Image /Width 768 /Height 600 " + RGB_FLATE),
        # The form lists itself among its resources, as producers that share one resource dictionary do.
        7: stream(
            zlib.compress(b"0 0 1 rg 0 0 50 50 re f"),
            b"/Type /XObject /Subtype /Form /BBox [0 0 50 50] /Resources << /XObject << /Fm0 7 0 R >> >> /Filter /FlateDecode",
        ),
        8: b"<< /Type /Annot /Subtype /Square /Rect [10 10 60 60] /P 3 0 R /AP << /N 7 0 R >> >>",
        9: stream(
            b"q 595 0 0 842 0 0 cm /Scan Do Q q 200 0 0 150 72 500 cm /Im1 Do Q /Fm0 Do\n"
            b"q 20 0 0 20 300 300 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q"
        ),
    }


def test_it_accepts_a_pdf_with_ordinary_compressed_content(meeting: Meeting, secretary: User, media_root: Path) -> None:
    content = build_pdf(_ordinary_page_objects())

    document = document_upload(actor=secretary, meeting=meeting, upload=upload_of(content, "bao-cao-quy-3.pdf"))

    version = document.versions.get()
    assert version.page_count == 1
    assert (media_root / version.file.name).read_bytes() == content


def test_it_accepts_a_document_laid_out_by_weasyprint(meeting: Meeting, secretary: User) -> None:
    paragraphs = "".join(f"<p>Điều {n}. Ủy ban nhân dân thành phố giao các phòng, ban triển khai nhiệm vụ.</p>" for n in range(1, 120))
    content = html_to_pdf(html=f"<html><body><h1>Tờ trình</h1>{paragraphs}</body></html>")

    document = document_upload(actor=secretary, meeting=meeting, upload=upload_of(content, "to-trinh.pdf"))

    assert document.versions.get().page_count >= 2


def _run_length(data: bytes) -> bytes:
    # Literal runs only: simple, and a decoder must still follow them.
    return b"".join(bytes((len(data[i : i + 128]) - 1,)) + data[i : i + 128] for i in range(0, len(data), 128)) + b"\x80"


CONTENT = b"BT /F1 12 Tf 72 770 Td (Ordinary text) Tj ET\n" * 2000
ENCODINGS = [
    pytest.param(b"/FlateDecode", zlib.compress(CONTENT), id="flate"),
    pytest.param(b"[/ASCII85Decode /FlateDecode]", base64.a85encode(zlib.compress(CONTENT), adobe=True, wrapcol=72), id="ascii85-flate"),
    pytest.param(b"[/ASCIIHexDecode /FlateDecode]", binascii.hexlify(zlib.compress(CONTENT)) + b">", id="asciihex-flate"),
    pytest.param(b"/RunLengthDecode", _run_length(CONTENT), id="run-length"),
]


@pytest.mark.parametrize(("filters", "encoded"), ENCODINGS)
def test_it_accepts_content_encoded_with_each_filter(meeting: Meeting, secretary: User, filters: bytes, encoded: bytes) -> None:
    content = one_page(contents=encoded, contents_entries=b"/Filter " + filters)

    document = document_upload(actor=secretary, meeting=meeting, upload=upload_of(content))

    assert document.versions.get().page_count == 1


@pytest.mark.parametrize(("filters", "encoded"), ENCODINGS)
def test_the_probe_decodes_each_filter_to_the_original_bytes(tmp_path: Path, filters: bytes, encoded: bytes) -> None:
    from pypdf import PdfReader

    path = tmp_path / "filters.pdf"
    path.write_bytes(one_page(contents=encoded, contents_entries=b"/Filter " + filters))
    contents = PdfReader(path).pages[0]["/Contents"].get_object()

    assert b"".join(pdf_probe._decoded(contents, pdf_probe.Budget())) == CONTENT


def test_the_probe_decodes_lzw_as_pypdf_does() -> None:
    from pypdf.filters import LZWDecode

    # Codes as an LZW encoder writes them (9 bits, clear first): "ABABABA" then end of data.
    codes, width, bits = [256, 65, 66, 258, 260, 257], 9, ""
    for code in codes:
        bits += format(code, f"0{width}b")
    encoded = int(bits + "0" * (-len(bits) % 8), 2).to_bytes((len(bits) + 7) // 8, "big")

    decoded = b"".join(pdf_streams.lzw([encoded[:2], encoded[2:]], early_change=1))

    assert decoded == LZWDecode.decode(encoded) == b"ABABABA"


# --- the limits themselves -----------------------------------------------------------------------


def test_it_counts_what_all_pages_inflate_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_probe, "MAX_INFLATED_BYTES_PER_STREAM", 2 * MIB)
    monkeypatch.setattr(pdf_probe, "MAX_INFLATED_TOTAL", 4 * MIB)
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R 5 0 R 7 0 R] /Count 3 >>"}
    for page in (3, 5, 7):
        objects[page] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (page + 1)
        objects[page + 1] = stream(zlib.compress(bytes(3 * MIB // 2)), b"/Filter /FlateDecode")

    result = probe_bytes(tmp_path, build_pdf(objects))

    assert result["ok"] is False
    assert result["reason"] == "bomb"


def test_it_counts_a_stream_shared_by_every_page_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_probe, "MAX_INFLATED_TOTAL", 4 * MIB)
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>"}
    for page in (3, 4, 5):
        objects[page] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R >>"
    objects[6] = stream(zlib.compress(bytes(3 * MIB // 2)), b"/Filter /FlateDecode")

    assert probe_bytes(tmp_path, build_pdf(objects)) == {"ok": True, "page_count": 3}


def test_it_stops_a_stacked_bomb_on_its_ratio_long_before_the_size_limit(tmp_path: Path) -> None:
    result = probe_bytes(tmp_path, _bomb_behind_chained_filters_in_a_form())

    assert result["reason"] == "bomb"
    assert "a stream of" in str(result["detail"])  # the ratio rule, not the 256 MiB one


def test_it_finds_a_bomb_within_a_small_memory_limit(meeting: Meeting, secretary: User, settings: Settings, media_root: Path) -> None:
    # 2 GiB of zeros measured in 128 MB of address space: the data is counted as it inflates, never kept.
    settings.DOCUMENT_PARSE_MEMORY_MB = 128

    with pytest.raises(DocumentRejected) as excinfo:
        document_upload(actor=secretary, meeting=meeting, upload=upload_of(_bomb_in_the_page_content()))

    assert str(excinfo.value) == _rejection_message(reason="bomb", filename="to-trinh-doc-hai.pdf")
    assert_nothing_stored(media_root)


def test_a_check_that_runs_out_of_memory_refuses_the_file(meeting: Meeting, secretary: User, settings: Settings, media_root: Path) -> None:
    # Too little memory even to load the parser: the check fails closed.
    settings.DOCUMENT_PARSE_MEMORY_MB = 16

    with pytest.raises(DocumentRejected) as excinfo:
        document_upload(actor=secretary, meeting=meeting, upload=upload_of(build_pdf(_ordinary_page_objects())))

    assert str(excinfo.value) in {
        _rejection_message(reason="too_complex", filename="to-trinh-doc-hai.pdf"),
        _rejection_message(reason="damaged", filename="to-trinh-doc-hai.pdf"),
    }
    assert_nothing_stored(media_root)


def test_a_check_that_runs_too_long_is_stopped_and_the_file_refused(
    meeting: Meeting, secretary: User, settings: Settings, media_root: Path
) -> None:
    # Ten million one-byte runs: legitimate, but decoding them takes the probe several seconds.
    settings.DOCUMENT_PARSE_SECONDS = 1
    slow = one_page(contents=b"\x00 " * 10_000_000 + b"\x80", contents_entries=b"/Filter /RunLengthDecode")
    started = time.monotonic()

    with pytest.raises(DocumentRejected) as excinfo:
        document_upload(actor=secretary, meeting=meeting, upload=upload_of(slow))

    assert str(excinfo.value) == _rejection_message(reason="timeout", filename="to-trinh-doc-hai.pdf")
    assert time.monotonic() - started < 10
    assert_nothing_stored(media_root)


def test_the_probe_reports_running_out_of_memory_as_too_complex(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def exhausted(path: str, *, max_pages: int) -> dict[str, object]:
        raise MemoryError

    monkeypatch.setattr(pdf_probe, "probe", exhausted)
    monkeypatch.setattr(pdf_probe.resource, "setrlimit", lambda *args: None)  # not in the test process
    monkeypatch.setattr("sys.argv", ["pdf_probe", "any.pdf", "10", "1024"])
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level

    try:
        pdf_probe.main()
    finally:
        pypdf_logger.setLevel(level)  # main() quietens pypdf for the child; give this process its warnings back

    assert capsys.readouterr().out == '{"ok": false, "reason": "too_complex"}'
