"""A digital goods adapter that needs no licence server: keys and links derived from a secret.

The same order line always gets the same payload (an HMAC of its key), so retries never hand
out a second licence, and nothing needs storing to answer again.
"""

from __future__ import annotations

import hashlib
import hmac

from orderflow.domain.digital import DigitalKind, DigitalPayload
from orderflow.domain.errors import ValidationError
from orderflow.domain.order import Order
from orderflow.domain.pricing import OrderLine


class SignedDigitalGoods:
    """Licence keys (``XXXX-XXXX-XXXX-XXXX``) for every sku, or signed download links for the
    skus in ``downloads`` (sku -> base URL)."""

    def __init__(self, secret: bytes, downloads: dict[str, str] | None = None) -> None:
        if not isinstance(secret, bytes) or len(secret) < 16:
            raise ValidationError.single("secret", "must be at least 16 bytes")
        self._secret = secret
        self._downloads = dict(downloads or {})

    def issue(self, order: Order, line: OrderLine, *, key: str) -> DigitalPayload:
        digest = hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest().upper()
        base = self._downloads.get(line.sku)
        if base is not None:
            return DigitalPayload(kind=DigitalKind.LINK, value=f"{base.rstrip('/')}/{digest[:32]}")
        key_text = "-".join(digest[i : i + 4] for i in range(0, 16, 4))
        return DigitalPayload(kind=DigitalKind.LICENCE_KEY, value=key_text)
