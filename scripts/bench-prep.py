#!/usr/bin/env python3
"""Prepares the benchmark inputs under target/bench/ (idempotent):

  scans/   image-only PDFs of the corpus invoices (pdftoppm -r 200 -gray + img2pdf)
  pages/   the same page images as PNG, for the plain `tesseract` command line
  scan40.pdf  one 40-page image-only PDF (peak memory)
  text/    born-digital corpus PDFs with their embedded XML removed (the paper path)
  xml/     standalone e-invoice XMLs (CII and UBL) from the corpus and the XRechnung suite
  hybrid/  ZUGFeRD / Factur-X PDFs
"""
import shutil, subprocess, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
data = root.parent / "shared/data"
out = root / "target/bench"
for d in ("scans", "pages", "text", "xml", "hybrid"):
    (out / d).mkdir(parents=True, exist_ok=True)

subprocess.run([sys.executable, str(root / "scripts/make-scans.py"), "--out", str(out / "scans")], check=True)
pages = sorted((out / "pages").glob("*.png"))
if not pages:
    for pdf in sorted((out / "scans").glob("*.pdf")):
        subprocess.run(["pdfimages", "-png", str(pdf), str(out / "pages" / pdf.stem)], check=True)
    pages = sorted((out / "pages").glob("*.png"))
if not (out / "scan40.pdf").exists():
    subprocess.run(["img2pdf", *map(str, pages[:40]), "-o", str(out / "scan40.pdf")], check=True)

corpus = data / "zugferd-corpus"
if not any((out / "text").iterdir()):
    import pypdfium2 as pdfium
    for pdf in sorted(corpus.rglob("*.pdf")):
        if "/fail/" in str(pdf):
            continue
        try:
            doc = pdfium.PdfDocument(str(pdf))
            for i in reversed(range(doc.count_attachments())):
                doc.del_attachment(i)
            doc.save(str(out / "text" / (str(pdf.relative_to(corpus)).replace("/", "__"))))
            shutil.copy(pdf, out / "hybrid" / (str(pdf.relative_to(corpus)).replace("/", "__")))
        except Exception as e:  # a damaged corpus file is not a benchmark input
            print(f"skip {pdf}: {e}", file=sys.stderr)
if not any((out / "xml").iterdir()):
    for x in list(corpus.rglob("*.xml")) + list((data / "xrechnung-testsuite").rglob("*.xml")):
        if "/fail/" in str(x):
            continue
        head = x.read_bytes()[:4000]
        if b"CrossIndustry" in head or b"Invoice-2" in head or b"CreditNote-2" in head:
            shutil.copy(x, out / "xml" / (str(x.relative_to(x.parents[2])).replace("/", "__")))
print(f"bench inputs in {out}: {len(pages)} page images", file=sys.stderr)
