"""The shipped templates, in English (``en``) and German (``de``), and their localised phrases.

A host replaces any of them (``NotificationSettings.templates``) or adds languages; the HTML
bodies of these defaults are made from their text (see
:func:`orderflow.domain.notifications.render`), except where a richer one is given.
"""

from __future__ import annotations

from orderflow.domain.notifications import NotificationType, Template

_N = NotificationType
_T = Template

ENGLISH: dict[NotificationType, Template] = {
    _N.ORDER_RECEIVED: _T(
        subject="We received your order $order_number",
        text="Hello $customer_name,\n\nthank you for your order $order_number of $placed_on "
        "($item_count, $total). We will let you know as soon as it is confirmed.\n\n$shop_name",
    ),
    _N.ORDER_CONFIRMED: _T(
        subject="Your order $order_number is confirmed",
        text="Hello $customer_name,\n\nyour order $order_number ($total) is confirmed and will be "
        "sent by $ship_by.\n\n$shop_name",
    ),
    _N.ACTION_NEEDED: _T(
        subject="Your order $order_number needs your help",
        text="Hello $customer_name,\n\n$action Until then we cannot go on with your order "
        "$order_number.\n\n$shop_name",
    ),
    _N.PAYMENT_DECLINED: _T(
        subject="Payment for your order $order_number was declined",
        text="Hello $customer_name,\n\nthe payment with $payment_method for your order "
        "$order_number ($total) was declined. Please choose another payment method.\n\n$shop_name",
    ),
    _N.FRAUD_REVIEW_OUTCOME: _T(
        subject="Update on your order $order_number",
        text="Hello $customer_name,\n\n$outcome\n\n$shop_name",
    ),
    _N.SHIPPED: _T(
        subject="Your order $order_number is on its way",
        text="Hello $customer_name,\n\nyour parcel is on its way with $carrier, tracking number "
        "$tracking_number. Expected delivery: $expected_delivery.\n\n$shop_name",
        html="<p>Hello $customer_name,</p>\n<p>your parcel is on its way with $carrier, tracking "
        "number <strong>$tracking_number</strong>.</p>\n<p>Expected delivery: "
        "<strong>$expected_delivery</strong>.</p>\n<p>$shop_name</p>",
    ),
    _N.DELAYED: _T(
        subject="Your order $order_number is delayed",
        text="Hello $customer_name,\n\nwe are sorry: we promised to $late_kind your order "
        "$order_number by $promised and did not manage. We are on it.\n\n$shop_name",
    ),
    _N.OUT_FOR_DELIVERY: _T(
        subject="Your order $order_number arrives today",
        text="Hello $customer_name,\n\n$carrier is delivering your parcel $tracking_number "
        "today.\n\n$shop_name",
    ),
    _N.DELIVERED: _T(
        subject="Your order $order_number was delivered",
        text="Hello $customer_name,\n\nyour order $order_number was delivered. Enjoy!"
        "\n\n$shop_name",
    ),
    _N.CLAIM_OPENED: _T(
        subject="We are looking into your claim $claim_id",
        text="Hello $customer_name,\n\nwe received your report ($claim_kind) on order "
        "$order_number as claim $claim_id and will get back to you.\n\n$shop_name",
    ),
    _N.CLAIM_RESOLVED: _T(
        subject="Your claim $claim_id is settled",
        text="Hello $customer_name,\n\nyour claim $claim_id on order $order_number is settled: "
        "$resolution.\n\n$shop_name",
    ),
    _N.RETURN_APPROVED: _T(
        subject="Your return $rma is approved",
        text="Hello $customer_name,\n\nyour return $rma for order $order_number is approved. "
        "$label_note\n\n$shop_name",
    ),
    _N.RETURN_RECEIVED: _T(
        subject="We received your return $rma",
        text="Hello $customer_name,\n\nyour return $rma for order $order_number has arrived; "
        "we will check it shortly.\n\n$shop_name",
    ),
    _N.REFUND_ISSUED: _T(
        subject="Refund of $amount for order $order_number",
        text="Hello $customer_name,\n\nwe refunded $amount for your order $order_number $rma. "
        "It may take a few days to show on your statement.\n\n$shop_name",
    ),
    _N.DIGITAL_DELIVERED: _T(
        subject="Your $item_name is ready",
        text="Hello $customer_name,\n\nhere is your $item_name from order $order_number:\n\n"
        "$digital_kind: $digital_value\n\n$shop_name",
    ),
    _N.ORDER_CANCELLED: _T(
        subject="Your order $order_number was cancelled",
        text="Hello $customer_name,\n\nyour order $order_number ($total) was cancelled. Any "
        "payment taken will be refunded.\n\n$shop_name",
    ),
    _N.LOW_STOCK: _T(
        subject="Stock alert ($level): $sku at $location",
        text="$sku at $location is $level: $available available (reorder point $reorder_point).",
    ),
    _N.LATE_ORDER: _T(
        subject="Late order $order_number",
        text="Order $order_number ($customer_name, $total) was due to $late_kind by $promised.",
    ),
    _N.FRAUD_REVIEW_WAITING: _T(
        subject="Fraud review waiting: order $order_number",
        text="Order $order_number ($total, placed $placed_on) waits for a fraud review.",
    ),
}

