//! Batch scans through the real binary: a 30-page stack of 9 letters with separator sheets
//! (patch sheets with a QR code, blank sheets, a duplex patch sheet with its blank back, a
//! letter's nearly empty last page that is no separator) splits into exactly 9 documents with
//! the right pages; the batch is kept byte for byte; the same stack again archives nothing; a
//! person's correction supersedes the parts it replaces; `verify` is clean. Also: a stack
//! without separators split by the first-page detector, a batch of one letter, a stack of
//! separators only.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use common::stack::*;
use serde_json::Value;

const LETTER_PAGES: [usize; 9] = [3, 2, 1, 4, 2, 3, 1, 2, 2];

/// The 30-page stack: 9 letters (20 pages; letter 4 ends in a nearly empty scanned page), 10
/// separator sheets — patch sheets, blank sheets, and twice a patch sheet with its blank back.
/// Returns the bytes and the pages (1-based, inclusive) of each letter.
fn thirty_pages() -> (Vec<u8>, Vec<[u32; 2]>) {
    let mut sheets = Vec::new();
    let mut ranges = Vec::new();
    for (k, &n) in LETTER_PAGES.iter().enumerate() {
        if k > 0 {
            match k {
                2 | 6 => {
                    sheets.push(Sheet::Image(patch_sheet(k as u32)));
                    sheets.push(Sheet::Image(paper(100 + k as u32)));
                }
                1 | 4 | 7 => sheets.push(Sheet::Image(paper(200 + k as u32))),
                _ => sheets.push(Sheet::Image(patch_sheet(300 + k as u32))),
            }
        }
        let first = sheets.len() as u32 + 1;
        for p in 1..=n {
            if k == 3 && p == n {
                sheets.push(Sheet::Image(nearly_empty_page(k as u32)));
            } else {
                sheets.push(Sheet::Text(letter_page(k, p, n)));
            }
        }
        ranges.push([first, sheets.len() as u32]);
    }
    assert_eq!(sheets.len(), 30);
    (stack_pdf(&sheets), ranges)
}

fn config(dir: &Path, archive: &Path) -> PathBuf {
    let path = dir.join("pipeline.toml");
    std::fs::write(&path, format!("[archive]\nkind = \"local\"\npath = {:?}\n\n[review]\nstraight_through = false\n", archive.to_str().unwrap())).unwrap();
    path
}

fn mailroom(config: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("mailroom").unwrap().arg("--config").arg(config).args(args).output().unwrap()
}

