from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Text
from pypdf.generic import DecodedStreamObject, Destination, DictionaryObject, NameObject, NumberObject, RectangleObject

from meetings.pack import PackCover, PackDocument, PackSection, pack_build_pdf
from meetings.pdf_render import html_to_pdf, serif_font_css
from meetings.stamping import pdf_stamp_page_numbers, pdf_watermark

A4 = (595.0, 842.0)
WATERMARK = ["MẬT", "Lê Minh Tuấn", "28/11/2026 09:15"]


def text_pdf(*pages: str) -> bytes:
    """One A4 page per text, laid out by WeasyPrint so the text is real, extractable text."""
    body = '<div style="page-break-after: always"></div>'.join(f"<p>{text}</p>" for text in pages)
    return html_to_pdf(html=f'<style>{serif_font_css()} @page {{ size: A4; }} body {{ font-family: "Doc Serif"; }}</style>{body}')


def blank_pdf(*pages: dict) -> bytes:
    """Blank pages: each dict gives width/height and optionally rotate and crop (x1, y1, x2, y2)."""
    writer = PdfWriter()
    for spec in pages:
        page = writer.add_blank_page(width=spec.get("width", A4[0]), height=spec.get("height", A4[1]))
        if "crop" in spec:
            page.cropbox = RectangleObject(spec["crop"])
        if "rotate" in spec:
            page.rotation = spec["rotate"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdfium_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def render_grey(pdf: bytes, index: int, scale: float = 0.5) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[index].render(scale=scale).to_pil().convert("L")
    finally:
        document.close()


def ink_box(image: Image.Image, threshold: int = 20) -> tuple[int, int, int, int] | None:
    """Bounding box of everything noticeably darker than white."""
    return ImageOps.invert(image).point(lambda value: 255 if value > threshold else 0).getbbox()


def outline_pages(reader: PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """Top-level bookmarks as (title, page index, children as (title, page index))."""
    result: list[tuple[str, int, list[tuple[str, int]]]] = []
    for entry in reader.outline:
        if isinstance(entry, Destination):
            result.append((entry.title, reader.get_destination_page_number(entry), []))
        else:
            result[-1][2].extend((child.title, reader.get_destination_page_number(child)) for child in entry)
    return result


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pack-documents")
    files = {
        "report": text_pdf("Báo cáo kinh tế trang 1", "Báo cáo kinh tế trang 2"),
        "plan": text_pdf("Kế hoạch đầu tư trang 1", "Kế hoạch đầu tư trang 2", "Kế hoạch đầu tư trang 3"),
        "decision": text_pdf("Dự thảo quyết định trang 1"),
        "landscape": blank_pdf({"rotate": 90}),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / f"{name}.pdf"
        paths[name].write_bytes(data)
    return paths


@pytest.fixture
def cover() -> PackCover:
    return PackCover(
        title="Kỳ họp thứ 12 <HĐND> phường",
        body="UBND phường Vũng Tàu",
        parent_body="UBND thành phố Hồ Chí Minh",
        starts="08 giờ 00, thứ Bảy, ngày 28/11/2026",
        place="Hội trường A",
    )


# The watermark


def test_watermark_text_is_on_every_page_and_the_original_text_stays() -> None:
    source = text_pdf("Nội dung gốc trang một", "Nội dung gốc trang hai")
    marked = pdf_watermark(pdf=source, lines=WATERMARK)

    for text in [page.extract_text() for page in PdfReader(io.BytesIO(marked)).pages] + pdfium_texts(marked):
        assert "MẬT" in text
        assert "Lê Minh Tuấn" in text
        assert "28/11/2026 09:15" in text
    pages = PdfReader(io.BytesIO(marked)).pages
    assert "Nội dung gốc trang một" in pages[0].extract_text()
    assert "Nội dung gốc trang hai" in pages[1].extract_text()


def test_watermark_is_translucent_large_and_centred_on_a_plain_page() -> None:
    image = render_grey(pdf_watermark(pdf=blank_pdf({}), lines=WATERMARK), 0)
    left, top, right, bottom = ink_box(image)

    assert abs((left + right) / 2 - image.width / 2) < image.width * 0.04
    assert abs((top + bottom) / 2 - image.height / 2) < image.height * 0.04
    assert right - left > image.width * 0.5  # large, across the page
    assert image.getextrema()[0] > 120  # grey and translucent, never black


def test_watermark_reads_upwards_from_bottom_left_with_the_first_line_on_top() -> None:
    document = pdfium.PdfDocument(pdf_watermark(pdf=blank_pdf({}), lines=WATERMARK))
    try:
        text_page = document[0].get_textpage()
        text = text_page.get_text_range()

        def centre(index: int) -> tuple[float, float]:
            left, bottom, right, top = text_page.get_charbox(index)
            return (left + right) / 2, (bottom + top) / 2

        first_m, last_t = centre(text.index("M")), centre(text.index("T"))
        name_l = centre(text.index("L"))
    finally:
        document.close()
    assert last_t[0] > first_m[0] and last_t[1] > first_m[1]  # rising diagonal, left to right
    assert name_l[1] < first_m[1] + 10 and name_l[0] > first_m[0]  # the name is the line below "MẬT"


@pytest.mark.parametrize(
    "page",
    [
        {"width": A4[1], "height": A4[0], "rotate": 90},
        {"rotate": 180},
        {"width": A4[1], "height": A4[0], "rotate": 270},
        {"width": 1000, "height": 1200, "crop": (100, 200, 100 + A4[0], 200 + A4[1])},
        {"width": 1200, "height": 1000, "crop": (150, 60, 150 + A4[1], 60 + A4[0]), "rotate": 90},
        {"width": 1200, "height": 1000, "crop": (150, 60, 150 + A4[1], 60 + A4[0]), "rotate": 270},
    ],
    ids=["rotate-90", "rotate-180", "rotate-270", "cropped", "cropped-rotate-90", "cropped-rotate-270"],
)
def test_watermark_looks_the_same_on_rotated_and_cropped_pages_as_on_an_upright_page(page: dict) -> None:
    """Every page here DISPLAYS as upright A4; its watermark must look exactly like the plain page's."""
    expected = render_grey(pdf_watermark(pdf=blank_pdf({}), lines=WATERMARK), 0)
    actual = render_grey(pdf_watermark(pdf=blank_pdf(page), lines=WATERMARK), 0)

    assert actual.size == expected.size
    assert ink_box(actual) is not None
    assert ImageStat.Stat(ImageChops.difference(actual, expected)).mean[0] < 1.0


def test_watermark_on_a_landscape_page_is_centred_in_it() -> None:
    image = render_grey(pdf_watermark(pdf=blank_pdf({"width": A4[1], "height": A4[0]}), lines=WATERMARK), 0)
    left, top, right, bottom = ink_box(image)

    assert abs((left + right) / 2 - image.width / 2) < image.width * 0.04
    assert abs((top + bottom) / 2 - image.height / 2) < image.height * 0.04


def test_watermark_keeps_annotations_and_is_laid_out_once_per_page_size() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank_pdf({}, {}, {"width": A4[1], "height": A4[0]}))))
    writer.add_annotation(page_number=0, annotation=Text(text="Ghi chú của đại biểu", rect=(50, 550, 200, 650)))
    source = io.BytesIO()
    writer.write(source)

    pages = PdfReader(io.BytesIO(pdf_watermark(pdf=source.getvalue(), lines=WATERMARK))).pages

    assert [annotation.get_object()["/Subtype"] for annotation in pages[0]["/Annots"]] == ["/Text"]
    overlays = [page["/Resources"]["/XObject"].raw_get("/PhkgWatermark").idnum for page in pages]
    assert overlays[0] == overlays[1] != overlays[2]


