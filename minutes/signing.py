"""Digital signatures on the minutes' PDF (PAdES), and their verification.

The secretary signs first, then the chair, each in a field of their own. Every signature is an
incremental update, so the bytes an earlier signer signed are never touched and their signature
stays valid; the verifier then checks that nothing but later signatures was appended after each one.

pyHanko runs its own event loop (asyncio.run) inside `pdf_sign` and `pdf_verify`: call them from
synchronous code, e.g. through `sync_to_async` from a consumer, never straight from a coroutine.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import hashlib
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

logger = logging.getLogger(__name__)

STAMP_FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "LiberationSerif-Regular.ttf"
DEFAULT_TRUST_ROOTS = Path(settings.BASE_DIR) / "deploy" / "demo-pki" / "ca.pem"

# Either usage qualifies a certificate for signing documents: Vietnamese CAs issue both, and some
# organisation certificates carry only digitalSignature.
SIGNING_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)

# The stamp's labels follow the layout of the minutes (Minutes.Language), not the signer's UI language:
# a Vietnamese biên bản carries Vietnamese stamps whoever opens the signing page.
STAMP_LABELS = {
    "vi": "Đã ký số bởi: %(signer_name)s\n%(role)s\nNgày ký: %(signed_at)s",
    "en": "Digitally signed by: %(signer_name)s\n%(role)s\nSigned on: %(signed_at)s",
}
STAMP_TIME_FORMAT = "%d/%m/%Y %H:%M"


class SigningError(Exception):
    """Signing refused or failed; `message` is a translatable sentence fit to show the signer."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class SignerIdentity:
    """Who a PKCS#12 file signs as: shown before signing so the user can see it is their own certificate."""

    common_name: str
    organisation: str
    user_id: str  # the subject's UID: Vietnamese CAs put the holder's ID number there, the demo PKI the username
    issuer: str
    serial_number: str
    not_valid_before: datetime.datetime
    not_valid_after: datetime.datetime
    sha256_fingerprint: str


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    signer_name: str
    signed_at: datetime.datetime | None
    intact: bool  # the signed bytes still hash to what was signed
    valid: bool  # intact, and the signature over that hash verifies with the signer's certificate
    trusted: bool  # the certificate chains to one of the trust roots and may sign
    covers_whole_file: bool  # nothing but later signatures (or validation data) was appended after it
    summary: str
    issuer: str = ""  # who issued the signer's certificate: a demo authority is named as one
    valid_until: datetime.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.covers_whole_file


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def _identity(certificate: x509.Certificate) -> SignerIdentity:
    organisations = certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    user_ids = certificate.subject.get_attributes_for_oid(x509.NameOID.USER_ID)
    return SignerIdentity(
        common_name=_common_name(certificate.subject),
        organisation=str(organisations[0].value) if organisations else "",
        user_id=str(user_ids[0].value) if user_ids else "",
        issuer=_common_name(certificate.issuer),
        serial_number=f"{certificate.serial_number:x}",
        not_valid_before=certificate.not_valid_before_utc,
        not_valid_after=certificate.not_valid_after_utc,
        sha256_fingerprint=hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest(),
    )


def _looks_like_pkcs12(blob: bytes) -> bool:
    # cryptography reports a wrong passphrase and a file that is not PKCS#12 with the same error;
    # parsing the unencrypted outer structure tells the two apart, so the signer is told which.
    try:
        pfx = asn1_pkcs12.Pfx.load(blob, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in ("data", "signed_data")
    except (ValueError, TypeError, KeyError, OverflowError):
        return False


def p12_identity(*, p12: bytes, passphrase: bytes | None) -> SignerIdentity:
    """Open a PKCS#12 file and say whose it is; raises SigningError as `pdf_sign` would."""
    return _p12_open(p12=p12, passphrase=passphrase)[1]


def _p12_open(*, p12: bytes, passphrase: bytes | None) -> tuple[signers.SimpleSigner, SignerIdentity]:
    """A pyHanko signer for a PKCS#12 file, once the file is known to open and its certificate to be fit to sign with now."""
    if not _looks_like_pkcs12(p12):
        raise SigningError(_("The file is not a PKCS#12 certificate file (.p12 or .pfx)."))
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(p12, passphrase or None)
    except UnsupportedAlgorithm as error:
        # Old exports (RC2-40 from Windows XP-era tools) that OpenSSL 3 no longer reads.
        raise SigningError(_("The certificate file uses an encryption this server cannot read; export it again with AES.")) from error
    except ValueError as error:
        if not passphrase:
            raise SigningError(_("Enter the password of your certificate file, then sign again.")) from error
        raise SigningError(_("The passphrase of the certificate file is wrong.")) from error
    if key is None or certificate is None:
        raise SigningError(_("The certificate file holds no private key and certificate to sign with."))
    now = datetime.datetime.now(tz=datetime.UTC)
    if certificate.not_valid_after_utc < now:
        raise SigningError(_("The certificate expired on %(date)s.") % {"date": _local(certificate.not_valid_after_utc)})
    if certificate.not_valid_before_utc > now:
        raise SigningError(_("The certificate is not valid before %(date)s.") % {"date": _local(certificate.not_valid_before_utc)})
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise SigningError(_("This certificate may not be used to sign documents."))
    # Handed to pyHanko in its asn1crypto types rather than reopened with load_pkcs12_data: the key
    # derivation of a PKCS#12 file is deliberately slow. The CA certificates in the file go into the
    # signature, so a verifier needs nothing but the root.
    key_der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in chain]),
    )
    return signer, _identity(certificate)


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime(STAMP_TIME_FORMAT)


