//! What the benches share: where the project and the `mailroom` binary are, and their inputs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `cargo bench` builds the binary with the bench profile next to the bench's executable.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench's own path");
    exe.parent().and_then(Path::parent).map(|d| d.join("mailroom")).expect("target/<profile>/mailroom")
}

/// The files in `dir` ending in `.ext`, in name order.
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext))).collect();
    v.sort();
    v
}

/// A PDF's page count, from `pdfinfo`.
pub fn pdf_pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout).lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap_or(1))).unwrap_or(1)
}

/// A deterministic catalog row of `rows`: types, states, sellers, dates and amounts spread like a year of mail.
pub fn catalog_row(i: usize, rows: usize) -> mailroom::catalog::Entry {
    use mailroom::index::Status;
    let h = |salt: u64| (i as u64).wrapping_mul(6364136223846793005).wrapping_add(salt).rotate_left(17) % 1_000_003;
    let types = ["invoice", "invoice", "invoice", "invoice", "invoice", "invoice", "credit_note", "receipt", "letter", "contract", "delivery_note", "reminder"];
    let states = [("pending", 10), ("postponed", 2), ("approved", 40), ("straight_through", 45), ("rejected", 3)];
    let pick = h(1) % 100;
    let mut acc = 0;
    let state = states.iter().find(|(_, p)| {
        acc += p;
        pick < acc
    });
    let quarantined = h(2) % 100 < 4;
    let day = (i * 730 / rows) as i64;
    let received = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(day);
    let issue = received - chrono::Duration::days((h(3) % 10) as i64);
    let due = issue + chrono::Duration::days(14 + (h(4) % 30) as i64);
    let id = mailroom::document::sha256_hex(format!("bench-{i}").as_bytes());
    mailroom::catalog::Entry {
        id: id.clone(),
        revision: 1,
        status: if quarantined { Status::Quarantined } else { Status::Processed },
        received_at: format!("{}T{:02}:{:02}:00Z", received.format("%Y-%m-%d"), h(5) % 24, h(6) % 60),
        channel: ["file", "folder", "email", "http", "queue"][(h(7) % 5) as usize].into(),
        source_name: format!("scan-{i:06}.pdf"),
        media_type: "application/pdf".into(),
        source_format: Some("scan".into()),
        doc_type: (!quarantined).then(|| types[(h(8) % types.len() as u64) as usize].to_string()),
        doc_type_confidence: Some(0.9),
        needs_review: state.is_some_and(|s| s.0 == "pending"),
        invoice_number: Some(format!("RE-{}", 10_000 + i)),
        issue_date: Some(issue.format("%Y-%m-%d").to_string()),
        due_date: Some(due.format("%Y-%m-%d").to_string()),
        seller_name: Some(format!("Lieferant {} {}", h(9) % 500, ["GmbH", "AG", "KG", "e.K.", "GmbH & Co. KG"][(h(10) % 5) as usize])),
        seller_vat_id: Some(format!("DE{:09}", h(11))),
        buyer_name: Some("Muster Handel GmbH".into()),
        iban: None,
        currency: Some("EUR".into()),
        gross_total: Some(format!("{}.{:02}", h(12) % 20_000, h(13) % 100)),
        error_kind: quarantined.then(|| "corrupt".into()),
        error_message: quarantined.then(|| "the PDF cannot be opened".into()),
        retain_until: None,
        index_key: format!("documents/{id}/index/0001.json"),
        review_state: if quarantined { None } else { state.map(|s| s.0.to_string()) },
        failing_checks: if h(14) % 100 < 25 { 1 } else { 0 },
        queue: match (quarantined, state.map(|s| s.0)) {
            (true, _) => "quarantined",
            (false, Some("pending")) => "review",
            (false, Some("postponed")) => "postponed",
            (false, Some("rejected")) => "rejected",
            _ => "approved",
        }
        .into(),
        settled_at: None,
        order_ref: None,
        delivery_ref: None,
        awaiting: None,
        approved_by: None,
    }
}

/// The `p` quantile (0.5, 0.99) of sorted values, nearest rank; NaN for none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}