def test_page_numbers_stand_upright_at_the_bottom_right_of_each_displayed_page() -> None:
    writer = PdfWriter(
        clone_from=PdfReader(
            io.BytesIO(blank_pdf({}, {"rotate": 90}, {"rotate": 270}, {"width": 900, "height": 900, "crop": (300, 0, 900, 500)}))
        )
    )
    pdf_stamp_page_numbers(writer=writer, start_index=0, first_number=1, total=4, template="Trang {number}/{total}")
    out = io.BytesIO()
    writer.write(out)
    pdf = out.getvalue()

    assert [text.strip() for text in pdfium_texts(pdf)] == ["Trang 1/4", "Trang 2/4", "Trang 3/4", "Trang 4/4"]
    for index in range(4):
        image = render_grey(pdf, index, scale=1)
        left, top, right, bottom = ink_box(image, threshold=60)
        # Half an inch from the right edge, clear of a document's own centred page number.
        assert abs(right - (image.width - 36)) < 3
        assert left > image.width / 2
        assert bottom > image.height - 20 and top > image.height - 30
        assert right - left > 3 * (bottom - top)  # a horizontal line of text, not a vertical one


def test_page_number_labels_must_be_plain_ascii() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank_pdf({}))))
    with pytest.raises(ValueError, match="ASCII"):
        pdf_stamp_page_numbers(writer=writer, start_index=0, first_number=1, total=1, template="Tờ {number}")