class PdfUnitsGlyphAccumulator(GlyphAccumulator):
    """pyHanko's glyph accumulator, with its metrics in PDF glyph space (1/1000 em) instead of font units.

    pyHanko 0.38 writes /W, the TJ kerning and the font descriptor in the font's own units. That is
    right only for fonts of 1000 units per em (most CFF fonts); Liberation Serif, like most TrueType
    fonts, has 2048, so every glyph advanced twice its width and the stamp ran out of its box.
    Shaping at a scale of 1000 and scaling the widths to match puts everything in the units PDF reads.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.em_scale = 1000 / self.units_per_em
        self.units_per_em = 1000
        self.hb_font.scale = (1000, 1000)

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        cached = self._glyphs.get(glyph_id)
        if cached is not None:
            return cached
        cid, width = super()._get_cid_and_width(glyph_id)
        # The parent caches font units in _glyphs, which also become /W; PDF units replace them.
        self._glyphs[glyph_id] = result = cid, round(width * self.em_scale)
        return result

    def prepare_write(self) -> None:
        super().prepare_write()
        descriptor = self.cidfont_obj["/FontDescriptor"].get_object()
        for key in ("/Ascent", "/Descent", "/CapHeight"):
            descriptor[key] = generic.NumberObject(round(descriptor[key] * self.em_scale))
        descriptor["/FontBBox"] = generic.ArrayObject(generic.NumberObject(round(v * self.em_scale)) for v in descriptor["/FontBBox"])


@functools.cache
def _font_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


@dataclass(frozen=True)
class StampFontFactory(GlyphAccumulatorFactory):
    """GlyphAccumulatorFactory for PdfUnitsGlyphAccumulator; reads the font from memory rather than
    leaving a file handle open per signature as pyHanko's factory does."""

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return PdfUnitsGlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(self.font_file)),
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )


def _stamp_style(*, language: str) -> TextStampStyle:
    return TextStampStyle(
        stamp_text=STAMP_LABELS.get(language, STAMP_LABELS["vi"]),
        # pyHanko's default font is a non-embedded Courier with a Latin-1 encoding, which cannot show
        # 'ễ' or 'ị'; the shipped Liberation Serif, embedded as a subset, can, on any reader.
        text_box_style=TextBoxStyle(
            font=StampFontFactory(str(STAMP_FONT), font_size=9, bcp47_lang_code=language),
            font_size=9,
            leading=12,
            text_color=(0.05, 0.2, 0.5),
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins.uniform(5),
            # A long name in a small box shrinks rather than spilling out of the border.
            inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
        ),
        border_width=1,
        border_color=(0.55, 0.6, 0.7),
    )