GERMAN: dict[NotificationType, Template] = {
    _N.ORDER_RECEIVED: _T(
        subject="Wir haben Ihre Bestellung $order_number erhalten",
        text="Hallo $customer_name,\n\nvielen Dank für Ihre Bestellung $order_number vom "
        "$placed_on ($item_count, $total). Wir melden uns, sobald sie bestätigt ist.\n\n$shop_name",
    ),
    _N.ORDER_CONFIRMED: _T(
        subject="Ihre Bestellung $order_number ist bestätigt",
        text="Hallo $customer_name,\n\nIhre Bestellung $order_number ($total) ist bestätigt und "
        "wird bis zum $ship_by versandt.\n\n$shop_name",
    ),
    _N.ACTION_NEEDED: _T(
        subject="Ihre Bestellung $order_number braucht Ihre Hilfe",
        text="Hallo $customer_name,\n\n$action Bis dahin können wir Ihre Bestellung "
        "$order_number nicht weiter bearbeiten.\n\n$shop_name",
    ),
    _N.PAYMENT_DECLINED: _T(
        subject="Zahlung für Ihre Bestellung $order_number abgelehnt",
        text="Hallo $customer_name,\n\ndie Zahlung mit $payment_method für Ihre Bestellung "
        "$order_number ($total) wurde abgelehnt. Bitte wählen Sie eine andere Zahlungsart."
        "\n\n$shop_name",
    ),
    _N.FRAUD_REVIEW_OUTCOME: _T(
        subject="Neuigkeiten zu Ihrer Bestellung $order_number",
        text="Hallo $customer_name,\n\n$outcome\n\n$shop_name",
    ),
    _N.SHIPPED: _T(
        subject="Ihre Bestellung $order_number ist unterwegs",
        text="Hallo $customer_name,\n\nIhr Paket ist mit $carrier unterwegs, Sendungsnummer "
        "$tracking_number. Voraussichtliche Zustellung: $expected_delivery.\n\n$shop_name",
        html="<p>Hallo $customer_name,</p>\n<p>Ihr Paket ist mit $carrier unterwegs, "
        "Sendungsnummer <strong>$tracking_number</strong>.</p>\n<p>Voraussichtliche Zustellung: "
        "<strong>$expected_delivery</strong>.</p>\n<p>$shop_name</p>",
    ),
    _N.DELAYED: _T(
        subject="Ihre Bestellung $order_number verzögert sich",
        text="Hallo $customer_name,\n\nes tut uns leid: Wir wollten Ihre Bestellung $order_number "
        "bis zum $promised $late_kind und haben es nicht geschafft. Wir kümmern uns darum."
        "\n\n$shop_name",
    ),
    _N.OUT_FOR_DELIVERY: _T(
        subject="Ihre Bestellung $order_number kommt heute",
        text="Hallo $customer_name,\n\n$carrier stellt Ihr Paket $tracking_number heute zu."
        "\n\n$shop_name",
    ),
    _N.DELIVERED: _T(
        subject="Ihre Bestellung $order_number wurde zugestellt",
        text="Hallo $customer_name,\n\nIhre Bestellung $order_number wurde zugestellt. Viel "
        "Freude damit!\n\n$shop_name",
    ),
    _N.CLAIM_OPENED: _T(
        subject="Wir prüfen Ihre Reklamation $claim_id",
        text="Hallo $customer_name,\n\nwir haben Ihre Meldung ($claim_kind) zur Bestellung "
        "$order_number als Reklamation $claim_id erhalten und melden uns.\n\n$shop_name",
    ),
    _N.CLAIM_RESOLVED: _T(
        subject="Ihre Reklamation $claim_id ist erledigt",
        text="Hallo $customer_name,\n\nIhre Reklamation $claim_id zur Bestellung $order_number "
        "ist erledigt: $resolution.\n\n$shop_name",
    ),
    _N.RETURN_APPROVED: _T(
        subject="Ihre Rücksendung $rma ist genehmigt",
        text="Hallo $customer_name,\n\nIhre Rücksendung $rma zur Bestellung $order_number ist "
        "genehmigt. $label_note\n\n$shop_name",
    ),
    _N.RETURN_RECEIVED: _T(
        subject="Ihre Rücksendung $rma ist angekommen",
        text="Hallo $customer_name,\n\nIhre Rücksendung $rma zur Bestellung $order_number ist "
        "angekommen; wir prüfen sie in Kürze.\n\n$shop_name",
    ),
    _N.REFUND_ISSUED: _T(
        subject="Erstattung von $amount für Bestellung $order_number",
        text="Hallo $customer_name,\n\nwir haben $amount für Ihre Bestellung $order_number $rma "
        "erstattet. Es kann einige Tage dauern, bis der Betrag sichtbar ist.\n\n$shop_name",
    ),
    _N.DIGITAL_DELIVERED: _T(
        subject="Ihr $item_name ist bereit",
        text="Hallo $customer_name,\n\nhier ist Ihr $item_name aus der Bestellung "
        "$order_number:\n\n$digital_kind: $digital_value\n\n$shop_name",
    ),
    _N.ORDER_CANCELLED: _T(
        subject="Ihre Bestellung $order_number wurde storniert",
        text="Hallo $customer_name,\n\nIhre Bestellung $order_number ($total) wurde storniert. "
        "Bereits gezahlte Beträge erstatten wir.\n\n$shop_name",
    ),
    _N.LOW_STOCK: _T(
        subject="Bestandswarnung ($level): $sku in $location",
        text="$sku in $location: $level, $available verfügbar (Meldebestand $reorder_point).",
    ),
    _N.LATE_ORDER: _T(
        subject="Verspätete Bestellung $order_number",
        text="Bestellung $order_number ($customer_name, $total) sollte bis zum $promised "
        "$late_kind sein.",
    ),
    _N.FRAUD_REVIEW_WAITING: _T(
        subject="Betrugsprüfung offen: Bestellung $order_number",
        text="Bestellung $order_number ($total, aufgegeben am $placed_on) wartet auf eine "
        "Betrugsprüfung.",
    ),
}

