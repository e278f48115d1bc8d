#!/usr/bin/env python3
"""Rebuilds the test fixtures in fixtures/ from the public corpora in ../shared/data.

The fixtures are committed; this script documents where each one comes from and makes them
again if needed. Needs pdftoppm, img2pdf, qpdf and Pillow (`pip install pillow`).

fixtures/documents/  good documents for the demo run (README command 1)
fixtures/scans/      image-only PDFs made from corpus invoices, with their .gt.json
fixtures/bad/        inputs that must be quarantined
"""
import csv, json, shutil, subprocess, tempfile, zlib, struct
from pathlib import Path
from PIL import Image

root = Path(__file__).resolve().parent.parent
corpus = root.parent / "shared/data/zugferd-corpus"
suite = root.parent / "shared/data/xrechnung-testsuite"
fx = root / "fixtures"
docs, scans, bad = fx / "documents", fx / "scans", fx / "bad"
for d in (docs, scans, bad):
    d.mkdir(parents=True, exist_ok=True)

def render(pdf, dpi=200, first=None):
    tmp = Path(tempfile.mkdtemp())
    args = ["pdftoppm", "-r", str(dpi), "-gray", "-png"]
    if first:
        args += ["-f", str(first), "-l", str(first)]
    subprocess.run(args + [str(pdf), f"{tmp}/p"], check=True)
    return sorted(tmp.glob("p-*.png"))

def scan(pdf, out):
    pages = render(pdf)
    subprocess.run(["img2pdf", *map(str, pages), "-o", str(out)], check=True)

# Scans with ground truth: small one-page invoices of different layouts.
for rel in [
    "ZUGFeRDv1/correct/Mustangproject/MustangGnuaccountingBeispielRE-20151008_504.pdf",
    "ZUGFeRDv1/correct/Intarsys/ZUGFeRD_1p0_BASIC_Einfach.pdf",
    "ZUGFeRDv2/correct/FNFE-factur-x-examples/Avoir_FR_type381_BASIC.pdf",
    "XML-Rechnung/FX/EN16931_2_Teilrechnung.pdf",
]:
    src = corpus / rel
    name = src.stem
    scan(src, scans / f"{name}.pdf")
    # Fields that MANIFEST says are not printed on the page cannot be read from a scan.
    gt = json.load(open(src.with_suffix(".gt.json")))
    row = next(r for r in csv.DictReader(open(corpus / "MANIFEST.tsv"), delimiter="\t") if r["pdf"] == rel)
    for field, col in (("invoice_number", "vis_invoice_no"), ("issue_date", "vis_issue_date"), ("gross_total", "vis_gross_total")):
        if row[col] != "Y":
            gt[field] = None
    json.dump(gt, open(scans / f"{name}.gt.json", "w"), indent=1, ensure_ascii=False)

# Image files, turned and skewed like real scans.
page = Image.open(render(corpus / "ZUGFeRDv1/correct/Konik/acme_invoice-42_ZUGFeRD.pdf")[0]).convert("L")
page.save(docs / "invoice-page.png", dpi=(200, 200))
page.rotate(-90, expand=True).save(docs / "invoice-turned-90.jpg", quality=85, dpi=(200, 200))
page.rotate(90, expand=True).save(docs / "invoice-turned-270.png", dpi=(200, 200))
page.rotate(180).save(bad.parent / "documents" / "invoice-upside-down.png", dpi=(200, 200))
page.rotate(2.5, expand=True, fillcolor=255).save(docs / "invoice-skewed.png", dpi=(200, 200))
p1 = Image.open(render(corpus / "XML-Rechnung/FX/EN16931_1_Teilrechnung.pdf")[0]).convert("L")
p2 = Image.open(render(corpus / "XML-Rechnung/FX/EN16931_1_Teilrechnung.pdf")[1]).convert("L")
p1.save(docs / "two-pages.tif", save_all=True, append_images=[p2], compression="tiff_deflate", dpi=(200, 200))

# Born-digital PDF without XML, an e-invoice PDF, a standalone XRechnung.
shutil.copy(corpus / "unstructured/RE-E-974-Hetzner_2016-01-19_R0005532486.pdf", docs / "born-digital-invoice.pdf")
shutil.copy(corpus / "ZUGFeRDv2/correct/Mustangproject/MustangGnuaccountingBeispielRE-20201121_508.pdf", docs / "zugferd-invoice.pdf")
xr = next(suite.rglob("01.01a-INVOICE_uncefact.xml"))
shutil.copy(xr, docs / "xrechnung-cii.xml")
# Owner password only (printing restricted): readable without a password, must be processed.
subprocess.run(["qpdf", "--encrypt", "", "owner-secret", "256", "--print=none", "--", str(corpus / "unstructured/RE-E-974-Hetzner_2016-01-19_R0005532486.pdf"), str(docs / "owner-password-only.pdf")], check=True)

# Bad inputs.
(bad / "empty.pdf").write_bytes(b"")
good = (docs / "born-digital-invoice.pdf").read_bytes()
(bad / "truncated.pdf").write_bytes(good[: len(good) // 2])
(bad / "not-a-document.pdf").write_text("Dies ist keine PDF-Datei, nur Text mit falscher Endung.\n")
subprocess.run(["qpdf", "--encrypt", "user-secret", "owner-secret", "256", "--", str(docs / "born-digital-invoice.pdf"), str(bad / "user-password.pdf")], check=True)
png = (docs / "invoice-page.png").read_bytes()
(bad / "truncated.png").write_bytes(png[: len(png) // 3])

def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

# Decompression bomb: 50000×50000 grey pixels (2.5 GB decoded) in a few KB.
w = h = 50000
raw = zlib.compressobj(9)
body = b"".join(raw.compress(b"\x00" + b"\xff" * w) for _ in range(200)) + raw.flush()
(bad / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b""))

(bad / "xxe.xml").write_text("""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"><a>&x;</a></rsm:CrossIndustryInvoice>
""")
lol = "\n".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
(bad / "billion-laughs.xml").write_text(f"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY l0 "lol">
{lol}]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"><a>&l9;</a></rsm:CrossIndustryInvoice>
""")
print("fixtures written")
