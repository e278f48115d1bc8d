//! E-invoice parsing against the shared corpora (`shared/data/xrechnung-testsuite`,
//! `shared/data/zugferd-corpus`): every XML with a `.gt.json` must parse to the same values;
//! files under `fail/` must parse or be refused without a crash. Plus hostile-XML refusals.

use std::path::{Path, PathBuf};

use mailroom::einvoice::{self, EInvoiceError};
use rust_decimal::Decimal;
use std::str::FromStr;

/// `shared/data`: `$MAILROOM_SHARED_DATA`, or the first `shared/data` walking up from the crate.
/// `../shared/data` (or `$MAILROOM_SHARED_DATA`). Never skipped: a checkout without it fails
/// here and says what is missing, instead of passing without checking anything.
fn shared_data() -> PathBuf {
    if let Ok(p) = std::env::var("MAILROOM_SHARED_DATA") {
        return PathBuf::from(p);
    }
    let mut d = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let c = d.join("shared").join("data");
        if c.is_dir() {
            return c;
        }
        assert!(d.pop(), "shared/data (the public e-invoice corpus and the EN 16931 validation) is missing beside the checkout: set MAILROOM_SHARED_DATA or lay ../shared/data");
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut v: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    v.sort();
    for p in v {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().and_then(|e| e.to_str()) == Some("xml") {
            out.push(p);
        }
    }
}

fn gt_path(xml: &Path) -> PathBuf {
    let s = xml.to_string_lossy();
    PathBuf::from(format!("{}.gt.json", s.strip_suffix(".xml").unwrap_or(&s)))
}

fn in_fail(p: &Path) -> bool {
    p.components().any(|c| c.as_os_str() == "fail")
}

fn ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn dec(s: &str) -> Option<Decimal> {
    Decimal::from_str(s.trim()).ok()
}

fn gts(v: &serde_json::Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(str::to_string)
}

/// Compares one file; returns the differences.
fn compare(xml: &Path, gt: &serde_json::Value) -> Vec<String> {
    let bytes = std::fs::read(xml).unwrap();
    match einvoice::parse(&bytes) {
        Ok(inv) => compare_invoice(&inv, gt),
        Err(e) => vec![format!("parse failed: {e}")],
    }
}

/// Compares a parsed invoice with its ground truth; returns the differences.
fn compare_invoice(inv: &einvoice::EInvoice, gt: &serde_json::Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let f = inv.fields();
    let get = |k: &str| f.get(&k.parse::<mailroom::vocab::Field>().unwrap()).map(|v| v.value.clone());
    let mut cmp_str = |k: &str, mine: Option<String>, norm: &dyn Fn(&str) -> String| {
        let want = gts(gt, k).map(|s| norm(&s)).filter(|s| !s.is_empty());
        let got = mine.map(|s| norm(&s));
        if want != got {
            diffs.push(format!("{k}: expected {want:?}, got {got:?}"));
        }
    };
    let plain = |s: &str| ws(s);
    let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    cmp_str("invoice_number", get("invoice_number"), &plain);
    cmp_str("issue_date", get("issue_date"), &plain);
    cmp_str("due_date", get("due_date"), &plain);
    cmp_str("seller_name", get("seller_name"), &plain);
    cmp_str("buyer_name", get("buyer_name"), &plain);
    cmp_str("currency", get("currency"), &plain);
    cmp_str("seller_vat_id", get("seller_vat_id"), &compact);
    cmp_str("iban", get("iban"), &compact);
    let mut cmp_dec = |k: &str, mine: Option<String>| {
        let want = gts(gt, k).and_then(|s| dec(&s));
        let got = mine.and_then(|s| dec(&s));
        if want != got {
            diffs.push(format!("{k}: expected {want:?}, got {got:?}"));
        }
    };
    cmp_dec("net_total", get("net_total"));
    cmp_dec("vat_total", get("vat_total"));
    cmp_dec("gross_total", get("gross_total"));
    cmp_dec("amount_due", get("amount_due"));
    cmp_dec("line_total", inv.totals.line_total.map(|d| d.to_string()));

    let want_lines = gt.get("line_items").and_then(|l| l.as_array()).cloned().unwrap_or_default();
    let got_lines = inv.line_items();
    if want_lines.len() != got_lines.len() {
        diffs.push(format!("line_items: expected {} lines, got {}", want_lines.len(), got_lines.len()));
    }
    for (i, (w, g)) in want_lines.iter().zip(got_lines.iter()).enumerate() {
        let s = |o: &Option<String>| o.clone();
        let pairs_s = [("line_id", s(&g.line_id)), ("name", s(&g.name)), ("unit_code", s(&g.unit_code))];
        for (k, got) in pairs_s {
            let want = gts(w, k).map(|x| ws(&x)).filter(|x| !x.is_empty());
            let got = got.map(|x| ws(&x));
            if want != got {
                diffs.push(format!("line {}: {k}: expected {want:?}, got {got:?}", i + 1));
            }
        }
        let pairs_d = [("quantity", s(&g.quantity)), ("net_unit_price", s(&g.net_unit_price)), ("net_line_amount", s(&g.net_line_amount)), ("vat_rate", s(&g.vat_rate))];
        for (k, got) in pairs_d {
            let want = gts(w, k).and_then(|x| dec(&x));
            let got = got.and_then(|x| dec(&x));
            if want != got {
                diffs.push(format!("line {}: {k}: expected {want:?}, got {got:?}", i + 1));
            }
        }
    }
    diffs
}

