"""Renders one PDF page to an image, in a worker process (PDFium is not thread-safe).

Imports nothing from Django so workers start fast; the caller owns paths, limits and caching.
"""

from __future__ import annotations

import os
import resource
import tempfile


def limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def render_page(pdf_path: str, page_index: int, width: int, out_path: str) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_path)
    try:
        page = pdf[page_index]
        # Width is what the tablet shows; PDFium applies the page's /Rotate itself.
        page_width = page.get_width() if page.get_rotation() in (0, 180) else page.get_height()
        bitmap = page.render(scale=width / page_width, draw_annots=True)
        image = bitmap.to_pil().convert("RGB")
    finally:
        pdf.close()
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(out_path), suffix=".part")
    with os.fdopen(handle, "wb") as out:
        image.save(out, "WEBP", quality=82, method=4)
    os.replace(temporary, out_path)
    return out_path
