"""Checks an uploaded PDF in a separate, limited process.

Run as `python -m meetings.pdf_probe PATH MAX_PAGES MEMORY_MB`; prints one JSON object:
{"ok": true, "page_count": N} or {"ok": false, "reason": "<code>", "detail": "..."}.
A hostile file can make a parser loop or allocate without end; in a child process with an
address-space limit and a wall-clock timeout (set by the caller) it can only fail.
This module imports nothing from Django so the child starts fast.

Beyond what pypdf checks, the probe walks what a renderer will read for each page (contents,
resources, annotation appearances) and decodes every stream itself, incrementally and capped,
so a decompression bomb is measured without ever being held in memory. Reasons it gives:
empty, not_pdf, truncated, encrypted, no_pages, too_many_pages, damaged, too_complex,
bomb (compressed data that inflates too far), huge_image (an image a renderer would have to
allocate gigabytes for), huge_page (a page too large, or too long and narrow, to render).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import resource
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from meetings import pdf_streams

HEAD_BYTES = 1024
TAIL_BYTES = 2048

# Limits. Module constants for now (settings.py may take them over later); the child imports no Django.
# Decoding work of one stream (the sum of what each of its filters outputs): a 600 dpi A4 RGB scan is ~100 MiB.
MAX_INFLATED_BYTES_PER_STREAM = 256 * 1024 * 1024
# Decoding work over every stream reached from the pages, each counted once.
MAX_INFLATED_TOTAL = 1024 * 1024 * 1024
# No single PDF filter expands further (deflate ≤ 1032:1, LZW's 12-bit codes ≤ ~2730:1), so a larger
# ratio means stacked compression, the classic way to hide a bomb in a few kilobytes...
MAX_COMPRESSION_RATIO = 4000
# ...but only once the stream is big enough to matter: a small stream may be as repetitive as it likes.
RATIO_CHECK_FLOOR_BYTES = 16 * 1024 * 1024
# A renderer allocates width × height × 4 bytes for an image: 200 MP is already 800 MB (an A0 scan at 300 dpi is 140 MP).
MAX_IMAGE_PIXELS = 200_000_000
# Nesting of arrays and dictionaries inside one object; PDFium's own parser stops at 64.
MAX_NESTING = 64
# Indirect objects visited from the pages; each costs a parse, and a 50 MB file holds far fewer real ones.
MAX_OBJECTS = 500_000
# Filters chained on one stream; real files use one or two.
MAX_FILTERS = 8
# Page tree shape, as pypdf limits it (a balanced tree of 1000 pages is 3 or 4 levels deep).
MAX_PAGE_TREE_DEPTH = 100
MAX_PAGE_TREE_NODES = 100_000
# Largest page side in points after /UserUnit: 200 inches, Acrobat's own page limit (A0 is 3370 pt).
MAX_PAGE_SIDE_PT = 14_400
# Pages are rendered to the tablet's width, so the height in pixels grows with this ratio: at 2560 px
# wide a 1:20 page is already 51 200 px tall (~500 MB of bitmap).
MAX_PAGE_ASPECT = 20

# Keys of a page a renderer reads; the rest (/PieceInfo private data, /B beads, ...) it never decodes.
PAGE_KEYS = frozenset({"/Contents", "/Resources", "/Annots", "/Group", "/Thumb"})
# Keys of an annotation that hold what is drawn; its /Parent, /P, actions and attached files are not drawn.
ANNOTATION_KEYS = frozenset({"/AP", "/MK"})
# Below those, everything is followed but the way back up (and embedded files, which are never decoded).
SKIPPED_KEYS = frozenset({"/Parent", "/P", "/EF"})
# Streams whose content is drawn as page content (and so may carry inline images).
CONTENT_KEYS = frozenset({"/Contents", "/AP", "/CharProcs"})

# An inline image: BI <dictionary> ID. The dictionary is small; its /W and /H are plain numbers.
_INLINE_IMAGE = re.compile(rb"BI(?=[\s/])(.{0,4096}?)\sID\s", re.DOTALL)
_DELIMITERS = b" \t\r\n\f\x00[]<>(){}/%"
_INLINE_DIMENSION = re.compile(rb"/(Width|Height|W|H)\s+\+?(\d{1,30})")
_INLINE_OVERLAP = 4200


class Refused(Exception):
    """A verdict on the file: the reason code the caller turns into a message."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail

    def result(self) -> dict[str, Any]:
        return {"ok": False, "reason": self.reason, "detail": self.detail[:300]}


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _as_list(value: Any) -> list[Any]:
    value = _resolve(value)
    if value is None:
        return []
    return [_resolve(item) for item in value] if isinstance(value, list) else [value]


