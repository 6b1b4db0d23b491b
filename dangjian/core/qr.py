"""QR codes rendered on the server as SVG data: URIs (CSP allows img data:): nothing loaded from elsewhere."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.constants
import qrcode.image.svg


def svg_data_uri(text: str, *, border: int = 2) -> str:
    # A fixed mask pattern: choosing the "best" of eight costs most of the time and any mask scans fine.
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=border,
        mask_pattern=0,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(text)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
