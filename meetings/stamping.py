"""Stamps on existing PDF pages: the per-viewer watermark and running page numbers; and the
metadata every PDF the system writes ends with.

Both stamps are drawn in the page as it is DISPLAYED: a page's /Rotate and its CropBox decide
where "upright" and "the middle" are, so every stamp goes through `page_displayed_box`. A stamp
never rewrites a page's own content: the original streams are wrapped in q…Q and the stamp is
appended as a small extra stream, so a 500-page pack is stamped without decoding any page.
"""

from __future__ import annotations

import datetime
import html
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import count
from typing import Any

from django.utils import timezone
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    PdfObject,
)

from meetings.pdf_render import FONT_DIR, html_to_pdf, serif_font_css

CREATOR = "Phòng họp không giấy"

WATERMARK_COLOUR = "rgba(96, 96, 96, 0.3)"  # translucent grey: the page underneath stays readable
WATERMARK_LINE_HEIGHT = 1.15
# The lines run along the displayed diagonal; the longest uses at most this share of it, so the
# ends stay clear of the corners.
WATERMARK_DIAGONAL_SHARE = 0.62
WATERMARK_FIRST_LINE_MAX = 0.15  # "MẬT" big, but not page-filling: ≤ 15 % of the diagonal
WATERMARK_OTHER_LINE_MAX = 0.07

PAGE_NUMBER_SIZE = 9.0
PAGE_NUMBER_MARGIN = 36.0  # half an inch from the right edge
PAGE_NUMBER_BASELINE = 16.0  # pt above the displayed bottom edge: inside any usual margin

# Helvetica advance widths (per 1000 em) of WinAnsi codes 32–126, from Adobe's Helvetica.afm.
_HELVETICA_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip

Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class DisplayedBox:
    width: float
    height: float
    # Maps displayed coordinates (origin at the displayed bottom left, y up) to the page's user space.
    matrix: Matrix


def page_displayed_box(*, page: PageObject) -> DisplayedBox:
    """The visible area (CropBox within MediaBox) turned by /Rotate, as a viewer shows it."""
    media = [float(value) for value in page.get_inherited("/MediaBox")]
    crop_value = page.get_inherited("/CropBox", None)
    crop = [float(value) for value in crop_value] if crop_value is not None else media
    # Boxes may list their corners in any order, and a viewer shows only what lies in both.
    left = max(min(media[0], media[2]), min(crop[0], crop[2]))
    bottom = max(min(media[1], media[3]), min(crop[1], crop[3]))
    right = min(max(media[0], media[2]), max(crop[0], crop[2]))
    top = min(max(media[1], media[3]), max(crop[1], crop[3]))
    if right <= left or top <= bottom:  # disjoint boxes: viewers fall back to the MediaBox
        left, bottom, right, top = min(media[0], media[2]), min(media[1], media[3]), max(media[0], media[2]), max(media[1], media[3])
    width, height = right - left, top - bottom
    rotation = ((int(page.get_inherited("/Rotate", 0)) % 360 + 45) // 90 * 90) % 360
    # /Rotate turns the page clockwise on screen; each matrix turns upright drawing the other way
    # and moves it back onto the crop box.
    if rotation == 90:
        return DisplayedBox(width=height, height=width, matrix=(0, 1, -1, 0, left + width, bottom))
    if rotation == 180:
        return DisplayedBox(width=width, height=height, matrix=(-1, 0, 0, -1, left + width, bottom + height))
    if rotation == 270:
        return DisplayedBox(width=height, height=width, matrix=(0, -1, 1, 0, left, bottom + height))
    return DisplayedBox(width=width, height=height, matrix=(1, 0, 0, 1, left, bottom))


def _matrix_operator(matrix: Matrix) -> bytes:
    if matrix == (1, 0, 0, 1, 0, 0):  # most pages: a few bytes less on each of hundreds
        return b""
    return (" ".join(f"{value:.4f}".rstrip("0").rstrip(".") for value in matrix) + " cm").encode("ascii")


def _page_resources(page: PageObject) -> DictionaryObject:
    """The page's /Resources to add to; an inherited dictionary is first attached to the page."""
    if "/Resources" not in page:
        inherited = page.get_inherited("/Resources", None)
        if inherited is None:
            inherited = DictionaryObject()
        page[NameObject("/Resources")] = inherited.indirect_reference or inherited
    return page["/Resources"].get_object()


def _resource_name(*, resources: DictionaryObject, kind: str, prefix: str, value: IndirectObject) -> NameObject:
    """A name under `kind` that maps to `value`: ours again, or a fresh one that clashes with nothing.

    Resource dictionaries are often shared between pages, so a name taken by another page's
    stamp (a watermark of another size) is skipped rather than overwritten.
    """
    if kind not in resources:
        resources[NameObject(kind)] = DictionaryObject()
    group = resources[kind].get_object()
    for number in count():
        name = NameObject(f"/{prefix}{number or ''}")
        if name not in group:
            group[name] = value
            return name
        if group.raw_get(name) == value:
            return name
    raise AssertionError("unreachable")


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _page_append_drawing(*, writer: PdfWriter, page: PageObject, opening: IndirectObject, drawing: bytes) -> None:
    """Draw after the page's content, which is isolated in q…Q so its graphics state cannot leak.

    `opening` is one shared "q" stream: every page refers to it rather than to a copy of its own.
    """
    existing = page.raw_get("/Contents") if "/Contents" in page else None
    resolved = existing.get_object() if existing is not None else None
    if isinstance(resolved, ArrayObject):
        parts: list[PdfObject] = list(resolved)
    else:
        parts = [existing] if existing is not None else []
    page[NameObject("/Contents")] = ArrayObject([opening, *parts, _stream(writer, b"\nQ\n" + drawing)])


@lru_cache(maxsize=2)
def _measuring_font(bold: bool) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_DIR / f"LiberationSerif-{'Bold' if bold else 'Regular'}.ttf"), size=100)


