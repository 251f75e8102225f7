from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minutes.demo_pki import DEMO_PASSPHRASE, DEMO_PKI_DIR, DEMO_SIGNERS, demo_pki_write


class Command(BaseCommand):
    help = (
        "Creates the demo-only PKI (a test root CA and PKCS#12 files for chutoa, thuky and the organisation). Never trust it in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", type=Path, default=DEMO_PKI_DIR, help="Where to write ca.pem, *.p12 and README.md.")
        parser.add_argument("--passphrase", default=DEMO_PASSPHRASE.decode(), help="Passphrase of every PKCS#12 file.")
        parser.add_argument(
            "--force", action="store_true", help="Replace existing files (new keys: earlier demo signatures stop verifying)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pki = demo_pki_write(directory=options["directory"], passphrase=options["passphrase"].encode(), overwrite=options["force"])
        except FileExistsError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Đã tạo PKI mẫu (KHÔNG DÙNG THẬT) trong {pki.directory}:")
        for path in pki.files:
            self.stdout.write(f"  {path.name}")
        for signer in DEMO_SIGNERS:
            who = f"{signer.title} ({signer.username})" if signer.username else "tổ chức"
            self.stdout.write(f"  {signer.stem}.p12: {signer.common_name} — {who}")
        self.stdout.write(f"Mật khẩu PKCS#12: {options['passphrase']}")
