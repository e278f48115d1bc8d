"""Drawing primitives on a reportlab canvas with a top-left origin (y grows downwards, in
points, like the `fields_bbox` of the ground truth), and a record of where every
ground-truth value was drawn.

Text is drawn in runs: `runs(x, y, [(text, keys), …])` draws the pieces on one baseline and
records, for each key, the box of the piece (and `keys=` boxes the whole group). Boxes span
the font's ascent to descent and the glyph advance widths of the text without its
surrounding spaces, which is what `pdftotext -bbox` reports for the same words.
"""
from __future__ import annotations

import io

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from .layouts import FONTS

FONT_DIR = "/usr/share/fonts/truetype"
MM = 72 / 25.4
BLACK = (0, 0, 0)
GREY = (0.38, 0.38, 0.38)
_registered: set[str] = set()


def register(name: str) -> None:
    if name not in _registered:
        reg, bold = FONTS[name]
        pdfmetrics.registerFont(TTFont(name, f"{FONT_DIR}/{reg}"))
        pdfmetrics.registerFont(TTFont(name + "-Bold", f"{FONT_DIR}/{bold}"))
        _registered.add(name)


def width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def fit(text: str, font: str, size: float, max_w: float, min_size: float = 5.5) -> float:
    """The largest size ≤ `size` (down to `min_size`) at which `text` fits in `max_w`."""
    w = width(text, font, size)
    if w <= max_w:
        return size
    return max(min_size, size * max_w / w)


def wrap(text: str, font: str, size: float, max_w: float, keep=()) -> list[str]:
    """Greedy word wrap; a word longer than the line is kept whole, and so is each string
    in `keep` (an IBAN printed in groups stays on one line)."""
    protected = {}
    for i, k in enumerate(keep):
        if " " in k and k in text:
            token = f"\ue000{i}\ue001"
            protected[token] = k
            text = text.replace(k, token)
    words = text.split()
    for token, k in protected.items():
        words = [w.replace(token, k) for w in words]
    lines, cur = [], ""
    for word in words:
        cand = f"{cur} {word}" if cur else word
        if cur and width(cand, font, size) > max_w:
            lines.append(cur)
            cur = word
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines or [""]


def extent(font: str, size: float) -> tuple[float, float]:
    face = pdfmetrics.getFont(font).face
    return face.ascent * size / 1000, -face.descent * size / 1000


class Pdf:
    """A reportlab canvas addressed from the top-left, recording value boxes per key."""

    def __init__(self, size: tuple[float, float], title: str):
        self.buf = io.BytesIO()
        self.w, self.h = size
        self.c = rl_canvas.Canvas(self.buf, pagesize=size, invariant=1, pageCompression=1)
        self.c.setTitle(title)
        self.c.setCreator("mailroom corpus generator")
        self.page = 1
        self.fields: dict[str, list[tuple[int, list[float]]]] = {}

    # -- text --------------------------------------------------------------------------------
    def record(self, keys, x0: float, top: float, x1: float, bottom: float) -> None:
        for k in keys:
            self.fields.setdefault(k, []).append((self.page, [round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)]))

    def runs(self, x: float, y: float, runs, font: str, size: float, align: str = "left", color=BLACK, keys=()) -> float:
        """Draws `runs` ([(text, keys) or (text, keys, font)]) with the baseline at `y`.
        `align` places the whole group at `x` (left/right/center). Returns the width."""
        parts = [(r[0], r[1], r[2] if len(r) > 2 else font) for r in runs]
        widths = [width(t, f, size) for t, _, f in parts]
        total = sum(widths)
        x0 = x - total if align == "right" else x - total / 2 if align == "center" else x
        self.c.setFillColorRGB(*color)
        cx = x0
        first = last = None
        for (t, rkeys, f), w in zip(parts, widths):
            self.c.setFont(f, size)
            self.c.drawString(cx, self.h - y, t)
            if t.strip():
                lead = width(t[: len(t) - len(t.lstrip())], f, size)
                inner = width(t.strip(), f, size)
                asc, desc = extent(f, size)
                if rkeys:
                    self.record(rkeys, cx + lead, y - asc, cx + lead + inner, y + desc)
                first = cx + lead if first is None else first
                last = cx + lead + inner
            cx += w
        if keys and first is not None:
            asc, desc = extent(font, size)
            self.record(keys, first, y - asc, last, y + desc)
        return total

    def text(self, x: float, y: float, text: str, font: str, size: float, align: str = "left", color=BLACK, keys=()) -> float:
        return self.runs(x, y, [(text, keys)], font, size, align, color)

    # -- graphics ----------------------------------------------------------------------------
    def line(self, x0, y0, x1, y1, lw=0.5, color=BLACK, dash=None):
        c = self.c
        c.setStrokeColorRGB(*color)
        c.setLineWidth(lw)
        c.setDash(dash or [])
        c.line(x0, self.h - y0, x1, self.h - y1)
        c.setDash([])

    def rect(self, x, y, w, h, fill=None, stroke=None, lw=0.5, radius=0):
        c = self.c
        if fill:
            c.setFillColorRGB(*fill)
        if stroke:
            c.setStrokeColorRGB(*stroke)
            c.setLineWidth(lw)
        if radius:
            c.roundRect(x, self.h - y - h, w, h, radius, stroke=1 if stroke else 0, fill=1 if fill else 0)
        else:
            c.rect(x, self.h - y - h, w, h, stroke=1 if stroke else 0, fill=1 if fill else 0)

    def circle(self, x, y, r, fill=None, stroke=None, lw=0.8):
        c = self.c
        if fill:
            c.setFillColorRGB(*fill)
        if stroke:
            c.setStrokeColorRGB(*stroke)
            c.setLineWidth(lw)
        c.circle(x, self.h - y, r, stroke=1 if stroke else 0, fill=1 if fill else 0)

    def polygon(self, pts, fill=None, stroke=None, lw=0.8):
        c = self.c
        p = c.beginPath()
        p.moveTo(pts[0][0], self.h - pts[0][1])
        for x, y in pts[1:]:
            p.lineTo(x, self.h - y)
        p.close()
        if fill:
            c.setFillColorRGB(*fill)
        if stroke:
            c.setStrokeColorRGB(*stroke)
            c.setLineWidth(lw)
        c.drawPath(p, stroke=1 if stroke else 0, fill=1 if fill else 0)

    def scribble(self, rng, x, y, w, color=(0.1, 0.15, 0.45)):
        """A handwritten-looking signature: a few connected Bézier strokes."""
        c = self.c
        c.setStrokeColorRGB(*color)
        c.setLineWidth(rng.uniform(0.7, 1.2))
        p = c.beginPath()
        cx, cy = x, y
        p.moveTo(cx, self.h - cy)
        for _ in range(rng.randint(3, 6)):
            nx = cx + rng.uniform(w * 0.12, w * 0.3)
            p.curveTo(cx + rng.uniform(0, 15), self.h - cy + rng.uniform(-8, 14), nx - rng.uniform(0, 15),
                      self.h - y + rng.uniform(-10, 12), nx, self.h - y + rng.uniform(-5, 6))
            cx = nx
        c.drawPath(p, stroke=1, fill=0)

    def show_page(self):
        self.c.showPage()
        self.page += 1

    def finish(self) -> bytes:
        self.c.save()
        return self.buf.getvalue()