def _watermark_font_sizes(*, lines: list[str], width: float, height: float) -> list[float]:
    diagonal = math.hypot(width, height)
    sizes = []
    for index, line in enumerate(lines):
        per_point = max(_measuring_font(index == 0).getlength(line) / 100, 1e-6)
        ceiling = (WATERMARK_FIRST_LINE_MAX if index == 0 else WATERMARK_OTHER_LINE_MAX) * diagonal
        sizes.append(min(ceiling, diagonal * WATERMARK_DIAGONAL_SHARE / per_point))
    # The block of lines must also fit across the band: at most 40 % of the shorter side.
    thickness = sum(sizes) * WATERMARK_LINE_HEIGHT
    shrink = min(1.0, 0.4 * min(width, height) / thickness) if thickness else 1.0
    return [size * shrink for size in sizes]


def _watermark_overlay_pdf(*, lines: list[str], width: float, height: float) -> bytes:
    """One page of `width`×`height` pt with `lines` large, diagonal and translucent across its middle."""
    sizes = _watermark_font_sizes(lines=lines, width=width, height=height)
    block_width = math.hypot(width, height) * WATERMARK_DIAGONAL_SHARE
    block_height = sum(sizes) * WATERMARK_LINE_HEIGHT
    angle = math.degrees(math.atan2(height, width))
    paragraphs = "".join(
        f'<p style="font-size: {size:.2f}pt;{" font-weight: bold;" if index == 0 else ""}">{html.escape(line)}</p>'
        for index, (line, size) in enumerate(zip(lines, sizes, strict=True))
    )
    document = f"""<!doctype html><html><head><meta charset="utf-8"><style>
{serif_font_css()}
@page {{ size: {width:.3f}pt {height:.3f}pt; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
.mark {{ position: absolute; left: {(width - block_width) / 2:.3f}pt; top: {(height - block_height) / 2:.3f}pt;
  width: {block_width:.3f}pt; height: {block_height:.3f}pt; transform: rotate(-{angle:.3f}deg);
  font-family: "Doc Serif"; color: {WATERMARK_COLOUR}; text-align: center; }}
.mark p {{ margin: 0; white-space: nowrap; line-height: {WATERMARK_LINE_HEIGHT}; }}
</style></head><body><div class="mark">{paragraphs}</div></body></html>"""
    return html_to_pdf(html=document)


def _overlay_form(*, writer: PdfWriter, overlay: bytes) -> IndirectObject:
    """The overlay's single page as a Form XObject in `writer`: stored once, drawn on many pages."""
    page = PdfReader(io.BytesIO(overlay)).pages[0]
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data() if page.get_contents() is not None else b"")
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(float(value)) for value in page.mediabox)
    form[NameObject("/Resources")] = page["/Resources"].get_object().clone(writer)
    if "/Group" in page:  # WeasyPrint's transparency group keeps the translucency right
        form[NameObject("/Group")] = page["/Group"].get_object().clone(writer)
    return writer._add_object(form.flate_encode())