def _require_trusted(*, signer: signers.SimpleSigner, trust_roots: Sequence[bytes]) -> None:
    """The certificate chains to one of the trust roots: a file anyone can make with any name in it
    (a self-made CA) signs nothing. The same roots the signature check uses, no network."""
    roots = certificates_load(blobs=trust_roots)
    if not roots:
        raise SigningError(
            _("No trusted certification authority is set up (SIGNING_TRUST_ROOTS): nothing can be signed. Ask the administrator.")
        )
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    validator = CertificateValidator(signer.signing_cert, intermediate_certs=list(signer.cert_registry), validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except Exception as error:
        logger.info("pdf_sign: untrusted certificate: %s", error)
        raise SigningError(
            _("This certificate is not from a certification authority this server trusts. Use one from a recognised authority.")
        ) from error


def pdf_sign(
    *,
    pdf: bytes,
    p12: bytes,
    passphrase: bytes | None,
    field_name: str,
    page: int,
    box: tuple[float, float, float, float],
    signer_name: str | None,
    role: str,
    reason: str,
    location: str,
    trust_roots: Sequence[bytes] | None = None,
    check_signer: Callable[[SignerIdentity], None] | None = None,
    language: str = "vi",
) -> bytes:
    """Add a visible PAdES signature in a new field `field_name`, as an incremental update of `pdf`.

    `page` is 0-based (-1 is the last page); `box` is (x1, y1, x2, y2) in PDF points from the page's
    lower-left corner. The certificate must chain to `trust_roots` (default: the settings'); `check_signer` may refuse it for who
    it names (by raising). `signer_name` None: the stamp names the certificate's holder. Returns the
    whole signed file (the original bytes followed by the update).
    """
    signer, identity = _p12_open(p12=p12, passphrase=passphrase)
    _require_trusted(signer=signer, trust_roots=trust_roots_from_settings() if trust_roots is None else trust_roots)
    if check_signer is not None:
        check_signer(identity)
    signer_name = signer_name or identity.common_name
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        taken = {sig.field_name for sig in writer.prev.embedded_signatures}
    except Exception as error:
        # Whatever the parser trips on, the answer to the signer is the same.
        logger.info("pdf_sign: unreadable file: %s", error)
        raise SigningError(_("The file is not a readable PDF.")) from error
    if field_name in taken:
        raise SigningError(_("The signature field %(field)s is already signed.") % {"field": field_name})
    # The stamp's time is Django's local time (Asia/Ho_Chi_Minh), not the server's; it is taken a moment
    # before pyHanko takes the signing time it puts in the signature, so the two agree to the minute.
    signed_at = timezone.now()
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=signer_name,
    )
    field_spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box)  # type: ignore[arg-type]
    pdf_signer = signers.PdfSigner(metadata, signer=signer, stamp_style=_stamp_style(language=language), new_field_spec=field_spec)
    text = {"signer_name": signer_name, "role": role, "signed_at": _local(signed_at)}
    try:
        output = pdf_signer.sign_pdf(writer, appearance_text_params=text)
    except Exception as error:
        # A page that does not exist, a certified file that forbids changes, a layout pyHanko cannot
        # draw: the signer gets a SigningError, the log the traceback.
        logger.exception("pdf_sign: signing %s as %s failed", field_name, identity.common_name)
        raise SigningError(_("The file could not be signed: %(reason)s") % {"reason": error}) from error
    return output.getvalue()