#: The shipped templates by locale tag.
DEFAULT_TEMPLATES: dict[str, dict[NotificationType, Template]] = {"en": ENGLISH, "de": GERMAN}

#: Localised words and sentences the templates' fields are made of, by locale and key.
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "customer": "there",
        "unknown_date": "to be announced",
        "items_one": "1 item",
        "items_many": "{n} items",
        "action.address": "we could not confirm your shipping address. Please check it and "
        "tell us the right one.",
        "action.payment": "we still need a payment method for your order. Please add one.",
        "action.customer_contact": "we are missing your contact details. Please tell us your "
        "name and an e-mail address or phone number.",
        "outcome.approved": "good news: we have checked your order and it is now being processed.",
        "outcome.rejected": "after checking your order we cannot accept it.",
        "late.ship": "send",
        "late.deliver": "deliver",
        "label.shop": "Your prepaid return label has the tracking number {tracking}.",
        "label.customer": "Please send the items back at your own cost and quote {rma}.",
        "resolution.replacement": "we are sending you a replacement",
        "resolution.refund": "we are refunding you",
        "claim.damaged": "damaged items",
        "claim.wrong_item": "wrong items",
        "claim.missing_item": "missing items",
        "digital.link": "Download link",
        "digital.licence_key": "Licence key",
        "rma": "(return {rma})",
        "level.low": "low",
        "level.out": "out of stock",
    },
    "de": {
        "customer": "zusammen",
        "unknown_date": "wird noch bekanntgegeben",
        "items_one": "1 Artikel",
        "items_many": "{n} Artikel",
        "action.address": "wir konnten Ihre Lieferadresse nicht bestätigen. Bitte prüfen Sie "
        "sie und nennen Sie uns die richtige.",
        "action.payment": "uns fehlt noch eine Zahlungsart für Ihre Bestellung. Bitte ergänzen "
        "Sie sie.",
        "action.customer_contact": "uns fehlen Ihre Kontaktdaten. Bitte nennen Sie uns Ihren "
        "Namen und eine E-Mail-Adresse oder Telefonnummer.",
        "outcome.approved": "gute Nachricht: Wir haben Ihre Bestellung geprüft, sie wird jetzt "
        "bearbeitet.",
        "outcome.rejected": "nach Prüfung können wir Ihre Bestellung leider nicht annehmen.",
        "late.ship": "versenden",
        "late.deliver": "zustellen",
        "label.shop": "Ihr frankiertes Rücksendeetikett hat die Sendungsnummer {tracking}.",
        "label.customer": "Bitte senden Sie die Artikel auf eigene Kosten zurück und nennen "
        "Sie {rma}.",
        "resolution.replacement": "Sie erhalten Ersatz",
        "resolution.refund": "wir erstatten Ihnen den Betrag",
        "claim.damaged": "beschädigte Artikel",
        "claim.wrong_item": "falsche Artikel",
        "claim.missing_item": "fehlende Artikel",
        "digital.link": "Download-Link",
        "digital.licence_key": "Lizenzschlüssel",
        "rma": "(Rücksendung {rma})",
        "level.low": "niedrig",
        "level.out": "ausverkauft",
    },
}
