#!/usr/bin/env python3
"""Checks a generated corpus against its own ground truth, independently of how it was made:
re-reads every born-digital PDF with `pdftotext -layout` and `pdftotext -bbox` and asserts

- every non-null ground-truth value appears on the page in some printed form;
- every `fields_bbox` box covers exactly the words of that value (and nothing else);
- the amounts add up (lines, VAT per rate, net, gross, amount due);
- IBANs pass mod-97, German VAT IDs the ISO 7064 MOD 11,10 check, BICs have 8/11 characters;
- no word lies outside the page and no two words overlap;
- with --scans: each scan has the digital page count and the same physical page size.

usage: target/py-corpus/bin/python scripts/corpus/check.py DIR [--jobs N] [--scans] [--limit N]
Exit status 1 when any document has a problem; a summary per kind of problem is printed.
"""
from __future__ import annotations

import argparse
import collections
import html
import json
import multiprocessing
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus.content import UNITS, de_vat_valid, iban_valid  # noqa: E402
from corpus.fmt import CURRENCY, SYMBOLS, parse_amounts, parse_dates  # noqa: E402

AMOUNTS = {"line_total", "net_total", "vat_total", "gross_total", "amount_due", "allowance_total", "charge_total",
           "prepaid_amount", "net_unit_price", "net_line_amount", "quantity", "base", "amount", "rate", "vat_rate",
           "discount_percent"}
DATES = {"issue_date", "due_date", "delivery_date", "delivery_period_start", "delivery_period_end", "valid_until"}
COMPACT = {"iban", "seller_vat_id", "buyer_vat_id"}
TITLES = {"380": ["rechnung", "invoice"], "381": ["gutschrift", "storno", "credit"], "384": ["korrektur", "berichtigung", "corrected"]}
UNIT_CODES = {label.lower(): code for code, de, en in UNITS.values() for label in de + en}
WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def q2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pdftext(pdf: Path) -> tuple[str, list[tuple[float, float, list]]]:
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for w, h, body in PAGE_RE.findall(bbox):
        words = [(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in WORD_RE.findall(body)]
        pages.append((float(w), float(h), words))
    return layout, pages


def flat(gt: dict) -> dict:
    """Ground truth as flat keys (line_items[0].name …), non-null values only."""
    out = {k: v for k, v in gt.items() if isinstance(v, str) and k not in ("doc_id", "doc_type", "language", "seller_country", "layout", "split")}
    for i, item in enumerate(gt.get("line_items", [])):
        out.update({f"line_items[{i}].{k}": v for k, v in item.items() if v is not None})
    for i, e in enumerate(gt.get("vat_breakdown", [])):
        out.update({f"vat_breakdown[{i}].{k}": v for k, v in e.items() if v is not None})
    for i, r in enumerate(gt.get("referenced_invoices", [])):
        out[f"referenced_invoices[{i}]"] = r
    return out


def leaf(key: str) -> str:
    return key.rsplit(".", 1)[-1] if "." in key else key


def matches(key: str, value: str, text: str, any_case: bool = False) -> bool:
    """Whether `text` (words inside a box, or a whole page) shows `value` for `key`; with
    `any_case`, a name or other text value also in other letter case (capitals)."""
    k = leaf(key)
    if k == "document_type_code":
        return any(t in text.lower() for t in TITLES[value])
    if k == "currency":
        return any(s in text for s in SYMBOLS[value])
    if k == "unit_code":
        words = text.lower().split()
        spans = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(i + 3, len(words)) + 1)}
        return any(UNIT_CODES.get(w.strip(",")) == value for w in spans) or value in text
    if k in AMOUNTS:
        v = Decimal(value)
        for tok in re.findall(r"[-−]?" + CURRENCY + r"?\s?[-−]?\d[\d.,'’]*(?:-)?", text):
            vals = parse_amounts(tok.strip())
            if v in vals or -v in vals:
                return True
        return False
    if k in DATES:
        return value in parse_dates(text)
    if k in COMPACT:
        return value in re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if any_case:
        value, text = value.lower(), text.lower()
    return " ".join(value.split()) in " ".join(text.split())


def printed_lines(key: str, value: str, layout: str) -> int:
    """How many lines of `layout` (`pdftotext -layout`) show `value`, names in any case
    (a letterhead may print them in capitals)."""
    return sum(matches(key, value, ln, any_case=True) for ln in layout.splitlines())


def box_words(words, bbox, slack=1.5):
    """Words whose centre lies in the box, in reading order (lines, then left to right)."""
    x0, y0, x1, y1 = bbox
    inside = [w for w in words if x0 - slack <= (w[0] + w[2]) / 2 <= x1 + slack and y0 - slack <= (w[1] + w[3]) / 2 <= y1 + slack]
    return sorted(inside, key=lambda w: (round((w[1] + w[3]) / 6), w[0]))


