//! `mailroom process` end to end on real documents: text-layer PDFs, scans, images in every
//! orientation, multi-page TIFF, e-invoices; the archive it writes; idempotency.

mod common;
use common::*;
use std::process::Command as Std;

#[test]
fn born_digital_pdf_is_read_from_its_text_layer_and_archived_as_received() {
    let archive = tempfile::tempdir().unwrap();
    let src = fixture("documents/born-digital-invoice.pdf");
    let run = process(archive.path(), std::slice::from_ref(&src));
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let idx = run.by_name("born-digital-invoice.pdf");
    assert_eq!(idx["schema"], "mailroom.document/1");
    assert_eq!(idx["source_format"], "pdf_text");
    assert_eq!(idx["doc_type"]["label"], "invoice");
    assert_eq!(field(idx, "invoice_number"), Some("R0005532486"));
    assert_eq!(field(idx, "issue_date"), Some("2016-01-19"));
    assert_eq!(field(idx, "gross_total"), Some("104.00"));
    // Text-layer values carry the page and a box inside the page.
    let bbox = idx["fields"]["gross_total"]["bbox"].as_array().unwrap();
    assert!(bbox[0].as_f64().unwrap() >= 0.0 && bbox[2].as_f64().unwrap() <= 596.0 && bbox[1].as_f64() < bbox[3].as_f64());
    assert_eq!(idx["fields"]["gross_total"]["page"], 1);
    // Archived as received, named by its SHA-256; no PDF/A for a born-digital PDF.
    let original = std::fs::read(&src).unwrap();
    let id = idx["id"].as_str().unwrap();
    let stored = idx["archive"]["original"].as_str().unwrap();
    assert!(stored.contains(id));
    assert_eq!(std::fs::read(archive.path().join(stored)).unwrap(), original);
    assert!(idx["archive"]["pdfa"].is_null());
    assert!(archive.path().join(idx["archive"]["words"].as_str().unwrap()).exists());
}

#[test]
fn processing_the_same_bytes_again_writes_nothing_and_returns_the_stored_index() {
    let archive = tempfile::tempdir().unwrap();
    let src = fixture("documents/born-digital-invoice.pdf");
    let first = process(archive.path(), std::slice::from_ref(&src));
    assert_eq!(first.code(), 0);
    let before = listing(archive.path());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = process(archive.path(), &[src]);
    assert_eq!(second.code(), 0, "{}", second.stderr());
    assert_eq!(listing(archive.path()), before, "the second run changed the archive");
    assert_eq!(second.indexes, first.indexes, "the stored index must come back unchanged");
    assert!(second.stderr().contains("already archived"));
}

#[test]
fn json_mode_prints_one_index_per_line_and_nothing_else_on_stdout() {
    let archive = tempfile::tempdir().unwrap();
    let run = process(archive.path(), &[fixture("documents/born-digital-invoice.pdf"), fixture("documents/xrechnung-cii.xml")]);
    let stdout = String::from_utf8(run.output.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 2);
    assert!(stdout.lines().all(|l| l.starts_with("{\"schema\":\"mailroom.document/1\"")));
}

#[test]
fn scanned_images_in_any_orientation_come_out_right() {
    let archive = tempfile::tempdir().unwrap();
    let files = ["invoice-page.png", "invoice-turned-90.jpg", "invoice-turned-270.png", "invoice-upside-down.png", "invoice-skewed.png"];
    let run = process(archive.path(), &files.iter().map(|f| fixture(&format!("documents/{f}"))).collect::<Vec<_>>());
    assert_eq!(run.code(), 0, "{}", run.stderr());
    for f in files {
        let idx = run.by_name(f);
        assert_eq!(idx["source_format"], "scan", "{f}");
        assert_eq!(field(idx, "invoice_number"), Some("42"), "{f}");
        assert_eq!(field(idx, "issue_date"), Some("2014-01-31"), "{f}");
        assert_eq!(field(idx, "gross_total"), Some("1589.80"), "{f}");
        // Boxes are in the upright page (portrait A4 at the image's 200 dpi).
        let bbox = idx["fields"]["gross_total"]["bbox"].as_array().unwrap();
        assert!(bbox[2].as_f64().unwrap() < 640.0 && bbox[3].as_f64().unwrap() < 880.0, "{f}: {bbox:?}");
    }
    let turned = run.by_name("invoice-turned-90.jpg");
    let words: serde_json::Value = serde_json::from_slice(&std::fs::read(archive.path().join(turned["archive"]["words"].as_str().unwrap())).unwrap()).unwrap();
    assert_eq!(words[0]["rotation"], 270, "a page scanned turned 90° clockwise is turned back by 270°");
    assert!(words[0]["height"].as_f64() > words[0]["width"].as_f64());
}

