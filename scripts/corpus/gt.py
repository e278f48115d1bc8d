"""Ground truth: the `.gt.json` of a document, in the shape of the ZUGFeRD corpus ground
truth (flat normalised strings, `line_items`, `vat_breakdown`) plus extras (`doc_type`,
`language`, `layout`, `pages`, `split`, further fields, `fields_bbox`).

A value is non-null only where the renderer recorded that it drew it, so the ground truth
never holds what the page does not show. `fields_bbox` holds, per printed value, the first
place it was drawn (`{"page", "bbox"}`, PDF points, top-left origin) and, under `also`,
any further places the same value was printed.
"""
from __future__ import annotations

import re
from decimal import Decimal

from .docs import Doc

TOP_FIELDS = [
    "invoice_number", "document_type_code", "issue_date", "due_date", "delivery_date", "seller_name",
    "seller_vat_id", "seller_tax_number", "buyer_name", "buyer_vat_id", "iban", "bic", "currency",
    "line_total", "net_total", "vat_total", "gross_total", "amount_due", "order_reference",
    "delivery_note_reference",
]
EXTRA_FIELDS = [
    "document_number", "customer_number", "sender_name", "recipient_name", "delivery_period_start",
    "delivery_period_end", "valid_until", "allowance_total", "charge_total", "prepaid_amount",
]
LINE_FIELDS = ["line_id", "name", "quantity", "unit_code", "net_unit_price", "net_line_amount", "vat_rate"]


def a2(x: Decimal) -> str:
    return f"{x:.2f}"


def a4(x: Decimal) -> str:
    return f"{x:.4f}"


def norm_vat_id(v: str) -> str:
    """Upper case, letters and digits only; a Swiss UID loses its MWST/TVA suffix."""
    v = re.sub(r"[^0-9A-Za-z]", "", v).upper()
    return re.sub(r"(MWST|TVA|IVA)$", "", v) if v.startswith("CHE") else v


def canonical(doc: Doc) -> dict:
    """Every value the document could print, normalised, keyed like the ground truth."""
    d, t = doc, doc.totals
    v: dict = {}
    # A credit note's amounts are positive in the ground truth, as EN 16931 has them and
    # mailroom indexes them: the type says which way the money goes, whatever the print.
    pos = (lambda x: abs(x) if x is not None else None) if d.doc_type == "credit_note" and d.negative else (lambda x: x)
    if d.number:
        v["document_number"] = d.number
        if d.doc_type in ("invoice", "credit_note"):
            v["invoice_number"] = d.number
    v["document_type_code"] = d.type_code or {"invoice": "380", "credit_note": "381"}.get(d.doc_type)
    v["issue_date"] = d.issue_date.isoformat()
    if d.due_date:
        v["due_date"] = d.due_date.isoformat()
    if d.delivery_date:
        key = "delivery_period_start" if d.delivery_end else "delivery_date"
        v[key] = d.delivery_date.isoformat()
    if d.delivery_end:
        v["delivery_period_end"] = d.delivery_end.isoformat()
    if d.valid_until:
        v["valid_until"] = d.valid_until.isoformat()
    for role, party in (("seller", d.seller), ("buyer", d.buyer)):
        if party:
            v[f"{role}_name"] = party.name
            if party.vat_id:
                v[f"{role}_vat_id"] = norm_vat_id(party.vat_id)
    if d.seller and d.seller.tax_number:
        v["seller_tax_number"] = d.seller.tax_number
    v["sender_name"] = d.sender.name
    v["recipient_name"] = d.recipient.name
    bank = d.sender.bank
    if bank and bank.iban:
        v["iban"], v["bic"] = bank.iban, bank.bic
    v["currency"] = d.currency
    if d.order_ref:
        v["order_reference"] = d.order_ref
    if d.doc_type == "delivery_note" and d.number:
        v["delivery_note_reference"] = d.number
    elif d.delivery_ref:
        v["delivery_note_reference"] = d.delivery_ref
    if d.customer_no:
        v["customer_number"] = d.customer_no
    if t:
        v.update(line_total=a2(pos(t.line_total)), net_total=a2(pos(t.net)), vat_total=a2(pos(t.vat_total)),
                 gross_total=a2(pos(t.gross)), amount_due=a2(pos(t.amount_due)))
        if t.discount is not None:
            v["allowance_total"] = a2(pos(t.discount))
        if t.shipping is not None:
            v["charge_total"] = a2(pos(t.shipping))
        if t.prepaid is not None:
            v["prepaid_amount"] = a2(pos(t.prepaid))
        for i, (r, b, a) in enumerate(t.breakdown):
            v[f"vat_breakdown[{i}].rate"], v[f"vat_breakdown[{i}].base"], v[f"vat_breakdown[{i}].amount"] = a2(r), a2(pos(b)), a2(pos(a))
    for i, ref in enumerate(d.referenced):
        v[f"referenced_invoices[{i}]"] = ref.number
    if not d.gross_prices and d.other_kind is None:
        for i, ln in enumerate(d.lines):
            k = f"line_items[{i}]."
            v[k + "line_id"] = str(ln.pos)
            v[k + "name"] = ln.name
            v[k + "quantity"] = a4(pos(ln.qty))
            v[k + "unit_code"] = _unit_code(ln.unit_key)
            if ln.price is not None:
                v[k + "net_unit_price"] = a4(ln.price)
            if ln.amount is not None:
                v[k + "net_line_amount"] = a2(pos(ln.amount))
            if ln.vat_rate is not None:
                v[k + "vat_rate"] = a2(ln.vat_rate)
            if ln.discount:
                v[k + "discount_percent"] = a2(ln.discount)
    return v


