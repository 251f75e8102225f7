"""HTML → PDF for the minutes, in a child process with a time and a memory limit."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from meetings.errors import ServiceError


@dataclass(frozen=True)
class Rendered:
    pdfs: list[bytes]
    # "sign-secretary" → [page index, x1, top, x2, bottom] in PDF points from the page's bottom left
    anchors: dict[str, list[float]]


def html_render_limited(*, documents: list[str]) -> Rendered:
    with tempfile.TemporaryDirectory(prefix="minutes-") as tmp:
        folder = Path(tmp)
        for index, html in enumerate(documents):
            (folder / f"{index}.html").write_text(html, encoding="utf-8")
        command = [sys.executable, "-m", "minutes.render_worker", str(folder), str(len(documents)), str(settings.MINUTES_RENDER_MEMORY_MB)]
        try:
            done = subprocess.run(  # noqa: S603 - fixed command, our own module
                command, cwd=settings.BASE_DIR, capture_output=True, timeout=settings.MINUTES_RENDER_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise ServiceError(
                _("Compiling the minutes took longer than %(seconds)s seconds and was stopped. Append fewer documents, or try again.")
                % {"seconds": settings.MINUTES_RENDER_SECONDS},
                code="render_timeout",
            ) from error
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace")[-2000:]
            raise ServiceError(
                _("The minutes could not be compiled (the PDF renderer failed). Try again; if it fails again, report it."),
                code="render_failed",
            ) from RuntimeError(detail)
        return Rendered(
            pdfs=[(folder / f"{index}.pdf").read_bytes() for index in range(len(documents))],
            anchors=json.loads((folder / "anchors.json").read_text(encoding="utf-8")),
        )
