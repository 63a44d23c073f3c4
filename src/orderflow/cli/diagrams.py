"""Every lifecycle as a diagram: Mermaid text, a self-contained SVG, or PNG (from the SVG).

The SVG needs nothing outside the standard library: states are laid out in columns by their
distance from the initial state, transitions drawn as labelled arrows. PNG converts that SVG with
CairoSVG (``pip install 'orderflow[diagrams]'``, which needs the cairo library).
"""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import escape

from orderflow.domain.claims import CLAIM_LIFECYCLE
from orderflow.domain.errors import OrderflowError
from orderflow.domain.inventory import RESERVATION_LIFECYCLE
from orderflow.domain.lifecycle import Lifecycle
from orderflow.domain.order import ORDER_LIFECYCLE
from orderflow.domain.payments import PAYMENT_LIFECYCLE
from orderflow.domain.returns import RETURN_LIFECYCLE
from orderflow.domain.shipping import SHIPMENT_LIFECYCLE

#: Every lifecycle orderflow drives, by the name the CLI uses.
LIFECYCLES: dict[str, Lifecycle] = {
    "order": ORDER_LIFECYCLE,
    "payment": PAYMENT_LIFECYCLE,
    "reservation": RESERVATION_LIFECYCLE,
    "shipment": SHIPMENT_LIFECYCLE,
    "claim": CLAIM_LIFECYCLE,
    "return": RETURN_LIFECYCLE,
}

_COLUMN, _ROW, _BOX_W, _BOX_H, _MARGIN = 210, 70, 150, 34, 30


def layers(lifecycle: Lifecycle) -> list[list[str]]:
    """The states by their distance (in transitions) from the initial state; unreachable last."""
    states = [s.value for s in lifecycle.states]
    depth = {states[0]: 0}
    frontier = [states[0]]
    while frontier:
        following = []
        for state in frontier:
            for t in lifecycle.transitions:
                if state in t.sources and t.dest not in depth:
                    depth[t.dest] = depth[state] + 1
                    following.append(t.dest)
        frontier = following
    last = max(depth.values()) + 1
    columns: dict[int, list[str]] = defaultdict(list)
    for state in states:
        columns[depth.get(state, last)].append(state)
    return [columns[i] for i in sorted(columns)]


def svg(lifecycle: Lifecycle) -> str:
    """The lifecycle as an SVG document."""
    position: dict[str, tuple[int, int]] = {}
    columns = layers(lifecycle)
    for x, column in enumerate(columns):
        for y, state in enumerate(column):
            position[state] = (_MARGIN + x * _COLUMN, _MARGIN + 30 + y * _ROW)
    width = _MARGIN * 2 + (len(columns) - 1) * _COLUMN + _BOX_W
    height = _MARGIN * 2 + 30 + max(len(c) for c in columns) * _ROW
    labels: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t in lifecycle.transitions:
        for source in t.sources:
            labels[(source, t.dest)].append(t.trigger)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>',
        f'<text x="{_MARGIN}" y="{_MARGIN}" font-size="14" font-weight="bold">'
        f"{escape(lifecycle.aggregate)} lifecycle</text>",
    ]
    for (source, dest), triggers in labels.items():
        parts.append(_edge(position[source], position[dest], ", ".join(triggers)))
    for state, (x, y) in position.items():
        parts.append(
            f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="8" fill="#eef3fb" '
            f'stroke="#3a5a8c"/><text x="{x + _BOX_W // 2}" y="{y + 21}" text-anchor="middle">'
            f"{escape(state)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _edge(source: tuple[int, int], dest: tuple[int, int], label: str) -> str:
    (sx, sy), (dx, dy) = source, dest
    text = escape(label)
    if source == dest:  # a loop over the top of the box
        x, y = sx + _BOX_W // 2, sy
        return (
            f'<path d="M{x - 20},{y} C{x - 30},{y - 30} {x + 30},{y - 30} {x + 20},{y}" '
            f'fill="none" stroke="#555" marker-end="url(#arrow)"/>'
            f'<text x="{x}" y="{y - 24}" text-anchor="middle" fill="#333">{text}</text>'
        )
    forward = dx > sx
    x1 = sx + (_BOX_W if forward else 0) if dx != sx else sx + _BOX_W // 2
    x2 = dx + (0 if forward else _BOX_W) if dx != sx else dx + _BOX_W // 2
    y1 = sy + _BOX_H // 2 if dx != sx else sy + (_BOX_H if dy > sy else 0)
    y2 = dy + _BOX_H // 2 if dx != sx else dy + (0 if dy > sy else _BOX_H)
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#555" '
        f'marker-end="url(#arrow)"/><text x="{(x1 + x2) // 2}" y="{(y1 + y2) // 2 - 4}" '
        f'text-anchor="middle" fill="#333">{text}</text>'
    )


def png(lifecycle: Lifecycle) -> bytes:
    """The lifecycle as a PNG image (needs the ``diagrams`` extra)."""
    try:
        import cairosvg
    except (ImportError, OSError) as exc:  # OSError: the cairo library itself is missing
        raise OrderflowError(
            f"PNG diagrams need CairoSVG and the cairo library: "
            f"pip install 'orderflow[diagrams]' ({exc})"
        ) from None
    result: bytes = cairosvg.svg2png(bytestring=svg(lifecycle).encode())
    return result
