"""A demo PKI for signing the minutes: a throw-away root CA and the PKCS#12 files of the demo accounts.

Nothing here is fit for real signatures. A real deployment signs with certificates from a licensed
Vietnamese CA (or the agency's USB token) and trusts only the real roots through SIGNING_TRUST_ROOTS;
this exists so that the signing flow can be shown and tested on a machine without any of that.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings

DEMO_PKI_DIR = Path(settings.BASE_DIR) / "deploy" / "demo-pki"
DEMO_PASSPHRASE = b"hop2026"
DEMO_CA_NAME = "Demo CA – Phòng họp không giấy (KHÔNG DÙNG THẬT)"
DEMO_ORGANISATION = "UBND thành phố Vũng Tàu"

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
KeyType: TypeAlias = Literal["rsa", "ec"]


@dataclass(frozen=True)
class DemoSigner:
    """One end-entity certificate to issue: file stem, common name, and the account it belongs to."""

    stem: str
    common_name: str
    username: str
    title: str


DEMO_SIGNERS = (
    DemoSigner(stem="chutoa", common_name="Nguyễn Văn Thành", username="chutoa", title="Chủ tọa"),
    DemoSigner(stem="thuky", common_name="Trần Thị Thu Hà", username="thuky", title="Thư ký"),
    DemoSigner(stem="organisation", common_name=DEMO_ORGANISATION, username="", title=""),
)

README = """\
# Demo PKI — KHÔNG DÙNG THẬT / DEMO ONLY

These files let the demo sign and verify the minutes (biên bản) without a real certificate.
They are **test material only**:

- `ca.pem` is a self-signed root, "Demo CA – Phòng họp không giấy (KHÔNG DÙNG THẬT)".
  Never add it to a production trust store and never point `SIGNING_TRUST_ROOTS` at it
  in production: its private key is not kept anywhere safe (it is not kept at all).
- `chutoa.p12` (Nguyễn Văn Thành, chair), `thuky.p12` (Trần Thị Thu Hà, secretary) and
  `organisation.p12` (UBND thành phố Vũng Tàu) are PKCS#12 files with the passphrase `hop2026`,
  each holding its private key, its certificate and the demo CA.
- A signature made with them proves nothing about anyone.

Regenerate them (new keys, so earlier signed demo files stop verifying against the new CA):

    .venv/bin/python manage.py make_demo_pki --force

Real deployments sign with certificates from a licensed CA and set `SIGNING_TRUST_ROOTS`
to a PEM bundle of the real roots.
"""


def private_key_create(*, key_type: KeyType = "rsa") -> PrivateKey:
    # RSA 2048 by default: what Vietnamese public CAs issue, so the demo files behave like real ones;
    # EC P-256 for tests, which need keys fast.
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(*, common_name: str, organisation: str, username: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if username:
        attributes.append(x509.NameAttribute(NameOID.USER_ID, username))
    return x509.Name(attributes)


def _validity(
    *, years: int, not_before: datetime.datetime | None, not_after: datetime.datetime | None
) -> tuple[datetime.datetime, datetime.datetime]:
    # An hour back, so a signer whose clock is a little behind the machine that made the files can still sign.
    start = not_before or datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=1)
    if not_after is None:
        # Same day and month `years` later; 29 February falls back to the 28th.
        day = min(start.day, 28) if (start.month, start.day) == (2, 29) else start.day
        not_after = start.replace(year=start.year + years, day=day)
    return start, not_after


def ca_create(
    *,
    common_name: str = DEMO_CA_NAME,
    years: int = 10,
    key_type: KeyType = "rsa",
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> tuple[PrivateKey, x509.Certificate]:
    """A self-signed root CA that may only issue end-entity certificates (path length 0)."""
    key = private_key_create(key_type=key_type)
    name = _name(common_name=common_name, organisation=DEMO_ORGANISATION)
    start, end = _validity(years=years, not_before=not_before, not_after=not_after)
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def certificate_issue(
    *,
    ca_key: PrivateKey,
    ca_certificate: x509.Certificate,
    common_name: str,
    username: str = "",
    organisation: str = DEMO_ORGANISATION,
    years: int = 5,
    key_type: KeyType = "rsa",
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> tuple[PrivateKey, x509.Certificate]:
    """A signing certificate: digitalSignature + nonRepudiation, the key usage PAdES validators expect."""
    key = private_key_create(key_type=key_type)
    start, end = _validity(years=years, not_before=not_before, not_after=not_after)
    # A certificate must not outlive its issuer, or validators reject the chain near its end.
    end = min(end, ca_certificate.not_valid_after_utc)
    public_key = key.public_key()
    ca_ski = ca_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name=common_name, organisation=organisation, username=username))
        .issuer_name(ca_certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, certificate


def p12_export(
    *, key: PrivateKey, certificate: x509.Certificate, ca_certificate: x509.Certificate, friendly_name: str, passphrase: bytes
) -> bytes:
    """PKCS#12 with the CA inside, so the signature embeds the whole chain and a validator needs only the root."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase)
    )
    return pkcs12.serialize_key_and_certificates(
        name=friendly_name.encode(), key=key, cert=certificate, cas=[ca_certificate], encryption_algorithm=encryption
    )


def certificate_pem(*, certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class DemoPki:
    directory: Path
    files: list[Path]


def demo_pki_write(*, directory: Path = DEMO_PKI_DIR, passphrase: bytes = DEMO_PASSPHRASE, overwrite: bool = False) -> DemoPki:
    """Create the demo CA and the demo signers' PKCS#12 files in `directory`, with its README."""
    names = ["ca.pem", *(f"{signer.stem}.p12" for signer in DEMO_SIGNERS), "README.md"]
    existing = [directory / name for name in names if (directory / name).exists()]
    if existing and not overwrite:
        # New keys would silently break every demo file already signed with the old ones.
        raise FileExistsError(f"{existing[0]} exists; pass overwrite=True (--force) to replace the demo PKI")
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_certificate = ca_create()
    written = [directory / "ca.pem"]
    written[0].write_bytes(certificate_pem(certificate=ca_certificate))
    for signer in DEMO_SIGNERS:
        key, certificate = certificate_issue(
            ca_key=ca_key, ca_certificate=ca_certificate, common_name=signer.common_name, username=signer.username
        )
        path = directory / f"{signer.stem}.p12"
        path.write_bytes(
            p12_export(
                key=key, certificate=certificate, ca_certificate=ca_certificate, friendly_name=signer.common_name, passphrase=passphrase
            )
        )
        written.append(path)
    readme = directory / "README.md"
    readme.write_text(README, encoding="utf-8")
    written.append(readme)
    return DemoPki(directory=directory, files=written)
