"""TOTP setup helpers: the otpauth:// link of a secret and its QR code as a data: URI (CSP allows img data:)."""

from __future__ import annotations

import base64
import io
from base64 import b32encode

import qrcode
import qrcode.constants
import qrcode.image.svg
from django_otp.plugins.otp_totp.models import TOTPDevice


def config_url(user, key_hex: str) -> str:
    # An unsaved device only to build the standard link (issuer from OTP_TOTP_ISSUER); nothing is stored.
    return TOTPDevice(user=user, key=key_hex).config_url


def qr_data_uri(text: str) -> str:
    # A fixed mask pattern: choosing the "best" of eight costs most of the time and any mask scans fine.
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
        mask_pattern=0,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(text)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def manual_key(key_hex: str) -> str:
    """The base32 secret in groups of four, for typing into the app by hand."""
    secret = b32encode(bytes.fromhex(key_hex)).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
