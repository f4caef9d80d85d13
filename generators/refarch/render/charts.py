"""Small inline SVG charts (no script, no other host): a line chart of shares, a bar chart, stacked bars.

Every text is escaped; every chart has a <title> and a <desc> for screen readers, and its numbers are also in
the page's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#3b6fd4", "#e0813a", "#3a9a5b", "#b94a8b", "#7b7b7b", "#c9a227")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 48


def _frame(title: str, desc: str, body: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" style="max-width:{WIDTH}px" '
        f'font-family="sans-serif" font-size="11"><title>{escape(title)}</title><desc>{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _share_axis(height: int) -> list[str]:
    out = []
    for tick in range(0, 101, 25):
        y = _y(tick / 100, height)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick}%</text>')
    return out


def _y(value: float, height: int = HEIGHT) -> float:
    return TOP + (1 - value) * (height - TOP - BOTTOM)


def _legend(names: Sequence[str], y: float) -> list[str]:
    out, x = [], LEFT
    for i, name in enumerate(names):
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 14}" y="{y}" fill="#333">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return out


def share_lines(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]]) -> str:
    """Shares (0 to 1) over time, one line per series; a missing value breaks the line."""
    n = max(len(labels), 1)
    span = WIDTH - LEFT - RIGHT

    def x(i: int) -> float:
        return LEFT + (span * i / (n - 1) if n > 1 else span / 2)

    body = _share_axis(HEIGHT)
    every = max(1, n // 7)
    for i, label in enumerate(labels):
        if i % every == 0 if i < n - 1 else (n - 1) % every == 0 or (n - 1) % every > every / 2:
            body.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#555">{escape(label)}</text>')
    for s, (name, values) in enumerate(series.items()):
        color = PALETTE[s % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(i):.1f},{_y(value):.1f}")
            body.append(
                f'<circle cx="{x(i):.1f}" cy="{_y(value):.1f}" r="2.5" fill="{color}"><title>{escape(name)} {escape(labels[i])}: {value:.1%}</title></circle>'
            )
        for run in runs:
            if len(run) > 1:
                body.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(run)}"/>')
    body += _legend(list(series), HEIGHT - 10)
    desc = "; ".join(f"{name}: " + ", ".join(f"{labels[i]} {v:.1%}" for i, v in enumerate(values) if v is not None) for name, values in series.items())
    return _frame(title, desc, body)


def share_bars(title: str, labels: Sequence[str], values: Sequence[float | None], notes: Sequence[str] | None = None) -> str:
    """One bar per label, height the share (0 to 1); a missing value shows as "n/a"."""
    n = max(len(labels), 1)
    slot = (WIDTH - LEFT - RIGHT) / n
    body = _share_axis(HEIGHT)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * slot + slot * 0.15
        base = _y(0)
        label_x = x + slot * 0.35
        body.append(f'<text x="{label_x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#555">{escape(label)}</text>')
        if value is None:
            body.append(f'<text x="{label_x:.1f}" y="{base - 4:.1f}" text-anchor="middle" fill="#999">n/a</text>')
            continue
        top = _y(value)
        tip = f"{label}: {value:.1%}" + (f" ({notes[i]})" if notes else "")
        body.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{slot * 0.7:.1f}" height="{base - top:.1f}" fill="{PALETTE[0]}"><title>{escape(tip)}</title></rect>'
        )
        body.append(f'<text x="{label_x:.1f}" y="{top - 4:.1f}" text-anchor="middle" fill="#333">{value:.0%}</text>')
    desc = ", ".join(f"{label} {'n/a' if v is None else f'{v:.1%}'}" for label, v in zip(labels, values, strict=True))
    return _frame(title, desc, body)


def stacked_shares(title: str, rows: Sequence[tuple[str, Sequence[int]]], parts: Sequence[str]) -> str:
    """One horizontal bar per row, split into `parts` by count (each bar is 100% of its row)."""
    bar, gap = 22, 10
    height = TOP + len(rows) * (bar + gap) + 40
    label_width = 120
    span = WIDTH - label_width - RIGHT
    body = []
    for r, (name, counts) in enumerate(rows):
        y = TOP + r * (bar + gap)
        total = sum(counts) or 1
        body.append(f'<text x="{label_width - 6}" y="{y + bar * 0.7:.1f}" text-anchor="end" fill="#333">{escape(name)}</text>')
        x = float(label_width)
        for p, count in enumerate(counts):
            w = span * count / total
            if w <= 0:
                continue
            tip = f"{name}, {parts[p]}: {count} ({count / total:.1%})"
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{PALETTE[p % len(PALETTE)]}"><title>{escape(tip)}</title></rect>')
            x += w
    body += _legend(list(parts), height - 12)
    desc = "; ".join(f"{name}: " + ", ".join(f"{parts[p]} {c}" for p, c in enumerate(counts)) for name, counts in rows)
    return _frame(title, desc, body, height)
