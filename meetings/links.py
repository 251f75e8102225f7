"""Addresses of this site as someone outside it reaches them: from an e-mail, a calendar, a terminal."""

from __future__ import annotations

from django.conf import settings


def site_url(path: str = "/") -> str:
    """`path` (from `reverse`) on the site's public address, `SITE_URL`."""
    return settings.SITE_URL.rstrip("/") + path