def _trim(word, value: str) -> float:
    """Right edge of a word without punctuation that follows the value ('10.07.2025.'),
    taking a punctuation mark as a third of the text height wide."""
    x0, y0, x1, y1, t = word
    if t.endswith("Fr."):
        return x1
    n = (len(t) - len(t.rstrip(".,;:)"))) - (len(value) - len(value.rstrip(".,;:)")))
    return x1 - n * (y1 - y0) / 3 if 0 < n < len(t) else x1


def check_boxes(gt: dict, pages, problems: list) -> None:
    values = flat(gt)
    for key, entry in gt.get("fields_bbox", {}).items():
        if key not in values:
            problems.append(("bbox_without_value", key))
            continue
        for place in [entry] + entry.get("also", []):
            page = place["page"]
            if page > len(pages):
                problems.append(("bbox_page_out_of_range", key))
                continue
            inside = box_words(pages[page - 1][2], place["bbox"])
            text = " ".join(w[4] for w in inside)
            if leaf(key) == "currency":   # a glued symbol ('€1,234.56') is part of a longer word
                x0, y0, x1, y1 = place["bbox"]
                text = " ".join(w[4] for w in pages[page - 1][2] if w[0] < x1 and w[2] > x0 and w[1] < y1 and w[3] > y0)
            if not inside and leaf(key) != "currency":
                problems.append(("bbox_empty", key))
            elif not matches(key, values[key], text):
                problems.append(("bbox_text_mismatch", f"{key}: {values[key]!r} vs {text!r}"))
            elif leaf(key) != "currency":
                ux0, uy0 = min(w[0] for w in inside), min(w[1] for w in inside)
                trim = leaf(key) not in ("unit_code", "document_type_code")
                ux1 = max([w[2] for w in inside[:-1]] + [_trim(inside[-1], values[key]) if trim else inside[-1][2]])
                uy1 = max(w[3] for w in inside)
                bx = place["bbox"]
                if max(abs(ux0 - bx[0]), abs(ux1 - bx[2]), abs(uy0 - bx[1]), abs(uy1 - bx[3])) > 3.5:
                    problems.append(("bbox_loose", f"{key}: {bx} vs words {[round(v, 1) for v in (ux0, uy0, ux1, uy1)]}"))


def check_text(gt: dict, layout: str, problems: list) -> None:
    for key, value in flat(gt).items():
        if key.startswith("line_items[") and leaf(key) in ("name", "line_id", "unit_code"):
            continue   # wrapped names and short ids are checked through their boxes
        if not matches(key, value, layout):
            # A name wrapped over two lines beside its label (datenblatt): its box is
            # checked in check_boxes; here each of its words must be printed.
            if key.endswith("_name") and isinstance(value, str) and all(w in layout for w in value.split()):
                continue
            problems.append(("value_not_in_text", f"{key}={value!r}"))


def check_sums(gt: dict, problems: list) -> None:
    D = Decimal
    g = {k: (D(v) if isinstance(v, str) and re.fullmatch(r"-?\d+\.\d+", v) else v) for k, v in gt.items()}
    items = gt.get("line_items", [])
    for it in items:
        if it.get("quantity") and it.get("net_unit_price") and it.get("net_line_amount"):
            disc = D(it.get("discount_percent") or 0)
            want = q2(D(it["quantity"]) * D(it["net_unit_price"]) * (100 - disc) / 100)
            if want != D(it["net_line_amount"]):
                problems.append(("line_amount", f"{it['line_id']}: {want} != {it['net_line_amount']}"))
    if items and all(it.get("net_line_amount") for it in items) and g.get("line_total") is not None:
        if sum(D(it["net_line_amount"]) for it in items) != g["line_total"]:
            problems.append(("line_total", str(g["line_total"])))
    if g.get("line_total") is not None and g.get("net_total") is not None:
        want = g["line_total"] - (g.get("allowance_total") or 0) + (g.get("charge_total") or 0)
        if want != g["net_total"]:
            problems.append(("net_total", f"{want} != {g['net_total']}"))
    vb = gt.get("vat_breakdown", [])
    tol = D("0.01") if gt["doc_type"] == "receipt" else D(0)
    for e in vb:
        if e.get("rate") and e.get("base") and e.get("amount"):
            base, rate, amount = D(e["base"]), D(e["rate"]), D(e["amount"])
            # Prices that include the tax (insurance premiums): the VAT is taken out of the gross.
            if q2((base + amount) * rate / (100 + rate)) == amount:
                continue
            if abs(q2(D(e["base"]) * D(e["rate"]) / 100) - D(e["amount"])) > tol:
                problems.append(("vat_amount", str(e)))
    if vb and all(e.get("amount") for e in vb) and g.get("vat_total") is not None:
        if sum(D(e["amount"]) for e in vb) != g["vat_total"]:
            problems.append(("vat_total", str(g["vat_total"])))
    if vb and all(e.get("base") for e in vb) and g.get("net_total") is not None:
        if sum(D(e["base"]) for e in vb) != g["net_total"]:
            problems.append(("vat_bases", str(g["net_total"])))
    vat = g.get("vat_total")
    if vat is None and vb and all(e.get("amount") for e in vb):
        vat = sum(D(e["amount"]) for e in vb)
    if vat is None and not vb and gt.get("seller_country") != "IN":
        vat = D(0)   # no VAT printed at all (§ 19 UStG, some exports); an Indian GST invoice
        # may print its tax only as CGST and SGST halves, which no ground-truth field holds
    if g.get("gross_total") is not None and g.get("net_total") is not None and vat is not None:
        if g["net_total"] + vat != g["gross_total"]:
            problems.append(("gross_total", f"{g['net_total']} + {vat} != {g['gross_total']}"))
    if g.get("gross_total") is not None and g.get("amount_due") is not None:
        if g["gross_total"] - (g.get("prepaid_amount") or 0) != g["amount_due"]:
            problems.append(("amount_due", str(g["amount_due"])))


