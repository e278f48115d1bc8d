//! `cargo bench --bench review_ui`: the review UI with 100,000 catalogued documents (issue 20:
//! the queue page — any tab, filter and sort — and the document view under 200 ms each, server
//! time, warm).
//!
//! The catalog gets 100,000 rows (SQLite, the embedded catalog; one transaction); the
//! document the view opens is really archived (processed from `fixtures/`). Requests go
//! through the UI's router in process (no socket), each scenario 3 times to warm up, then
//! `ROUNDS` times timed; the table gives the median, the 95th percentile and the slowest.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use mailroom::catalog::Entry;
use mailroom::config::{ArchiveConfig, Config};
use mailroom::document::Document;
use mailroom::index::{Channel, DocType};
use mailroom::people::Role;
use mailroom::web::{PageCache, Ui};

const ROWS: usize = 100_000;
const ROUNDS: usize = 20;
const TARGET_MS: f64 = 200.0;

fn row(i: usize) -> Entry {
    common::catalog_row(i, ROWS)
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
    let ui = Ui {
        people,
        catalog,
        records: config.recorder("bench").expect("recorder"),
        pipeline: Arc::new(config.pipeline()),
        due: config.due.clone(),
        lists: config.lists.clone(),
        stamps: config.stamps.clone(),
        pages: PageCache::new(64 << 20),
        secure_cookies: false,
    };
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
