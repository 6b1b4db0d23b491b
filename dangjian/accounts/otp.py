"""TOTP setup helpers: the otpauth:// link of a secret and its QR code as a data: URI (CSP allows img data:)."""

from __future__ import annotations

from base64 import b32encode

from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.core.qr import svg_data_uri


def config_url(user, key_hex: str) -> str:
    # An unsaved device only to build the standard link (issuer from OTP_TOTP_ISSUER); nothing is stored.
    return TOTPDevice(user=user, key=key_hex).config_url


def qr_data_uri(text: str) -> str:
    return svg_data_uri(text)


def manual_key(key_hex: str) -> str:
    """The base32 secret in groups of four, for typing into the app by hand."""
    secret = b32encode(bytes.fromhex(key_hex)).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