# The meeting pack


def test_pack_holds_cover_contents_and_every_document_in_agenda_order_with_bookmarks(documents: dict[str, Path], cover: PackCover) -> None:
    sections = [
        PackSection(number="1", title="Báo cáo tình hình kinh tế", documents=[PackDocument(title="Báo cáo", path=documents["report"])]),
        PackSection(number="2", title="Chào mừng đại biểu", documents=[]),
        PackSection(
            number="3",
            title="Kế hoạch <đầu tư> công",
            documents=[PackDocument(title="Kế hoạch", path=documents["plan"]), PackDocument(title="Dự thảo", path=documents["decision"])],
        ),
        PackSection(number="", title="Tài liệu khác", documents=[PackDocument(title="Bản đồ", path=documents["landscape"])]),
    ]
    reader = PdfReader(io.BytesIO(pack_build_pdf(cover=cover, sections=sections)))
    front = 2

    assert len(reader.pages) == front + 2 + 3 + 1 + 1
    cover_text = reader.pages[0].extract_text()
    for words in ("TÀI LIỆU HỌP", "Kỳ họp thứ 12 <HĐND> phường", "UBND PHƯỜNG VŨNG TÀU", "28/11/2026", "Hội trường A"):
        assert words in cover_text
    assert outline_pages(reader) == [
        ("Mục lục", 1, []),
        ("1. Báo cáo tình hình kinh tế", 2, [("Báo cáo", 2)]),
        ("3. Kế hoạch <đầu tư> công", 4, [("Kế hoạch", 4), ("Dự thảo", 7)]),
        ("Tài liệu khác", 8, [("Bản đồ", 8)]),
    ]
    assert "Báo cáo kinh tế trang 1" in reader.pages[2].extract_text()
    assert "Kế hoạch đầu tư trang 1" in reader.pages[4].extract_text()
    assert "Dự thảo quyết định trang 1" in reader.pages[7].extract_text()
    contents = reader.pages[1].extract_text()
    assert "MỤC LỤC" in contents
    # An item without documents is listed, marked, and has no page number or bookmark.
    assert re.search(r"^2\. Chào mừng đại biểu \(không có tài liệu\)$", contents, re.MULTILINE)


def test_pack_contents_page_numbers_match_the_pages_even_when_the_contents_run_over_several_pages(
    documents: dict[str, Path], cover: PackCover
) -> None:
    sections = [
        PackSection(
            number=str(number),
            title=f"Nội dung số {number}",
            documents=[PackDocument(title=f"Tờ trình số {number}", path=documents["decision"])],
        )
        for number in range(1, 61)
    ]
    reader = PdfReader(io.BytesIO(pack_build_pdf(cover=cover, sections=sections)))
    bookmarks = outline_pages(reader)
    front = bookmarks[1][1]

    assert front >= 4  # cover and at least three pages of contents
    assert len(reader.pages) == front + 60
    contents = "\n".join(reader.pages[index].extract_text() for index in range(1, front))
    printed = {title: int(page) for title, page in re.findall(r"^(Tờ trình số \d+) (\d+)$", contents, re.MULTILINE)}
    assert len(printed) == 60
    for _, _, children in bookmarks[1:]:
        for title, page_index in children:
            assert printed[title] == page_index + 1
            assert f"Trang {page_index + 1}/{len(reader.pages)}" in reader.pages[page_index].extract_text()


def test_pack_numbers_every_page_after_the_cover(documents: dict[str, Path], cover: PackCover) -> None:
    sections = [PackSection(number="1", title="Kế hoạch", documents=[PackDocument(title="Kế hoạch", path=documents["plan"])])]
    pdf = pack_build_pdf(cover=cover, sections=sections)
    texts = pdfium_texts(pdf)

    assert "Trang" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert f"Trang {number}/{len(texts)}" in text


