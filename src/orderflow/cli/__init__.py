"""The ``orderflow`` command (needs the ``cli`` extra: click and rich)."""

from __future__ import annotations


def main() -> None:
    """Entry point of the ``orderflow`` command."""
    try:
        from orderflow.cli.app import cli
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise SystemExit(
            f"the orderflow command needs the cli extra ({exc.name} is missing): "
            "pip install 'orderflow[cli]'"
        ) from None
    cli()
