"""Annotated copy: a reader's marks written into the PDF as real PDF annotations.

Tablets store geometry normalised to the page *as displayed* (after /Rotate, inside the CropBox; 0–1,
y down). Here it becomes PDF user space. Every annotation carries its own appearance stream (/AP /N),
so PDFium, browsers and Acrobat all draw the same thing without regenerating it from the dictionary.

Appearances of ink, highlight, rect and arrow are drawn directly in user space (/BBox = /Rect, identity
/Matrix), so they turn with the page exactly like the page content does. A note is laid out upright by
WeasyPrint (the standard PDF fonts have no Vietnamese diacritics, the shipped Liberation Serif does);
its rendered page becomes a Form XObject whose /Matrix rotates and places it so it reads upright on the
displayed page whatever the /Rotate.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from meetings.pdf_render import html_to_pdf, serif_font_css
from meetings.stamping import pdf_date_format

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1
NoteForm = tuple[IndirectObject, Box]  # a note's appearance and its /Rect in user space

DEFAULT_COLOR = "#d32f2f"
DEFAULT_WIDTH = 0.004  # of the displayed page width, as on the tablet
MIN_STROKE_PT = 0.5
HIGHLIGHT_OPACITY = 0.5  # with /Multiply the text underneath stays dark; the opacity keeps the colour light
ARROW_HEAD_ANGLE = math.radians(28)
ARROW_HEAD_MIN_PT = 8.0
NOTE_FILL = "#fff8c4"
NOTE_FONT_PT = 10
NOTE_MIN_FONT_PT = 4.5  # a very long note gets smaller type, down to this; PDF viewers zoom
NOTE_MIN_SIZE_PT = (24.0, 14.0)  # a note drawn as a tap still gets a box its text can show in
PRINT_FLAG = 4


def pdf_with_annotations(*, pdf: bytes, annotations: list[dict[str, Any]]) -> bytes:
    """`pdf` with `annotations` added to their pages; those for pages it lacks are skipped."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    page_count = len(writer.pages)
    placed = [
        (writer.pages[data["page"] - 1], data)
        for data in annotations
        if isinstance(data.get("page"), int) and 1 <= data["page"] <= page_count
    ]
    note_forms = _note_appearances(writer=writer, notes=[(page, data) for page, data in placed if data.get("kind") == "note"])
    for page, data in placed:
        annotation = _annotation(writer=writer, page=page, data=data, note_forms=note_forms)
        if annotation is not None:
            annotation.update(_common_fields(data))
            writer.add_annotation(page, annotation)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- where things go --------------------------------------------------------------------------------


def _visible_box(page: PageObject) -> Box:
    """The CropBox clipped to the MediaBox, as viewers show it (the CropBox defaults to the MediaBox)."""
    crop, media = page.cropbox, page.mediabox
    cx0, cx1 = sorted((float(crop[0]), float(crop[2])))
    cy0, cy1 = sorted((float(crop[1]), float(crop[3])))
    mx0, mx1 = sorted((float(media[0]), float(media[2])))
    my0, my1 = sorted((float(media[1]), float(media[3])))
    box = (max(cx0, mx0), max(cy0, my0), min(cx1, mx1), min(cy1, my1))
    return box if box[2] > box[0] and box[3] > box[1] else (mx0, my0, mx1, my1)


def _rotation(page: PageObject) -> int:
    """/Rotate as 0, 90, 180 or 270 (files in the wild carry -90, 450, …)."""
    return round(float(page.rotation) / 90) * 90 % 360


def _displayed_size(page: PageObject) -> tuple[float, float]:
    x0, y0, x1, y1 = _visible_box(page)
    width, height = x1 - x0, y1 - y0
    return (height, width) if _rotation(page) in (90, 270) else (width, height)