#[test]
fn scans_become_a_searchable_pdfa() {
    let archive = tempfile::tempdir().unwrap();
    let run = process(archive.path(), &[fixture("documents/invoice-page.png")]);
    let idx = run.by_name("invoice-page.png");
    let pdfa = archive.path().join(idx["archive"]["pdfa"].as_str().expect("scans get a PDF/A"));
    let bytes = std::fs::read(&pdfa).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("pdfaid:part>2<") || text.contains("pdfaid:part=\"2\""), "XMP must claim PDF/A-2");
    assert!(text.contains("pdfaid:conformance>B<") || text.contains("pdfaid:conformance=\"B\""), "conformance B");
    assert!(text.contains("/GTS_PDFA1") && text.contains("/DestOutputProfile"), "sRGB output intent");
    assert!(text.contains("/FontFile2"), "embedded font");
    assert!(!text.contains("/Encrypt"), "no encryption");
    let qpdf = Std::new("qpdf").arg("--check").arg(&pdfa).output().unwrap();
    let qpdf_out = String::from_utf8_lossy(&qpdf.stdout).to_string() + &String::from_utf8_lossy(&qpdf.stderr);
    assert!(qpdf.status.success() && !qpdf_out.contains("WARNING"), "qpdf --check: {qpdf_out}");
    let txt = Std::new("pdftotext").arg(&pdfa).arg("-").output().unwrap();
    let txt = String::from_utf8_lossy(&txt.stdout);
    for w in ["Rechnungsdatum", "Coyote", "Friedrichshafen", "1.589,80"] {
        assert!(txt.contains(w), "pdftotext does not find {w:?} in the PDF/A:\n{txt}");
    }
    // The original image is kept as received too.
    let original = std::fs::read(fixture("documents/invoice-page.png")).unwrap();
    assert_eq!(std::fs::read(archive.path().join(idx["archive"]["original"].as_str().unwrap())).unwrap(), original);
}

#[test]
fn multi_page_tiff_gives_one_document_with_all_pages() {
    let archive = tempfile::tempdir().unwrap();
    let run = process(archive.path(), &[fixture("documents/two-pages.tif")]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let idx = run.by_name("two-pages.tif");
    assert_eq!(idx["pages"], 2);
    assert_eq!(idx["source"]["media_type"], "image/tiff");
    assert_eq!(field(idx, "issue_date"), Some("2018-06-05"));
}

#[test]
fn scans_of_corpus_invoices_match_their_ground_truth() {
    let archive = tempfile::tempdir().unwrap();
    let dir = fixture("scans");
    let mut pdfs: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "pdf")).collect();
    pdfs.sort();
    let run = process(archive.path(), &pdfs);
    for pdf in &pdfs {
        let name = pdf.file_name().unwrap().to_str().unwrap();
        let gt: serde_json::Value = serde_json::from_slice(&std::fs::read(pdf.with_extension("gt.json")).unwrap()).unwrap();
        let idx = run.by_name(name);
        assert_eq!(idx["source_format"], "scan", "{name} is image-only");
        // A null ground truth is a value not printed on the page (MANIFEST `vis_*`): not counted.
        if let Some(n) = gt["invoice_number"].as_str() {
            assert_eq!(field(idx, "invoice_number"), Some(n), "{name}");
        }
        if let Some(d) = gt["issue_date"].as_str() {
            assert_eq!(field(idx, "issue_date"), Some(d), "{name}");
        }
        if let Some(g) = gt["gross_total"].as_str() {
            let gross: f64 = g.parse().unwrap();
            assert_eq!(field(idx, "gross_total").map(|g| g.parse::<f64>().unwrap()), Some(gross), "{name}");
        }
        assert_eq!(idx["doc_type"]["label"], mailroom::training::eval::doc_type_for_code(gt["document_type_code"].as_str().unwrap()).as_str(), "{name}");
    }
    // The French credit note is read again with the French model: its accents survive
    // (German and English models read "Malaucène" as "Malaucene" and "à" as "a").
    let avoir = run.by_name("Avoir_FR_type381_BASIC.pdf");
    let words = std::fs::read_to_string(archive.path().join(avoir["archive"]["words"].as_str().unwrap())).unwrap();
    assert!(words.contains("\"Malaucène\""), "the seller's town keeps its accent");
    assert!(words.contains("\"à\""), "the preposition à keeps its accent");
}

#[test]
fn e_invoices_go_straight_through_from_their_xml() {
    let archive = tempfile::tempdir().unwrap();
    let run = process(archive.path(), &[fixture("documents/xrechnung-cii.xml"), fixture("documents/zugferd-invoice.pdf")]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let xml = run.by_name("xrechnung-cii.xml");
    assert_eq!(xml["source_format"], "xrechnung_cii");
    assert_eq!(xml["fields"]["invoice_number"]["confidence"], 1.0);
    assert!(xml["fields"]["invoice_number"]["bbox"].is_null());
    assert!(xml["einvoice"].is_object());
    let hybrid = run.by_name("zugferd-invoice.pdf");
    assert_eq!(hybrid["source_format"], "zugferd");
    assert_eq!(field(hybrid, "invoice_number"), Some("RE-20201121/508"));
    assert!(hybrid["checks"].as_array().unwrap().iter().any(|c| c["name"] == "hybrid_invoice_number_visible" && c["passed"] == true));
    // The embedded XML is archived as its own artefact (the legal original of an e-invoice).
    let attachments = hybrid["archive"]["attachments"].as_array().unwrap();
    assert!(attachments.iter().any(|a| a.as_str().unwrap().ends_with(".xml")), "{attachments:?}");
}