fn corpus_files(data: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(&data.join("xrechnung-testsuite"), &mut files);
    walk(&data.join("zugferd-corpus"), &mut files);
    files
}

#[test]
fn corpus_matches_ground_truth() {
    let data = shared_data();
    let mut checked = 0;
    let mut report = Vec::new();
    for xml in corpus_files(&data) {
        if in_fail(&xml) {
            continue;
        }
        let gt = gt_path(&xml);
        let Ok(gt) = std::fs::read_to_string(&gt) else { continue };
        let gt: serde_json::Value = serde_json::from_str(&gt).unwrap();
        checked += 1;
        let d = compare(&xml, &gt);
        if !d.is_empty() {
            report.push(format!("{}:\n  {}", xml.strip_prefix(&data).unwrap().display(), d.join("\n  ")));
        }
    }
    eprintln!("compared {checked} files with ground truth");
    assert!(checked > 150, "too few corpus files found ({checked})");
    assert!(report.is_empty(), "{} files differ from ground truth:\n{}", report.len(), report.join("\n"));
}

/// The corpus rows of `MANIFEST.tsv` as (column → value) maps.
fn manifest(data: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(data.join("zugferd-corpus/MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines.map(|l| header.iter().map(|h| h.to_string()).zip(l.split('\t').map(str::to_string)).collect()).collect()
}

/// The PDFs themselves, their XML read through pdfium's attachment API, agree with the
/// ground truth like their extracted XML does.
#[test]
fn corpus_pdfs_read_through_their_attachment_match_ground_truth() {
    let data = shared_data();
    let corpus = data.join("zugferd-corpus");
    let (mut checked, mut report) = (0, Vec::new());
    for row in manifest(&data) {
        if row["folder_validity"] == "fail" || row["gt"].is_empty() {
            continue;
        }
        let pdf = corpus.join(&row["pdf"]);
        let gt: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(pdf.with_file_name(&row["gt"])).unwrap()).unwrap();
        let bytes = std::fs::read(&pdf).unwrap();
        let diffs = match mailroom::pages::pdf::embedded_invoice_xml(&bytes) {
            Ok(Some((_, xml))) => match einvoice::parse(&xml) {
                Ok(inv) => compare_invoice(&inv, &gt),
                Err(e) => vec![format!("the embedded XML does not parse: {e}")],
            },
            Ok(None) => vec!["no embedded invoice XML found".to_string()],
            Err(e) => vec![format!("the PDF cannot be read: {e}")],
        };
        checked += 1;
        if !diffs.is_empty() {
            report.push(format!("{}:\n  {}", row["pdf"], diffs.join("\n  ")));
        }
    }
    eprintln!("compared {checked} PDFs with ground truth");
    assert!(checked > 100, "too few corpus PDFs ({checked})");
    assert!(report.is_empty(), "{} PDFs differ from ground truth:\n{}", report.len(), report.join("\n"));
}

/// Hybrid PDFs whose visible content disagrees with their XML are flagged, and only those:
/// `MANIFEST.tsv` records whether the XML's number and gross total are visible on the page.
#[test]
fn hybrid_pdfs_that_show_other_values_than_their_xml_are_flagged() {
    let data = shared_data();
    let pipeline = mailroom::config::Config::default().pipeline();
    let (mut compared, mut mismatches_flagged, mut wrong) = (0, 0, Vec::new());
    for row in manifest(&data) {
        if row["folder_validity"] == "fail" || row["text_chars"].parse::<u32>().unwrap_or(0) == 0 {
            continue;
        }
        let pdf = data.join("zugferd-corpus").join(&row["pdf"]);
        let doc = mailroom::document::Document::new(std::fs::read(&pdf).unwrap(), mailroom::index::Channel::File, row["pdf"].clone());
        let Ok(analysis) = pipeline.analyse(&doc) else { continue };
        if analysis.index.source_format != Some(mailroom::index::SourceFormat::Zugferd) {
            continue;
        }
        for (col, check) in [("vis_invoice_no", "hybrid_invoice_number_visible"), ("vis_gross_total", "hybrid_gross_total_visible")] {
            let visible = match row[col].as_str() {
                "Y" => true,
                "N" => false,
                _ => continue,
            };
            let Some(c) = analysis.index.checks.iter().find(|c| c.name == check) else { continue };
            compared += 1;
            if !visible && !c.passed {
                mismatches_flagged += 1;
            }
            if c.passed != visible {
                wrong.push(format!("{} {check}: mailroom says {}, the manifest says {}", row["pdf"], c.passed, row[col]));
            }
        }
        if !analysis.index.checks.iter().all(|c| c.passed) {
            assert!(analysis.index.needs_review, "{}: a failed check must send the document to review", row["pdf"]);
        }
    }
    eprintln!("{compared} visibility checks compared, {mismatches_flagged} mismatches flagged");
    assert!(mismatches_flagged >= 5, "the corpus has hybrids whose page disagrees with the XML");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fail_folder_never_crashes() {
    let data = shared_data();
    let mut n = 0;
    for xml in corpus_files(&data).into_iter().filter(|p| in_fail(p)) {
        n += 1;
        let bytes = std::fs::read(&xml).unwrap();
        match einvoice::parse(&bytes) {
            Ok(inv) => {
                let failed: Vec<String> = inv.checks().into_iter().filter(|c| !c.passed).map(|c| c.name.to_string()).collect();
                eprintln!("{}: parsed, breaks {:?}", xml.display(), failed);
            }
            Err(e) => eprintln!("{}: refused: {e}", xml.display()),
        }
    }
    assert!(n > 0);
}

#[test]
fn every_field_is_normalised() {
    let data = shared_data();
    for xml in corpus_files(&data) {
        let Ok(inv) = einvoice::parse(&std::fs::read(&xml).unwrap()) else { continue };
        for (k, v) in inv.fields() {
            assert_eq!(v.confidence, 1.0);
            if k.kind() == mailroom::vocab::FieldKind::Amount {
                let (_, frac) = v.value.split_once('.').expect("amount with dot");
                assert_eq!(frac.len(), 2, "{k}={} in {}", v.value, xml.display());
            }
            if matches!(k, mailroom::vocab::Field::Iban | mailroom::vocab::Field::SellerVatId | mailroom::vocab::Field::BuyerVatId) {
                assert!(!v.value.contains(' ') && v.value == v.value.to_uppercase());
            }
        }
        let j = inv.index_json();
        assert!(j.get("german_einvoice").is_some());
        let back: einvoice::EInvoice = serde_json::from_value(inv.to_json()).unwrap();
        assert_eq!(back.number, inv.number);
    }
}

const CII_HEAD: &str = r#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"><rsm:ExchangedDocument/></rsm:CrossIndustryInvoice>"#;

#[test]
fn hostile_xxe_external_entity_is_refused() {
    let x = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE foo [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n{}",
        CII_HEAD.replace("<rsm:ExchangedDocument/>", "<rsm:ExchangedDocument>&xxe;</rsm:ExchangedDocument>")
    );
    match einvoice::parse(x.as_bytes()) {
        Err(EInvoiceError::Hostile(m)) => assert!(m.contains("DOCTYPE"), "{m}"),
        other => panic!("expected Hostile, got {other:?}"),
    }
    assert_eq!(einvoice::detect(x.as_bytes()), None);
}

#[test]
fn hostile_billion_laughs_is_refused() {
    let mut x = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        x.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
    }
    x.push_str("]>\n<lolz>&lol9;</lolz>");
    let t = std::time::Instant::now();
    assert!(matches!(einvoice::parse(x.as_bytes()), Err(EInvoiceError::Hostile(_))));
    assert!(t.elapsed().as_secs() < 2);
}

#[test]
fn hostile_deep_nesting_is_refused() {
    let depth = 100_000;
    let x = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    match einvoice::parse(x.as_bytes()) {
        Err(EInvoiceError::Hostile(m)) => assert!(m.contains("nested"), "{m}"),
        other => panic!("expected Hostile, got {other:?}"),
    }
    // 60 levels is fine (then it is simply not an invoice).
    let ok = format!("{}{}", "<a>".repeat(60), "</a>".repeat(60));
    assert_eq!(einvoice::parse(ok.as_bytes()).unwrap_err(), EInvoiceError::NotAnInvoice);
}

#[test]
fn hostile_oversized_file_is_refused() {
    let mut x = CII_HEAD.as_bytes().to_vec();
    x.extend(std::iter::repeat_n(b' ', 33 * 1024 * 1024));
    match einvoice::parse(&x) {
        Err(EInvoiceError::Hostile(m)) => assert!(m.contains("bytes"), "{m}"),
        other => panic!("expected Hostile, got {other:?}"),
    }
}

#[test]
fn malformed_and_foreign_xml() {
    assert!(matches!(einvoice::parse(b"<Invoice><unclosed></Invoice>"), Err(EInvoiceError::Malformed(_))));
    assert!(matches!(einvoice::parse(b"\xff\xfe\x00garbage"), Err(EInvoiceError::Malformed(_))));
    assert_eq!(einvoice::parse(b"<html><body/></html>").unwrap_err(), EInvoiceError::NotAnInvoice);
    assert_eq!(einvoice::parse(br#"<Invoice xmlns="urn:other"/>"#).unwrap_err(), EInvoiceError::NotAnInvoice);
}