def displayed_to_user_space(*, page: PageObject, x: float, y: float) -> tuple[float, float]:
    """User-space point of the normalised displayed point (x right, y down from the top-left corner)."""
    x0, y0, x1, y1 = _visible_box(page)
    width, height = x1 - x0, y1 - y0
    rotation = _rotation(page)
    if rotation == 90:  # shown turned clockwise: the bottom edge of the box runs down its left side
        return x0 + y * width, y0 + x * height
    if rotation == 180:
        return x1 - x * width, y0 + y * height
    if rotation == 270:
        return x1 - y * width, y1 - x * height
    return x0 + x * width, y1 - y * height


def _user_points(page: PageObject, points: Sequence[Sequence[float]]) -> list[Point]:
    return [displayed_to_user_space(page=page, x=float(x), y=float(y)) for x, y in points]


def _bounds(points: Sequence[Point], pad: float = 0.0) -> Box:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad


def _normalised_rect(data: dict[str, Any]) -> Box | None:
    rect = data.get("rect")
    if not isinstance(rect, Sequence) or len(rect) != 4:
        return None
    x0, y0, x1, y1 = (float(value) for value in rect)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _affine(to_user: Callable[[float, float], Point]) -> list[float]:
    """The PDF matrix [a b c d e f] of an affine map, read off where it sends three points."""
    ox, oy = to_user(0.0, 0.0)
    ax, ay = to_user(1.0, 0.0)
    bx, by = to_user(0.0, 1.0)
    return [ax - ox, ay - oy, bx - ox, by - oy, ox, oy]


# --- the annotation dictionaries --------------------------------------------------------------------


def _annotation(*, writer: PdfWriter, page: PageObject, data: dict[str, Any], note_forms: dict[int, NoteForm]) -> DictionaryObject | None:
    kind = data.get("kind")
    color = _rgb(data.get("color"))
    stroke = max(MIN_STROKE_PT, float(data.get("width") or DEFAULT_WIDTH) * _displayed_size(page)[0])
    if kind == "ink":
        return _ink(writer, page, data, color, stroke)
    if kind == "highlight":
        return _highlight(writer, page, data, color)
    if kind == "rect":
        return _square(writer, page, data, color, stroke)
    if kind == "arrow":
        return _arrow(writer, page, data, color, stroke)
    if kind == "note" and id(data) in note_forms:
        return _free_text(data, *note_forms[id(data)])
    return None


def _ink(writer: PdfWriter, page: PageObject, data: dict[str, Any], color: Sequence[float], stroke: float) -> DictionaryObject | None:
    points = _user_points(page, data.get("points") or [])
    if not points:
        return None
    rect = _bounds(points, stroke / 2)
    path = [f"{_nums(points[0])} m"] + [f"{_nums(point)} l" for point in points[1:] or points]  # a tap is a dot
    content = f"q {_nums(color)} RG {_num(stroke)} w 1 J 1 j {' '.join(path)} S Q"
    return _dictionary(
        {
            "/Subtype": NameObject("/Ink"),
            "/Rect": _array(rect),
            "/InkList": ArrayObject([_array(coordinate for point in points for coordinate in point)]),
            "/C": _array(color),
            "/BS": _border(stroke),
            "/AP": _appearance(writer, rect, content),
        }
    )


def _highlight(writer: PdfWriter, page: PageObject, data: dict[str, Any], color: Sequence[float]) -> DictionaryObject | None:
    normalised = _normalised_rect(data)
    if normalised is None:
        return None
    u0, v0, u1, v1 = normalised
    corners = _user_points(page, [(u0, v0), (u1, v0), (u0, v1), (u1, v1)])  # as displayed: UL, UR, LL, LR
    rect = _bounds(corners)
    x0, y0, x1, y1 = rect
    content = f"q /Highlighter gs {_nums(color)} rg {_nums((x0, y0, x1 - x0, y1 - y0))} re f Q"
    blend = _dictionary(
        {
            "/Type": NameObject("/ExtGState"),
            "/BM": NameObject("/Multiply"),
            "/ca": FloatObject(HIGHLIGHT_OPACITY),
            "/CA": FloatObject(HIGHLIGHT_OPACITY),
        }
    )
    resources = _dictionary({"/ExtGState": _dictionary({"/Highlighter": blend})})
    return _dictionary(
        {
            "/Subtype": NameObject("/Highlight"),
            "/Rect": _array(rect),
            "/QuadPoints": _array(coordinate for corner in corners for coordinate in corner),
            "/C": _array(color),  # no /CA here: viewers would apply it on top of the appearance's own opacity
            "/AP": _appearance(writer, rect, content, resources=resources),
        }
    )


