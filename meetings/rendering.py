"""Page images for tablets and the projector: rendered on first request, cached on disk by content hash."""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from django.conf import settings

from meetings.models import DocumentVersion
from meetings.page_render import limit_memory, render_page

log = logging.getLogger(__name__)

# Widths the viewer may ask for: a few sizes keep the cache small and every URL cacheable.
PAGE_WIDTHS = (480, 800, 1280, 1600, 2400)

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=settings.RENDER_WORKERS,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=limit_memory,
                initargs=(settings.DOCUMENT_PARSE_MEMORY_MB,),
            )
        return _pool


def _discard_executor() -> None:
    """A render that hangs takes its worker with it: start a fresh pool."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)


def page_image_path(*, version: DocumentVersion, page: int, width: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "pages" / version.sha256[:2] / version.sha256 / str(width) / f"{page}.webp"


def page_image(*, version: DocumentVersion, page: int, width: int) -> Path | None:
    """The cached image of `page` (1-based) at `width`, rendering it if needed; None if it cannot be rendered."""
    target = page_image_path(version=version, page=page, width=width)
    if target.exists():
        return target
    source = Path(settings.MEDIA_ROOT) / version.file.name
    future = _executor().submit(render_page, str(source), page - 1, width, str(target))
    try:
        future.result(timeout=settings.RENDER_SECONDS)
    except (FutureTimeout, BrokenProcessPool):
        log.error("rendering page %s of %s timed out or killed its worker", page, version.sha256)
        _discard_executor()
        return None
    except Exception:
        log.exception("rendering page %s of %s failed", page, version.sha256)
        return None
    return target
