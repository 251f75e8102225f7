"""Generated demo documents: administrative-looking Vietnamese PDFs, one section a page."""

from __future__ import annotations

import datetime
from html import escape

from meetings.demo.content import BODY, PARAGRAPHS, SECTION_HEADINGS
from meetings.pdf_render import html_to_pdf, serif_font_css
from meetings.templatetags.paperwork import issuer_lines, official_date

STYLE = """
@page { size: A4; margin: 20mm 20mm 20mm 30mm;
  @bottom-center { content: "Trang " counter(page) "/" counter(pages); font: 11pt "Doc Serif"; color: #444; } }
body { font-family: "Doc Serif"; font-size: 14pt; line-height: 1.35; color: #000; }
table.head { width: 100%; margin: 0; font-size: 12pt; }
table.head td { border: 0; padding: 0; text-align: center; vertical-align: top; }
.head .rule { width: 35%; margin: 2pt auto 0; border-top: 0.8pt solid #000; }
.caps { text-transform: uppercase; }
.number { margin-top: 6pt; }
.place { font-style: italic; margin-top: 8pt; }
h1 { font-size: 14pt; text-align: center; text-transform: uppercase; margin: 22pt 0 4pt; }
.subject { text-align: center; font-weight: bold; margin-bottom: 14pt; }
h2 { font-size: 14pt; margin: 10pt 0 6pt; }
p { text-align: justify; text-indent: 1.27cm; margin: 0 0 6pt; }
.section { break-after: page; }
.section:last-child { break-after: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; margin: 6pt 0; }
td, th { border: 0.6pt solid #000; padding: 3pt 5pt; }
"""


def _header(*, kind: str, number: str, date: datetime.date) -> str:
    parent = "".join(f'<div style="white-space:nowrap">{escape(line)}</div>' for line in issuer_lines(BODY["parent_name"]))
    body = "".join(f'<div style="white-space:nowrap"><b>{escape(line)}</b></div>' for line in issuer_lines(BODY["name"]))
    return f"""
<table class="head"><tr>
  <td style="width:44%">{parent}
       {body}<div class="rule"></div>
       <div class="number">Số: {escape(number)}</div></td>
  <td style="width:56%"><div class="caps" style="white-space:nowrap;font-size:12pt"><b>Cộng hòa xã hội chủ nghĩa Việt Nam</b></div>
       <div><b>Độc lập - Tự do - Hạnh phúc</b></div><div class="rule"></div>
       <div class="place">Vũng Tàu, {official_date(date)}</div></td>
</tr></table>
<h1>{escape(kind)}</h1>"""


def _table() -> str:
    rows = [
        ("Phường 1", "1.284", "82,1%"),
        ("Phường Thắng Tam", "963", "79,5%"),
        ("Phường Rạch Dừa", "1.105", "76,8%"),
        ("Phường 12", "1.418", "74,0%"),
    ]
    body = "".join(f"<tr><td>{escape(a)}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows)
    return f"<table><tr><th>Đơn vị</th><th>Hồ sơ trực tuyến</th><th>Tỷ lệ toàn trình</th></tr>{body}</table>"


def demo_document_pdf(*, title: str, pages: int, index: int, date: datetime.date) -> bytes:
    kind = "Tờ trình" if title.startswith("Tờ trình") else ("Báo cáo" if title.startswith("Báo cáo") else "Văn bản")
    sections = []
    for page in range(pages):
        heading = SECTION_HEADINGS[page % len(SECTION_HEADINGS)]
        paragraphs = "".join(f"<p>{escape(PARAGRAPHS[(page * 3 + index + k) % len(PARAGRAPHS)])}</p>" for k in range(4))
        extra = _table() if page == 1 else ""
        top = _header(kind=kind, number=f"{120 + index}/{'TTr' if kind == 'Tờ trình' else 'BC'}-UBND", date=date) if page == 0 else ""
        subject = f'<div class="subject">{escape(title)}</div>' if page == 0 else ""
        sections.append(f'<div class="section">{top}{subject}<h2>{escape(heading)}</h2>{paragraphs}{extra}</div>')
    html = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="author" content="{escape(BODY["name"])}"><style>{serif_font_css()}{STYLE}</style></head>
<body>{"".join(sections)}</body></html>"""
    return html_to_pdf(html=html)


def demo_programme_pdf(*, meeting_title: str, agenda: list[tuple[str, str, str]], when: str, place: str, date: datetime.date) -> bytes:
    """The meeting's programme: one page listing the agenda (number, title, presenter)."""
    rows = "".join(
        f"<tr><td style='width:12%;text-align:center'>{escape(n)}</td><td>{escape(t)}</td><td style='width:30%'>{escape(p)}</td></tr>"
        for n, t, p in agenda
    )
    html = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Chương trình phiên họp</title>
<meta name="author" content="{escape(BODY["name"])}"><style>{serif_font_css()}{STYLE}</style></head><body>
{_header(kind="Chương trình", number="118/CTr-UBND", date=date)}
<div class="subject">{escape(meeting_title)}</div>
<p>Thời gian: {escape(when)}.</p><p>Địa điểm: {escape(place)}.</p>
<table><tr><th>Mục</th><th>Nội dung</th><th>Trình bày</th></tr>{rows}</table>
</body></html>"""
    return html_to_pdf(html=html)
