"""Documents: time to the first page of a new document, rendering ahead, the meeting pack, an annotated copy.

Measured, each against a floor from the same run on the same machine:
- a freshly uploaded 100-page document: upload (check in a limited child process, page sizes and
  text read for search) and then its first page image at tablet width, as a tablet asks for it
  while the rest renders in the background; floor: PDFium rendering that page alone, here;
- rendering ahead: pages per second of the background pool (thumbnail + tablet width of every
  page, WebP); floor: PDFium rendering the same pages to bitmaps alone, here, no encoding (and,
  to show what is the encoder's, the same pages rendered and encoded as WebP here, in one thread);
- the meeting pack of 20 documents / 500 pages (cover and contents by WeasyPrint, bookmarks,
  page numbers stamped, deduplication): time, size, peak memory; floor: pypdf concatenating the
  same files alone;
- an annotated copy of a 100-page document with 300 annotations; floor: pypdf reading and
  writing the same document alone.

    python bench/documents.py [--quick]

Prints one JSON line: {"bench": "documents", "params", "metrics", "floor", "ratio"}
(milliseconds, bytes, MiB).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import base_env, manage  # noqa: E402


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _document(title: str, pages: int, index: int) -> bytes:
    from meetings.demo.documents import demo_document_pdf

    return demo_document_pdf(title=title, pages=pages, index=index, date=datetime.date.today())


def _pdfium_alone(path: Path, jobs: list[tuple[int, int]], *, encode: bool = False) -> float:
    """Milliseconds for PDFium to render (page index, width) bitmaps, nothing else (or encoded as we encode them)."""
    import pypdfium2 as pdfium

    from meetings.page_render import WEBP_OPTIONS

    start = time.perf_counter()
    pdf = pdfium.PdfDocument(str(path))
    for index, width in jobs:
        page = pdf[index]
        image = page.render(scale=width / page.get_width()).to_pil()
        if encode:
            image.convert("RGB").save(io.BytesIO(), **WEBP_OPTIONS)
    pdf.close()
    return _ms(start)


def measure_first_page(*, meeting: Any, secretary: Any, pages: int) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from meetings.rendering import PAGE_WIDTH, PRERENDER_WIDTHS, page_image, prerender_wait, source_path
    from meetings.services.documents import document_upload

    warm = _document("Tài liệu khởi động", 2, 99)
    with override_settings(RENDER_AHEAD=False):
        # Start the worker pools first: a server has them running long before the next upload.
        document = document_upload(actor=secretary, meeting=meeting, upload=SimpleUploadedFile("khoi-dong.pdf", warm), title="Khởi động")
        page_image(version=document.versions.get(), page=1, width=PAGE_WIDTH)
    pdf = _document("Tờ trình đề án chuyển đổi số", pages, 1)
    start = time.perf_counter()
    with override_settings(RENDER_AHEAD=True):
        document = document_upload(actor=secretary, meeting=meeting, upload=SimpleUploadedFile("de-an.pdf", pdf), title="Đề án")
        upload_ms = _ms(start)
        version = document.versions.get()
        page_image(version=version, page=1, width=PAGE_WIDTH)
        first_page_ms = _ms(start)
        ahead_start = time.perf_counter()
        prerender_wait()
        ahead_ms = _ms(ahead_start)
    rendered = pages * len(PRERENDER_WIDTHS)
    source = source_path(version=version)
    floor_first = min(_pdfium_alone(source, [(0, PAGE_WIDTH)]) for _ in range(3))
    every_page = [(index, width) for width in PRERENDER_WIDTHS for index in range(pages)]
    floor_all = _pdfium_alone(source, every_page)
    floor_encoded = _pdfium_alone(source, every_page, encode=True)
    return {
        "metrics": {
            "upload_ms": upload_ms,
            "first_page_ms": first_page_ms,
            "first_page_after_upload_ms": round(first_page_ms - upload_ms, 1),
            "render_ahead_rest_ms": ahead_ms,
            "render_ahead_pages_per_s": round(rendered / ((first_page_ms - upload_ms + ahead_ms) / 1000), 1),
            "pdf_bytes": len(pdf),
        },
        "floor": {
            "pdfium_first_page_ms": floor_first,
            "pdfium_pages_per_s": round(rendered / (floor_all / 1000), 1),
            "pdfium_webp_pages_per_s": round(rendered / (floor_encoded / 1000), 1),
        },
        "source": source,
    }


def measure_pack(*, folder: Path, documents: int, pages_each: int) -> dict[str, Any]:
    from pypdf import PdfReader, PdfWriter

    from meetings.pack import PackCover, PackDocument, PackSection, pack_build_pdf

    paths = []
    for index in range(documents):
        path = folder / f"pack-{index}.pdf"
        path.write_bytes(_document(f"Báo cáo chuyên đề số {index + 1}", pages_each, index))
        paths.append(path)
    cover = PackCover(
        title="Phiên họp thường kỳ tháng 11 năm 2026",
        body="Ủy ban nhân dân thành phố Vũng Tàu",
        parent_body="UBND TỈNH BÀ RỊA - VŨNG TÀU",
        starts="08:00, 30/11/2026",
        place="Hội trường A, 89 Lý Thường Kiệt",
    )
    sections = [
        PackSection(
            number=str(index + 1), title=f"Nội dung số {index + 1}", documents=[PackDocument(title=f"Báo cáo {index + 1}", path=path)]
        )
        for index, path in enumerate(paths)
    ]
    start = time.perf_counter()
    pack = pack_build_pdf(cover=cover, sections=sections)
    pack_ms = _ms(start)
    tracemalloc.start()
    pack_build_pdf(cover=cover, sections=sections)
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    start = time.perf_counter()
    writer = PdfWriter()
    for path in paths:
        writer.append(PdfReader(path))
    out = io.BytesIO()
    writer.write(out)
    concat_ms = _ms(start)
    return {
        "metrics": {
            "pack_ms": pack_ms,
            "pack_bytes": len(pack),
            "pack_pages": len(PdfReader(io.BytesIO(pack)).pages),
            "pack_peak_python_mib": round(peak, 1),
        },
        "floor": {"pypdf_concat_ms": concat_ms, "pypdf_concat_bytes": len(out.getvalue())},
    }


def measure_annotated(*, source: Path, pages: int, annotations: int) -> dict[str, Any]:
    from django.utils import timezone
    from pypdf import PdfReader, PdfWriter

    from annotations.pdf_export import pdf_with_annotations

    rng = random.Random(7)
    kinds = ["ink", "ink", "highlight", "rect", "arrow", "note"]
    marks = []
    for index in range(annotations):
        kind = kinds[index % len(kinds)]
        x, y = rng.uniform(0.1, 0.6), rng.uniform(0.1, 0.8)
        mark: dict[str, Any] = {
            "id": f"00000000-0000-4000-8000-{index:012d}",
            "page": index % pages + 1,
            "kind": kind,
            "color": "#d32f2f",
            "width": 0.004,
            "author": "Lê Minh Tuấn",
            "updated_at": timezone.now(),
        }
        if kind == "ink":
            mark["points"] = [[x + step * 0.004, y + rng.uniform(-0.01, 0.01)] for step in range(60)]
        elif kind == "arrow":
            mark["points"] = [[x, y], [x + 0.2, y + 0.1]]
        else:
            mark["rect"] = [x, y, x + 0.3, y + 0.05]
        if kind == "note":
            mark["text"] = "Đề nghị làm rõ nguồn kinh phí và tiến độ thực hiện"
        marks.append(mark)
    pdf = source.read_bytes()
    start = time.perf_counter()
    exported = pdf_with_annotations(pdf=pdf, annotations=marks)
    export_ms = _ms(start)
    start = time.perf_counter()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.write(io.BytesIO())
    roundtrip_ms = _ms(start)
    count = sum(len(page.get("/Annots", [])) for page in PdfReader(io.BytesIO(exported)).pages)
    return {
        "metrics": {"annotated_ms": export_ms, "annotated_bytes": len(exported), "annotations_written": count},
        "floor": {"pypdf_roundtrip_ms": roundtrip_ms},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    params = (
        {"pages": 20, "pack_documents": 5, "pack_pages_each": 10, "annotations": 60}
        if args.quick
        else {"pages": 100, "pack_documents": 20, "pack_pages_each": 25, "annotations": 300}
    )
    with tempfile.TemporaryDirectory() as tmp:
        env = base_env(DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", MEDIA_ROOT=f"{tmp}/media", RENDER_AHEAD="0")
        manage(env, "migrate", "--no-input", "-v", "0")
        os.environ.update(env)
        import django

        django.setup()
        from meetings.demo.seed import demo_seed
        from meetings.models import Meeting, User

        demo = demo_seed(delegates=4)
        meeting = Meeting.objects.get(pk=demo.meeting.pk)
        secretary = User.objects.get(username=demo.secretary)
        first = measure_first_page(meeting=meeting, secretary=secretary, pages=params["pages"])
        pack = measure_pack(folder=Path(tmp), documents=params["pack_documents"], pages_each=params["pack_pages_each"])
        annotated = measure_annotated(source=first.pop("source"), pages=params["pages"], annotations=params["annotations"])
    metrics = {**first["metrics"], **pack["metrics"], **annotated["metrics"]}
    floor = {**first["floor"], **pack["floor"], **annotated["floor"]}
    ratio = {
        "first_page_after_upload": round(metrics["first_page_after_upload_ms"] / floor["pdfium_first_page_ms"], 2),
        "render_ahead_speed": round(metrics["render_ahead_pages_per_s"] / floor["pdfium_pages_per_s"], 2),
        "render_ahead_speed_vs_encoded": round(metrics["render_ahead_pages_per_s"] / floor["pdfium_webp_pages_per_s"], 2),
        "pack": round(metrics["pack_ms"] / floor["pypdf_concat_ms"], 2),
        "pack_size": round(metrics["pack_bytes"] / floor["pypdf_concat_bytes"], 2),
        "annotated": round(metrics["annotated_ms"] / floor["pypdf_roundtrip_ms"], 2),
    }
    print(json.dumps({"bench": "documents", "params": params, "metrics": metrics, "floor": floor, "ratio": ratio}))


if __name__ == "__main__":
    main()
