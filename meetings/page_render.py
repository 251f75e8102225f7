"""Renders PDF pages to images and reads their sizes and text, in worker processes (PDFium is not thread-safe).

Imports nothing from Django so workers start fast; the caller owns paths, limits and caching.
WebP (quality 80, method 2) measured about half the bytes of JPEG q85 for the same page at
~40 ms more encoding per 1280 px page (bench/README.md): on hotel wifi the bytes cost more.
"""

from __future__ import annotations

import os
import resource
import tempfile
import unicodedata
from typing import Any

WEBP_OPTIONS = {"format": "WEBP", "quality": 80, "method": 2}


def limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _scale_for(page: Any, width: int) -> float:
    # PDFium reports the size as displayed (its /Rotate applied) and rounds the bitmap up:
    # aim a hair below so that 200 asked for is 200 delivered, not 201.
    return (width - 1e-6) / page.get_width()


def _write_atomically(image: Any, out_path: str) -> None:
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(out_path), suffix=".part")
    with os.fdopen(handle, "wb") as out:
        image.save(out, **WEBP_OPTIONS)
    os.replace(temporary, out_path)


def render_pages(pdf_path: str, jobs: list[tuple[int, int, str]]) -> list[str]:
    """Render each (page index, width, out path) of one PDF, opening it once; returns the paths that failed."""
    import pypdfium2 as pdfium

    failed = []
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        for page_index, width, out_path in jobs:
            if os.path.exists(out_path):
                continue
            try:
                page = pdf[page_index]
                bitmap = page.render(scale=_scale_for(page, width), draw_annots=True)
                _write_atomically(bitmap.to_pil().convert("RGB"), out_path)
            except Exception:  # noqa: BLE001 - one broken page must not stop the others
                failed.append(out_path)
    finally:
        pdf.close()
    return failed


def render_page(pdf_path: str, page_index: int, width: int, out_path: str) -> str:
    failed = render_pages(pdf_path, [(page_index, width, out_path)])
    if failed:
        raise RuntimeError(f"page {page_index + 1} could not be rendered")
    return out_path


def read_pages(pdf_path: str, first_page_out: str | None = None, first_page_width: int = 0) -> list[tuple[float, float, str]]:
    """(displayed width, displayed height, text) of every page, in points.

    With `first_page_out`, page 1 is also rendered there while the document is open: whoever
    opens a new document first finds its first page ready.
    """
    import pypdfium2 as pdfium

    pages = []
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        for page in pdf:
            width, height = page.get_width(), page.get_height()  # as displayed: PDFium applies /Rotate
            try:
                text = page.get_textpage().get_text_bounded()
            except Exception:  # noqa: BLE001 - a page without readable text is still a page
                text = ""
            # Composed accents (NFC): text typed with combining marks searches like any other.
            pages.append((width, height, unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\x00", ""))))
    finally:
        pdf.close()
    if first_page_out:
        render_pages(pdf_path, [(0, first_page_width, first_page_out)])
    return pages
