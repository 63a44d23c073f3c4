"""The public API is pinned: a change to ``orderflow.__all__`` must be deliberate."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import orderflow

EXPECTED = {
    "FulfilmentSettings", "CarrierUnavailable", "ReturnError", "FraudScreen",
    "Audience", "EVENT_NOTIFICATIONS", "Inquiry", "InquiryChannel", "InquiryClosed",
    "InquiryKind", "InquiryMessage", "InquiryMessageAdded", "InquiryOpened", "InquiryReplied",
    "InquiryStats", "InquiryStatus", "LocaleFormat", "LoggingNotifier", "Notification",
    "NotificationFailed", "NotificationRequested", "NotificationSent", "NotificationSettings",
    "NotificationType", "Notifier", "NotifierChannel", "PendingNotification", "PublicReturn",
    "PublicShipment", "RateLimiter", "RecordingNotifier", "SlidingWindowRateLimiter",
    "SmtpNotifier", "Template", "TooManyAttempts", "TrackingRefused", "TrackingView",
    "WebhookNotifier", "register_locale",
    "Invoice", "InvoiceLine", "PackingSlip", "SlipLine",
    "Actor", "ActorKind", "Address", "AddressCheck", "Allocation", "AllocationStrategy",
    "BackorderFilled", "BasicAddressValidator", "BusinessCalendar", "CaptureMode", "Carrier",
    "CatalogItem", "CategoryRule", "Channel", "Claim", "ClaimKind", "ClaimStatus",
    "ConcurrencyError", "CurrencyMismatch", "Customer", "Destination", "DigitalGoods",
    "DigitalItem", "DigitalItemDelivered", "DigitalKind", "DigitalPayload", "DispatchReport",
    "DomainEvent", "DuplicateOrder", "EVENT_TYPES", "FakeCarrier", "FakeGateway",
    "FakeGatewayScript", "FewestShipments", "FraudAssessed", "FraudAssessment", "FraudDecision",
    "FraudPolicy", "FraudReviewed", "FraudRules", "FraudSignals", "FulfilmentError",
    "GatewayResult", "GatewayUnavailable", "HistoryEntry", "Hold", "HoldError", "HoldExpired",
    "HoldPlaced", "HoldReleased", "HoldType", "IdempotencyConflict", "IllegalTransition",
    "InMemoryCatalog", "InMemoryStore", "InsufficientStock", "Label", "LateOrder", "LineInput",
    "LineKind", "Location", "ManualClock", "Money", "Movement", "MovementKind", "Nearest",
    "NotFound", "Note", "NoteAdded", "ORDER_LIFECYCLE", "OperationKind", "OperationStatus",
    "Order", "OrderCancelled", "OrderCompleted", "OrderConfirmed", "OrderDelivered",
    "OrderEvent", "OrderFlow", "OrderFulfilmentStarted", "OrderLine", "OrderNotFound",
    "OrderOnHold", "OrderPartiallyShipped", "OrderPlaced", "OrderQuery", "OrderShipped",
    "OrderStatus", "OrderSummary", "OrderTransitioned", "OrderVerified", "OrderflowError",
    "OutboxMessage", "OutboxRelay", "Package", "Payment", "PaymentAuthorised",
    "PaymentCaptured", "PaymentDeclined", "PaymentError", "PaymentExpired", "PaymentGateway",
    "PaymentMethod", "PaymentMethodChanged", "PaymentRefunded", "PaymentSettings",
    "PaymentStatus", "PaymentVoided", "PersistenceError", "Pick", "PickRow", "PlaceOrder",
    "PrefixedOrderNumbers", "Problem", "PromisedDates", "RateQuote", "RefundRequested",
    "Replenishment", "Reservation", "ReservationExpired", "ReservationStatus", "Resolution",
    "Return", "ReturnLine", "ReturnPolicy", "ReturnReason", "ReturnStatus",
    "RuleBasedFraudScreen", "SYSTEM", "Scan", "ScanOutcome", "Shipment", "ShipmentLine",
    "ShipmentStatus", "ShortagePolicy", "SignedDigitalGoods", "SkuPolicy", "StockAlert",
    "StockCommitted", "StockLevel", "StockReleased", "StockReserved", "Subscription",
    "SystemClock", "Totals", "TrackingUpdate", "ValidationError", "__version__", "by_priority",
    "retry_on_conflict",
}  # fmt: skip


def test_all_is_pinned() -> None:
    assert set(orderflow.__all__) == EXPECTED, set(orderflow.__all__) ^ EXPECTED
    assert len(orderflow.__all__) == len(set(orderflow.__all__))


def test_every_exported_name_exists() -> None:
    for name in orderflow.__all__:
        assert getattr(orderflow, name) is not None, name


def test_every_error_is_an_orderflow_error() -> None:
    errors = [
        obj
        for name in orderflow.__all__
        if isinstance(obj := getattr(orderflow, name), type) and issubclass(obj, Exception)
    ]
    assert len(errors) >= 10
    assert all(issubclass(e, orderflow.OrderflowError) for e in errors)


def imports_of(package: str) -> set[str]:
    """Every module that the source files of ``package`` import (statically)."""
    root = Path(orderflow.__file__).parent / package
    found = set()
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


def test_the_dependency_rule() -> None:
    stdlib = sys.stdlib_module_names
    domain = {m for m in imports_of("domain") if m.split(".")[0] not in stdlib}
    assert {m.split(".")[0] for m in domain} <= {"attrs", "transitions", "dateutil", "orderflow"}
    assert all(m.startswith("orderflow.domain") for m in domain if m.startswith("orderflow"))
    ports = {m for m in imports_of("ports") if m.startswith("orderflow")}
    assert all(m.startswith(("orderflow.domain", "orderflow.ports")) for m in ports), ports
    application = {m for m in imports_of("application") if m.startswith("orderflow")}
    assert not any(m.startswith(("orderflow.adapters", "orderflow.bootstrap")) for m in application)


def test_import_does_no_io_and_needs_no_optional_extra() -> None:
    code = "import sys, orderflow; print('sqlalchemy' in sys.modules, 'click' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
    assert importlib.import_module("orderflow").__version__ == "0.1.0"
