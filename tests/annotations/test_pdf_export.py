"""Annotated copy: marks drawn on a tablet come out as PDF annotations exactly where they were drawn.

Every layout below shows a 400 × 600 pt page (portrait), whatever its /Rotate and CropBox, so one set of
normalised displayed coordinates must land on the same pixels of every rendering.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    TextStringObject,
)

from annotations.pdf_export import displayed_to_user_space, pdf_with_annotations

NOTE_TEXT = "Cần làm rõ nguồn vốn ngân sách"
RED = "#ff0000"


@dataclass(frozen=True)
class Layout:
    name: str
    size: tuple[float, float]  # MediaBox width, height
    rotate: int
    mediabox_origin: tuple[float, float] = (0, 0)
    cropbox: tuple[float, float, float, float] | None = None


UNCROPPED = [
    Layout("rot0", (400, 600), 0),
    Layout("rot90", (600, 400), 90),
    Layout("rot180", (400, 600), 180),
    Layout("rot270", (600, 400), 270),
    Layout("rot-90", (600, 400), -90),
    Layout("rot450", (600, 400), 450),
]
CROPPED = [  # MediaBox [-50 -30 750 770]; the CropBox leaves a 400 × 600 displayed page
    Layout("rot0-cropped", (800, 800), 0, (-50, -30), (100, 50, 500, 650)),
    Layout("rot90-cropped", (800, 800), 90, (-50, -30), (120, 200, 720, 600)),
    Layout("rot180-cropped", (800, 800), 180, (-50, -30), (100, 50, 500, 650)),
    Layout("rot270-cropped", (800, 800), 270, (-50, -30), (120, 200, 720, 600)),
]
LAYOUTS = UNCROPPED + CROPPED

# User-space corners of the displayed rect (0.1, 0.2)–(0.4, 0.5), worked out by hand for each layout.
EXPECTED_RECT = {
    "rot0": (40, 300, 160, 480),
    "rot90": (120, 40, 300, 160),
    "rot180": (240, 120, 360, 300),
    "rot270": (300, 240, 480, 360),
    "rot-90": (300, 240, 480, 360),
    "rot450": (120, 40, 300, 160),
    "rot0-cropped": (140, 350, 260, 530),
    "rot90-cropped": (240, 240, 420, 360),
    "rot180-cropped": (340, 170, 460, 350),
    "rot270-cropped": (420, 440, 600, 560),
}


def make_pdf(layouts: list[Layout], *, content: bytes = b"", existing_annotation: bool = False) -> bytes:
    writer = PdfWriter()
    for layout in layouts:
        page = writer.add_blank_page(*layout.size)
        ox, oy = layout.mediabox_origin
        page.mediabox = RectangleObject([ox, oy, ox + layout.size[0], oy + layout.size[1]])
        if layout.cropbox:
            page.cropbox = RectangleObject(layout.cropbox)
        page[NameObject("/Rotate")] = NumberObject(layout.rotate)
        if content:
            stream = DecodedStreamObject()
            stream.set_data(content)
            page[NameObject("/Contents")] = writer._add_object(stream)
        if existing_annotation:
            writer.add_annotation(
                page,
                DictionaryObject(
                    {
                        NameObject("/Type"): NameObject("/Annot"),
                        NameObject("/Subtype"): NameObject("/Text"),
                        NameObject("/Rect"): ArrayObject(FloatObject(v) for v in (10, 10, 30, 30)),
                        NameObject("/NM"): TextStringObject("already-there"),
                    }
                ),
            )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def annotation(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"{kind}-id",
        "page": 1,
        "kind": kind,
        "color": RED,
        "width": 0.004,
        "author": "Lê Minh Tuấn",
        "updated_at": datetime(2025, 3, 14, 8, 5, 9, tzinfo=timezone(timedelta(hours=7))),
    } | fields


def one_of_each_kind() -> list[dict[str, Any]]:
    return [
        annotation("ink", points=[[0.2, 0.25], [0.7, 0.25], [0.7, 0.6]], width=0.02),
        annotation("highlight", color="#ffeb3b", rect=[0.1, 0.7, 0.5, 0.75]),
        annotation("rect", color="#1e40af", width=0.005, rect=[0.9, 0.8, 0.6, 0.7]),
        annotation("arrow", color="#15803d", width=0.005, points=[[0.1, 0.9], [0.4, 0.85]]),
        annotation("note", color="#b45309", rect=[0.1, 0.05, 0.6, 0.15], text=NOTE_TEXT),
    ]


def page_annotations(pdf: bytes, page_index: int = 0) -> list[DictionaryObject]:
    page = PdfReader(io.BytesIO(pdf)).pages[page_index]
    return [reference.get_object() for reference in page.get("/Annots", [])]


def render(pdf: bytes, page_index: int = 0) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[page_index]
        image = page.render(scale=1, draw_annots=True).to_pil().convert("RGB")
        page.close()
        return image
    finally:
        document.close()


def flattened(pdf: bytes) -> bytes:
    """The document with page 1's annotations merged into its content, as a printer would see them."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        assert pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_PRINT) == pdfium_c.FLATTEN_SUCCESS
        page.close()
        saved = io.BytesIO()
        document.save(saved)
        return saved.getvalue()
    finally:
        document.close()


