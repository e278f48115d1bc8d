"""Scan simulation: rasterise a born-digital PDF with pdftoppm (grey), degrade each page
like a real office scan or fax, and wrap the pages into an image-only PDF with img2pdf at
the DPI used, so that the page keeps its physical size and `fields_bbox` (in points) stays
meaningful.

`plan(rng)` draws, per document, which effects apply and how strongly (each with its own
probability; ~15 % of scans stay clean 200 dpi grey like the evaluation set). `scan(pdf,
plan, seed, boxes)` executes the plan and says which printed values the scan no longer
shows. The plan's `describe()` goes into the manifest.

Legibility. A fax threshold wipes out grey print, a punched hole or a stain covers a line,
scaling pushes a footer over the page's edge: such a value is printed but cannot be read
from the scan by anyone, so the evaluation must not count it, as MANIFEST.tsv's visibility
does for the real scans. `scan` measures it from the images, never with OCR (the reader
under test): a value is legible when at least half of its ink is still ink on the scan
(`LEGIBLE_INK`). An ink pixel stays ink when at least half of the darkness it would have
after the plan's blur and contrast alone is still there against the paper around it; blur
on its own therefore never makes a value illegible (OCR reading blurred print is what the
scans are for), while thresholding, a fax's half resolution, covering and cropping do.
"""
from __future__ import annotations

import io
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import img2pdf
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# A value whose scan keeps less than this share of its ink is not legible (module docs).
LEGIBLE_INK = 0.5


@dataclass
class Plan:
    dpi: int = 200
    clean: bool = False
    scale: float | None = None
    skew: float | None = None         # degrees; each page varies slightly around it
    blur: float | None = None         # Gaussian radius in pixels at 200 dpi
    contrast: tuple[int, int] | None = None  # (ink, paper) grey levels
    illumination: float | None = None  # strength of an uneven-light gradient
    noise: float | None = None         # Gaussian sigma in grey levels
    salt_pepper: float | None = None   # fraction of pixels flipped
    stains: int | None = None          # number of stains/speckle clusters
    holes: bool = False
    fax: int | None = None             # binarisation threshold
    fax_halfres: bool = False
    jpeg: int | None = None            # JPEG quality of the page images
    rotate: tuple[int, int] | None = None  # (page index, 90/180/270)

    def describe(self) -> str:
        if self.clean:
            return f"dpi={self.dpi};clean"
        parts = [f"dpi={self.dpi}"]
        for name in ("scale", "skew", "blur", "illumination", "noise", "salt_pepper"):
            v = getattr(self, name)
            if v is not None:
                parts.append(f"{name}={v:g}")
        if self.contrast:
            parts.append(f"contrast={self.contrast[0]}/{self.contrast[1]}")
        if self.stains:
            parts.append(f"stains={self.stains}")
        if self.holes:
            parts.append("holes")
        if self.fax is not None:
            parts.append(f"fax={self.fax}" + (";fax_halfres" if self.fax_halfres else ""))
        parts.append(f"jpeg={self.jpeg}" if self.jpeg else "png")
        if self.rotate:
            parts.append(f"rotate=p{self.rotate[0] + 1}:{self.rotate[1]}")
        return ";".join(parts)


def plan(rng, pages: int) -> Plan:
    """Which degradations one scanned document gets."""
    p = Plan()
    if rng.random() < 0.15:
        p.clean = True
        return p
    p.dpi = rng.choices([200, 300, 150], [60, 35, 5])[0]
    if rng.random() < 0.25:
        p.scale = round(rng.uniform(0.97, 1.03), 3)
    if rng.random() < 0.55:
        p.skew = round((0.3 + 2.2 * rng.random() ** 2) * rng.choice([-1, 1]), 2)   # mostly below 1°
    if rng.random() < 0.35:
        p.blur = round(rng.uniform(0.4, 1.3), 2)
    if rng.random() < 0.08:
        p.fax = rng.randint(120, 170)
        p.fax_halfres = rng.random() < 0.5
    else:
        if rng.random() < 0.3:
            p.contrast = (rng.randint(25, 95), rng.randint(190, 238))
        if rng.random() < 0.2:
            p.illumination = round(rng.uniform(0.08, 0.3), 2)
        if rng.random() < 0.35:
            p.noise = round(rng.uniform(3, 12), 1)
        if rng.random() < 0.35:
            p.jpeg = rng.randint(25, 85)
        elif p.noise or p.illumination or p.contrast:
            p.jpeg = 92   # what a scanner would write for a grey page; PNG of noise is huge
    if rng.random() < 0.12:
        p.salt_pepper = round(rng.uniform(0.0003, 0.003), 4)
    if rng.random() < 0.15:
        p.stains = rng.randint(1, 4)
    p.holes = rng.random() < 0.08
    if rng.random() < 0.02:
        p.rotate = (rng.randrange(pages), rng.choice([90, 180, 270]))
    return p


