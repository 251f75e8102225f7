"""HTML → PDF with WeasyPrint, reading nothing but the project's own static assets.

Every PDF the system writes from HTML (demo documents now; covers, tables of contents and
minutes later) goes through `html_to_pdf`, so no user text can make the renderer fetch a URL
or read a file.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()
FONT_DIR = STATIC_DIR / "fonts"


class FetchRefused(ValueError):
    pass


def _static_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves files inside static/ (as `static:` or file URLs); refuses every other URL."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            if url.startswith("static:"):
                path = (STATIC_DIR / url.removeprefix("static:").lstrip("/")).resolve()
            elif url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            else:
                raise FetchRefused(f"refused to fetch {url[:80]}")
            if not path.is_relative_to(STATIC_DIR) or not path.is_file():
                raise FetchRefused(f"refused to read {url[:80]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher


def static_only_fetcher() -> Any:
    return _static_fetcher_class()(allowed_protocols=["static", "file"], allow_redirects=False)


def serif_font_css() -> str:
    """@font-face rules for the shipped Liberation Serif (metric-compatible with Times New Roman)."""
    faces = [("Regular", "normal", "normal"), ("Bold", "bold", "normal"), ("Italic", "normal", "italic"), ("BoldItalic", "bold", "italic")]
    return "\n".join(
        f'@font-face {{ font-family: "Doc Serif"; src: url("static:fonts/LiberationSerif-{name}.ttf"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in faces
    )


def html_render(*, html: str) -> Any:
    """Lay out `html` (a WeasyPrint Document: pages, and where each element with an id landed)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=static_only_fetcher(), base_url="static:/").render()


def html_to_pdf(*, html: str) -> bytes:
    """Render `html` (title and author come from its <title> and <meta name=author>)."""
    return html_render(html=html).write_pdf()