fn indexes(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn files_in(dir: &Path) -> usize {
    walk(dir).len()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn parts_of(batch: &Value) -> Vec<[u32; 2]> {
    batch["batch"]["parts"].as_array().unwrap().iter().map(|p| [p["pages"][0].as_u64().unwrap() as u32, p["pages"][1].as_u64().unwrap() as u32]).collect()
}

#[test]
fn a_thirty_page_stack_of_nine_letters_splits_at_its_separator_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = config(dir.path(), &archive);
    let (bytes, expected) = thirty_pages();
    let stack = dir.path().join("stapel-2025-06-26.pdf");
    std::fs::write(&stack, &bytes).unwrap();

    let o = mailroom(&cfg, &["process", "--json", "--split", "blank,patch", stack.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let out = indexes(&o);
    let batch = out.iter().find(|i| i["status"] == "split").unwrap_or_else(|| panic!("no batch index: {}", err(&o)));
    assert_eq!(parts_of(batch), expected, "{}", err(&o));
    assert_eq!(batch["batch"]["separators"].as_array().unwrap().len(), 10);
    assert_eq!(batch["pages"], 30);
    let parts: Vec<&Value> = out.iter().filter(|i| i["source"]["parent"] == batch["id"]).collect();
    assert_eq!(parts.len(), 9, "exactly nine documents: {}", err(&o));
    for (p, range) in parts.iter().zip(&expected) {
        assert_eq!(p["status"], "processed");
        assert_eq!(p["source"]["parent_pages"], serde_json::json!(range));
        assert_eq!(p["pages"].as_u64().unwrap() as u32, range[1] - range[0] + 1);
        assert_eq!(p["doc_type"]["label"], "invoice", "{p}");
        assert_eq!(p["review"]["state"], "pending");
    }
    // Each part reads its own letter: the invoice numbers in order.
    let numbers: Vec<&str> = parts.iter().map(|p| p["fields"]["invoice_number"]["value"].as_str().unwrap_or("")).collect();
    assert_eq!(numbers, (0..9).map(|k| format!("RE-2025-{:04}", 100 + k)).collect::<Vec<_>>().iter().map(String::as_str).collect::<Vec<_>>());
    // The batch is archived byte for byte as received, and is no document of the queue.
    let id = batch["id"].as_str().unwrap();
    let original = std::fs::read(archive.join(format!("documents/{id}/{id}.pdf"))).expect("the batch's original");
    assert!(original == bytes, "the batch is kept as received");
    assert!(batch["review"].is_null() && batch["doc_type"].is_null());
    let o = mailroom(&cfg, &["review", "list", "--json"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains(id), "the batch is not in the review queue");

    // The same stack again: the same part ids, nothing written.
    let before = files_in(&archive);
    let o = mailroom(&cfg, &["process", "--json", "--split", "blank,patch", stack.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("0 processed"), "{}", err(&o));
    let again = indexes(&o);
    assert_eq!(again.len(), 10);
    for p in &parts {
        assert!(again.iter().any(|a| a["id"] == p["id"]), "part {} again", p["id"]);
    }
    let audit_before = walk(&archive).iter().filter(|p| p.to_str().unwrap().contains("/audit/")).count();
    assert_eq!(files_in(&archive), before, "nothing archived twice (audit entries: {audit_before})");

    // A person corrects the split: letter 1 (pages 1-3) is really two letters, 1-2 and 3.
    let ranges: Vec<String> = std::iter::once("1-2".to_string()).chain(std::iter::once("3".to_string())).chain(expected[1..].iter().map(|r| format!("{}-{}", r[0], r[1]))).collect();
    let o = mailroom(&cfg, &["split", "correct", &id[..12], "--pages", &ranges.join(","), "--reason", "zwei Briefe", "--revision", "1"]);
    assert!(o.status.success(), "{}", err(&o));
    let o = mailroom(&cfg, &["split", "show", &id[..12]]);
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(shown.contains("revision 2") && shown.contains("corrected by"), "{shown}");
    assert_eq!(shown.matches("[review]").count(), 10, "ten letters waiting now: {shown}");
    let first = parts[0]["id"].as_str().unwrap();
    let o = mailroom(&cfg, &["review", "list", "--json"]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains(first), "the replaced part left the queue");
    let o = mailroom(&cfg, &["split", "show", first]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("revision 2"), "a part finds its batch");
    // An old revision is refused: someone else corrected it since.
    let o = mailroom(&cfg, &["split", "correct", &id[..12], "--pages", "1-3", "--reason", "x", "--revision", "1"]);
    assert!(!o.status.success());
    // A part that went to the ERP cannot be split away.
    let third = parts[2]["id"].as_str().unwrap();
    let o = mailroom(&cfg, &["review", "approve", third]);
    assert!(o.status.success(), "{}", err(&o));
    let o = mailroom(&cfg, &["split", "correct", &id[..12], "--pages", "1-2,3,5-6", "--reason", "x"]);
    assert!(!o.status.success() && err(&o).contains("went to the ERP"), "page 9 was approved: {}", err(&o));
    let o = mailroom(&cfg, &["split", "show", &id[..12]]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("revision 2"), "nothing changed");

    let o = mailroom(&cfg, &["verify"]);
    assert!(o.status.success(), "verify: {}{}", String::from_utf8_lossy(&o.stdout), err(&o));
}

#[test]
fn without_separators_the_first_page_detector_splits_and_one_letter_stays_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = config(dir.path(), &archive);
    // The same nine letters back to back, no separator sheet.
    let mut sheets = Vec::new();
    let mut expected = Vec::new();
    for (k, &n) in LETTER_PAGES.iter().enumerate() {
        let first = sheets.len() as u32 + 1;
        for p in 1..=n {
            sheets.push(Sheet::Text(letter_page(k, p, n)));
        }
        expected.push([first, sheets.len() as u32]);
    }
    let stack = dir.path().join("ohne-trennblatt.pdf");
    std::fs::write(&stack, stack_pdf(&sheets)).unwrap();
    let o = mailroom(&cfg, &["process", "--json", "--split", "first-page", stack.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let out = indexes(&o);
    let batch = out.iter().find(|i| i["status"] == "split").unwrap_or_else(|| panic!("not split: {}", err(&o)));
    let got = parts_of(batch);
    let right = got.iter().filter(|r| expected.contains(r)).count();
    eprintln!("first-page detector: {right} of {} letters split exactly: {got:?}", expected.len());
    assert_eq!(got, expected);

    // One letter of three pages: one document, not a batch.
    let one = dir.path().join("ein-brief.pdf");
    std::fs::write(&one, stack_pdf(&(1..=3).map(|p| Sheet::Text(letter_page(4, p, 3))).collect::<Vec<_>>())).unwrap();
    let o = mailroom(&cfg, &["process", "--json", "--split", "blank,patch,first-page", one.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let out = indexes(&o);
    assert_eq!(out.len(), 1, "{}", err(&o));
    assert_eq!(out[0]["status"], "processed");
    assert_eq!(out[0]["pages"], 3);
    assert!(out[0]["batch"].is_null());

    // Separator sheets and nothing else: quarantined with a reason, the original kept.
    let empty = dir.path().join("nur-trennblaetter.pdf");
    std::fs::write(&empty, stack_pdf(&[Sheet::Image(patch_sheet(1)), Sheet::Image(paper(2))])).unwrap();
    let o = mailroom(&cfg, &["process", "--json", "--split", "blank,patch", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("separator sheet"), "{}", err(&o));

    // The patch sheet mailroom prints is found by the same reader.
    let sheet = dir.path().join("trennblatt.pdf");
    let o = mailroom(&cfg, &["split", "sheet", "--out", sheet.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let stack = dir.path().join("mit-gedrucktem-blatt.pdf");
    let printed = std::fs::read(&sheet).unwrap();
    // Printed and scanned: an image page, found by its QR code.
    let png = mailroom::pages::pdf::render_png(&printed, 1, 1240).unwrap();
    let scanned = image::load_from_memory(&png).unwrap().to_luma8();
    let scan_stack = dir.path().join("mit-gescanntem-blatt.pdf");
    std::fs::write(&scan_stack, stack_pdf(&[Sheet::Text(letter_page(5, 1, 1)), Sheet::Image(scanned), Sheet::Text(letter_page(6, 1, 1))])).unwrap();
    let o = mailroom(&cfg, &["process", "--json", "--split", "patch", scan_stack.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let out = indexes(&o);
    let batch = out.iter().find(|i| i["status"] == "split").unwrap_or_else(|| panic!("not split at the scanned sheet: {}", err(&o)));
    assert_eq!(parts_of(batch), vec![[1, 1], [3, 3]]);
    // Merged into the PDF as it is: its text layer names it.
    // Letters 1 and 2 with the printed sheet between them (its page has no text layer: rendered and looked at).
    let a = stack_pdf(&[Sheet::Text(letter_page(7, 1, 1))]);
    let b = stack_pdf(&[Sheet::Text(letter_page(8, 1, 1))]);
    let joined = join_pdfs(&[&a, &printed, &b]);
    std::fs::write(&stack, joined).unwrap();
    let o = mailroom(&cfg, &["process", "--json", "--split", "patch", stack.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let out = indexes(&o);
    let batch = out.iter().find(|i| i["status"] == "split").unwrap_or_else(|| panic!("not split at the printed sheet: {}", err(&o)));
    assert_eq!(parts_of(batch), vec![[1, 1], [3, 3]]);
}

/// Joins PDFs page by page with pdfium (the library the pages stage uses).
fn join_pdfs(pdfs: &[&[u8]]) -> Vec<u8> {
    let pdfium = mailroom::pages::pdf::pdfium().unwrap();
    let mut out = pdfium.create_new_pdf().unwrap();
    for bytes in pdfs {
        let doc = pdfium.load_pdf_from_byte_slice(bytes, None).unwrap();
        let (at, n) = (out.pages().len(), doc.pages().len());
        out.pages_mut().copy_page_range_from_document(&doc, 0..=(n - 1), at).unwrap();
    }
    out.save_to_bytes().unwrap()
}

/// A scanner that e-mails its scans ("scan to e-mail"): the mailbox is marked as a batch
/// source, and the stack attached to the e-mail is split like one from the hot folder.
#[test]
fn a_stack_attached_to_an_e_mail_from_a_scanner_mailbox_is_split() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = config(dir.path(), &archive);
    let stack = stack_pdf(&[Sheet::Text(letter_page(3, 1, 2)), Sheet::Text(letter_page(3, 2, 2)), Sheet::Image(patch_sheet(9)), Sheet::Text(letter_page(4, 1, 1))]);
    let mail = common::mail::Mail::new("Scanner Poststelle <scanner@kunde.example>", "Scan 2025-06-26 08:14").text("Gescannt von MFP-2").attach("scan0001.pdf", "application/pdf", &stack).bytes();
    let eml = dir.path().join("scan.eml");
    std::fs::write(&eml, &mail).unwrap();
    for round in 0..2 {
        let o = mailroom(&cfg, &["process", "--json", "--split", "patch", eml.to_str().unwrap()]);
        assert!(o.status.success(), "{}", err(&o));
        let out = indexes(&o);
        let batch = out.iter().find(|i| i["status"] == "split").unwrap_or_else(|| panic!("round {round}: the attachment was not split: {}", err(&o)));
        assert_eq!(parts_of(batch), vec![[1, 2], [4, 4]]);
        assert_eq!(batch["source"]["channel"], "email");
        assert_eq!(out.iter().filter(|i| i["source"]["parent"] == batch["id"]).count(), 2, "round {round}");
        assert_eq!(out.len(), 4, "the e-mail, the batch and its two letters: {}", err(&o));
        if round == 1 {
            assert!(err(&o).contains("0 processed"), "the second time nothing is new: {}", err(&o));
        }
    }
}
