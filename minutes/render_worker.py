"""Renders HTML documents to PDF in a separate, limited process.

Run as `python -m minutes.render_worker DIR COUNT MEMORY_MB`: reads DIR/0.html … and writes
DIR/0.pdf …, and DIR/anchors.json with where each element whose id starts with "sign-" landed
(page index, and its box in PDF points from the bottom left: x1, top, x2, bottom), so signatures can be placed there.
The caller sets a wall-clock limit; the address-space limit is set here, before any rendering,
so a document built to exhaust memory fails instead of taking the server with it.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (1/96 in); PDF counts points (1/72 in)


def main() -> None:
    folder, count, memory_mb = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from meetings.pdf_render import html_render

    anchors: dict[str, list[float]] = {}
    for index in range(count):
        document = html_render(html=(folder / f"{index}.html").read_text(encoding="utf-8"))
        for page_index, page in enumerate(document.pages):
            for name, (left, top, right, bottom) in page.anchors.items():
                if name.startswith("sign-") and index == 0:
                    anchors[name] = [
                        page_index,
                        left * PX_TO_PT,
                        (page.height - top) * PX_TO_PT,
                        right * PX_TO_PT,
                        (page.height - bottom) * PX_TO_PT,
                    ]
        (folder / f"{index}.pdf").write_bytes(document.write_pdf())
    (folder / "anchors.json").write_text(json.dumps(anchors), encoding="utf-8")


if __name__ == "__main__":
    main()
