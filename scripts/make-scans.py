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
