"""Page images for tablets and the projector, cached on disk by content hash.

A page is rendered when first asked for (on the interactive pool, so a reader never waits behind
background work); after an upload the whole document is rendered ahead on a separate one-worker
pool, a few pages per task, thumbnails first.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from django.conf import settings

from meetings.models import DocumentPage, DocumentVersion
from meetings.page_render import limit_memory, read_pages, render_page, render_pages
from meetings.text import fold_for_search

log = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 200
# A 10" tablet's page at full width, and twice that for zooming in.
PAGE_WIDTH = 1280
ZOOM_WIDTH = 2560
PAGE_WIDTHS = (THUMBNAIL_WIDTH, PAGE_WIDTH, ZOOM_WIDTH)
PRERENDER_WIDTHS = (THUMBNAIL_WIDTH, PAGE_WIDTH)
PRERENDER_PAGES_PER_TASK = 8

_pools: dict[str, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def _executor(name: str) -> ProcessPoolExecutor:
    with _pools_lock:
        if name not in _pools:
            workers = settings.RENDER_WORKERS if name == "interactive" else 1
            _pools[name] = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=limit_memory,
                initargs=(settings.RENDER_MEMORY_MB,),
            )
        return _pools[name]


def _discard_executor(name: str, pool: ProcessPoolExecutor) -> None:
    """A render that hangs or runs out of memory takes its worker with it: kill that pool, start afresh.

    Only if it is still the pool in use: others waiting on the same broken pool must not kill its successor.
    """
    with _pools_lock:
        if _pools.get(name) is not pool:
            return
        del _pools[name]
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _wait(name: str, pool: ProcessPoolExecutor, future: Future, what: str) -> object | None:
    try:
        return future.result(timeout=settings.RENDER_SECONDS)
    except (FutureTimeout, BrokenProcessPool):
        log.error("%s timed out or killed its worker (limits: %ss, %s MB)", what, settings.RENDER_SECONDS, settings.RENDER_MEMORY_MB)
        _discard_executor(name, pool)
    except Exception:
        log.exception("%s failed", what)
    return None


_in_flight: dict[str, tuple[ProcessPoolExecutor, Future]] = {}


def source_path(*, version: DocumentVersion) -> Path:
    return Path(settings.MEDIA_ROOT) / version.file.name


def page_image_path(*, version: DocumentVersion, page: int, width: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "pages" / version.sha256[:2] / version.sha256 / str(width) / f"{page}.webp"


def page_image(*, version: DocumentVersion, page: int, width: int) -> Path | None:
    """The cached image of `page` (1-based) at `width`, rendering it if needed; None if it cannot be rendered."""
    target = page_image_path(version=version, page=page, width=width)
    if target.exists():
        return target
    # Thirty tablets asking for the page the chair just presented share one render.
    candidate = _executor("interactive")
    with _pools_lock:
        entry = _in_flight.get(str(target))
        if entry is None:
            entry = (candidate, candidate.submit(render_page, str(source_path(version=version)), page - 1, width, str(target)))
            _in_flight[str(target)] = entry
            entry[1].add_done_callback(lambda _done, key=str(target): _in_flight.pop(key, None))
    pool, future = entry
    # The pool the render runs on: if it breaks, that pool is discarded, never a newer one.
    if _wait("interactive", pool, future, f"rendering page {page} of {version.sha256}") is None:
        return None
    return target


def document_pages_read(*, version: DocumentVersion) -> None:
    """Store every page's size and text (for layout and search), and render page 1 for the first reader.

    A document whose text cannot be read is still shown."""
    first_page = str(page_image_path(version=version, page=1, width=PAGE_WIDTH))
    pool = _executor("interactive")
    future = pool.submit(read_pages, str(source_path(version=version)), first_page, PAGE_WIDTH)
    pages = _wait("interactive", pool, future, f"reading the pages of {version.sha256}") or []
    DocumentPage.objects.bulk_create(
        [
            DocumentPage(version=version, number=number, width=width, height=height, text=text, search_text=fold_for_search(text))
            for number, (width, height, text) in enumerate(pages, start=1)
        ],
        ignore_conflicts=True,
    )


def _render_ahead_forever() -> None:
    while True:
        sha256, source, jobs = _ahead.get()
        try:
            pool = _executor("background")
            failed = _wait("background", pool, pool.submit(render_pages, source, jobs), f"rendering ahead pages of {sha256}")
            if failed:
                log.error("rendering ahead: %s pages of %s could not be rendered", len(failed), sha256)
        except RuntimeError:
            # The process is exiting (a management command that uploaded): pages render when first asked for.
            return
        except Exception:
            log.exception("rendering ahead of %s failed", sha256)
        finally:
            _ahead.task_done()


_ahead: queue.Queue[tuple[str, str, list[tuple[int, int, str]]]] = queue.Queue()
_ahead_thread: threading.Thread | None = None


def document_prerender(*, version: DocumentVersion) -> None:
    """Queue the whole document for rendering ahead of its readers: thumbnails first, then pages.

    One thread feeds the background pool a few pages at a time and waits on each task with the
    render time limit, so a page that hangs costs its worker, never the queue.
    """
    global _ahead_thread
    if not settings.RENDER_AHEAD:
        return
    source = str(source_path(version=version))
    for width in PRERENDER_WIDTHS:
        for first in range(1, version.page_count + 1, PRERENDER_PAGES_PER_TASK):
            pages = range(first, min(first + PRERENDER_PAGES_PER_TASK, version.page_count + 1))
            jobs = [(page - 1, width, str(page_image_path(version=version, page=page, width=width))) for page in pages]
            if not all(Path(job[2]).exists() for job in jobs):
                _ahead.put((version.sha256, source, jobs))
    with _pools_lock:
        if _ahead_thread is None or not _ahead_thread.is_alive():
            _ahead_thread = threading.Thread(target=_render_ahead_forever, name="render-ahead", daemon=True)
            _ahead_thread.start()


def prerender_wait() -> None:
    """Until everything queued to render ahead is done (benchmarks and tests)."""
    _ahead.join()