def check_ids(gt: dict, problems: list) -> None:
    if gt.get("iban") and not iban_valid(gt["iban"]):
        problems.append(("iban_checksum", gt["iban"]))
    for k in ("seller_vat_id", "buyer_vat_id"):
        v = gt.get(k)
        if v and v.startswith("DE") and not de_vat_valid(v):
            problems.append(("vat_id_checksum", v))
    if gt.get("bic") and not re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", gt["bic"]):
        problems.append(("bic_shape", gt["bic"]))


def check_page(pages, problems: list) -> None:
    for n, (w, h, words) in enumerate(pages, 1):
        for a in words:
            if a[0] < -0.5 or a[1] < -0.5 or a[2] > w + 0.5 or a[3] > h + 0.5:
                problems.append(("word_off_page", f"p{n} {a[4]!r}"))
        ws = sorted(words, key=lambda t: t[1])
        for i, a in enumerate(ws):
            for b in ws[i + 1:]:
                if b[1] >= a[3]:
                    break
                ix = min(a[2], b[2]) - max(a[0], b[0])
                iy = min(a[3], b[3]) - max(a[1], b[1])
                if ix > 0.5 and iy > 0:
                    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
                    if ix * iy > 0.25 * small:
                        problems.append(("words_overlap", f"p{n} {a[4]!r} / {b[4]!r}"))


def pdf_pages_and_size(pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b)) for a, b in re.findall(r"Page\s+\d+ size: ([\d.]+) x ([\d.]+)", out)]


def check_doc(job) -> tuple[str, list]:
    gt_path, scans = job
    pdf = gt_path.with_name(gt_path.name[: -len(".gt.json")] + ".pdf")
    gt = json.loads(gt_path.read_text(encoding="utf-8"))
    problems: list = []
    layout, pages = pdftext(pdf)
    if len(pages) != gt["pages"]:
        problems.append(("page_count", f"{len(pages)} != {gt['pages']}"))
    check_text(gt, layout, problems)
    check_boxes(gt, pages, problems)
    check_sums(gt, problems)
    check_ids(gt, problems)
    check_page(pages, problems)
    if scans:
        scan = pdf.parent.parent / "scans" / pdf.name
        if scan.exists():
            digital, scanned = pdf_pages_and_size(pdf), pdf_pages_and_size(scan)
            if len(digital) != len(scanned):
                problems.append(("scan_page_count", f"{len(scanned)} != {len(digital)}"))
            for (a, b), (c, d) in zip(digital, scanned):
                if not ((abs(a - c) < 1.5 and abs(b - d) < 1.5) or (abs(a - d) < 1.5 and abs(b - c) < 1.5)):
                    problems.append(("scan_page_size", f"{c}x{d} != {a}x{b}"))
        else:
            problems.append(("scan_missing", str(scan)))
    return gt["doc_id"], problems


def run(out: Path, jobs: int = 2, scans: bool = False, limit: int = 0, verbose: int = 3) -> int:
    files = sorted(Path(out).glob("*/digital/*.gt.json"))
    if limit:
        files = files[:limit]
    kinds: collections.Counter = collections.Counter()
    examples: dict = collections.defaultdict(list)
    bad = 0
    with multiprocessing.Pool(jobs) as pool:
        for did, problems in pool.imap_unordered(check_doc, [(f, scans) for f in files], chunksize=8):
            bad += bool(problems)
            for kind, detail in problems:
                kinds[kind] += 1
                if len(examples[kind]) < verbose:
                    examples[kind].append(f"{did}: {detail}")
    for kind, n in kinds.most_common():
        print(f"check: {kind}: {n}", file=sys.stderr)
        for e in examples[kind]:
            print(f"    {e}", file=sys.stderr)
    print(f"check: {len(files)} documents, {bad} with problems", file=sys.stderr)
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--scans", action="store_true", help="also compare scan page counts and sizes")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--examples", type=int, default=3, help="examples printed per kind of problem")
    args = ap.parse_args()
    return run(Path(args.dir), args.jobs, args.scans, args.limit, args.examples)


if __name__ == "__main__":
    sys.exit(main())