def flattened_text(pdf: bytes) -> str:
    """Page 1's text once its annotations are merged into the content."""
    document = pdfium.PdfDocument(flattened(pdf))
    try:
        page = document[0]
        text_page = page.get_textpage()
        text = text_page.get_text_range()
        text_page.close()
        page.close()
        return " ".join(text.split())
    finally:
        document.close()


def flattened_text_box(pdf: bytes, needle: str) -> tuple[float, float, float, float]:
    """Where `needle` sits on page 1 once annotations are merged: (left, bottom, right, top) in points."""
    document = pdfium.PdfDocument(flattened(pdf))
    try:
        text_page = document[0].get_textpage()
        found = text_page.search(needle).get_next()
        assert found, f"{needle!r} is not on the page"
        boxes = [text_page.get_charbox(index) for index in range(found[0], found[0] + found[1])]
        return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)
    finally:
        document.close()


def mask_bbox(image: Image.Image, *, red: tuple[int, int], green: tuple[int, int], blue: tuple[int, int]) -> tuple[int, ...] | None:
    """Bounding box of the pixels whose channels all lie in the given ranges."""
    masks = [
        channel.point(lambda v, lo=lo, hi=hi: 255 if lo <= v <= hi else 0)
        for channel, (lo, hi) in zip(image.split(), (red, green, blue), strict=True)
    ]
    return ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2]).getbbox()


def is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 200 and pixel[1] < 80 and pixel[2] < 80


def is_white(pixel: tuple[int, ...]) -> bool:
    return min(pixel) > 245


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_displayed_corners_map_to_the_corners_of_the_visible_box(layout: Layout) -> None:
    page = PdfReader(io.BytesIO(make_pdf([layout]))).pages[0]
    x0, y0, x1, y1 = EXPECTED_RECT[layout.name]
    first = displayed_to_user_space(page=page, x=0.1, y=0.2)
    second = displayed_to_user_space(page=page, x=0.4, y=0.5)
    assert sorted((first[0], second[0])) == pytest.approx([x0, x1])
    assert sorted((first[1], second[1])) == pytest.approx([y0, y1])


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_a_rect_lands_at_its_user_space_position_padded_by_half_its_stroke(layout: Layout) -> None:
    exported = pdf_with_annotations(pdf=make_pdf([layout]), annotations=[annotation("rect", rect=[0.4, 0.5, 0.1, 0.2], width=0.01)])

    (square,) = page_annotations(exported)
    half_stroke = 0.01 * 400 / 2  # every layout shows a page 400 pt wide
    x0, y0, x1, y1 = EXPECTED_RECT[layout.name]
    assert square["/Subtype"] == "/Square"
    assert [float(v) for v in square["/Rect"]] == pytest.approx(
        [x0 - half_stroke, y0 - half_stroke, x1 + half_stroke, y1 + half_stroke], abs=0.01
    )
    assert float(square["/BS"]["/W"]) == pytest.approx(4.0)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_an_ink_stroke_lands_where_it_was_drawn_on_the_rendered_page(layout: Layout) -> None:
    stroke = annotation("ink", color=RED, width=0.02, points=[[0.2, 0.25], [0.7, 0.25], [0.7, 0.6]])

    image = render(pdf_with_annotations(pdf=make_pdf([layout]), annotations=[stroke]))

    assert image.size == (400, 600)
    # An L: along the top from x 80 to 280 px at y 150, then down to y 360; 8 px wide with round caps.
    bbox = mask_bbox(image, red=(200, 255), green=(0, 80), blue=(0, 80))
    assert bbox is not None
    assert bbox == pytest.approx((76, 146, 284, 364), abs=2)
    assert is_red(image.getpixel((180, 150)))
    assert is_red(image.getpixel((280, 255)))
    assert is_white(image.getpixel((80, 360)))  # the missing corner of the L: nothing is mirrored


