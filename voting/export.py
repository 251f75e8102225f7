"""A closed poll's result as CSV (for spreadsheets) and as a one-page PDF sheet (the minutes append it)."""

from __future__ import annotations

import csv
import datetime
import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst

from meetings.pdf_render import html_to_pdf, serif_font_css
from voting.models import Poll
from voting.tally import result_chosen


def _labels(poll: Poll) -> dict[int, str]:
    return {choice.pk: choice.label for choice in poll.choices.all()}


def _when(moment: datetime.datetime | None) -> str:
    return f"{timezone.localtime(moment):%H:%M:%S %d/%m/%Y}" if moment else ""


def _sheet_words(poll: Poll) -> dict[str, str]:
    """What the sheet and its CSV both call things: written opinions are not a vote taken in the room."""
    if poll.mode == Poll.Mode.WRITTEN:
        return {
            "form": "lấy ý kiến bằng văn bản, " + ("phiếu kín" if poll.secret else "công khai"),
            "not_voted": "Không trả lời",
            "no_quorum": "không đủ số thành viên trả lời",
        }
    return {
        "form": "bỏ phiếu kín" if poll.secret else "biểu quyết công khai",
        "not_voted": "Không tham gia biểu quyết",
        "no_quorum": "không đủ số thành viên tối thiểu",
    }


def poll_result_csv(*, poll: Poll) -> bytes:
    result = poll.result
    labels = _labels(poll)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Cuộc họp", poll.meeting.title])
    writer.writerow(["Câu hỏi", poll.question])
    words = _sheet_words(poll)
    writer.writerow(["Hình thức", capfirst(words["form"])])
    writer.writerow(["Tỷ lệ cần đạt", poll.get_majority_display(), f"ít nhất {result['needed']} trên {result['base']}"])
    writer.writerow(["Mở lúc", _when(poll.opened_at)])
    writer.writerow(["Đóng lúc", _when(poll.closed_at)])
    writer.writerow(["Số phiếu", result["ballots"]])
    not_voted_words = words["not_voted"]
    if "not_voted_weight" in result:
        writer.writerow([not_voted_words, result["not_voted_weight"]])
    outcome = "Thông qua" if result["passed"] else "Không thông qua"
    if result.get("no_quorum"):
        outcome = f"Không thông qua ({words['no_quorum']})"
    writer.writerow(["Kết quả", outcome, *result_chosen(result=result)])
    if poll.state == Poll.State.ANNULLED:
        writer.writerow(["Đã hủy", poll.annulled_reason])
    writer.writerow([])
    writer.writerow(["Lựa chọn", "Số phiếu", "Tỷ lệ (%)", "Đạt"])
    for row in result["choices"]:
        # With a decimal comma, as the screens and the sheet write it and a Vietnamese spreadsheet reads it.
        writer.writerow([row["label"], row["votes"], row["percent"].replace(".", ","), "x" if row["reached"] else ""])
    if result.get("named"):
        writer.writerow([])
        writer.writerow(["Đại biểu", "Chức vụ", "Lựa chọn", "Trọng số", "Bỏ phiếu thay (ủy quyền)"])
        for entry in result["named"]:
            writer.writerow(
                [
                    entry["name"],
                    entry["position"],
                    "; ".join(labels.get(i, "?") for i in entry["choice_ids"]),
                    entry["weight"],
                    entry["proxy_name"] or "",
                ]
            )

    if result.get("not_voted"):
        if not result.get("named"):
            writer.writerow([])
            writer.writerow(["Đại biểu", "Chức vụ", "Lựa chọn", "Trọng số", "Bỏ phiếu thay (ủy quyền)"])
        for entry in result["not_voted"]:
            held = f" (ủy quyền cho {entry['proxy_name']})" if entry["proxy_name"] else ""
            writer.writerow([entry["name"], entry["position"], f"{not_voted_words}{held}", entry["weight"], ""])
    # The byte-order mark makes spreadsheet programs read the Vietnamese letters as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def poll_result_html(*, poll: Poll, appendix: dict[str, str] | None = None) -> str:
    """The result sheet: on its own, headed and signed as an official document; bound into the
    minutes (`appendix`: its label and what it is attached to), headed as an appendix and signed by
    the minutes' signatures."""
    labels = _labels(poll)
    # Vietnamese writes a decimal comma: 66,67 %.
    rows = [{**row, "percent": row["percent"].replace(".", ",")} for row in poll.result["choices"]]
    named = [{**entry, "choices": ", ".join(labels.get(i, "?") for i in entry["choice_ids"])} for entry in poll.result.get("named") or []]
    return render_to_string(
        "voting/result_sheet.html",
        {
            "poll": poll,
            "meeting": poll.meeting,
            "result": poll.result,
            "rows": rows,
            "chosen": result_chosen(result=poll.result),
            "named": named,
            "not_voted": poll.result.get("not_voted") or [],
            "written": poll.mode == Poll.Mode.WRITTEN,
            "words": _sheet_words(poll),
            # Those represented by a proxy count among those who could vote, not among those present.
            "in_person": poll.result["present_weight"] - poll.result.get("proxy_weight", 0),
            "closed_on": poll.closed_at or poll.annulled_at,
            "fonts": serif_font_css(),
            "now": timezone.now(),
            "appendix": appendix,
        },
    )


def poll_result_pdf(*, poll: Poll) -> bytes:
    return html_to_pdf(html=poll_result_html(poll=poll))
