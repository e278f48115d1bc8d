#!/usr/bin/env python3
"""Linked document sets for the order match (Bestellabgleich): per set an order, the
supplier's order confirmation, its delivery note and its invoice, with consistent numbers,
lines and amounts — or, on purpose, not.

usage: target/py-corpus/bin/python scripts/corpus/linked.py [--out DIR] [--seed N]
       [--count N] [--kinds match,over,short] [--variants scan,digital] [--lang de|en]

Each set is `DIR/<set>/{digital,scans}/{1-order,2-confirmation,3-delivery-note,4-invoice}.pdf`
with a `.gt.json` beside each, and `DIR/sets.tsv` says what kind each set is:

- `match`: everything agrees (the confirmation and the invoice name the order number, the
  invoice names the delivery note, the delivery note delivers every line in full);
- `over`: the invoice's unit prices are 10 % above the order's (so its totals are too);
- `short`: the delivery note delivers less of the last line than the invoice bills.

Set *i* of seed *s* is made only from RNGs seeded with (*s*, *i*), like `generate.py`.
Every document is drawn in its own layout family, as four different ERPs would print them;
the buyer's order comes from the buyer's letterhead.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import random
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import content as C  # noqa: E402
from corpus import degrade, docs, fmt, gt, labels, layouts, render  # noqa: E402

KINDS = ("match", "over", "short")
PARTS = (("1-order", "order"), ("2-confirmation", "order_confirmation"), ("3-delivery-note", "delivery_note"), ("4-invoice", "invoice"))


def _invoice(rng, lang: str) -> docs.Doc:
    """An invoice plain enough to stand for a whole purchase: domestic VAT, euros, company
    parties, at least two lines, no discounts, shipping, prepayment or Skonto."""
    while True:
        d = docs.build(rng, "invoice")
        t = d.totals
        if (d.lang == lang and d.vat_mode == "domestic" and d.currency == "EUR" and len(d.lines) >= 2 and d.buyer.is_company
                and t is not None and not t.prepaid and t.discount is None and t.shipping is None and d.skonto is None
                and not d.negative and d.insurance is None and all(ln.discount is None for ln in d.lines)):
            return d


# How documents that belong to an order name it: the order's own number label, or the
# reference to it on the supplier's papers ("Ihr Zeichen" may hold anything, so it is left out).
ORDER_REFS = {"de": ["Ihre Bestellung", "Ihre Bestell-Nr.", "Bestellnummer", "Bestell-Nr."], "en": ["Your order", "PO number", "Order No.", "Purchase order no."]}


def _derive(rng, inv: docs.Doc, doc_type: str, number: str, issue: dt.date) -> docs.Doc:
    d = copy.deepcopy(inv)
    d.doc_type, d.number, d.issue_date = doc_type, number, issue
    d.title = rng.choice(labels.TITLES[d.lang][doc_type])
    d.lab = labels.pick_labels(rng, d.lang, doc_type)
    d.type_code, d.due_date, d.due_days, d.skonto, d.payment = None, None, None, None, "none"
    d.delivery_date = d.delivery_end = None
    d.delivery_ref = d.delivery_ref_label = None
    d.order_ref_date = None
    d.lab["your_ref"] = rng.choice(ORDER_REFS[d.lang])
    return d


def build_set(rng, kind: str, lang: str) -> list[tuple[str, docs.Doc]]:
    inv = _invoice(rng, lang)
    year = inv.issue_date.year
    ordered = inv.issue_date - dt.timedelta(days=rng.randint(14, 40))
    order_no = C.order_number(rng, year)

    order = _derive(rng, inv, "order", order_no, ordered)
    order.sender, order.recipient = inv.buyer, inv.seller
    order.order_ref = order_no
    order.show_buyer_vat = False
    order.signer = rng.choice(inv.buyer.directors) if inv.buyer.directors else C.person_name(rng, inv.buyer.country)[0]

    confirmation = _derive(rng, inv, "order_confirmation", C.document_number(rng, year, "AB"), ordered + dt.timedelta(days=rng.randint(1, 4)))
    confirmation.order_ref = order_no
    confirmation.delivery_date = inv.issue_date - dt.timedelta(days=rng.randint(1, 5))

    delivered = inv.issue_date - dt.timedelta(days=rng.randint(0, 5))
    note = _derive(rng, inv, "delivery_note", C.document_number(rng, year, "LS"), delivered)
    note.order_ref = order_no
    note.delivery_date = delivered
    note.has_prices, note.totals = False, None
    for ln in note.lines:
        ln.price = ln.amount = None

    inv.order_ref, inv.order_ref_date = order_no, ordered
    inv.lab["your_ref"] = rng.choice(ORDER_REFS[lang])
    inv.delivery_ref = note.number
    inv.delivery_ref_label = rng.choice(labels.L[lang]["number"]["delivery_note"])
    if kind == "over":
        for ln in inv.lines:
            ln.price = fmt.q2(ln.price * Decimal("1.10"))
            ln.amount = fmt.q2(ln.qty * ln.price)
        inv.totals = docs.compute_totals(rng, inv, allow_extras=False)
    elif kind == "short":
        last = note.lines[-1]
        last.qty = max(Decimal(1), (last.qty / 2).quantize(Decimal(1))) if last.qty > 1 else last.qty
        if last.qty == inv.lines[-1].qty:
            inv.lines[-1].qty += 1
            inv.lines[-1].amount = fmt.q2(inv.lines[-1].qty * inv.lines[-1].price)
            inv.totals = docs.compute_totals(rng, inv, allow_extras=False)
    return [("1-order", order), ("2-confirmation", confirmation), ("3-delivery-note", note), ("4-invoice", inv)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="target/linked")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--kinds", default=",".join(KINDS), help="kinds in turn, set i gets kinds[i %% n]")
    ap.add_argument("--variants", default="scan,digital")
    ap.add_argument("--lang", default="de", choices=["de", "en"])
    a = ap.parse_args()
    kinds = [k for k in a.kinds.split(",") if k]
    if not kinds or any(k not in KINDS for k in kinds):
        ap.error(f"--kinds: one or more of {', '.join(KINDS)}")
    variants = set(a.variants.split(","))
    out = Path(a.out)
    rows = ["set\tkind\torder\tdelivery_note\tinvoice"]
    for i in range(a.count):
        kind = kinds[i % len(kinds)]
        name = f"l{a.seed}-{i:03d}-{kind}"
        rng = random.Random(f"linked:{a.seed}:{i}")
        parts = build_set(rng, kind, a.lang)
        for k, (part, doc) in enumerate(parts):
            prng = random.Random(f"linked:{a.seed}:{i}:{part}")
            family = prng.choice([f for f in layouts.families_for(doc.doc_type) if f not in layouts.RECEIPT_ONLY and f != "datenblatt"])
            lay = layouts.pick(prng, family, doc)
            pdf, pages, fields = render.render(doc, lay, seed=f"linked:{a.seed}:{i}:{part}:render")
            meta = {"doc_id": f"{name}-{part}", "doc_type": doc.doc_type, "language": doc.lang, "layout": family, "pages": pages, "split": "linked"}
            truth = gt.build(doc, fields, meta)
            text = json.dumps(truth, ensure_ascii=False, indent=1) + "\n"
            if "digital" in variants:
                (out / name / "digital").mkdir(parents=True, exist_ok=True)
                (out / name / "digital" / f"{part}.pdf").write_bytes(pdf)
                (out / name / "digital" / f"{part}.gt.json").write_text(text, encoding="utf-8")
            if "scan" in variants:
                # An office scanner at 200 dpi, grey, a little skew: the ordinary case.
                plan = degrade.Plan()
                plan.dpi, plan.skew = 200, round(prng.uniform(-0.8, 0.8), 2)
                top = {k: v for k, v in truth["fields_bbox"].items() if "[" not in k}
                scanned, _ = degrade.scan(pdf, plan, [a.seed, i, k], top)
                (out / name / "scans").mkdir(parents=True, exist_ok=True)
                (out / name / "scans" / f"{part}.pdf").write_bytes(scanned)
                (out / name / "scans" / f"{part}.gt.json").write_text(text, encoding="utf-8")
        numbers = {p: d.number for p, d in parts}
        rows.append(f"{name}\t{kind}\t{numbers['1-order']}\t{numbers['3-delivery-note']}\t{numbers['4-invoice']}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "sets.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"linked: {a.count} sets in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
