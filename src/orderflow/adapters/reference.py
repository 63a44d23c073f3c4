"""Reference adapters for the catalogue, order numbering and address checks."""

from __future__ import annotations

import re
from collections.abc import Iterable

from orderflow.domain.errors import ValidationError
from orderflow.domain.values import Address
from orderflow.ports import AddressCheck, CatalogItem


class InMemoryCatalog:
    """A catalogue held in a dict, for tests, demos and small shops."""

    def __init__(self, items: Iterable[CatalogItem] = ()) -> None:
        self._items: dict[str, CatalogItem] = {}
        self._codes: dict[str, str] = {}
        for item in items:
            self.put(item)

    def get(self, sku: str) -> CatalogItem | None:
        return self._items.get(sku)

    def sku_for_code(self, code: str) -> str | None:
        return code if code in self._items else self._codes.get(code)

    def put(self, item: CatalogItem) -> None:
        """Add or replace an item."""
        self._items[item.sku] = item
        self._codes.update(dict.fromkeys(item.barcodes, item.sku))


class PrefixedOrderNumbers:
    """Order numbers such as ``OF-000042``: a prefix and the zero-padded sequence."""

    def __init__(self, prefix: str = "OF-", width: int = 6) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{0,12}", prefix):
            raise ValidationError.single("prefix", "use up to 12 letters, digits, '-' or '_'")
        self.prefix = prefix
        self.width = width

    def format(self, sequence: int) -> str:
        return f"{self.prefix}{sequence:0{self.width}d}"


#: Postal code formats checked by :class:`BasicAddressValidator`, by country.
POSTAL_CODES: dict[str, str] = {
    "US": r"\d{5}(-\d{4})?",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "ES": r"\d{5}",
    "IT": r"\d{5}",
    "NL": r"\d{4} ?[A-Z]{2}",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
    "AU": r"\d{4}",
    "JP": r"\d{3}-?\d{4}",
    "AT": r"\d{4}",
    "BE": r"\d{4}",
    "CH": r"\d{4}",
    "PL": r"\d{2}-\d{3}",
    "SE": r"\d{3} ?\d{2}",
}

#: Countries whose addresses need no postal code.
NO_POSTAL_CODE = frozenset({"AE", "HK", "IE", "QA"})


class BasicAddressValidator:
    """Offline checks: a postal code where the country uses one, in the country's format.

    A real deliverability service plugs in through the same ``AddressValidator`` port.
    """

    def check(self, address: Address) -> AddressCheck:
        code = (address.postal_code or "").strip().upper()
        if not code:
            if address.country in NO_POSTAL_CODE:
                return AddressCheck()
            return AddressCheck((f"postal code missing for {address.country}",))
        pattern = POSTAL_CODES.get(address.country)
        if pattern is not None and not re.fullmatch(pattern, code):
            return AddressCheck((f"postal code {code!r} is not valid for {address.country}",))
        return AddressCheck()
