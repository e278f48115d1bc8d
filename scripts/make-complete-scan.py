#!/usr/bin/env python3
"""Makes fixtures/scans/rechnung-vollstaendig.pdf: a scanned German invoice that shows every
value EN 16931 requires (both parties' VAT IDs, an item table with units, the VAT breakdown,
the totals, the amount due, the IBAN), so that the test of the scanned-invoice export has one
paper invoice it can turn into valid EN 16931 XML without inventing anything.

The invoice is typeset with reportlab, rendered like the corpus scans (`pdftoppm -r 200 -gray`)
and joined with img2pdf; its ground truth goes beside it. Run with the corpus generator's
Python (bash scripts/setup-corpus.sh): target/py-corpus/bin/python scripts/make-complete-scan.py
"""
import json, subprocess, tempfile
from pathlib import Path
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

root = Path(__file__).resolve().parent.parent
out = root / "fixtures/scans/rechnung-vollstaendig.pdf"
items = [
    ("1", "Montage Regalsystem Lager Süd", "6", "Std.", "68,50", "411,00"),
    ("2", "Schwerlastregal 2000 x 1000 mm", "4", "Stk", "189,90", "759,60"),
    ("3", "Bodenanker verzinkt", "24", "Stk", "2,35", "56,40"),
]
tmp = Path(tempfile.mkdtemp())
pdf = tmp / "rechnung.pdf"
c = canvas.Canvas(str(pdf), pagesize=A4)
W, H = A4
def t(x, y, s, size=10, bold=False):
    c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
    c.drawString(x * mm, H - y * mm, s)
def r(x, y, s, size=10, bold=False):
    c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
    c.drawRightString(x * mm, H - y * mm, s)
t(125, 20, "Lagertechnik Brandt GmbH", 12, True)
t(125, 26, "Industriestraße 14")
t(125, 31, "70565 Stuttgart")
t(125, 36, "Tel. 0711 4455660")
t(20, 45, "Lagertechnik Brandt GmbH · Industriestraße 14 · 70565 Stuttgart", 7)
t(20, 52, "Müller & Söhne Logistik KG")
t(20, 57, "Hafenweg 3")
t(20, 62, "28197 Bremen")
t(125, 75, "Rechnungsnummer: RE-2025-0417")
t(125, 80, "Rechnungsdatum: 26.06.2025")
t(125, 85, "Kundennummer: 10233")
t(125, 90, "Ihre USt-IdNr.: DE811569869")
t(20, 100, "Rechnung", 16, True)
t(20, 108, "Sehr geehrte Damen und Herren, wir berechnen Ihnen folgende Leistungen:")
y = 120
t(20, y, "Pos.", bold=True); t(32, y, "Bezeichnung", bold=True); r(128, y, "Menge", bold=True)
t(131, y, "Einheit", bold=True); r(165, y, "Einzelpreis", bold=True); r(190, y, "Gesamt", bold=True)
c.line(20 * mm, H - (y + 2) * mm, 190 * mm, H - (y + 2) * mm)
for i, (pos, name, qty, unit, price, total) in enumerate(items):
    yy = y + 8 + 7 * i
    t(20, yy, pos); t(32, yy, name); r(128, yy, qty); t(131, yy, unit); r(165, yy, price); r(190, yy, total)
yy = y + 8 + 7 * len(items)
c.line(20 * mm, H - (yy - 3) * mm, 190 * mm, H - (yy - 3) * mm)
t(120, yy + 4, "Nettobetrag"); r(190, yy + 4, "1.227,00 €")
t(120, yy + 10, "zzgl. 19 % USt auf 1.227,00 €"); r(190, yy + 10, "233,13 €")
t(120, yy + 17, "Gesamtbetrag", bold=True); r(190, yy + 17, "1.460,13 €", bold=True)
t(20, yy + 32, "Zahlbar ohne Abzug bis 26.07.2025.")
t(20, 270, "Lagertechnik Brandt GmbH · Amtsgericht Stuttgart HRB 765432 · USt-IdNr.: DE136695976", 8)
t(20, 275, "Commerzbank · IBAN: DE02 1203 0000 0000 2020 51 · BIC: BYLADEM1001", 8)
c.showPage()
c.save()
subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", str(pdf), str(tmp / "p")], check=True)
subprocess.run(["img2pdf", *map(str, sorted(tmp.glob("p-*.png"))), "-o", str(out)], check=True)
gt = {
    "document_type_code": "380", "invoice_number": "RE-2025-0417", "issue_date": "2025-06-26", "due_date": "2025-07-26",
    "seller_name": "Lagertechnik Brandt GmbH", "seller_vat_id": "DE136695976",
    "buyer_name": "Müller & Söhne Logistik KG", "buyer_vat_id": "DE811569869",
    "iban": "DE02120300000000202051", "currency": "EUR", "net_total": "1227.00",
    "vat_total": "233.13", "gross_total": "1460.13", "amount_due": "1460.13",
    "line_items": [
        {"line_id": p, "name": n, "quantity": q.replace(",", "."), "net_line_amount": a.replace(".", "").replace(",", ".")}
        for p, n, q, _, _, a in items
    ],
}
out.with_suffix("").with_suffix(".gt.json").write_text(json.dumps(gt, ensure_ascii=False, indent=2) + "\n")
print(out)
