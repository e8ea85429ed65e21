"""Server-rendered SVG charts: geometry computed here in integers, drawn by the template."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 720, 240, 28


@dataclass(frozen=True)
class Bar:
    """One rectangle of the chart, in SVG user units."""

    x: int
    y: int
    w: int
    h: int
    series: str
    value: int
    label: str


def _scale(top: int):
    top = max(top, 1)
    return lambda v: (max(v, 0) * (HEIGHT - 2 * PAD)) // top


def flow_bars(rows) -> dict:
    """Per month: an issued bar, and consumed + expired stacked beside it; plus the x labels."""
    top = max([max(r.issued, r.consumed + r.expired) for r in rows] + [1])
    scale, slot = _scale(top), (WIDTH - 2 * PAD) // max(len(rows), 1)
    bars, labels, base = [], [], HEIGHT - PAD
    for i, r in enumerate(rows):
        x, w = PAD + i * slot + slot // 8, max(slot * 3 // 8, 2)
        h = scale(r.issued)
        bars.append(Bar(x, base - h, w, h, "issued", r.issued, r.label))
        hc, he = scale(r.consumed), scale(r.expired)
        bars.append(Bar(x + w, base - hc, w, hc, "consumed", r.consumed, r.label))
        bars.append(Bar(x + w, base - hc - he, w, he, "expired", r.expired, r.label))
        labels.append((x + w, r.label[2:]))
    return {"bars": bars, "labels": labels, "width": WIDTH, "height": HEIGHT, "base": base,
            "top": top}  # fmt: skip


def line(points: list[int]) -> dict:
    """A polyline for a series (e.g. outstanding at each month's end)."""
    low, high = min(points + [0]), max(points + [1])
    span, slot = max(high - low, 1), (WIDTH - 2 * PAD) // max(len(points), 1)
    coords = [
        (PAD + i * slot + slot // 2, HEIGHT - PAD - (v - low) * (HEIGHT - 2 * PAD) // span)
        for i, v in enumerate(points)
    ]
    return {"points": " ".join(f"{x},{y}" for x, y in coords), "coords": coords, "width": WIDTH,
            "height": HEIGHT, "high": high, "low": low}  # fmt: skip