def pdf_watermark_pages(*, writer: PdfWriter, page_indexes: range | list[int], lines: list[str]) -> None:
    """Stamp `lines` (e.g. ["MẬT", name, time]) on the given pages of `writer`, in place.

    One overlay is laid out per distinct displayed size (WeasyPrint, so Vietnamese text uses a
    real embedded font and stays extractable) and shared by every page of that size.
    """
    lines = [line for line in (line.strip() for line in lines) if line]
    if not lines:
        return
    forms: dict[tuple[float, float], IndirectObject] = {}
    opening = _stream(writer, b"q\n")
    for index in page_indexes:
        page = writer.pages[index]
        box = page_displayed_box(page=page)
        size = (round(box.width, 2), round(box.height, 2))
        if size not in forms:
            forms[size] = _overlay_form(writer=writer, overlay=_watermark_overlay_pdf(lines=lines, width=size[0], height=size[1]))
        name = _resource_name(resources=_page_resources(page), kind="/XObject", prefix="PhkgWatermark", value=forms[size])
        drawing = b"q " + _matrix_operator(box.matrix) + b" " + name.encode("ascii") + b" Do Q\n"
        _page_append_drawing(writer=writer, page=page, opening=opening, drawing=drawing)


def pdf_watermark(*, pdf: bytes, lines: list[str]) -> bytes:
    """A copy of `pdf` with `lines` stamped on every page; content, annotations and outline stay."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    pdf_watermark_pages(writer=writer, page_indexes=range(len(writer.pages)), lines=lines)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_text(text: str) -> tuple[bytes, float]:
    """`text` as a PDF string literal for Helvetica, and its width per point of font size."""
    codes = [ord(character) for character in text]
    if any(not 32 <= code <= 126 for code in codes):
        raise ValueError("page number labels use plain ASCII (Helvetica, no embedded font)")
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"({escaped})".encode("ascii"), sum(_HELVETICA_WIDTHS[code - 32] for code in codes) / 1000


def pdf_stamp_page_numbers(*, writer: PdfWriter, start_index: int, first_number: int, total: int, template: str) -> None:
    """Stamp `template` (e.g. "Trang {number}/{total}") at the bottom right of pages from `start_index` on.

    Right, not centre: documents often number their own pages at the bottom centre, and the
    pack's running number must not sit on top of theirs.

    The page at `start_index` gets `first_number`. Helvetica is one of the 14 standard fonts:
    nothing is embedded, one small font dictionary serves every page.
    """
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    opening = _stream(writer, b"q\n")
    for offset, index in enumerate(range(start_index, len(writer.pages))):
        page = writer.pages[index]
        box = page_displayed_box(page=page)
        literal, per_point = _pdf_text(template.format(number=first_number + offset, total=total))
        name = _resource_name(resources=_page_resources(page), kind="/Font", prefix="PhkgPageNumber", value=font)
        x = box.width - per_point * PAGE_NUMBER_SIZE - PAGE_NUMBER_MARGIN
        drawing = b"q %s BT %s %g Tf 0 g %.2f %.2f Td %s Tj ET Q\n" % (
            _matrix_operator(box.matrix),
            name.encode("ascii"),
            PAGE_NUMBER_SIZE,
            x,
            PAGE_NUMBER_BASELINE,
            literal,
        )
        _page_append_drawing(writer=writer, page=page, opening=opening, drawing=drawing)


def pdf_date_format(*, moment: datetime.datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+HH'mm') in the site's time zone."""
    local = timezone.localtime(moment)
    offset = local.strftime("%z")
    return f"D:{local:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def pdf_finish(*, writer: PdfWriter, title: str, author: str, subject: str) -> bytes:
    """Metadata, open with bookmarks shown, repeated objects (fonts, logos) stored once; the bytes."""
    now = pdf_date_format(moment=timezone.now())
    writer.add_metadata(
        {"/Title": title, "/Author": author, "/Subject": subject, "/Creator": CREATOR, "/CreationDate": now, "/ModDate": now}
    )
    writer.page_mode = "/UseOutlines"
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
