//! `cargo bench --bench review_ui`: the review UI with 100,000 catalogued documents (issue 20:
//! the queue page — any tab, filter and sort — and the document view under 200 ms each, server
//! time, warm).
//!
//! The catalog gets 100,000 rows (SQLite, the embedded catalog; one transaction); the
//! document the view opens is really archived (processed from `fixtures/`). Requests go
//! through the UI's router in process (no socket), each scenario 3 times to warm up, then
//! `ROUNDS` times timed; the table gives the median, the 95th percentile and the slowest.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use mailroom::catalog::Entry;
use mailroom::config::{ArchiveConfig, Config};
use mailroom::document::Document;
use mailroom::index::{Channel, DocType, Status};
use mailroom::people::Role;
use mailroom::web::{PageCache, Ui};

const ROWS: usize = 100_000;
const ROUNDS: usize = 20;
const TARGET_MS: f64 = 200.0;

/// A deterministic row: types, states, sellers, dates and amounts spread like a year of mail.
fn row(i: usize) -> Entry {
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
    let day = (i * 730 / ROWS) as i64;
    let received = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(day);
    let issue = received - chrono::Duration::days((h(3) % 10) as i64);
    let due = issue + chrono::Duration::days(14 + (h(4) % 30) as i64);
    let id = mailroom::document::sha256_hex(format!("bench-{i}").as_bytes());
    Entry {
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
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config { archive: ArchiveConfig::Local { path: dir.path().join("archive") }, ..Config::default() };
    config.review.straight_through = false;

    // The document the view opens, really archived.
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/documents/born-digital-invoice.pdf");
    let doc = Document::new(std::fs::read(&fixture).expect("fixture"), Channel::File, "born-digital-invoice.pdf".into());
    let processor = config.processor("bench").expect("processor");
    processor.run(&doc).expect("processed");
    let id = doc.sha256.to_string();

    let catalog = config.open_catalog().expect("catalog").expect("a catalog");
    let t = Instant::now();
    let rows: Vec<Entry> = (0..ROWS).map(row).collect();
    catalog.upsert_many(&rows).expect("rows");
    println!("catalog: {ROWS} rows written in {:.1} s ({})", t.elapsed().as_secs_f64(), catalog.describe());

    let people = config.open_people().expect("people");
    people.add("anna", Role::Reviewer, None, "anna-prueft-rechnungen").expect("user");
    people.add("ben", Role::Reviewer, Some(&[DocType::Invoice, DocType::CreditNote]), "ben-prueft-rechnungen").expect("user");
    let (anna, _) = people.login("anna", "anna-prueft-rechnungen", "127.0.0.1").expect("db").expect("login");
    let (ben, _) = people.login("ben", "ben-prueft-rechnungen", "127.0.0.1").expect("db").expect("login");
    let ui = Ui { people, catalog, records: config.recorder("bench").expect("recorder"), pipeline: Arc::new(config.pipeline()), pages: PageCache::new(64 << 20), secure_cookies: false };
    let router = mailroom::web::router(Arc::new(ui));

    let scenarios: Vec<(&str, String, &str)> = vec![
        ("queue: to review (default: oldest first)", "/ui".into(), &anna),
        ("queue: approved, oldest first", "/ui?tab=approved".into(), &anna),
        ("queue: approved, newest first", "/ui?tab=approved&dir=desc".into(), &anna),
        ("queue: approved, by amount, highest first", "/ui?tab=approved&sort=amount&dir=desc".into(), &anna),
        ("queue: approved, by due date", "/ui?tab=approved&sort=due".into(), &anna),
        ("queue: approved, page 1,000 (offset 50,000)", "/ui?tab=approved&page=1000".into(), &anna),
        ("queue: to review, seller contains 'gmbh'", "/ui?seller=gmbh".into(), &anna),
        ("queue: invoices 1,000–5,000 € with a failing check", "/ui?type=invoice&min=1000&max=5000&failing=yes".into(), &anna),
        ("queue: approved, one quarter by date", "/ui?tab=approved&from=2025-04-01&to=2025-06-30".into(), &anna),
        ("queue: approved, channel e-mail, by amount", "/ui?tab=approved&channel=email&sort=amount".into(), &anna),
        ("queue: rejected", "/ui?tab=rejected".into(), &anna),
        ("queue: quarantined", "/ui?tab=quarantined".into(), &anna),
        ("queue: approved, user limited to 2 types", "/ui?tab=approved".into(), &ben),
        ("document view", format!("/ui/documents/{id}"), &anna),
        ("page image (cached after the first)", format!("/ui/documents/{id}/pages/1"), &anna),
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    // One request through the router: its body and the server time in ms; a failure stops the bench.
    let get = |path: &str, token: &str| -> (Vec<u8>, f64) {
        let req = Request::builder().uri(path).header("cookie", format!("mailroom_session={token}")).body(Body::empty()).expect("request");
        let t = Instant::now();
        let resp = runtime.block_on(router.clone().oneshot(req)).expect("response");
        let status = resp.status();
        let body = runtime.block_on(axum::body::to_bytes(resp.into_body(), usize::MAX)).expect("body");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        assert!(status.is_success(), "{path}: {status}: {}", String::from_utf8_lossy(&body));
        (body.to_vec(), ms)
    };
    // The first look at a page: pdfium renders it (then it is cached).
    let (_, first) = get(&format!("/ui/documents/{id}/pages/1"), &anna);
    println!("page image, first look (pdfium renders the A4 page at 1,100 px): {first:.0} ms");
    println!();
    println!("| request | median ms | p95 ms | max ms | bytes | ≤ {TARGET_MS:.0} ms |");
    println!("|---|---:|---:|---:|---:|---|");
    let mut all_ok = true;
    for (name, path, token) in &scenarios {
        let mut times = Vec::new();
        let mut bytes = 0;
        for round in 0..ROUNDS + 3 {
            let (body, ms) = get(path, token);
            bytes = body.len();
            if round >= 3 {
                times.push(ms);
            }
        }
        times.sort_by(f64::total_cmp);
        let (median, p95, max) = (times[times.len() / 2], times[(times.len() * 95 / 100).min(times.len() - 1)], times[times.len() - 1]);
        let ok = p95 <= TARGET_MS;
        all_ok &= ok;
        println!("| {name} | {median:.1} | {p95:.1} | {max:.1} | {bytes} | {} |", if ok { "yes" } else { "**no**" });
    }
    println!();
    println!("{}", if all_ok { "every request within target (p95)" } else { "SOME REQUESTS MISS THE TARGET" });
}