def _number(value: Any) -> float | None:
    value = _resolve(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


class Budget:
    """Decoding work done so far, over the whole document."""

    def __init__(self) -> None:
        self.total = 0
        self.objects = 0

    def count(self, pieces: Iterator[bytes], *, work: list[int], raw_length: int) -> Iterator[bytes]:
        # `work` is shared by every stage of one stream: each stage's output is decoding a renderer repeats.
        for piece in pieces:
            work[0] += len(piece)
            self.total += len(piece)
            if work[0] > MAX_INFLATED_BYTES_PER_STREAM:
                raise Refused("bomb", f"a stream inflates beyond {MAX_INFLATED_BYTES_PER_STREAM} bytes")
            if self.total > MAX_INFLATED_TOTAL:
                raise Refused("bomb", f"the pages' streams inflate beyond {MAX_INFLATED_TOTAL} bytes in all")
            if work[0] > RATIO_CHECK_FLOOR_BYTES and work[0] > raw_length * MAX_COMPRESSION_RATIO:
                raise Refused("bomb", f"a stream of {raw_length} bytes inflates beyond {work[0]} bytes")
            yield piece


def _decoded(stream: Any, budget: Budget) -> Iterator[bytes]:
    """The stream's data through its filters, in bounded pieces, counted against the budget."""
    # pypdf keeps the still-encoded bytes in `_data`; its get_data() would decode all of them at once.
    raw = stream._data or b""
    filters = [str(name) for name in _as_list(stream.get("/Filter"))]
    parameters = _as_list(stream.get("/DecodeParms"))
    if len(filters) > MAX_FILTERS:
        raise Refused("too_complex", f"{len(filters)} filters on one stream")
    work = [0]
    pieces: Iterator[bytes] = pdf_streams.pieces(raw)
    for index, name in enumerate(filters):
        if name in pdf_streams.FLATE:
            pieces = pdf_streams.inflate(pieces)
        elif name in pdf_streams.LZW:
            parameter = parameters[index] if index < len(parameters) else None
            early = _number(parameter.get("/EarlyChange")) if hasattr(parameter, "get") else None
            pieces = pdf_streams.lzw(pieces, early_change=0 if early == 0 else 1)
        elif name in pdf_streams.RUN_LENGTH:
            pieces = pdf_streams.run_length(pieces)
        elif name in pdf_streams.HEX:
            pieces = pdf_streams.ascii_hex(pieces)
        elif name in pdf_streams.BASE85:
            pieces = pdf_streams.ascii85(pieces)
        else:
            break  # an image codec, or a filter no renderer of ours decodes
        pieces = budget.count(pieces, work=work, raw_length=len(raw))
    return pieces


def _check_inline_images(pieces: Iterable[bytes]) -> None:
    # Content is scanned in pieces; the overlap catches an inline image's dictionary cut in two.
    # Searching for the "BI" operator first keeps the scan at memory speed; a regex tried at every
    # offset of hundreds of megabytes of content would take longer than the time limit.
    tail = b""
    for piece in pieces:
        window = tail + piece
        found = window.find(b"BI")
        while found >= 0:
            match = _INLINE_IMAGE.match(window, found) if found == 0 or window[found - 1] in _DELIMITERS else None
            if match:
                dimensions = {name[:1]: int(value) for name, value in _INLINE_DIMENSION.findall(match.group(1))}
                _check_image_size(dimensions.get(b"W"), dimensions.get(b"H"))
            found = window.find(b"BI", found + 2)
        tail = window[-_INLINE_OVERLAP:]


def _check_image_size(width: float | None, height: float | None) -> None:
    if width is not None and height is not None and width > 0 and height > 0 and width * height > MAX_IMAGE_PIXELS:
        raise Refused("huge_image", f"an image of {width:.0f} × {height:.0f} pixels")


def _check_stream(stream: Any, budget: Budget, *, content: bool) -> None:
    if "/Width" in stream and "/Height" in stream:
        _check_image_size(_number(stream.get("/Width")), _number(stream.get("/Height")))
    pieces = _decoded(stream, budget)
    is_content = content or stream.get("/Subtype") == "/Form" or _number(stream.get("/PatternType")) == 1
    if is_content:
        _check_inline_images(pieces)
    else:
        for _piece in pieces:
            pass


# --- walking what a page draws ------------------------------------------------------------------


def _walk_page(page: Any, budget: Budget, seen: set[tuple[int, int]]) -> None:
    """Every object the page draws from, each indirect object once across the document, without recursion."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    reference = getattr(page, "indirect_reference", None)
    if reference is not None:
        seen.add((reference.idnum, reference.generation))
    # Frames: (object, nesting inside its indirect object, drawn as content?, keys to follow if a dictionary).
    stack: list[tuple[Any, int, bool, frozenset[str] | None]] = [(page, 0, False, PAGE_KEYS)]
    while stack:
        node, depth, content, keys = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            budget.objects += 1
            if budget.objects > MAX_OBJECTS:
                raise Refused("too_complex", f"more than {MAX_OBJECTS} objects")
            stack.append((node.get_object(), 0, content, keys))
            continue
        if depth > MAX_NESTING:
            raise Refused("too_complex", f"objects nested more than {MAX_NESTING} deep")
        if isinstance(node, StreamObject):
            _check_stream(node, budget, content=content)
        if isinstance(node, DictionaryObject):
            for name, value in node.items():
                if (keys is not None and name not in keys) or name in SKIPPED_KEYS:
                    continue
                child_keys = ANNOTATION_KEYS if name == "/Annots" else None
                # Content-ness passes through arrays and dictionaries (/AP's /N, /D) down to the streams.
                child_content = name in CONTENT_KEYS or (content and not isinstance(node, StreamObject))
                stack.append((value, depth + 1, child_content, child_keys))
        elif isinstance(node, ArrayObject):
            stack.extend((value, depth + 1, content, keys) for value in node)


def _check_page_tree(reader: Any) -> None:
    """Refuse /Kids that lead back up the tree, /Parent chains that loop, and trees too deep or too big."""
    from pypdf.generic import DictionaryObject

    root = reader.trailer.get("/Root")
    root = _resolve(root)
    if not isinstance(root, DictionaryObject):
        return  # pypdf says what is wrong
    top = root.get("/Pages")
    nodes = 0
    stack: list[tuple[Any, int, frozenset[Any]]] = [(top, 0, frozenset())]
    leaves: list[Any] = []
    while stack:
        reference, depth, ancestors = stack.pop()
        key = _object_key(reference)
        if key in ancestors:
            raise Refused("damaged", "the page tree loops back on itself")
        nodes += 1
        if nodes > MAX_PAGE_TREE_NODES:
            raise Refused("too_complex", f"more than {MAX_PAGE_TREE_NODES} page tree nodes")
        if depth > MAX_PAGE_TREE_DEPTH:
            raise Refused("too_complex", f"a page tree more than {MAX_PAGE_TREE_DEPTH} levels deep")
        node = _resolve(reference)
        if not isinstance(node, DictionaryObject):
            continue
        kids = _resolve(node.get("/Kids"))
        if node.get("/Type") == "/Pages" or ("/Type" not in node and kids is not None):
            if isinstance(kids, list):
                stack.extend((kid, depth + 1, ancestors | {key}) for kid in kids)
        else:
            leaves.append(node)
    # Renderers look inherited attributes up through /Parent: each chain must reach the top.
    ends_well: set[Any] = set()
    for leaf in leaves:
        chain: set[Any] = set()
        node = leaf
        while node is not None and _object_key(node) not in ends_well:
            key = _object_key(node)
            if key in chain:
                raise Refused("damaged", "a /Parent chain loops")
            if len(chain) > MAX_PAGE_TREE_DEPTH:
                raise Refused("too_complex", f"a /Parent chain longer than {MAX_PAGE_TREE_DEPTH}")
            chain.add(key)
            parent = node.get("/Parent") if isinstance(node, DictionaryObject) else None
            node = None if parent is None else _resolve(parent)
        ends_well |= chain


def _object_key(value: Any) -> Any:
    reference = value if hasattr(value, "idnum") else getattr(value, "indirect_reference", None)
    return (reference.idnum, reference.generation) if reference is not None else id(value)


def _check_page_size(page: Any) -> None:
    unit = _number(page.get("/UserUnit"))
    if unit is None:
        unit = 1.0
    if unit <= 0:
        raise Refused("damaged", f"a /UserUnit of {unit}")
    media = [_number(value) for value in page.mediabox]
    if None in media or len(media) != 4:
        raise Refused("damaged", "a media box that is not four numbers")
    try:
        crop = [_number(value) for value in page.cropbox]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        crop = []
    if None in crop or len(crop) != 4:
        crop = media  # renderers fall back to the media box when the crop box is unusable
    # What is displayed is the crop box clipped to the media box.
    left, right = max(min(media[0], media[2]), min(crop[0], crop[2])), min(max(media[0], media[2]), max(crop[0], crop[2]))
    bottom, top = max(min(media[1], media[3]), min(crop[1], crop[3])), min(max(media[1], media[3]), max(crop[1], crop[3]))
    if right <= left or top <= bottom:
        left, right, bottom, top = min(media[0], media[2]), max(media[0], media[2]), min(media[1], media[3]), max(media[1], media[3])
    width, height = (right - left) * unit, (top - bottom) * unit
    if max(width, height) > MAX_PAGE_SIDE_PT:
        raise Refused("huge_page", f"a page of {width:.0f} × {height:.0f} pt")
    if min(width, height) > 0 and max(width, height) / min(width, height) > MAX_PAGE_ASPECT:
        raise Refused("huge_page", f"a page of {width:.2f} × {height:.2f} pt")


# --- the probe ----------------------------------------------------------------------------------


def _limit_reason(exc: Exception) -> str:
    # pypdf's own limits (it decodes object and cross-reference streams itself) share one exception type.
    text = str(exc).lower()
    if "decompress" in text or "decoding" in text:
        return "bomb"
    if "cycl" in text or "loop" in text:
        return "damaged"
    return "too_complex"


def _caused_by_exhaustion(exc: BaseException) -> bool:
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, RecursionError | MemoryError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def probe(path: str, *, max_pages: int) -> dict[str, Any]:
    size = os.path.getsize(path)
    if size == 0:
        return {"ok": False, "reason": "empty"}
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read()
    if b"%PDF-" not in head:
        return {"ok": False, "reason": "not_pdf"}
    if b"%%EOF" not in tail:
        return {"ok": False, "reason": "truncated"}

    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            return {"ok": False, "reason": "encrypted"}
        _check_page_tree(reader)
        page_count = len(reader.pages)
        if page_count == 0:
            return {"ok": False, "reason": "no_pages"}
        if page_count > max_pages:
            return {"ok": False, "reason": "too_many_pages", "page_count": page_count}
        budget = Budget()
        seen: set[tuple[int, int]] = set()
        for page in reader.pages:
            box = page.mediabox
            if box.width <= 0 or box.height <= 0:
                return {"ok": False, "reason": "damaged", "detail": "empty page box"}
            _check_page_size(page)
            _walk_page(page, budget, seen)
    except Refused as refusal:
        return refusal.result()
    except LimitReachedError as exc:
        return {"ok": False, "reason": _limit_reason(exc), "detail": f"{type(exc).__name__}: {exc}"[:300]}
    except (RecursionError, MemoryError) as exc:
        # pypdf parses nested arrays and dictionaries recursively: thousands deep, it runs out of stack.
        return {"ok": False, "reason": "too_complex", "detail": type(exc).__name__}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        # pypdf rewraps a RecursionError met inside a dictionary as a read error: still nesting, not damage.
        reason = "too_complex" if _caused_by_exhaustion(exc) else "damaged"
        return {"ok": False, "reason": reason, "detail": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "page_count": page_count}


def main() -> None:
    path, max_pages, memory_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Nobody reads the child's warnings, and a hostile file can make pypdf log one per object it repairs.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        result = probe(path, max_pages=max_pages)
    except (MemoryError, RecursionError):
        result = {"ok": False, "reason": "too_complex"}
    except Exception as exc:  # noqa: BLE001 - any parser failure means a file we will not accept
        result = {"ok": False, "reason": "damaged", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
