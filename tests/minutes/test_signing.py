"""Signing the minutes' PDF (secretary, then chair) and verifying the result, tampered or not."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from pypdf.generic import DictionaryObject

from meetings.pdf_render import html_to_pdf, serif_font_css
from minutes.demo_pki import DEMO_PASSPHRASE, DEMO_PKI_DIR, ca_create, certificate_issue, certificate_pem, p12_export
from minutes.signing import (
    SignatureCheck,
    SigningError,
    p12_identity,
    pdf_sign,
    pdf_verdict,
    pdf_verify,
    trust_roots_from_settings,
)
from tests.minutes.conftest import stamp_text

SECRETARY = "Trần Thị Thu Hà"
CHAIR = "Nguyễn Văn Thành"
SECRETARY_BOX = (60.0, 60.0, 270.0, 130.0)
CHAIR_BOX = (320.0, 60.0, 530.0, 130.0)


def demo_file(name: str) -> bytes:
    return (DEMO_PKI_DIR / name).read_bytes()


def sign_as_secretary(
    pdf: bytes, *, p12: bytes | None = None, passphrase: bytes = DEMO_PASSPHRASE, trust_roots: list[bytes] | None = None
) -> bytes:
    return pdf_sign(
        pdf=pdf,
        p12=demo_file("thuky.p12") if p12 is None else p12,
        passphrase=passphrase,
        field_name="ThuKy",
        page=-1,
        box=SECRETARY_BOX,
        signer_name=SECRETARY,
        role="Thư ký",
        reason="Ký biên bản cuộc họp",
        location="Vũng Tàu",
        trust_roots=trust_roots,
    )


def sign_as_chair(pdf: bytes) -> bytes:
    return pdf_sign(
        pdf=pdf,
        p12=demo_file("chutoa.p12"),
        passphrase=DEMO_PASSPHRASE,
        field_name="ChuToa",
        page=-1,
        box=CHAIR_BOX,
        signer_name=CHAIR,
        role="Chủ tọa",
        reason="Ký biên bản cuộc họp",
        location="Vũng Tàu",
    )


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The assertions read the English source sentences, whatever the Vietnamese catalogue comes to hold.
    with translation.override("en"):
        yield


# Rendering and signing take a few tenths of a second each; the PDFs are made once and only read after.
@pytest.fixture(scope="module")
def minutes_pdf() -> bytes:
    return html_to_pdf(
        html=(
            f"<html><head><title>Biên bản họp</title><style>{serif_font_css()} body {{ font-family: 'Doc Serif'; }}</style></head>"
            "<body><h1>BIÊN BẢN HỌP</h1><p>Kỳ họp thường lệ của Ủy ban nhân dân thành phố Vũng Tàu.</p></body></html>"
        )
    )


@pytest.fixture(scope="module")
def signed_once(minutes_pdf: bytes) -> bytes:
    return sign_as_secretary(minutes_pdf)


@pytest.fixture(scope="module")
def signed_twice(signed_once: bytes) -> bytes:
    return sign_as_chair(signed_once)


@pytest.fixture
def roots() -> list[bytes]:
    return trust_roots_from_settings()


def widget(pdf: bytes, field_name: str) -> DictionaryObject:
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    for annotation in page["/Annots"]:
        annotation = annotation.get_object()
        if annotation.get("/T") == field_name:
            return annotation
    raise AssertionError(f"no widget for {field_name}")


def appearance_fonts(xobject: Any) -> list[DictionaryObject]:
    """Every font used by an appearance stream, through the form XObjects it draws."""
    resources = xobject.get("/Resources", {})
    fonts = [font.get_object() for font in resources.get("/Font", {}).values()]
    for child in resources.get("/XObject", {}).values():
        fonts += appearance_fonts(child.get_object())
    return fonts


def test_secretary_then_chair_both_verify(signed_once: bytes, signed_twice: bytes, roots: list[bytes]) -> None:
    checks = pdf_verify(pdf=signed_twice, trust_roots=roots)

    assert [(c.field_name, c.signer_name) for c in checks] == [("ThuKy", SECRETARY), ("ChuToa", CHAIR)]
    for check in checks:
        assert (check.intact, check.valid, check.trusted, check.covers_whole_file) == (True, True, True, True)
        assert check.signed_at is not None and check.signed_at.tzinfo is not None
        assert abs(check.signed_at - datetime.datetime.now(tz=datetime.UTC)) < datetime.timedelta(minutes=10)
        assert check.signer_name in check.summary
    assert pdf_verdict(checks=checks)
    # The chair's signature is an incremental update: the secretary's signed file is untouched inside it.
    assert signed_twice.startswith(signed_once)


def test_one_signature_verifies_on_its_own(signed_once: bytes, roots: list[bytes]) -> None:
    checks = pdf_verify(pdf=signed_once, trust_roots=roots)

    assert len(checks) == 1 and checks[0].ok
    assert pdf_verdict(checks=checks)


def test_unsigned_file_has_no_checks_and_fails_the_verdict(minutes_pdf: bytes, roots: list[bytes]) -> None:
    assert pdf_verify(pdf=minutes_pdf, trust_roots=roots) == []
    assert not pdf_verdict(checks=[])


def test_signature_is_visible_in_its_box_with_the_embedded_serif(signed_twice: bytes) -> None:
    chair = widget(signed_twice, "ChuToa")
    assert [float(v) for v in chair["/Rect"]] == list(CHAIR_BOX)
    fonts = appearance_fonts(chair["/AP"]["/N"].get_object())
    assert fonts, "the appearance draws no text"
    for font in fonts:
        assert font["/Subtype"] == "/Type0"
        cid_font = font["/DescendantFonts"][0].get_object()
        assert "LiberationSerif" in cid_font["/BaseFont"]
        assert "/FontFile2" in cid_font["/FontDescriptor"].get_object(), "the font is not embedded"
        # Widths in PDF glyph space (1/1000 em): in Liberation Serif's own 2048 units the glyphs would
        # be drawn twice as wide as laid out and run out of the box.
        widths = [float(w) for entry in cid_font["/W"] if isinstance(entry, list) for w in entry]
        assert widths and max(widths) <= 1000
        to_unicode = font["/ToUnicode"].get_object().get_data().decode("ascii").lower()
        for letter in "ễọủ":
            assert f"<{ord(letter):04x}>" in to_unicode, f"{letter} is not in the stamp font"


def test_stamp_text_reads_back_in_vietnamese(signed_twice: bytes) -> None:
    text = stamp_text(signed_twice)

    assert f"Đã ký số bởi: {SECRETARY}" in text
    assert f"Đã ký số bởi: {CHAIR}" in text
    assert "Chủ tọa" in text and "Thư ký" in text and "Ngày ký: " in text


def test_a_flipped_byte_breaks_every_signature_over_it(signed_twice: bytes, roots: list[bytes]) -> None:
    # Inside the first content stream: covered by both signatures' byte ranges.
    at = signed_twice.index(b"stream\n") + 20
    tampered = signed_twice[:at] + bytes([signed_twice[at] ^ 0xFF]) + signed_twice[at + 1 :]

    checks = pdf_verify(pdf=tampered, trust_roots=roots)

    assert len(checks) == 2
    assert not any(check.intact or check.valid or check.trusted for check in checks)
    assert not pdf_verdict(checks=checks)


def test_an_annotation_added_after_signing_is_reported(signed_twice: bytes, roots: list[bytes]) -> None:
    writer = PdfWriter(PdfReader(io.BytesIO(signed_twice)), incremental=True)
    writer.add_annotation(page_number=0, annotation=FreeText(text="Đã sửa", rect=(50, 500, 200, 550)))
    output = io.BytesIO()
    writer.write(output)
    tampered = output.getvalue()
    assert tampered.startswith(signed_twice)

    checks = pdf_verify(pdf=tampered, trust_roots=roots)

    # Every signed byte is still there, so the signatures themselves hold; what follows them does not.
    assert [(c.intact, c.valid, c.trusted) for c in checks] == [(True, True, True)] * 2
    assert not any(check.covers_whole_file for check in checks)
    assert "modified" in checks[-1].summary
    assert not pdf_verdict(checks=checks)


def test_content_replaced_in_an_incremental_update_is_reported(signed_twice: bytes, roots: list[bytes]) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_twice))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 700 Td (Forged) Tj ET"))
    writer.update_container(page)
    output = io.BytesIO()
    writer.write(output)

    checks = pdf_verify(pdf=output.getvalue(), trust_roots=roots)

    assert len(checks) == 2 and all(check.intact for check in checks)
    assert not any(check.covers_whole_file for check in checks)
    assert not pdf_verdict(checks=checks)


def test_a_file_rewritten_after_signing_is_not_intact(signed_twice: bytes, roots: list[bytes]) -> None:
    output = io.BytesIO()
    PdfWriter(clone_from=io.BytesIO(signed_twice)).write(output)

    checks = pdf_verify(pdf=output.getvalue(), trust_roots=roots)

    assert checks and not any(check.intact for check in checks)
    assert not pdf_verdict(checks=checks)


DAMAGE = ["empty", "garbage", "first half", "no trailer", "signature blob", "inside the chair's update", "junk after EOF"]


@pytest.mark.parametrize("cut", DAMAGE)
def test_damaged_files_are_reported_not_raised(signed_once: bytes, signed_twice: bytes, roots: list[bytes], cut: str) -> None:
    start = signed_twice.index(b"/Contents <") + len(b"/Contents <")
    damaged = {
        "empty": b"",
        "garbage": b"%PDF-1.7\nnot really\n",
        "first half": signed_twice[: len(signed_twice) // 2],
        "no trailer": signed_twice[:-40],
        # Zeros in place of the secretary's CMS blob: the file parses, the signature cannot.
        "signature blob": signed_twice[:start] + b"0" * 64 + signed_twice[start + 64 :],
        # pyHanko then reads only the secretary's revision, but a repairing reader may show the rest.
        "inside the chair's update": signed_twice[: len(signed_once) + 300],
        "junk after EOF": signed_twice + b"\n99 0 obj\n(Forged) \nendobj\n",
    }[cut]

    checks = pdf_verify(pdf=damaged, trust_roots=roots)

    assert checks and all(isinstance(check, SignatureCheck) and not check.ok for check in checks)
    assert all(check.summary for check in checks)
    assert not pdf_verdict(checks=checks)


def test_a_root_that_did_not_issue_the_certificates_trusts_nothing(signed_twice: bytes) -> None:
    _key, unrelated = ca_create(common_name="Unrelated Root", key_type="ec")

    checks = pdf_verify(pdf=signed_twice, trust_roots=[certificate_pem(certificate=unrelated)])

    assert [(c.intact, c.valid, c.trusted) for c in checks] == [(True, True, False)] * 2
    assert "trusted" in checks[0].summary
    assert not pdf_verdict(checks=checks)


def test_trust_roots_come_from_the_setting(settings: Any, tmp_path: Path, signed_once: bytes) -> None:
    assert len(trust_roots_from_settings()) == 1  # the demo CA, before the setting exists
    _key, other = ca_create(common_name="Another Root", key_type="ec")
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(certificate_pem(certificate=other) + demo_file("ca.pem"))
    settings.SIGNING_TRUST_ROOTS = str(bundle)

    roots = trust_roots_from_settings()

    assert len(roots) == 2
    assert pdf_verdict(checks=pdf_verify(pdf=signed_once, trust_roots=roots))
    settings.SIGNING_TRUST_ROOTS = ""
    assert trust_roots_from_settings() == []
    assert not pdf_verdict(checks=pdf_verify(pdf=signed_once, trust_roots=[]))
    settings.SIGNING_TRUST_ROOTS = tmp_path / "missing.pem"
    with pytest.raises(FileNotFoundError):
        trust_roots_from_settings()


def test_a_trust_root_that_is_not_a_certificate_is_a_configuration_error(signed_once: bytes) -> None:
    with pytest.raises(ValueError, match="CERTIFICATE"):
        pdf_verify(pdf=signed_once, trust_roots=[b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])


def test_wrong_passphrase(minutes_pdf: bytes) -> None:
    with pytest.raises(SigningError, match="passphrase"):
        pdf_sign(
            pdf=minutes_pdf,
            p12=demo_file("chutoa.p12"),
            passphrase=b"hop2025",
            field_name="ChuToa",
            page=0,
            box=CHAIR_BOX,
            signer_name=CHAIR,
            role="Chủ tọa",
            reason="",
            location="",
        )


@pytest.mark.parametrize("blob", ["pdf", "pem", "random", "empty"])
def test_a_file_that_is_not_pkcs12(minutes_pdf: bytes, blob: str) -> None:
    p12 = {"pdf": minutes_pdf, "pem": demo_file("ca.pem"), "random": bytes(range(256)) * 4, "empty": b""}[blob]

    with pytest.raises(SigningError, match="PKCS#12"):
        pdf_sign(
            pdf=minutes_pdf,
            p12=p12,
            passphrase=DEMO_PASSPHRASE,
            field_name="ChuToa",
            page=0,
            box=CHAIR_BOX,
            signer_name=CHAIR,
            role="Chủ tọa",
            reason="",
            location="",
        )


def test_an_expired_certificate(minutes_pdf: bytes) -> None:
    now = datetime.datetime.now(tz=datetime.UTC)
    ca_key, ca = ca_create(key_type="ec", not_before=now - datetime.timedelta(days=4000))
    key, certificate = certificate_issue(
        ca_key=ca_key,
        ca_certificate=ca,
        common_name=CHAIR,
        key_type="ec",
        not_before=now - datetime.timedelta(days=800),
        not_after=now - datetime.timedelta(days=1),
    )
    p12 = p12_export(key=key, certificate=certificate, ca_certificate=ca, friendly_name=CHAIR, passphrase=b"x")

    with pytest.raises(SigningError, match="expired"):
        pdf_sign(
            pdf=minutes_pdf,
            p12=p12,
            passphrase=b"x",
            field_name="ChuToa",
            page=0,
            box=CHAIR_BOX,
            signer_name=CHAIR,
            role="Chủ tọa",
            reason="",
            location="",
        )


def test_a_field_is_signed_once(signed_twice: bytes) -> None:
    with pytest.raises(SigningError, match="already signed"):
        sign_as_chair(signed_twice)


def test_a_file_that_is_not_a_pdf_cannot_be_signed() -> None:
    with pytest.raises(SigningError, match="not a readable PDF"):
        sign_as_chair(b"not a pdf")


def test_signing_errors_are_translatable_sentences() -> None:
    with pytest.raises(SigningError) as raised:
        p12_identity(p12=b"", passphrase=None)

    assert str(raised.value) == str(raised.value.message)
    assert str(raised.value).endswith(".")


@pytest.mark.parametrize(
    ("name", "common_name"), [("chutoa.p12", CHAIR), ("thuky.p12", SECRETARY), ("organisation.p12", "UBND thành phố Vũng Tàu")]
)
def test_the_demo_certificates_open_with_the_demo_passphrase(name: str, common_name: str) -> None:
    identity = p12_identity(p12=demo_file(name), passphrase=DEMO_PASSPHRASE)

    assert identity.common_name == common_name
    assert identity.issuer.startswith("Demo CA")
    assert identity.not_valid_after - identity.not_valid_before > datetime.timedelta(days=4 * 365)


def test_make_demo_pki_refuses_to_replace_the_shipped_files_without_force() -> None:
    with pytest.raises(CommandError, match="--force"):
        call_command("make_demo_pki", stdout=io.StringIO())


def test_make_demo_pki_writes_a_working_pki(tmp_path: Path, minutes_pdf: bytes) -> None:
    call_command("make_demo_pki", directory=tmp_path, stdout=io.StringIO())

    assert {path.name for path in tmp_path.iterdir()} == {"ca.pem", "chutoa.p12", "thuky.p12", "organisation.p12", "README.md"}
    assert "KHÔNG DÙNG THẬT" in (tmp_path / "README.md").read_text(encoding="utf-8")
    signed = pdf_sign(
        pdf=minutes_pdf,
        p12=(tmp_path / "organisation.p12").read_bytes(),
        passphrase=DEMO_PASSPHRASE,
        field_name="CoQuan",
        page=0,
        box=(320, 150, 530, 220),
        signer_name="UBND thành phố Vũng Tàu",
        role="Cơ quan",
        reason="Đóng dấu số",
        location="Vũng Tàu",
        trust_roots=[(tmp_path / "ca.pem").read_bytes()],
    )
    assert pdf_verdict(checks=pdf_verify(pdf=signed, trust_roots=[(tmp_path / "ca.pem").read_bytes()]))
    # The shipped demo CA did not issue the new files.
    assert not pdf_verdict(checks=pdf_verify(pdf=signed, trust_roots=[demo_file("ca.pem")]))


def test_a_certificate_from_an_authority_the_server_does_not_trust_signs_nothing(minutes_pdf: bytes) -> None:
    # Anyone can make a CA and a certificate with any name in it; only the configured roots vouch for one.
    ca_key, ca_certificate = ca_create(key_type="ec")
    key, certificate = certificate_issue(ca_key=ca_key, ca_certificate=ca_certificate, common_name=SECRETARY, key_type="ec")
    p12 = p12_export(key=key, certificate=certificate, ca_certificate=ca_certificate, friendly_name="x", passphrase=b"mat-khau")

    with pytest.raises(SigningError, match="not from a certification authority this server trusts"):
        sign_as_secretary(minutes_pdf, p12=p12, passphrase=b"mat-khau")
    with pytest.raises(SigningError, match="No trusted certification authority"):
        sign_as_secretary(minutes_pdf, trust_roots=[])