def _square(writer: PdfWriter, page: PageObject, data: dict[str, Any], color: Sequence[float], stroke: float) -> DictionaryObject | None:
    normalised = _normalised_rect(data)
    if normalised is None:
        return None
    x0, y0, x1, y1 = _bounds(_user_points(page, [normalised[:2], normalised[2:]]))
    rect = (x0 - stroke / 2, y0 - stroke / 2, x1 + stroke / 2, y1 + stroke / 2)
    content = f"q {_nums(color)} RG {_num(stroke)} w 1 j {_nums((x0, y0, x1 - x0, y1 - y0))} re S Q"
    return _dictionary(
        {
            "/Subtype": NameObject("/Square"),
            "/Rect": _array(rect),
            "/RD": _array([stroke / 2] * 4),  # the drawn square lies half a stroke inside /Rect
            "/C": _array(color),
            "/BS": _border(stroke),
            "/AP": _appearance(writer, rect, content),
        }
    )


def _arrow(writer: PdfWriter, page: PageObject, data: dict[str, Any], color: Sequence[float], stroke: float) -> DictionaryObject | None:
    points = data.get("points") or []
    if len(points) != 2:
        return None
    tail, head = _user_points(page, points)
    length = math.dist(tail, head)
    wings: list[Point] = []
    if length > 0:
        head_length = max(ARROW_HEAD_MIN_PT, 4 * stroke)
        back = math.atan2(tail[1] - head[1], tail[0] - head[0])  # direction from the head towards the tail
        wings = [
            (head[0] + head_length * math.cos(back + side), head[1] + head_length * math.sin(back + side))
            for side in (ARROW_HEAD_ANGLE, -ARROW_HEAD_ANGLE)
        ]
    rect = _bounds([tail, head, *wings], stroke / 2)
    path = f"{_nums(tail)} m {_nums(head)} l S"
    if wings:
        path += f" {_nums(wings[0])} m {_nums(head)} l {_nums(wings[1])} l S"
    content = f"q {_nums(color)} RG {_num(stroke)} w 1 J 1 j {path} Q"
    return _dictionary(
        {
            "/Subtype": NameObject("/Line"),
            "/Rect": _array(rect),
            "/L": _array((*tail, *head)),
            "/LE": ArrayObject([NameObject("/None"), NameObject("/OpenArrow")]),
            "/C": _array(color),
            "/BS": _border(stroke),
            "/AP": _appearance(writer, rect, content),
        }
    )


def _free_text(data: dict[str, Any], form: IndirectObject, rect: Box) -> DictionaryObject:
    return _dictionary(
        {
            "/Subtype": NameObject("/FreeText"),
            "/Rect": _array(rect),
            "/Contents": TextStringObject(str(data.get("text") or "")),
            # Only for viewers that rebuild the appearance; Helvetica cannot show every Vietnamese letter.
            "/DA": TextStringObject(f"/Helv {NOTE_FONT_PT} Tf 0 g"),
            "/C": _array(_rgb(NOTE_FILL)),
            "/BS": _border(1.0),
            "/AP": _dictionary({"/N": form}),
        }
    )


def _common_fields(data: dict[str, Any]) -> DictionaryObject:
    fields: dict[str, Any] = {"/Type": NameObject("/Annot"), "/F": NumberObject(PRINT_FLAG)}
    if data.get("id"):
        fields["/NM"] = TextStringObject(str(data["id"]))
    if data.get("author"):
        fields["/T"] = TextStringObject(str(data["author"]))
    updated_at = data.get("updated_at")
    if isinstance(updated_at, str):
        updated_at = datetime.fromisoformat(updated_at)
    if isinstance(updated_at, datetime):
        fields["/M"] = TextStringObject(_pdf_date(updated_at))
    return _dictionary(fields)


