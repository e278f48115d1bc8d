//! Bad input is quarantined with its original bytes and a machine-readable reason; the
//! rest of the run goes on and the run exits non-zero with a summary.

mod common;
use common::*;

#[test]
fn every_bad_input_is_quarantined_and_the_good_files_are_still_processed() {
    let archive = tempfile::tempdir().unwrap();
    let cases = [
        ("empty.pdf", "empty"),
        ("truncated.pdf", "corrupt"),
        ("truncated.png", "corrupt"),
        ("not-a-document.pdf", "unsupported_format"),
        ("user-password.pdf", "encrypted"),
        ("bomb.png", "decompression_bomb"),
        ("xxe.xml", "hostile_xml"),
        ("billion-laughs.xml", "hostile_xml"),
    ];
    // Good files before and after the bad ones: neither side may be lost.
    let mut paths = vec![fixture("documents/born-digital-invoice.pdf")];
    paths.extend(cases.iter().map(|(f, _)| fixture(&format!("bad/{f}"))));
    paths.push(fixture("documents/xrechnung-cii.xml"));
    let run = process(archive.path(), &paths);

    assert_eq!(run.code(), 2, "quarantine must make the run exit non-zero; stderr:\n{}", run.stderr());
    assert!(run.stderr().contains("8 quarantined"), "summary missing: {}", run.stderr());
    assert_eq!(run.indexes.len(), cases.len() + 2, "one index per document");

    for (file, kind) in cases {
        let idx = run.by_name(file);
        assert_eq!(idx["status"], "quarantined", "{file}");
        assert_eq!(idx["error"]["kind"], kind, "{file}: {}", idx["error"]);
        assert!(idx["error"]["message"].as_str().unwrap().len() > 10, "{file} needs a message a user can act on");
        // The original bytes are kept, byte for byte, beside a record with the reason.
        let original = std::fs::read(fixture(&format!("bad/{file}"))).unwrap();
        let kept = std::fs::read(archive.path().join(idx["archive"]["original"].as_str().unwrap())).unwrap();
        assert_eq!(kept, original, "{file}: quarantined bytes differ from the original");
        let record: serde_json::Value = serde_json::from_slice(&std::fs::read(archive.path().join(idx["archive"]["index"].as_str().unwrap())).unwrap()).unwrap();
        assert_eq!(record["error"]["kind"], kind);
    }
    for good in ["born-digital-invoice.pdf", "xrechnung-cii.xml"] {
        assert_eq!(run.by_name(good)["status"], "processed", "{good}");
    }
}

#[test]
fn a_pdf_with_only_an_owner_password_is_processed() {
    let archive = tempfile::tempdir().unwrap();
    let run = process(archive.path(), &[fixture("documents/owner-password-only.pdf")]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let idx = run.by_name("owner-password-only.pdf");
    assert_eq!(idx["status"], "processed");
    assert_eq!(field(idx, "invoice_number"), Some("R0005532486"));
}