@pytest.mark.parametrize("layout", LAYOUTS[1:], ids=lambda layout: layout.name)
def test_every_kind_looks_the_same_on_a_rotated_or_cropped_page_as_on_a_plain_one(layout: Layout) -> None:
    plain = render(pdf_with_annotations(pdf=make_pdf([LAYOUTS[0]]), annotations=one_of_each_kind()))

    turned = render(pdf_with_annotations(pdf=make_pdf([layout]), annotations=one_of_each_kind()))

    difference = ImageChops.difference(plain, turned).convert("L").point(lambda v: 255 if v > 80 else 0)
    differing_pixels = difference.histogram()[255]
    assert differing_pixels < 0.002 * 400 * 600


def test_every_kind_becomes_its_pdf_annotation_with_an_appearance_and_the_common_fields() -> None:
    exported = pdf_with_annotations(pdf=make_pdf([LAYOUTS[0]]), annotations=one_of_each_kind())

    written = page_annotations(exported)
    page_reference = PdfReader(io.BytesIO(exported)).pages[0].indirect_reference
    assert [a["/Subtype"] for a in written] == ["/Ink", "/Highlight", "/Square", "/Line", "/FreeText"]
    for written_annotation, kind in zip(written, ["ink", "highlight", "rect", "arrow", "note"], strict=True):
        assert written_annotation["/NM"] == f"{kind}-id"
        assert written_annotation["/T"] == "Lê Minh Tuấn"
        assert written_annotation["/M"] == "D:20250314080509+07'00'"
        assert written_annotation["/F"] == 4
        assert written_annotation.raw_get("/P").idnum == page_reference.idnum
        appearance = written_annotation["/AP"]["/N"]
        assert appearance["/Subtype"] == "/Form"
        assert appearance.get_data()


def test_ink_arrow_and_highlight_carry_their_geometry_in_user_space() -> None:
    layout = Layout("rot90", (600, 400), 90)
    ink = annotation("ink", points=[[0.1, 0.2], [0.4, 0.5]], width=0.004)
    arrow = annotation("arrow", points=[[0.1, 0.2], [0.4, 0.5]])
    highlight = annotation("highlight", rect=[0.4, 0.5, 0.1, 0.2])

    written_ink, written_arrow, written_highlight = page_annotations(
        pdf_with_annotations(pdf=make_pdf([layout]), annotations=[ink, arrow, highlight])
    )

    # rot 90 on a 600 × 400 page: displayed (u, v) is user (600 v, 400 u).
    assert [float(v) for v in written_ink["/InkList"][0]] == pytest.approx([120, 40, 300, 160])
    assert float(written_ink["/BS"]["/W"]) == pytest.approx(0.004 * 400)
    assert b"1 J 1 j" in written_ink["/AP"]["/N"].get_data()
    assert [float(v) for v in written_arrow["/L"]] == pytest.approx([120, 40, 300, 160])
    assert list(written_arrow["/LE"]) == ["/None", "/OpenArrow"]
    # Upper-left, upper-right, lower-left, lower-right as displayed.
    assert [float(v) for v in written_highlight["/QuadPoints"]] == pytest.approx([120, 40, 120, 160, 300, 40, 300, 160])
    assert b"/Multiply" in bytes(str(written_highlight["/AP"]["/N"]["/Resources"]), "utf-8")


def test_a_highlight_keeps_the_text_underneath_readable() -> None:
    black_bar = b"0 g 100 400 200 20 re f"  # shown from y 180 to 200 px, x 100 to 300 px
    highlight = annotation("highlight", color="#ffeb3b", rect=[0.2, 0.28, 0.8, 0.36])

    image = render(pdf_with_annotations(pdf=make_pdf([LAYOUTS[0]], content=black_bar), annotations=[highlight]))

    assert max(image.getpixel((200, 190))) < 40  # multiplied, not painted over
    red, green, blue = image.getpixel((200, 172))
    assert red > 200 and green > 200 and blue < 200  # paper under the highlight turns yellow
    assert is_white(image.getpixel((200, 300)))


@pytest.mark.parametrize("layout", [UNCROPPED[0], UNCROPPED[1], CROPPED[3]], ids=lambda layout: layout.name)
def test_a_note_shows_its_vietnamese_text_in_a_yellow_box_where_it_was_placed(layout: Layout) -> None:
    note = annotation("note", rect=[0.1, 0.05, 0.6, 0.15], text=NOTE_TEXT)

    exported = pdf_with_annotations(pdf=make_pdf([layout]), annotations=[note])

    (free_text,) = page_annotations(exported)
    assert free_text["/Subtype"] == "/FreeText"
    assert free_text["/Contents"] == NOTE_TEXT
    assert "Tf" in free_text["/DA"]
    assert NOTE_TEXT in flattened_text(exported)
    fill = mask_bbox(render(exported), red=(245, 255), green=(235, 255), blue=(150, 215))
    assert fill == pytest.approx((40, 30, 240, 90), abs=3)  # displayed (0.1, 0.05)–(0.6, 0.15) of 400 × 600


