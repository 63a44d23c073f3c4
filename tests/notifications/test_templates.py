"""Templates, locales and settings: every type renders in every shipped language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from orderflow import (
    LocaleFormat,
    Money,
    NotificationSettings,
    NotificationType,
    RecordingNotifier,
    Template,
    ValidationError,
    register_locale,
)
from orderflow.application.notifications import fields, template_for
from orderflow.domain import localisation
from orderflow.domain.localisation import format_date, format_money, locale_format
from orderflow.domain.notification_templates import DEFAULT_TEMPLATES, PHRASES
from orderflow.domain.notifications import TEMPLATE_FIELDS, render
from tests.notifications.helpers import customer_order, engine

SAMPLE: dict[str, object] = {
    "order_number": "OF-000001", "customer_name": "Ann", "total": Money.of("1234.5", "EUR"),
    "placed_on": date(2026, 1, 5), "ship_by": date(2026, 1, 6), "deliver_by": None,
    "item_count": 3, "hold_type": "address", "payment_method": "visa •••• 4242",
    "outcome": "approved", "shipment_id": "SHP-1", "carrier": "dhl", "tracking_number": "JJD1",
    "expected_delivery": date(2026, 1, 9), "late_kind": "ship", "promised": date(2026, 1, 6),
    "claim_id": "CLM-1", "claim_kind": "damaged", "resolution": "refund", "rma": "RMA-1",
    "label_tracking": "", "amount": Money.of("9.5", "EUR"), "sku": "MUG", "item_name": "Mug",
    "digital_kind": "licence_key", "digital_value": "ABCD-1234", "location": "BER",
    "level": "low", "available": 2, "reorder_point": 5,
}  # fmt: skip


def test_locale_formats() -> None:
    assert format_money(Money.of("1234567.891", "KWD"), "en") == "1,234,567.891 KWD"
    assert format_money(Money.of("1234", "JPY"), "de") == "1.234 ¥"
    assert format_money(Money.of("-0.5", "USD"), "en-US") == "-$0.50"
    assert (
        format_date(datetime(2026, 3, 1, 14, 5, tzinfo=UTC), "de") == "1. März 2026, 14:05 Uhr UTC"
    )
    assert locale_format("fr-CA").tag == "en"  # unknown languages fall back
    assert locale_format("fr", default="de").tag == "de"
    with pytest.raises(ValidationError, match="months"):
        LocaleFormat(tag="xx", decimal=",", group=" ", money_symbol="", money_code="",
                     day_pattern="", months=("a",))  # fmt: skip


@pytest.mark.parametrize("tag", sorted(DEFAULT_TEMPLATES))
@pytest.mark.parametrize("kind", list(NotificationType))
def test_every_shipped_template_renders(tag: str, kind: NotificationType) -> None:
    settings = NotificationSettings(shop_name="Mugs")
    used, template = template_for(settings, kind, tag)
    assert used == tag
    template.check(kind)
    raw = {k: v for k, v in SAMPLE.items() if k in TEMPLATE_FIELDS[kind] | {"hold_type"}}
    message = render(template, fields(settings, kind, raw, tag), lang=tag)
    assert "$" not in message.subject + message.text
    assert message.html.startswith("<!DOCTYPE html>")
    assert f'lang="{tag}"' in message.html


def test_phrases_exist_in_every_shipped_language() -> None:
    assert set(PHRASES["de"]) == set(PHRASES["en"])


def test_host_templates_are_checked_and_used_with_locale_fallback() -> None:
    with pytest.raises(ValidationError, match=r"templates\[de/shipped\].*tracking_url"):
        NotificationSettings(
            templates={("de", "shipped"): Template(subject="$tracking_url", text="")}
        )
    with pytest.raises(ValidationError, match="unknown notification type"):
        NotificationSettings(templates={("de", "shipping"): Template(subject="", text="")})
    with pytest.raises(ValidationError, match="malformed"):
        Template(subject="50$ off", text="").check(NotificationType.SHIPPED)
    flow, _ = engine()
    flow.services.notification_settings = NotificationSettings(
        templates={("de", "order_received"): Template(
            subject="Danke, $customer_name!", text="Bestellung $order_number: $total",
            html="<h1>Danke, $customer_name!</h1>",
        )},
        phrases={"de": {"items_many": "{n} Stück"}},
    )  # fmt: skip
    mail = RecordingNotifier()
    flow.add_notifier("email", mail)
    flow.place_order(customer_order(name="<Ann>", locale="de-AT", id="c-1"))
    flow.place_order(customer_order(id="c-2", locale="fr") | {"external_reference": "W-2"})
    flow.dispatch_pending()
    flow.dispatch_pending()
    german, french = mail.of_type("order_received")
    assert (german.locale, german.subject, german.text) == (
        "de", "Danke, <Ann>!", "Bestellung OF-000001: 43,21 €",
    )  # fmt: skip
    assert "<h1>Danke, &lt;Ann&gt;!</h1>" in german.html
    assert french.locale == "en"
    assert french.subject == "We received your order OF-000002"


def test_channels_and_settings_refuse_bad_input() -> None:
    flow, _ = engine()
    mail = RecordingNotifier()
    flow.add_notifier("email", mail)
    for kwargs, field in (
        ({"name": "email"}, "name"),
        ({"name": "Bad Name"}, "name"),
        ({"name": "x", "audience": "everyone"}, "audience"),
        ({"name": "y", "types": ["shipping"]}, "types"),
    ):
        name = kwargs.pop("name")
        with pytest.raises(ValidationError, match=field):
            flow.add_notifier(name, mail, **kwargs)  # type: ignore[arg-type]
    assert [c.name for c in flow.services.notifiers] == ["email"]


def test_register_a_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(localisation, "_LOCALES", dict(localisation._LOCALES))
    french = LocaleFormat(
        tag="fr", decimal=",", group="\u202f", money_symbol="{amount} {symbol}",
        money_code="{amount} {symbol}", day_pattern="{day} {month} {year}",
        months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre"),
    )  # fmt: skip
    register_locale(french)
    assert format_money(Money.of("1234.5", "EUR"), "fr-CA") == "1\u202f234,50 €"
    assert format_date(date(2026, 8, 1), "fr") == "1 août 2026"
