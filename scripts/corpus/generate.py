#!/usr/bin/env python3
"""Generates the synthetic training corpus: business documents of 11 types in ~20 layout
families, each as a born-digital PDF and as a degraded scan, with ground truth beside it.

usage: target/py-corpus/bin/python scripts/corpus/generate.py [--out DIR] [--seed N]
       [--count N] [--jobs N] [--variants scan,digital] [--holdout F1,F2,…] [--no-check]

Document i of seed s is made only from RNGs seeded with (s, i), so any subset, any job
count and any order give the same files. Layout families in --holdout go to split `test`
only; of the other documents a share goes to `test_seen`, the rest to `train`.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import degrade, docs, fmt, gt, labels, layouts, render  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HOLDOUT = ["seitenleiste", "wortmarke", "formular", "adresse_rechts"]
TEST_SEEN_SHARE = 0.1
SPLITS = ("train", "test", "test_seen")
MANIFEST_COLUMNS = ["doc_id", "split", "doc_type", "language", "layout", "pages", "degradations"]


def doc_id(seed: int, index: int) -> str:
    return f"g{seed}-{index:06d}"


def make(job: tuple) -> dict:
    """Generates document `index`; returns its manifest row."""
    seed, index, out, variants, holdout = job
    rng = random.Random(f"{seed}:{index}")
    doc_type = rng.choices(docs.DOC_TYPES, docs.TYPE_WEIGHTS)[0]
    if doc_type == "receipt" and rng.random() < 0.5:
        family = "thermal"
    else:
        family = rng.choice([f for f in layouts.families_for(doc_type) if f not in layouts.RECEIPT_ONLY])
    # E-invoice data sheets: a draw of their own, so adding them left every other
    # document of the seed as it was.
    if doc_type in ("invoice", "credit_note") and random.Random(f"{seed}:{index}:datenblatt").random() < 0.15:
        family = "datenblatt"
    split = "test" if family in holdout else ("test_seen" if rng.random() < TEST_SEEN_SHARE else "train")
    doc = docs.build(rng, doc_type)
    # Corrected invoices (UNTDID 384, an invoice in EN 16931): also a draw of their own.
    corrected = random.Random(f"{seed}:{index}:corrected")
    if doc_type == "invoice" and corrected.random() < 0.08:
        doc.title = corrected.choice(labels.CORRECTED_TITLES[doc.lang])
        doc.type_code = "384"
    # Insurance premium invoices ("Beitragsrechnung"): a draw of its own as well.
    premium = random.Random(f"{seed}:{index}:premium")
    # On data sheets too, by a draw of their own: the FeRD insurer samples are e-invoices
    # whose viewer prints "Rechnung des Versicherers" over the parties' sections.
    premium_sheet = random.Random(f"{seed}:{index}:premium-sheet")
    if doc_type == "invoice" and doc.lang == "de" and doc.vat_mode == "domestic" and doc.type_code is None \
            and (family != "datenblatt" and premium.random() < 0.25 or family == "datenblatt" and premium_sheet.random() < 0.3):
        docs.make_insurance_premium(premium, doc)
        if family == "datenblatt":
            doc.title = premium_sheet.choice(["Rechnung des Versicherers", "Beitragsrechnung", "Rechnung"])
        # A third of them name the contract in the subject, not the document type.
        subject = random.Random(f"{seed}:{index}:premium-subject")
        if subject.random() < 0.35:
            docs.insurance_subject(subject, doc)
    # Service-charge invoices ("Betriebskostenabrechnung"): a landlord's yearly running
    # costs, advance payments deducted; a draw of their own as well.
    service = random.Random(f"{seed}:{index}:service-charge")
    if doc_type == "invoice" and doc.lang == "de" and doc.vat_mode == "domestic" and doc.type_code is None and doc.insurance is None \
            and service.random() < 0.2:
        docs.make_service_charge(service, doc)
    # Indian GST invoices ("Tax Invoice", GSTIN, HSN/SAC, CGST + SGST or IGST, rupees in
    # lakh grouping): a third of the English invoices, by a draw of their own as well.
    india = random.Random(f"{seed}:{index}:india")
    if doc_type == "invoice" and doc.lang == "en" and doc.type_code is None and family != "datenblatt" and india.random() < 0.35:
        docs.make_gst_invoice(india, doc)
    # Partial and final invoices that deduct what was paid on account ("Erhaltene Anzahlungen",
    # "abzgl. Abschlagszahlung"): 8 % of invoices had one; a draw of their own adds as many again.
    prepay = random.Random(f"{seed}:{index}:prepaid")
    t = doc.totals
    if doc_type == "invoice" and t is not None and not t.prepaid and not doc.negative and doc.payment != "paid" \
            and doc.skonto is None and prepay.random() < 0.1:
        t.prepaid = fmt.q2(t.gross * Decimal(prepay.choice([20, 25, 30, 40, 50, 60])) / 100)
        t.amount_due = t.gross - t.prepaid
    lay = layouts.pick(rng, family, doc)
    # Totals as an ERP's column table (net | VAT | rate | gross, a row per rate and a sum
    # row): a draw of its own too.
    columns = random.Random(f"{seed}:{index}:columns")
    if doc_type in ("invoice", "credit_note") and doc.has_prices and doc.totals is not None and doc.vat_mode in ("domestic", "foreign") \
            and not doc.totals.prepaid and not lay.thermal and family != "datenblatt" and columns.random() < 0.15:
        lay.totals = "columns"
    pdf, pages, fields = render.render(doc, lay, seed=f"{seed}:{index}:render")
    did = doc_id(seed, index)
    meta = {"doc_id": did, "doc_type": doc_type, "language": doc.lang, "seller_country": (doc.seller or doc.sender).country,
            "layout": family, "pages": pages, "split": split}
    truth_dict = gt.build(doc, fields, meta)
    truth = json.dumps(truth_dict, ensure_ascii=False, indent=1) + "\n"
    row = {"doc_id": did, "split": split, "doc_type": doc_type, "language": doc.lang, "layout": family,
           "pages": str(pages), "degradations": ""}
    base = Path(out) / split
    if "digital" in variants:
        (base / "digital" / f"{did}.pdf").write_bytes(pdf)
        (base / "digital" / f"{did}.gt.json").write_text(truth, encoding="utf-8")
    if "scan" in variants:
        plan = degrade.plan(random.Random(f"{seed}:{index}:scan"), pages)
        # Top-level fields only: those are what an evaluation counts.
        top = {k: v for k, v in truth_dict["fields_bbox"].items() if "[" not in k}
        scanned, unreadable = degrade.scan(pdf, plan, [seed, index], top)
        if unreadable:
            unreadable = recorded_everywhere(pdf, truth_dict, unreadable)
        (base / "scans" / f"{did}.pdf").write_bytes(scanned)
        # The scan's truth adds the fields the degradation made illegible (degrade.py), which
        # an evaluation counting only visible values leaves out (`mailroom eval --visible-only`).
        scan_truth = dict(truth_dict, _not_legible=unreadable)
        (base / "scans" / f"{did}.gt.json").write_text(json.dumps(scan_truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        row["degradations"] = plan.describe()
    return row


def recorded_everywhere(pdf: bytes, truth: dict, keys: list[str]) -> list[str]:
    """Of `keys`, those whose every printed occurrence has a box: the legibility measure
    sees only boxed occurrences, so a value also printed where no box was recorded (a
    letterhead in capitals) is kept as legible rather than judged on part of its prints."""
    from corpus import check
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        layout, _ = check.pdftext(Path(f.name))
    values = check.flat(truth)
    out = []
    for key in keys:
        entry = truth["fields_bbox"][key]
        if key in values and check.printed_lines(key, values[key], layout) <= 1 + len(entry.get("also", [])):
            out.append(key)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "target/corpus"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--variants", default="scan,digital", help="comma-separated: digital, scan")
    ap.add_argument("--holdout", default=",".join(HOLDOUT), help="layout families used only in split test")
    ap.add_argument("--no-check", action="store_true", help="skip check.py on the digital PDFs afterwards")
    args = ap.parse_args()
    variants = {v.strip() for v in args.variants.split(",") if v.strip()}
    if not variants or variants - {"digital", "scan"}:
        ap.error("--variants takes digital and/or scan")
    holdout = {h for h in args.holdout.split(",") if h}
    unknown = holdout - set(layouts.FAMILIES)
    if unknown:
        ap.error(f"unknown layout families: {', '.join(sorted(unknown))}")
    out = Path(args.out)
    for split in SPLITS:   # a fresh corpus: stale documents of an earlier run must not remain
        shutil.rmtree(out / split, ignore_errors=True)
        for v in ("digital", "scans"):
            if (v == "scans" and "scan" in variants) or (v == "digital" and "digital" in variants):
                (out / split / v).mkdir(parents=True, exist_ok=True)
    jobs = [(args.seed, i, str(out), variants, holdout) for i in range(args.count)]
    t0 = time.time()
    with multiprocessing.Pool(args.jobs) as pool:
        rows = []
        for n, row in enumerate(pool.imap(make, jobs, chunksize=4), 1):
            rows.append(row)
            if n % 100 == 0 or n == args.count:
                el = time.time() - t0
                print(f"generate: {n}/{args.count} documents, {el:.0f} s ({100 * el / n:.1f} s per 100)", file=sys.stderr)
    elapsed = time.time() - t0
    with open(out / "manifest.tsv", "w", encoding="utf-8") as f:
        f.write("\t".join(MANIFEST_COLUMNS) + "\n")
        for row in rows:
            f.write("\t".join(row[c] for c in MANIFEST_COLUMNS) + "\n")
    counts = {s: sum(r["split"] == s for r in rows) for s in SPLITS}
    print(f"generate: {args.count} documents ({', '.join(f'{k} {v}' for k, v in counts.items())}) "
          f"in {elapsed:.0f} s with {args.jobs} jobs: {100 * elapsed / max(args.count, 1):.1f} s per 100 documents; "
          f"variants {','.join(sorted(variants))}; out {out}", file=sys.stderr)
    if "digital" in variants and not args.no_check:
        from corpus import check
        return check.run(out, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
