"""Minutes: compile a large meeting's minutes, then sign them twice.

A meeting with 30 agenda items, 12 polls and 80 participants, and 200 pages of appended
documents. Measured: compile time (HTML → PDF in the limited child process, appendices merged,
bookmarks, deduplication), signing time (secretary, then chair), peak memory, file size.
Floor, in the same run: WeasyPrint rendering the same HTML alone (in this process), plus pypdf
writing the same pages alone (no bookmarks, no deduplication).

    python bench/minutes.py [--quick]

Prints one JSON line: {"bench": "minutes", "params", "metrics", "floor", "ratio"}
(milliseconds, bytes, MiB).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import base_env, manage  # noqa: E402


def build_meeting(*, items: int, polls: int, delegates: int, appendix_pages: int) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from meetings.demo.documents import demo_document_pdf
    from meetings.demo.seed import demo_seed
    from meetings.models import Meeting, Participant, User
    from meetings.services.agenda import agenda_item_create
    from meetings.services.documents import document_upload
    from meetings.services.live import meeting_end, meeting_start
    from minutes.models import MinutesEntry
    from minutes.services.workflow import minutes_settings_update
    from voting.models import Poll
    from voting.services.ballots import ballot_cast, poll_close, poll_open
    from voting.services.polls import poll_create

    demo = demo_seed(delegates=delegates)
    meeting = Meeting.objects.get(pk=demo.meeting.pk)
    secretary = User.objects.get(username=demo.secretary)
    chair = User.objects.get(username=demo.chair)
    for index in range(meeting.agenda_items.count(), items):
        agenda_item_create(
            actor=secretary, meeting=meeting, title=f"Nội dung số {index + 1}: báo cáo tình hình thực hiện nhiệm vụ", duration_minutes=10
        )
    per_document = 50
    documents = []
    for index in range(max(1, appendix_pages // per_document)):
        pdf = demo_document_pdf(title=f"Phụ lục tài liệu {index + 1}", pages=per_document, index=index, date=datetime.date.today())
        upload = SimpleUploadedFile(f"phu-luc-{index + 1}.pdf", pdf, content_type="application/pdf")
        documents.append(document_upload(actor=secretary, meeting=meeting, upload=upload, title=f"Phụ lục tài liệu {index + 1}"))
    agenda = list(meeting.agenda_items.order_by("position", "id"))
    for index in range(Poll.objects.filter(meeting=meeting).count(), polls):
        poll_create(
            actor=secretary,
            meeting=meeting,
            question=f"Thông qua nội dung số {index + 1}?",
            agenda_item_id=agenda[index % len(agenda)].pk,
            secret=index % 3 == 0,
            majority="cast",
        )
    meeting = meeting_start(actor=chair, meeting=meeting)
    Participant.objects.filter(meeting=meeting).update(attendance=Participant.Attendance.PRESENT, arrived_at=timezone.now())
    voters = list(Participant.objects.filter(meeting=meeting, can_vote=True).select_related("user"))
    for poll in Poll.objects.filter(meeting=meeting).order_by("position"):
        poll_open(actor=chair, meeting=meeting, poll_id=poll.pk)
        choices = list(poll.choices.values_list("pk", flat=True))
        for index, voter in enumerate(voters):
            ballot_cast(actor=voter.user, meeting=meeting, poll_id=poll.pk, choices=[choices[index % len(choices)]])
        poll_close(actor=chair, meeting=meeting, poll_id=poll.pk)
    paragraph = (
        "Các đại biểu thảo luận sôi nổi, thống nhất với nội dung báo cáo; đề nghị bổ sung số liệu so sánh cùng kỳ, "
        "làm rõ nguyên nhân chậm tiến độ và giải pháp trong thời gian tới."
    )
    for item in agenda:
        MinutesEntry.objects.update_or_create(
            meeting=meeting,
            agenda_item=item,
            defaults={"notes": "\n".join([paragraph] * 3), "conclusions": "Thống nhất thông qua; giao cơ quan chủ trì hoàn thiện."},
        )
    meeting = meeting_end(actor=chair, meeting=meeting)
    minutes_settings_update(
        actor=secretary,
        meeting=meeting,
        number="15/BB-UBND",
        recipients="- Thường trực Thành ủy;\n- Lưu: VT, VP.",
        language="vi",
        appendix_document_ids=[d.pk for d in documents],
    )
    return meeting, secretary, chair, Participant.objects.filter(meeting=meeting).count()


def measure(meeting: Any, secretary: Any, chair: Any) -> dict[str, Any]:
    from pypdf import PdfReader, PdfWriter

    from meetings.models import DocumentVersion
    from meetings.pdf_render import html_to_pdf
    from minutes.compile import minutes_compile_pdf
    from minutes.document import attendance_sheet_html, minutes_html
    from minutes.selectors import minutes_facts
    from minutes.signing import pdf_sign
    from voting.export import poll_result_html

    start = time.perf_counter()
    compiled = minutes_compile_pdf(meeting=meeting)
    compile_ms = (time.perf_counter() - start) * 1000
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    pki = ROOT / "deploy" / "demo-pki"
    start = time.perf_counter()
    signed = compiled.pdf
    for role, who, p12 in (("secretary", secretary, "thuky.p12"), ("chair", chair, "chutoa.p12")):
        page, x1, y1, x2, y2 = compiled.signature_boxes[role]
        signed = pdf_sign(
            pdf=signed,
            p12=(pki / p12).read_bytes(),
            passphrase=b"hop2026",
            field_name=f"Signature-{role}",
            page=int(page),
            box=(x1, y1, x2, y2),
            signer_name=who.display_name,
            role=role,
            reason="ký biên bản",
            location="Vũng Tàu",
        )
    sign_ms = (time.perf_counter() - start) * 1000

    # The floor: the same HTML through WeasyPrint alone, and the same pages through pypdf alone.
    facts = minutes_facts(meeting=meeting)
    documents = [
        minutes_html(facts=facts),
        attendance_sheet_html(facts=facts),
        *[poll_result_html(poll=p) for p in facts.polls if p.result],
    ]
    start = time.perf_counter()
    rendered = [html_to_pdf(html=html) for html in documents]
    weasyprint_ms = (time.perf_counter() - start) * 1000
    appended = [
        DocumentVersion.objects.filter(document=d).order_by("-number").first().file.read() for d in facts.minutes.appendix_documents.all()
    ]
    start = time.perf_counter()
    writer = PdfWriter()
    for blob in [*rendered, *appended]:
        writer.append(PdfReader(io.BytesIO(blob)))
    writer.write(io.BytesIO())
    pypdf_ms = (time.perf_counter() - start) * 1000
    return {
        "metrics": {
            "compile_ms": round(compile_ms, 1),
            "sign_two_signatures_ms": round(sign_ms, 1),
            "pages": compiled.page_count,
            "minutes_pages": compiled.minutes_pages,
            "file_bytes": len(compiled.pdf),
            "signed_file_bytes": len(signed),
            "render_worker_peak_mib": round(worker_peak, 1),
            "bench_process_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
        "floor": {"weasyprint_ms": round(weasyprint_ms, 1), "pypdf_ms": round(pypdf_ms, 1)},
        "ratio": {"compile": round(compile_ms / (weasyprint_ms + pypdf_ms), 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    params = (
        {"items": 10, "polls": 4, "delegates": 25, "appendix_pages": 50}
        if args.quick
        else {"items": 30, "polls": 12, "delegates": 75, "appendix_pages": 200}
    )
    with tempfile.TemporaryDirectory() as tmp:
        env = base_env(
            DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
            MEDIA_ROOT=f"{tmp}/media",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        manage(env, "migrate", "--no-input", "-v", "0")
        os.environ.update(env)
        import django

        django.setup()
        meeting, secretary, chair, participants = build_meeting(**params)
        result = measure(meeting, secretary, chair)
    params["participants"] = participants
    print(json.dumps({"bench": "minutes", "params": params, **result}))


if __name__ == "__main__":
    main()