def _unit_code(key: str) -> str:
    from .content import UNITS
    return UNITS[key][0]


def build(doc: Doc, fields: dict, meta: dict) -> dict:
    """The ground-truth dict from the document and the recorded boxes (`fields`)."""
    vals = canonical(doc)
    printed = {k: v for k, v in vals.items() if k in fields}
    gt: dict = {}
    for k in TOP_FIELDS:
        gt[k] = printed.get(k)
    # Line ids are identifiers: always present for a listed line; the rest only if printed.
    items = []
    if not doc.gross_prices and doc.other_kind is None:
        for i, ln in enumerate(doc.lines):
            k = f"line_items[{i}]."
            item = {f: printed.get(k + f) for f in LINE_FIELDS}
            item["line_id"] = vals[k + "line_id"]
            if k + "discount_percent" in vals:
                item["discount_percent"] = printed.get(k + "discount_percent")
            items.append(item)
    gt["line_items"] = items
    vb = []
    if doc.totals:
        for i in range(len(doc.totals.breakdown)):
            entry = {f: printed.get(f"vat_breakdown[{i}].{f}") for f in ("rate", "base", "amount")}
            if any(entry.values()):
                vb.append(entry)
    gt["vat_breakdown"] = vb
    for k in EXTRA_FIELDS:
        gt[k] = printed.get(k)
    gt["referenced_invoices"] = [printed[f"referenced_invoices[{i}]"] for i in range(len(doc.referenced))
                                 if f"referenced_invoices[{i}]" in printed]
    gt.update(meta)
    boxes = {}
    for k in sorted(printed, key=_key_order):
        (page, bbox), *rest = fields[k]
        entry = {"page": page, "bbox": bbox}
        if rest:
            entry["also"] = [{"page": p, "bbox": b} for p, b in rest]
        boxes[k] = entry
    gt["fields_bbox"] = boxes
    return gt


def _key_order(k: str):
    m = re.match(r"(\w+)\[(\d+)\]\.?(\w*)", k)
    if m:
        return (1, m.group(1), int(m.group(2)), m.group(3))
    order = TOP_FIELDS + EXTRA_FIELDS
    return (0, f"{order.index(k):03d}" if k in order else k, 0, "")
