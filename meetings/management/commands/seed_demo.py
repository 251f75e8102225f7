from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from meetings.demo.seed import demo_seed
from meetings.links import site_url
from meetings.rendering import prerender_wait


class Command(BaseCommand):
    help = "Creates the Vietnamese demo: UBND thành phố Vũng Tàu, its people and a published meeting. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delegates", type=int, default=8, help="How many delegates (daibieu01…) to create.")
        parser.add_argument("--password", default="hop2026", help="Password of every demo account.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object with the meeting and accounts.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_seed(delegates=max(1, options["delegates"]), password=options["password"])
        # The demo's pages are rendered now, so the first screen to open them finds them ready.
        prerender_wait()
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        status = "Đã tạo" if result.created else "Đã có sẵn"
        self.stdout.write(f"{status} cuộc họp mẫu: {result.meeting.title}")
        self.stdout.write(f"  {site_url(result.meeting.get_absolute_url())}")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {result.password}):")
        self.stdout.write(f"  Thư ký (secretary):   {result.secretary}")
        self.stdout.write(f"  Chủ tọa (chair):      {result.chair}")
        shown = ", ".join(result.delegates[:3]) + (f" … {result.delegates[-1]}" if len(result.delegates) > 3 else "")
        self.stdout.write(f"  Đại biểu (delegates): {shown}")
        self.stdout.write(f"  Khách mời (guests):   {', '.join(result.guests)}")
        self.stdout.write(f"  Quản trị (admin):     {result.admin}  →  {site_url(reverse('admin:index'))}")
        self.stdout.write("Chứng thư số mẫu để ký biên bản (mật khẩu hop2026, chỉ để dùng thử):")
        self.stdout.write("  deploy/demo-pki/thuky.p12 (thư ký), deploy/demo-pki/chutoa.p12 (chủ tọa)")
