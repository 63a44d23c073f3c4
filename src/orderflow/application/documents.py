"""The documents of a shipment: packing slip and invoice."""

from __future__ import annotations

from orderflow.application.fulfilment import FulfilmentError, location
from orderflow.application.services import Services
from orderflow.domain.documents import (
    Invoice,
    PackingSlip,
    SlipLine,
    carries_shipping,
    invoice_for,
)


def packing_slip(svc: Services, shipment_id: str) -> PackingSlip:
    """What the shipment's parcel holds, where it goes, and how."""
    with svc.uow() as uow:
        shipment = uow.shipments.get(shipment_id)
        order = uow.orders.get(shipment.order_number)
        site = location(uow, shipment.location)
    return PackingSlip(
        order_number=order.number,
        shipment_id=shipment.id,
        ship_to=order.shipping_address,
        ship_from=site.name,
        lines=tuple(
            SlipLine(sku=li.sku, name=li.name, quantity=li.quantity) for li in shipment.lines
        ),
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
    )


def invoice(svc: Services, shipment_id: str) -> Invoice:
    """What the customer pays for the shipment (issued when it ships, or now as a draft)."""
    with svc.uow() as uow:
        shipment = uow.shipments.get(shipment_id)
        order = uow.orders.get(shipment.order_number)
        shipments = uow.shipments.for_order(order.number)
    if shipment.replacement_for is not None:
        raise FulfilmentError(
            f"shipment {shipment_id} replaces items for {shipment.replacement_for}: "
            "it is not invoiced"
        )
    return invoice_for(
        order,
        shipment,
        first=carries_shipping(shipment, shipments),
        issued_at=shipment.shipped_at or svc.clock.now(),
    )
