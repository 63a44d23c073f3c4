"""Every contract suite at once, for a backend to run them all.

A backend is a mixin class giving the ``make_services`` fixture; :func:`contract_classes` crosses
it with each suite into test classes for a test module's namespace::

    class MyBackend:
        @pytest.fixture
        def make_services(self, tmp_path):
            return functools.partial(my_services, tmp_path)

    globals().update(contract_classes(MyBackend, "MyBackend"))
"""

from __future__ import annotations

from orderflow.testing.contract import OrderFlowContract
from orderflow.testing.fraud_contract import FraudContract
from orderflow.testing.fulfilment_contract import FulfilmentContract
from orderflow.testing.inventory_contract import InventoryContract
from orderflow.testing.notifications_contract import NotificationsContract
from orderflow.testing.payments_contract import CaptureOnShipContract, PaymentsContract
from orderflow.testing.returns_contract import ReturnsContract

#: The suites a persistence backend must pass.
CONTRACTS: tuple[type, ...] = (
    OrderFlowContract,
    InventoryContract,
    PaymentsContract,
    CaptureOnShipContract,
    FraudContract,
    FulfilmentContract,
    ReturnsContract,
    NotificationsContract,
)


def contract_classes(backend: type, name: str) -> dict[str, type]:
    """One test class per suite, ``Test{name}{Suite}``, each running the suite on ``backend``."""
    classes: dict[str, type] = {}
    for suite in CONTRACTS:
        title = f"Test{name}{suite.__name__.removesuffix('Contract')}"
        classes[title] = type(title, (backend, suite), {"__module__": backend.__module__})
    return classes