def _rasterise(pdf: bytes, dpi: int, tmp: Path) -> list[Image.Image]:
    src = tmp / "in.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(src), str(tmp / "p")], check=True)
    return [Image.open(f) for f in sorted(tmp.glob("p-*.pgm"))]


@dataclass
class Sheet:
    """One degraded page and what the legibility measure needs of it."""
    image: Image.Image        # what goes into the PDF
    clean: np.ndarray         # the page as rendered, before any degradation
    moved: np.ndarray         # the clean page moved as the scan moved it (scale, skew)
    blurred: np.ndarray       # the same, blurred as the scan is
    seen: np.ndarray          # the degraded page in that frame, at full height (before rotation)
    angle: float = 0.0


def _page(img: Image.Image, p: Plan, index: int, rs: np.random.Generator) -> Sheet:
    clean = np.asarray(img, dtype=np.float32)
    w, h = img.size
    angle = 0.0
    k = p.dpi / 200
    paper = p.contrast[1] if p.contrast else 255
    if p.scale:
        s = p.scale
        scaled = img.resize((round(w * s), round(h * s)), Image.BILINEAR)
        canvas = Image.new("L", (w, h), 255)
        canvas.paste(scaled, ((w - scaled.width) // 2, (h - scaled.height) // 2))
        img = canvas
    if p.skew:
        angle = p.skew + float(rs.uniform(-0.2, 0.2)) * (index > 0)
        img = img.rotate(angle, resample=Image.BILINEAR, fillcolor=255)
    moved = np.asarray(img, dtype=np.float32)
    if p.blur:
        img = img.filter(ImageFilter.GaussianBlur(p.blur * k))
    blurred = np.asarray(img, dtype=np.float32)
    if p.stains or p.holes:
        img = _marks(img, p, rs, k)
    a = np.asarray(img, dtype=np.float32)
    if p.contrast:
        ink, paper = p.contrast
        a = ink + (paper - ink) * (a / 255.0)
    if p.illumination:
        small = _gradient(rs, p.illumination)
        field_ = np.asarray(Image.fromarray(small).resize((w, h), Image.BILINEAR), dtype=np.float32)
        a = a * field_
    if p.noise:
        a = a + rs.normal(0, p.noise, a.shape).astype(np.float32)
    if p.salt_pepper:
        n = int(p.salt_pepper * a.size)
        idx = rs.integers(0, a.size, n)
        a.flat[idx] = np.where(rs.random(n) < 0.5, 0, paper)
    a = np.clip(a, 0, 255).astype(np.uint8)
    seen = a
    if p.fax is not None:
        seen = np.where(a < p.fax, 0, 255).astype(np.uint8)
        img = Image.fromarray(seen).convert("1", dither=Image.NONE)
        if p.fax_halfres:
            img = img.resize((w, h // 2), Image.NEAREST)
            # Half the lines are gone: what is left, each line drawn twice as a fax
            # machine prints it. Thin horizontal strokes of small print vanish here.
            seen = np.asarray(img.convert("L").resize((w, h), Image.NEAREST), dtype=np.uint8)
    else:
        img = Image.fromarray(a)
    if p.rotate and p.rotate[0] == index:
        img = img.transpose({90: Image.ROTATE_90, 180: Image.ROTATE_180, 270: Image.ROTATE_270}[p.rotate[1]])
    return Sheet(img, clean, moved, blurred, seen.astype(np.float32), angle)


def _ink_share(sheet: Sheet, p: Plan, bbox: list[float]) -> float:
    """How much of the ink of the value in `bbox` (points, from the top left) is still ink
    on the degraded page (see the module docs)."""
    clean = sheet.clean
    h, w = clean.shape
    k = p.dpi / 72
    x0, y0, x1, y1 = (max(0, round(bbox[0] * k) - 2), max(0, round(bbox[1] * k) - 2), min(w, round(bbox[2] * k) + 2), min(h, round(bbox[3] * k) + 2))
    box = clean[y0:y1, x0:x1]
    if box.size == 0 or box.min() > 200:
        return 1.0                               # nothing printed to lose
    cut = 255 - 0.5 * (255 - box.min())          # the value's ink, also grey print
    ink = int((box < cut).sum())
    # Where the box went: scaled about the centre, then turned about it as PIL turns.
    s = p.scale or 1.0
    t = np.radians(sheet.angle)
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        dx, dy = (x - w / 2) * s, (y - h / 2) * s
        xs.append(w / 2 + dx * np.cos(t) + dy * np.sin(t))
        ys.append(h / 2 - dx * np.sin(t) + dy * np.cos(t))
    gx0, gy0 = max(0, int(min(xs)) - 2), max(0, int(min(ys)) - 2)
    gx1, gy1 = min(w, int(max(xs)) + 3), min(h, int(max(ys)) + 3)
    if gx1 <= gx0 or gy1 <= gy0:
        return 0.0                               # off the page
    moved, blurred = sheet.moved[gy0:gy1, gx0:gx1], sheet.blurred[gy0:gy1, gx0:gx1]
    seen = sheet.seen[gy0:gy1, gx0:gx1]
    mask = moved < cut
    if not mask.any():
        return 0.0
    paper = float(np.median(seen[~mask])) if (~mask).any() else 255.0
    span = (p.contrast[1] - p.contrast[0]) / 255 if p.contrast else 1.0
    kept = (paper - seen[mask]) >= 0.5 * span * (255 - blurred[mask])
    return min(1.0, float(kept.sum()) / max(1.0, ink * s * s))


def illegible(sheets: list[Sheet], p: Plan, boxes: dict) -> list[str]:
    """The keys of `boxes` (`fields_bbox` of the ground truth) whose value no occurrence
    shows legibly on the degraded pages `sheets`."""
    out = []
    for key, entry in boxes.items():
        shares = [_ink_share(sheets[place["page"] - 1], p, place["bbox"])
                  for place in [entry] + entry.get("also", []) if 0 < place["page"] <= len(sheets)]
        if max(shares, default=0.0) < LEGIBLE_INK:
            out.append(key)
    return out


def _gradient(rs: np.random.Generator, strength: float) -> np.ndarray:
    """A 64×64 multiplicative light field: darker towards one side or corner."""
    yy, xx = np.mgrid[0:64, 0:64] / 63.0
    ang = rs.uniform(0, 2 * np.pi)
    g = (np.cos(ang) * (xx - 0.5) + np.sin(ang) * (yy - 0.5)) + 0.5
    g = 1.0 - strength * np.clip(g, 0, 1) ** 1.5
    return g.astype(np.float32)


def _marks(img: Image.Image, p: Plan, rs: np.random.Generator, k: float) -> Image.Image:
    """Coffee rings, speckle clusters and punched holes, darkening the page."""
    w, h = img.size
    layer = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(layer)
    for _ in range(p.stains or 0):
        cx, cy = rs.uniform(0.05, 0.95) * w, rs.uniform(0.05, 0.95) * h
        if rs.random() < 0.5:
            r = rs.uniform(60, 160) * k
            tone = int(rs.integers(170, 220))
            d.ellipse([cx - r, cy - r * rs.uniform(0.85, 1.1), cx + r, cy + r], outline=tone, width=int(rs.integers(3, 9) * k))
        else:
            for _ in range(int(rs.integers(20, 120))):
                x, y = cx + rs.normal(0, 40 * k), cy + rs.normal(0, 40 * k)
                r = rs.uniform(0.5, 2.5) * k
                d.ellipse([x - r, y - r, x + r, y + r], fill=int(rs.integers(40, 160)))
    if p.holes:
        r = 3 * p.dpi / 25.4               # 6 mm diameter
        x = 12 * p.dpi / 25.4
        tone = int(rs.integers(40, 120))
        for dy in (-40, 40):               # DIN 5008 holes 80 mm apart around the middle
            y = h / 2 + dy * p.dpi / 25.4
            d.ellipse([x - r, y - r, x + r, y + r], fill=tone)
    return Image.fromarray(np.minimum(np.asarray(img), np.asarray(layer)))


def scan(pdf: bytes, p: Plan, seed: list[int], boxes: dict | None = None) -> tuple[bytes, list[str]]:
    """The degraded, image-only PDF for `pdf`, and the keys of `boxes` (the ground truth's
    `fields_bbox`) whose values it no longer shows legibly."""
    rs = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory(prefix="corpus-scan-") as tmp:
        pages = _rasterise(pdf, p.dpi, Path(tmp))
        blobs = []
        sheets = []
        for i, img in enumerate(pages):
            if p.clean:
                out = img
            else:
                sheets.append(_page(img, p, i, rs))
                out = sheets[-1].image
            buf = io.BytesIO()
            ydpi = p.dpi / 2 if p.fax_halfres and p.fax is not None else p.dpi
            dpi = (p.dpi, ydpi) if not (p.rotate and p.rotate[0] == i and p.rotate[1] in (90, 270)) else (ydpi, p.dpi)
            if p.jpeg and p.fax is None:
                out.save(buf, "JPEG", quality=p.jpeg, dpi=dpi)
            else:
                out.save(buf, "PNG", dpi=dpi, compress_level=6)
            blobs.append(buf.getvalue())
    unreadable = [] if p.clean else illegible(sheets, p, boxes or {})
    return img2pdf.convert(blobs, nodate=True, engine=img2pdf.Engine.internal), unreadable   # deterministic /ID