# --- notes ------------------------------------------------------------------------------------------


def _note_box(*, page: PageObject, data: dict[str, Any]) -> Box | None:
    """The note's box in displayed points (y down), grown to a usable minimum."""
    normalised = _normalised_rect(data)
    if normalised is None or not str(data.get("text") or "").strip():
        return None
    page_width, page_height = _displayed_size(page)
    left, top = normalised[0] * page_width, normalised[1] * page_height
    width = max(NOTE_MIN_SIZE_PT[0], (normalised[2] - normalised[0]) * page_width)
    height = max(NOTE_MIN_SIZE_PT[1], (normalised[3] - normalised[1]) * page_height)
    return left, top, left + width, top + height


def _note_lines(*, width: float, height: float, size: float) -> tuple[float, int]:
    """How many characters a line of the note's box holds at `size`, and how many lines it holds.

    A line holds about width / (0.55 × size) characters of Liberation Serif (capitals and
    diacritics run wider than the average of 0.45), less a tenth lost at word breaks; lines are
    1.2 × size apart. Inside the box: 3pt and 2pt of padding, 1pt of border."""
    return 0.9 * (width - 8) / (0.55 * size), int((height - 6) // (1.2 * size))


def _note_font_pt(*, text: str, width: float, height: float) -> float:
    """The note's type size: the usual one, or smaller, a quarter point at a time, until the whole
    text fits its box (each paragraph starting a line), down to NOTE_MIN_FONT_PT."""
    paragraphs = [len(paragraph) for paragraph in text.split("\n")]
    size = float(NOTE_FONT_PT)
    while size > NOTE_MIN_FONT_PT:
        per_line, lines = _note_lines(width=width, height=height, size=size)
        if sum(max(1, math.ceil(length / per_line)) for length in paragraphs) <= lines:
            return size
        size -= 0.25
    return NOTE_MIN_FONT_PT


def _note_text_laid_out(*, text: str, width: float, height: float) -> str:
    """As much of the text as could show in the box in the smallest type, with room to spare: the
    rest would be cut at the box anyway, and laying it out costs WeasyPrint a page per boxful.
    The annotation's /Contents keeps the whole text."""
    per_line, lines = _note_lines(width=width, height=height, size=NOTE_MIN_FONT_PT)
    kept = text.split("\n")[: 2 * max(1, lines)]
    return "\n".join(kept)[: int(2 * max(1.0, per_line) * max(1, lines))]


def _displayed_pt_to_user(page: PageObject, x: float, y: float) -> Point:
    page_width, page_height = _displayed_size(page)
    return displayed_to_user_space(page=page, x=x / page_width, y=y / page_height)


def _note_appearances(*, writer: PdfWriter, notes: list[tuple[PageObject, dict[str, Any]]]) -> dict[int, NoteForm]:
    """Appearance and user-space /Rect of every note with a box and a text, keyed by id() of its data.

    All notes are laid out in one WeasyPrint run: one page per note, each page the size of its box.
    """
    boxed = [(page, data, box) for page, data in notes if (box := _note_box(page=page, data=data))]
    if not boxed:
        return {}
    styles, blocks = [], []
    for index, (_, data, box) in enumerate(boxed):
        width, height = box[2] - box[0], box[3] - box[1]
        styles.append(f"@page note{index} {{ size: {width:.3f}pt {height:.3f}pt; margin: 0 }}")
        border = _hex(_rgb(data.get("color")))
        text = _note_text_laid_out(text=str(data["text"]), width=width, height=height)
        size = _note_font_pt(text=text, width=width, height=height)
        blocks.append(
            f'<div class="note" style="page: note{index}; width: {width:.3f}pt; height: {height:.3f}pt; '
            f"border-color: {border}; font-size: {size}pt; bookmark-label: '{index}'\">{html.escape(text)}</div>"
        )
    document = f"""<!doctype html><html><head><meta charset="utf-8"><style>
{serif_font_css()}
{chr(10).join(styles)}
body {{ margin: 0 }}
.note {{ box-sizing: border-box; overflow: hidden; bookmark-level: 1; background: {NOTE_FILL}; border: 1pt solid;
  padding: 2pt 3pt; font: {NOTE_FONT_PT}pt/1.2 "Doc Serif"; color: #1a1a1a;
  white-space: pre-wrap; overflow-wrap: anywhere }}
</style></head><body>{"".join(blocks)}</body></html>"""
    rendered = PdfReader(io.BytesIO(html_to_pdf(html=document)))
    # A note too long even in the smallest type runs on to more pages; each note's bookmark says
    # which page it starts on, and that first page, cut at the box, is its appearance.
    first_pages = {int(entry.title): rendered.get_destination_page_number(entry) for entry in rendered.outline}
    forms = {}
    for index, (page, data, box) in enumerate(boxed):
        note_page = rendered.pages[first_pages[index]]
        corners = [_displayed_pt_to_user(page, x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
        forms[id(data)] = (_form_from_page(writer=writer, page=page, box=box, note_page=note_page), _bounds(corners))
    return forms


def _form_from_page(*, writer: PdfWriter, page: PageObject, box: Box, note_page: PageObject) -> IndirectObject:
    """The rendered note page as a Form XObject, turned by /Matrix onto the note's place on `page`."""
    mx0, my0, mx1, my1 = (float(value) for value in note_page.mediabox)
    x_scale, y_scale = (box[2] - box[0]) / (mx1 - mx0), (box[3] - box[1]) / (my1 - my0)
    matrix = _affine(lambda fx, fy: _displayed_pt_to_user(page, box[0] + (fx - mx0) * x_scale, box[1] + (my1 - fy) * y_scale))
    form = DecodedStreamObject()
    form.set_data(note_page.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): _array((mx0, my0, mx1, my1)),
            NameObject("/Matrix"): _array(matrix),
            # clone() copies the subset fonts (with ToUnicode, so the text stays searchable) into the writer.
            NameObject("/Resources"): note_page["/Resources"].clone(writer),
        }
    )
    return writer._add_object(form.flate_encode())


# --- small PDF helpers ------------------------------------------------------------------------------


def _appearance(writer: PdfWriter, rect: Box, content: str, *, resources: DictionaryObject | None = None) -> DictionaryObject:
    """/AP with a normal appearance drawn in user space: /BBox = /Rect, so no transform applies."""
    form = DecodedStreamObject()
    form.set_data(content.encode("ascii"))
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): _array(rect),
            NameObject("/Resources"): resources or DictionaryObject(),
        }
    )
    # Streams must be indirect objects; pypdf has no public call for adding one.
    reference: IndirectObject = writer._add_object(form.flate_encode())
    return _dictionary({"/N": reference})


def _border(width: float) -> DictionaryObject:
    return _dictionary({"/Type": NameObject("/Border"), "/W": FloatObject(round(width, 3)), "/S": NameObject("/S")})


def _dictionary(entries: dict[str, Any]) -> DictionaryObject:
    return DictionaryObject({NameObject(key): value for key, value in entries.items()})


def _array(values: Any) -> ArrayObject:
    return ArrayObject(FloatObject(round(float(value), 4)) for value in values)


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _nums(values: Sequence[float]) -> str:
    return " ".join(_num(value) for value in values)


def _rgb(color: Any) -> tuple[float, float, float]:
    text = color if isinstance(color, str) and color.startswith("#") else DEFAULT_COLOR
    if len(text) == 4:  # #rgb
        text = "#" + "".join(character * 2 for character in text[1:])
    try:
        red, green, blue = (int(text[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except ValueError:
        return _rgb(DEFAULT_COLOR)
    return red, green, blue


def _hex(rgb: Sequence[float]) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in rgb)


def _pdf_date(moment: datetime) -> str:
    return pdf_date_format(moment=moment if moment.tzinfo else moment.replace(tzinfo=UTC))