def test_a_long_note_gets_smaller_type_and_ends_inside_its_box() -> None:
    ending = "đề nghị bổ sung vào dự toán năm sau"
    text = "Về kinh phí: " + "các phường cần rà soát lại thiết bị hiện có trước khi mua sắm mới; " * 14 + ending
    note = annotation("note", rect=[0.1, 0.05, 0.6, 0.25], text=text)

    exported = pdf_with_annotations(pdf=make_pdf([LAYOUTS[0]]), annotations=[note])

    left, bottom, right, top = flattened_text_box(exported, ending)
    # The box is displayed (0.1, 0.05)–(0.6, 0.25) of a 400 × 600 page: x 40–240, y 450–570 in user space.
    assert 40 <= left < right <= 240
    assert 450 <= bottom < top <= 570
    (free_text,) = page_annotations(exported)
    assert free_text["/Contents"] == text


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_a_note_too_long_for_its_box_even_in_small_type_is_cut_there_and_the_next_note_keeps_its_own(
    layout: Layout,
) -> None:
    """It used to run on to a second page of the notes' layout, and the export failed."""
    crammed = annotation("note", rect=[0.1, 0.05, 0.2, 0.08], text=("Ý kiến của đại biểu\n" * 120)[:2000])
    after = annotation("note", rect=[0.5, 0.5, 0.9, 0.6], text="Ghi chú thứ hai")

    exported = pdf_with_annotations(pdf=make_pdf([layout]), annotations=[crammed, after])

    assert [a["/Contents"] for a in page_annotations(exported)] == [crammed["text"], "Ghi chú thứ hai"]
    assert "Ghi chú thứ hai" in flattened_text(exported)


def test_an_annotation_for_a_page_the_document_lacks_is_skipped() -> None:
    stray = [annotation("ink", page=page, points=[[0.1, 0.1], [0.2, 0.2]]) for page in (0, -1, 2, 99, "1", None)]
    kept = annotation("ink", points=[[0.1, 0.1], [0.2, 0.2]])

    exported = pdf_with_annotations(pdf=make_pdf([LAYOUTS[0]]), annotations=[*stray, kept])

    assert [a["/Subtype"] for a in page_annotations(exported)] == ["/Ink"]


def test_annotations_already_in_the_document_are_kept() -> None:
    original = make_pdf([LAYOUTS[0]], existing_annotation=True)

    exported = pdf_with_annotations(pdf=original, annotations=one_of_each_kind())

    written = page_annotations(exported)
    assert len(written) == 6
    assert written[0]["/NM"] == "already-there"


def test_no_annotations_gives_back_an_equivalent_document() -> None:
    exported = pdf_with_annotations(pdf=make_pdf(LAYOUTS), annotations=[])

    assert len(PdfReader(io.BytesIO(exported)).pages) == len(LAYOUTS)
    assert page_annotations(exported) == []


def test_a_naive_or_textual_update_time_still_becomes_a_pdf_date() -> None:
    naive = annotation("rect", rect=[0.1, 0.1, 0.2, 0.2], updated_at=datetime(2025, 1, 2, 3, 4, 5))
    textual = annotation("rect", rect=[0.1, 0.1, 0.2, 0.2], updated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC).isoformat())

    written = page_annotations(pdf_with_annotations(pdf=make_pdf([LAYOUTS[0]]), annotations=[naive, textual]))

    # The same moment, written in the site's time zone (Asia/Ho_Chi_Minh), as every PDF date the system writes.
    assert [a["/M"] for a in written] == ["D:20250102100405+07'00'", "D:20250102100405+07'00'"]


def test_three_hundred_annotations_over_a_hundred_pages_export() -> None:
    kinds = one_of_each_kind()
    many = [kinds[i % len(kinds)] | {"id": f"a{i}", "page": i % 100 + 1} for i in range(300)]

    exported = pdf_with_annotations(pdf=make_pdf([LAYOUTS[i % len(LAYOUTS)] for i in range(100)]), annotations=many)

    reader = PdfReader(io.BytesIO(exported))
    assert sum(len(page.get("/Annots", [])) for page in reader.pages) == 300