def test_pack_has_metadata_and_opens_with_its_bookmarks(documents: dict[str, Path], cover: PackCover) -> None:
    sections = [PackSection(number="1", title="Báo cáo", documents=[PackDocument(title="Báo cáo", path=documents["report"])])]
    reader = PdfReader(io.BytesIO(pack_build_pdf(cover=cover, sections=sections)))

    assert reader.metadata.title == "Tài liệu họp: Kỳ họp thứ 12 <HĐND> phường"
    assert reader.metadata.author == "UBND phường Vũng Tàu"
    assert "Hội trường A" in reader.metadata.subject
    assert reader.metadata.creator == "Phòng họp không giấy"
    assert reader.metadata.creation_date is not None
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_pack_stores_a_document_included_twice_only_once(tmp_path: Path, cover: PackCover) -> None:
    # A page with a 120 kB image (a scanned letterhead, say): stored twice it would show.
    writer = PdfWriter()
    page = writer.add_blank_page(width=A4[0], height=A4[1])
    image = DecodedStreamObject()
    image.set_data(random.Random(7).randbytes(200 * 200 * 3))
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(200),
            NameObject("/Height"): NumberObject(200),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Logo"): writer._add_object(image)})}
    )
    drawing = DecodedStreamObject()
    drawing.set_data(b"q 200 0 0 200 50 600 cm /Logo Do Q")
    page[NameObject("/Contents")] = writer._add_object(drawing)
    path = tmp_path / "letter.pdf"
    writer.write(path)
    once = [PackSection(number="1", title="Công văn", documents=[PackDocument(title="Công văn", path=path)])]
    twice = [*once, PackSection(number="2", title="Công văn lần hai", documents=[PackDocument(title="Công văn (bản sao)", path=path)])]

    size_once = len(pack_build_pdf(cover=cover, sections=once))
    size_twice = len(pack_build_pdf(cover=cover, sections=twice))

    assert size_once > 120_000
    assert size_twice - size_once < 5_000


def test_pack_keeps_a_rotated_document_rotated_with_an_upright_page_number(documents: dict[str, Path], cover: PackCover) -> None:
    sections = [PackSection(number="1", title="Bản đồ quy hoạch", documents=[PackDocument(title="Bản đồ", path=documents["landscape"])])]
    pdf = pack_build_pdf(cover=cover, sections=sections)
    page = PdfReader(io.BytesIO(pdf)).pages[2]

    assert page.rotation == 90
    assert [float(value) for value in page.mediabox] == [0, 0, A4[0], A4[1]]
    image = render_grey(pdf, 2, scale=1)
    assert image.width > image.height  # displayed landscape
    left, top, right, bottom = ink_box(image, threshold=60)
    assert abs(right - (image.width - 36)) < 3
    assert top > image.height - 30 and right - left > 3 * (bottom - top)
    assert "Trang 3/3" in pdfium_texts(pdf)[2]


def test_pack_watermarks_only_the_confidential_documents_for_their_recipient(documents: dict[str, Path], cover: PackCover) -> None:
    sections = [
        PackSection(
            number="1",
            title="Nhân sự",
            documents=[
                PackDocument(title="Báo cáo công khai", path=documents["decision"]),
                PackDocument(title="Hồ sơ nhân sự", path=documents["report"], confidential=True),
            ],
        )
    ]
    pdf = pack_build_pdf(cover=cover, sections=sections, watermark_lines=WATERMARK)
    texts = pdfium_texts(pdf)

    assert "(Mật)" in texts[1]  # marked in the contents
    assert "MẬT" not in texts[2]
    for text in texts[3:5]:
        assert "MẬT" in text and "Lê Minh Tuấn" in text and "Báo cáo kinh tế" in text


def test_pack_in_english_uses_english_words(documents: dict[str, Path]) -> None:
    cover = PackCover(
        title="Council session", body="Ward People's Committee", parent_body="", starts="28/11/2026 08:00", place="Hall A", language="en"
    )
    sections = [PackSection(number="1", title="Budget", documents=[PackDocument(title="Budget report", path=documents["report"])])]
    pdf = pack_build_pdf(cover=cover, sections=sections)
    reader = PdfReader(io.BytesIO(pdf))

    assert "MEETING PACK" in reader.pages[0].extract_text()
    assert "CONTENTS" in reader.pages[1].extract_text()
    assert "Page 2/4" in pdfium_texts(pdf)[1]
    assert reader.metadata.title == "Meeting pack: Council session"
    assert outline_pages(reader)[0][0] == "Contents"
