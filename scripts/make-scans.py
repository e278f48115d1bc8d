#!/usr/bin/env python3
"""Makes the scan evaluation set from the ZUGFeRD corpus.

For each distinct invoice (one per MANIFEST `content_key`) in a `correct` folder, the PDF's
pages are rendered with `pdftoppm -r 200 -gray -png` and joined into one image-only PDF with
`img2pdf` — only these images reach mailroom. Beside each scan goes `<name>.gt.json`: the
corpus ground truth, with the fields that MANIFEST says are not visible on the page set to
null (they cannot be read from an image and are not counted).

usage: scripts/make-scans.py [--out DIR] [--limit N] [--corpus DIR]
"""
import argparse, csv, json, os, shutil, subprocess, sys, tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--corpus", default=str(root.parent / "shared/data/zugferd-corpus"))
ap.add_argument("--out", default=str(root / "target/scans"))
ap.add_argument("--limit", type=int, default=0)
ap.add_argument("--dpi", type=int, default=200)
args = ap.parse_args()

MONTHS = {
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
}


def page_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-q", str(pdf), "-"], capture_output=True, text=True).stdout
    return " ".join(out.split())


def amount_forms(value: str) -> list[str]:
    """How an amount may be printed: 1.234,56 / 1234,56 / 1,234.56 / 1234.56 (sign apart)."""
    v = value.lstrip("-")
    whole, _, frac = v.partition(".")
    frac = (frac + "00")[:2]
    grouped = f"{int(whole):,}" if whole.isdigit() else whole
    return [f"{grouped.replace(',', '.')},{frac}", f"{whole},{frac}", f"{grouped}.{frac}", f"{whole}.{frac}"]


def date_forms(iso: str) -> list[str]:
    """How a date may be printed, day first (the corpus is European) or ISO."""
    y, m, d = (int(x) for x in iso.split("-"))
    forms = [iso, f"{d:02d}.{m:02d}.{y}", f"{d}.{m}.{y}", f"{d:02d}.{m:02d}.{y % 100:02d}", f"{d:02d}/{m:02d}/{y}", f"{d:02d}-{m:02d}-{y}"]
    for names in MONTHS.values():
        forms += [f"{d}. {names[m - 1]} {y}", f"{d} {names[m - 1]} {y}", f"{names[m - 1]} {d}, {y}"]
    return forms


def not_printed(gt: dict, text: str) -> list[str]:
    """The fields whose value the PDF's text does not print."""
    lower = text.lower()
    compact = "".join(text.split()).upper()
    out = []
    for field in ("net_total", "vat_total", "amount_due", "due_date", "seller_name", "buyer_name", "seller_vat_id", "iban"):
        v = gt.get(field)
        if not v:
            continue
        if field in ("net_total", "vat_total", "amount_due"):
            seen = any(f in text for f in amount_forms(v))
        elif field == "due_date":
            seen = any(f.lower() in lower for f in date_forms(v))
        elif field in ("seller_name", "buyer_name"):
            # Without spaces: a kerned text layer splits words ("Liefer ant GmbH").
            seen = "".join(v.split()).upper() in compact
        else:
            seen = "".join(v.split()).upper() in compact
        if not seen:
            out.append(field)
    return out


corpus = Path(args.corpus)
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)
seen = set()
made = 0
with open(corpus / "MANIFEST.tsv", newline="") as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
for row in rows:
    if row["folder_validity"] != "correct" or not row["gt"] or row["content_key"] in seen:
        continue
    pdf = corpus / row["pdf"]
    gt_path = pdf.parent / row["gt"]
    if not gt_path.exists():
        continue
    seen.add(row["content_key"])
    name = row["pdf"].replace("/", "__")[:-4]
    target = out / f"{name}.pdf"
    gt = json.load(open(gt_path))
    for field, col in (("invoice_number", "vis_invoice_no"), ("issue_date", "vis_issue_date"), ("gross_total", "vis_gross_total")):
        if row.get(col) != "Y":
            gt[field] = None
    gt["_source"] = row["pdf"]
    # MANIFEST judges three fields; the others are judged the same way, by whether the
    # born-digital PDF's text prints the value at all. `mailroom eval --visible-only` skips
    # what is listed here; a plain `mailroom eval` counts it (the stricter figure).
    gt["_not_printed"] = not_printed(gt, page_text(pdf))
    json.dump(gt, open(out / f"{name}.gt.json", "w"), indent=1, ensure_ascii=False)
    if not target.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdftoppm", "-r", str(args.dpi), "-gray", "-png", str(pdf), f"{tmp}/p"], check=True)
            pages = sorted(Path(tmp).glob("p-*.png"))
            subprocess.run(["img2pdf", *map(str, pages), "-o", str(target)], check=True)
    made += 1
    if args.limit and made >= args.limit:
        break
print(f"{made} scans in {out}", file=sys.stderr)
