"""How the screens' CSS and JavaScript reach browsers, so that an upgrade reaches every tablet at once.

A tablet that kept last week's live-room modules would speak an old protocol to a new server.
Behind nginx (SERVE_STATIC=0) the collected files carry a hash of their content in their names,
and the live room's ES modules import one another by those names, so browsers may keep them for
a year: a changed file is a new name. When daphne serves /static/ itself (the embedded set-up) the
names stay plain, so browsers are told to ask each time; unchanged files cost a 304.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.http import HttpRequest, HttpResponseBase


class VersionedStaticFilesStorage(ManifestStaticFilesStorage):
    # Rewrites `import … from "./connection.js";` to the hashed name, so a changed module also
    # renames every module that imports it.
    support_js_module_import_aggregation = True


class RevalidatingStaticFilesHandler(ASGIStaticFilesHandler):
    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response = await super().get_response_async(request)
        response.headers.setdefault("Cache-Control", "no-cache")
        return response


@functools.cache
def client_build() -> str:
    """Names the screens' code: a hash of the CSS and JavaScript this server hands out. A live screen
    loaded with other code than the server's now (an upgrade while the room stayed open) loads itself
    again when its snapshot says so (connection.js)."""
    digest = hashlib.sha256()
    for directory in map(Path, settings.STATICFILES_DIRS):
        for path in sorted(directory.rglob("*")):
            if path.suffix in {".js", ".css"}:
                digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]
