"""Checks an uploaded PDF in a separate, limited process.

Run as `python -m meetings.pdf_probe PATH MAX_PAGES MEMORY_MB`; prints one JSON object:
{"ok": true, "page_count": N} or {"ok": false, "reason": "<code>", "detail": "..."}.
A hostile file can make a parser loop or allocate without end; in a child process with an
address-space limit and a wall-clock timeout (set by the caller) it can only fail.
This module imports nothing from Django so the child starts fast.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any

HEAD_BYTES = 1024
TAIL_BYTES = 2048


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
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            return {"ok": False, "reason": "encrypted"}
        page_count = len(reader.pages)
        if page_count == 0:
            return {"ok": False, "reason": "no_pages"}
        if page_count > max_pages:
            return {"ok": False, "reason": "too_many_pages", "page_count": page_count}
        for page in reader.pages:
            box = page.mediabox
            if box.width <= 0 or box.height <= 0:
                return {"ok": False, "reason": "damaged", "detail": "empty page box"}
            page.get_contents()
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        return {"ok": False, "reason": "damaged", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "page_count": page_count}


def main() -> None:
    path, max_pages, memory_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result = probe(path, max_pages=max_pages)
    except MemoryError:
        result = {"ok": False, "reason": "too_complex"}
    except Exception as exc:  # noqa: BLE001 - any parser failure means a file we will not accept
        result = {"ok": False, "reason": "damaged", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