def certificates_load(*, blobs: Iterable[bytes]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or several per blob) or DER blobs; a blob that is neither is an error."""
    certificates: list[asn1_x509.Certificate] = []
    for blob in blobs:
        if pem.detect(blob):
            ders = [der for type_name, _headers, der in pem.unarmor(blob, multiple=True) if type_name == "CERTIFICATE"]
        else:
            ders = [blob]
        if not ders:
            raise ValueError("a trust root in PEM holds no CERTIFICATE block")
        for der in ders:
            certificate = asn1_x509.Certificate.load(der, strict=True)
            # asn1crypto parses lazily; touching the subject makes a corrupt root fail here, not mid-validation.
            certificate.subject.human_friendly  # noqa: B018
            certificates.append(certificate)
    return certificates


def trust_roots_from_settings() -> list[bytes]:
    """The roots a signature must chain to: each certificate of the PEM bundle(s) at settings.SIGNING_TRUST_ROOTS.

    A path or a list of paths; empty (or None) trusts nothing, so every signature reads as untrusted.
    Unset, it is the demo CA, whose keys are public in the repository: fine for the demo, never for production.
    """
    configured = getattr(settings, "SIGNING_TRUST_ROOTS", DEFAULT_TRUST_ROOTS)
    if not configured:
        return []
    paths = [configured] if isinstance(configured, str | Path) else list(configured)
    return [certificate.dump() for path in paths for certificate in certificates_load(blobs=[Path(path).read_bytes()])]


def _signer_name(sig: EmbeddedPdfSignature) -> str:
    try:
        subject = sig.signer_cert.subject
        return str(subject.native.get("common_name") or subject.human_friendly)
    except Exception:  # noqa: BLE001 - a damaged CMS blob has no signer to name; the check says so
        return ""


def _issuer_and_expiry(sig: EmbeddedPdfSignature) -> tuple[str, datetime.datetime | None]:
    try:
        certificate = sig.signer_cert
        issuer = certificate.issuer
        return str(issuer.native.get("common_name") or issuer.human_friendly), certificate.not_valid_after
    except Exception:  # noqa: BLE001 - as for the name: a damaged blob names no issuer
        return "", None


def _signed_at(sig: EmbeddedPdfSignature, status: PdfSignatureStatus | None) -> datetime.datetime | None:
    if status is not None:
        if status.timestamp_validity is not None and status.timestamp_validity.intact:
            return status.timestamp_validity.timestamp
        if status.signer_reported_dt is not None:
            return status.signer_reported_dt
    try:
        return sig.self_reported_timestamp
    except Exception:  # noqa: BLE001 - the time is only informative; a damaged one is left out
        return None


def _covers_whole_file(status: PdfSignatureStatus, signature_fields: set[str]) -> bool:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or not isinstance(status.diff_result, DiffResult):
        return False
    # pyHanko files a later signature (new field, widget, appearance) under FORM_FILLING and the DSS under
    # LTA_UPDATES; an added annotation is ANNOTATIONS and rewritten content OTHER. FORM_FILLING alone would
    # also let a filled-in text field through, so every field it reports changed must be a signature.
    diff = status.diff_result
    return diff.modification_level <= ModificationLevel.FORM_FILLING and diff.changed_form_fields <= signature_fields


def _summary(*, name: str, signed_at: datetime.datetime | None, intact: bool, valid: bool, trusted: bool, covers: bool) -> str:
    values = {"name": name or _("an unknown signer"), "date": _local(signed_at) if signed_at else "?"}
    if not intact:
        return str(_("The document was changed after %(name)s signed it: the signed content no longer matches.") % values)
    if not valid:
        return str(_("The signature of %(name)s is not valid.") % values)
    if not trusted:
        return str(_("Signed by %(name)s on %(date)s, but the certificate is not trusted: unknown issuer, expired or revoked.") % values)
    if not covers:
        return str(_("Signed by %(name)s on %(date)s, but the document was modified after this signature.") % values)
    return str(_("Signed by %(name)s on %(date)s; valid, and the document has not been modified since.") % values)


def _unreadable(*, field_name: str, signer_name: str, signed_at: datetime.datetime | None, reason: Any) -> SignatureCheck:
    return SignatureCheck(
        field_name=field_name,
        signer_name=signer_name,
        signed_at=signed_at,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_file=False,
        summary=str(reason),
    )


def pdf_verify(*, pdf: bytes, trust_roots: Sequence[bytes]) -> list[SignatureCheck]:
    """One check per signature, in signing order. No signatures: an empty list.

    Never raises on a damaged file: a file that cannot be parsed at all yields a single failing check
    with an empty field name, and a signature that cannot be checked yields a failing check of its own.
    Raises ValueError only if `trust_roots` (the caller's configuration) holds something that is not a certificate.
    """
    roots = certificates_load(blobs=trust_roots)
    try:
        # strict: a lenient reader accepts hybrid-reference files, a known way to show one thing and sign another.
        reader = PdfFileReader(io.BytesIO(pdf))
        embedded = list(reader.embedded_regular_signatures)
    except Exception as error:  # noqa: BLE001 - any parser failure means "not a PDF we can vouch for"
        logger.info("pdf_verify: unreadable file: %s", error)
        return [_unreadable(field_name="", signer_name="", signed_at=None, reason=_("The file could not be read as a PDF."))]
    signature_fields = {sig.field_name for sig in embedded}
    # pyHanko reads from the last %%EOF it finds near the end and ignores bytes after it, but a reader
    # repairing the file may scan those bytes for objects and show them: a file cut inside a later
    # update, or with anything but whitespace after its last %%EOF, is not covered by any signature.
    clean_end = pdf.rstrip(b"\x00\t\n\x0c\r ").endswith(b"%%EOF")
    checks = []
    for sig in embedded:
        name = _signer_name(sig)
        try:
            # A fresh context per signature, with no network: the roots are all that may make it trusted.
            context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
            status = validate_pdf_signature(sig, signer_validation_context=context, key_usage_settings=SIGNING_KEY_USAGE)
        except Exception as error:  # noqa: BLE001 - damaged signature dictionaries and CMS blobs raise all sorts
            logger.info("pdf_verify: signature %s could not be checked: %s", sig.field_name, error)
            reason = _("The signature of %(name)s could not be checked: the file is damaged.") % {"name": name or sig.field_name}
            checks.append(_unreadable(field_name=sig.field_name, signer_name=name, signed_at=_signed_at(sig, None), reason=reason))
            continue
        signed_at = _signed_at(sig, status)
        # pyHanko's `valid` covers only the signature over the signed attributes, which still verifies when
        # the document under it changed; a signature is valid for this file only if the hash matches too.
        valid = status.intact and status.valid
        covers = clean_end and status.intact and _covers_whole_file(status, signature_fields)
        summary = _summary(name=name, signed_at=signed_at, intact=status.intact, valid=valid, trusted=status.trusted, covers=covers)
        issuer, valid_until = _issuer_and_expiry(sig)
        checks.append(
            SignatureCheck(
                field_name=sig.field_name,
                signer_name=name,
                signed_at=signed_at,
                intact=status.intact,
                valid=valid,
                trusted=status.trusted,
                covers_whole_file=covers,
                summary=summary,
                issuer=issuer,
                valid_until=valid_until,
            )
        )
    return checks


def pdf_verdict(*, checks: Sequence[SignatureCheck]) -> bool:
    """True only for a signed file whose every signature is intact, valid, trusted and followed by nothing but signatures."""
    return bool(checks) and all(check.ok for check in checks)
