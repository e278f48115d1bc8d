//! `cargo bench --bench worker_pool`: the production path's throughput against `mailroom
//! process` on the same documents, on this machine (production issue: the pool must stay
//! within 10 % of `process` — the broker and the store must not become the bottleneck).
//!
//! Rows, each timed from the first command until the last document is archived:
//! * `mailroom process` into a local archive (the embedded baseline);
//! * `mailroom process` into the S3 archive with the PostgreSQL catalog (the same stores the
//!   workers use, without the queue);
//! * `submit` + one worker with `concurrency = 2`;
//! * `submit` + two workers with `concurrency = 1` each (how scaling out looks).
//!
//! `cargo bench --bench worker_pool -- drain` is the scale-out bench instead: 212 cheap
//! documents (standalone e-invoice XML and born-digital PDFs: no OCR, so the shared parts —
//! S3, PostgreSQL, the broker — dominate) submitted first, then drained by 1, 4 and 8 workers
//! (`MAILROOM_BENCH_WORKERS`), each taking one document at a time; `MAILROOM_BENCH_KIND=xml`
//! or `pdf` drains one kind only (the capacity model's requests per document by kind). Per row: seconds, store
//! requests per document counted by the workers (`mailroom_store_requests_total`), conflicts
//! (creates refused because the key was taken) and `verify` afterwards.
//!
//! The documents are the corpus scans (`scripts/make-scans.py`, image-only, OCR'd): the work
//! mailroom really does. `MAILROOM_BENCH_DOCS` sets how many (default all of them, 39: enough
//! that a worker's start and the submission do not dominate). Needs RabbitMQ,
//! PostgreSQL and the S3 server (`scripts/services.sh` is run when they are down).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{binary, files, pdf_pages, root};
#[path = "../tests/common/stack.rs"]
#[allow(dead_code)]
mod stack;

const S3: &str = "http://127.0.0.1:9000";

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(1)).is_ok()
}

fn documents(n: usize) -> Vec<PathBuf> {
    let dir = root().join("target/bench/scans");
    if !dir.join(".complete").exists() {
        let st = Command::new("python3").arg(root().join("scripts/make-scans.py")).arg("--out").arg(&dir).status().expect("python3");
        assert!(st.success(), "scripts/make-scans.py failed");
        std::fs::write(dir.join(".complete"), b"").unwrap();
    }
    let mut pdfs = files(&dir, "pdf");
    pdfs.truncate(n);
    pdfs
}

fn pages(pdfs: &[PathBuf]) -> usize {
    pdfs.iter().map(|p| pdf_pages(p)).sum()
}

struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
    bucket: String,
    schema: String,
}

fn setup(tag: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let unique = format!("{}-{}-{tag}", std::process::id(), chrono::Utc::now().timestamp_millis() % 1_000_000);
    let bucket = format!("mailroom-bench-{unique}");
    let schema = format!("mailroom_bench_{}", unique.replace('-', "_"));
    let config = dir.path().join("pipeline.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\nkind = \"s3\"\nbucket = \"{bucket}\"\nendpoint = \"{S3}\"\nregion = \"eu-central-1\"\npath_style = true\ncreate_bucket = true\n\n\
             [catalog]\nkind = \"postgres\"\ndefault_url = \"postgresql://postgres@127.0.0.1:5432/mailroom\"\nschema = \"{schema}\"\n\n\
             [broker]\nqueue = \"mailroom.bench.{unique}.jobs\"\nevents_exchange = \"mailroom.bench.{unique}.events\"\nprefetch = 2\n"
        ),
    )
    .unwrap();
    Setup { dir, config, bucket, schema }
}

fn mailroom(config: Option<&Path>) -> Command {
    let mut c = Command::new(binary());
    if let Some(cfg) = config {
        c.arg("--config").arg(cfg);
    }
    c.env("AWS_ACCESS_KEY_ID", "bench").env("AWS_SECRET_ACCESS_KEY", "bench").stdout(Stdio::null()).stderr(Stdio::null());
    c
}

/// Documents finished: catalog rows are written last (after archive, audit and ERP outbox).
/// Asked over one kept connection, so that watching costs the machine nothing (a `mailroom
/// list` process four times a second took CPU from the workers it was timing).
fn archived(db: &mut postgres::Client, setup: &Setup) -> usize {
    db.query_one(&format!("SELECT count(*) FROM {}.documents", setup.schema), &[]).map(|r| r.get::<_, i64>(0) as usize).unwrap_or(0)
}

fn run_process(docs: &[PathBuf], config: Option<&Path>, archive: Option<&Path>) -> Duration {
    let t = Instant::now();
    let mut c = mailroom(config);
    if let Some(a) = archive {
        c.arg("--archive").arg(a);
    }
    let st = c.arg("process").args(docs).status().unwrap();
    assert!(st.code() == Some(0) || st.code() == Some(2), "mailroom process failed: {st}");
    t.elapsed()
}

fn run_pool(docs: &[PathBuf], workers: usize, concurrency: usize, tag: &str) -> Duration {
    let s = setup(tag);
    // Create the bucket and schema outside the timing.
    assert!(mailroom(Some(&s.config)).arg("check").status().unwrap().success(), "mailroom check failed for {}", s.bucket);
    let mut db = postgres::Client::connect("postgresql://postgres@127.0.0.1:5432/mailroom", postgres::NoTls).expect("PostgreSQL");
    let t = Instant::now();
    let mut children: Vec<Child> =
        (0..workers).map(|_| mailroom(Some(&s.config)).args(["worker", "--concurrency", &concurrency.to_string(), "--metrics-listen", "127.0.0.1:0"]).spawn().unwrap()).collect();
    let st = mailroom(Some(&s.config)).arg("submit").args(docs).status().unwrap();
    assert!(st.success(), "submit failed");
    while archived(&mut db, &s) < docs.len() {
        std::thread::sleep(Duration::from_millis(100));
        assert!(t.elapsed() < Duration::from_secs(3600), "the pool did not finish");
    }
    let elapsed = t.elapsed();
    for c in &mut children {
        unsafe {
            libc::kill(c.id() as i32, libc::SIGTERM);
        }
    }
    for mut c in children {
        let _ = c.wait();
    }
    drop(s.dir);
    elapsed
}

/// `n` distinct cheap documents: the standalone XMLs, then born-digital PDFs.
fn cheap_documents(n: usize) -> Vec<PathBuf> {
    let bench = root().join("target/bench");
    if !bench.join("xml").is_dir() || !bench.join("text").is_dir() {
        let st = Command::new("python3").arg(root().join("scripts/bench-prep.py")).status().expect("python3");
        assert!(st.success(), "scripts/bench-prep.py failed");
    }
    let kind = std::env::var("MAILROOM_BENCH_KIND").unwrap_or_default();
    let xml = if kind == "pdf" { Vec::new() } else { files(&bench.join("xml"), "xml") };
    let pdf = if kind == "xml" { Vec::new() } else { files(&bench.join("text"), "pdf") };
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for p in xml.into_iter().chain(pdf) {
        // Identical bytes are one document: the drain would wait for the copy for ever.
        if seen.insert(std::fs::read(&p).unwrap()) {
            out.push(p);
        }
        if out.len() == n {
            break;
        }
    }
    out
}

/// The store requests a worker made so far, by kind, from its `/metrics`.
fn store_requests(port: u16) -> std::collections::BTreeMap<String, f64> {
    use std::io::{Read, Write};
    let mut out = std::collections::BTreeMap::new();
    let Ok(mut c) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return out };
    let _ = c.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n");
    let mut text = String::new();
    let _ = c.read_to_string(&mut text);
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("mailroom_store_requests_total{op=\"") {
            if let Some((op, n)) = rest.split_once("\"} ") {
                *out.entry(op.to_string()).or_default() += n.trim().parse::<f64>().unwrap_or(0.0);
            }
        }
    }
    out
}

struct Drain {
    seconds: f64,
    requests: f64,
    conflicts: f64,
    verify: String,
}

fn run_drain(docs: &[PathBuf], workers: usize) -> Drain {
    let s = setup(&format!("drain{workers}"));
    assert!(mailroom(Some(&s.config)).arg("check").status().unwrap().success(), "mailroom check failed for {}", s.bucket);
    let st = mailroom(Some(&s.config)).arg("submit").args(docs).status().unwrap();
    assert!(st.success(), "submit failed");
    let mut db = postgres::Client::connect("postgresql://postgres@127.0.0.1:5432/mailroom", postgres::NoTls).expect("PostgreSQL");
    let ports: Vec<u16> = (0..workers).map(|i| 19400 + i as u16).collect();
    let t = Instant::now();
    let mut children: Vec<Child> = ports.iter().map(|p| mailroom(Some(&s.config)).args(["worker", "--concurrency", "1", "--metrics-listen", &format!("127.0.0.1:{p}")]).spawn().unwrap()).collect();
    while archived(&mut db, &s) < docs.len() {
        std::thread::sleep(Duration::from_millis(50));
        assert!(t.elapsed() < Duration::from_secs(3600), "the pool did not finish");
    }
    let seconds = t.elapsed().as_secs_f64();
    let mut requests = std::collections::BTreeMap::<String, f64>::new();
    for p in &ports {
        for (op, n) in store_requests(*p) {
            *requests.entry(op).or_default() += n;
        }
    }
    for c in &mut children {
        unsafe {
            libc::kill(c.id() as i32, libc::SIGTERM);
        }
    }
    for mut c in children {
        let _ = c.wait();
    }
    let out = mailroom(Some(&s.config)).args(["verify", "--json"]).stdout(Stdio::piped()).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let verify = match report["findings"].as_array() {
        Some(f) if f.is_empty() => format!("clean ({} entries, {} lanes)", report["entries"], report["lanes"]),
        Some(f) => format!("{} FINDINGS", f.len()),
        None => "verify failed to run".into(),
    };
    eprintln!("drain, {workers} workers: requests by kind {requests:?}");
    let n = docs.len() as f64;
    Drain { seconds, requests: requests.values().sum::<f64>() / n, conflicts: requests.get("put_new_exists").copied().unwrap_or(0.0) / n, verify }
}

fn drain() -> ExitCode {
    let n: usize = std::env::var("MAILROOM_BENCH_DOCS").ok().and_then(|v| v.parse().ok()).unwrap_or(212);
    let docs = cheap_documents(n);
    let workers: Vec<usize> = std::env::var("MAILROOM_BENCH_WORKERS").unwrap_or_else(|_| "1,4,8".into()).split(',').filter_map(|w| w.trim().parse().ok()).collect();
    eprintln!("drain bench: {} documents, binary {}", docs.len(), binary().display());
    println!("\n| workers × 1 | documents | seconds | documents/s | vs 1 worker | store requests/document | conflicts/document | verify |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut first = None;
    let mut ok = true;
    for w in workers {
        let d = run_drain(&docs, w);
        let base = *first.get_or_insert(d.seconds);
        ok &= d.verify.starts_with("clean");
        println!("| {w} | {} | {:.1} | {:.1} | {:.2}× | {:.1} | {:.3} | {} |", docs.len(), d.seconds, docs.len() as f64 / d.seconds, d.seconds / base, d.requests, d.conflicts, d.verify);
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `n` single-page letters (text PDFs, each its own invoice) in `dir`.
fn letters(dir: &Path, n: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (0..n)
        .map(|k| {
            let p = dir.join(format!("brief-{k:05}.pdf"));
            std::fs::write(&p, stack::stack_pdf(&[stack::Sheet::Text(stack::letter_page(k, 1, 1))])).unwrap();
            p
        })
        .collect()
}

/// `mailroom reprocess --all` on a local archive: seconds and documents/s.
fn time_reprocess(archive: &Path) -> (f64, String) {
    let t = Instant::now();
    let out = Command::new(binary()).arg("--archive").arg(archive).args(["reprocess", "--all"]).output().unwrap();
    assert!(out.status.success(), "reprocess failed: {}", String::from_utf8_lossy(&out.stderr));
    let summary = String::from_utf8_lossy(&out.stderr).lines().find(|l| l.starts_with("reprocess: run") && l.contains(" selected, ")).unwrap_or_default().to_string();
    (t.elapsed().as_secs_f64(), summary)
}

/// Issue 22: reprocessing from the stored words, on a local archive (one in ten documents
/// read by an older pipeline, then all of them) and through the worker pool (S3, PostgreSQL,
/// RabbitMQ), with the store requests per document.
fn reprocess() -> ExitCode {
    let n: usize = std::env::var("MAILROOM_BENCH_DOCS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let docs = letters(&dir.path().join("in"), n);
    let rules = dir.path().join("rules.toml");
    std::fs::write(&rules, "[models]\ntrained = false\n").unwrap();
    let process = |archive: &Path, docs: &[PathBuf], config: Option<&Path>| {
        for chunk in docs.chunks(500) {
            let mut c = Command::new(binary());
            if let Some(cfg) = config {
                c.arg("--config").arg(cfg);
            }
            let st = c.arg("--archive").arg(archive).arg("process").args(chunk).stderr(Stdio::null()).stdout(Stdio::null()).status().unwrap();
            assert!(st.code() == Some(0) || st.code() == Some(2), "process failed");
        }
    };
    println!("\n| reprocess --all, from stored words | documents | changed | seconds | documents/s |");
    println!("|---|---:|---:|---:|---:|");
    // One in ten read by the older pipeline.
    let a = dir.path().join("tenth");
    let tenth = n / 10;
    process(&a, &docs[..tenth], Some(&rules));
    process(&a, &docs[tenth..], None);
    let (secs, summary) = time_reprocess(&a);
    eprintln!("{summary}");
    println!("| local archive + SQLite, one in ten read by an older pipeline | {n} | {} | {secs:.1} | {:.0} |", changed(&summary), n as f64 / secs);
    let (secs, summary) = time_reprocess(&a);
    println!("| the same again (the run's checkpoint: nothing left) | {n} | {} | {secs:.1} | {:.0} |", changed(&summary), n as f64 / secs);
    // All of them.
    let b = dir.path().join("all");
    process(&b, &docs, Some(&rules));
    let (secs, summary) = time_reprocess(&b);
    eprintln!("{summary}");
    println!("| local archive + SQLite, all read by an older pipeline | {n} | {} | {secs:.1} | {:.0} |", changed(&summary), n as f64 / secs);

    // The production path: 200 documents, jobs on the broker, two workers.
    let m = n.min(200);
    let s = setup("reprocess");
    let older = s.dir.path().join("older.toml");
    std::fs::write(&older, format!("{}\n[models]\ntrained = false\n", std::fs::read_to_string(&s.config).unwrap())).unwrap();
    assert!(mailroom(Some(&older)).arg("check").status().unwrap().success());
    assert!(mailroom(Some(&older)).arg("submit").args(&docs[..m]).status().unwrap().success());
    let mut db = postgres::Client::connect("postgresql://postgres@127.0.0.1:5432/mailroom", postgres::NoTls).expect("PostgreSQL");
    let mut w = mailroom(Some(&older)).args(["worker", "--metrics-listen", "127.0.0.1:0"]).spawn().unwrap();
    while archived(&mut db, &s) < m {
        std::thread::sleep(Duration::from_millis(100));
    }
    unsafe {
        libc::kill(w.id() as i32, libc::SIGTERM);
    }
    let _ = w.wait();
    let t = Instant::now();
    assert!(mailroom(Some(&s.config)).args(["reprocess", "--all", "--queue"]).status().unwrap().success());
    let queued = t.elapsed().as_secs_f64();
    let ports = [19480u16, 19481];
    let mut children: Vec<Child> = ports.iter().map(|p| mailroom(Some(&s.config)).args(["worker", "--concurrency", "1", "--metrics-listen", &format!("127.0.0.1:{p}")]).spawn().unwrap()).collect();
    let done = |db: &mut postgres::Client| db.query_one(&format!("SELECT count(*) FROM {}.reprocess_done", s.schema), &[]).map(|r| r.get::<_, i64>(0) as usize).unwrap_or(0);
    while done(&mut db) < m {
        std::thread::sleep(Duration::from_millis(50));
        assert!(t.elapsed() < Duration::from_secs(1800), "the pool did not finish");
    }
    let secs = t.elapsed().as_secs_f64();
    let mut requests = std::collections::BTreeMap::<String, f64>::new();
    for p in &ports {
        for (op, k) in store_requests(*p) {
            *requests.entry(op).or_default() += k;
        }
    }
    for c in &mut children {
        unsafe {
            libc::kill(c.id() as i32, libc::SIGTERM);
        }
    }
    for mut c in children {
        let _ = c.wait();
    }
    let per_doc: Vec<String> = requests.iter().map(|(op, k)| format!("{op} {:.1}", k / m as f64)).collect();
    println!("| S3 + PostgreSQL, `--queue` + 2 workers × 1, all read by an older pipeline | {m} | {m} | {secs:.1} | {:.0} |", m as f64 / secs);
    println!("\nqueueing the {m} jobs took {queued:.1} s; the workers' store requests per document: {}", per_doc.join(", "));
    ExitCode::SUCCESS
}

fn changed(summary: &str) -> String {
    summary.split(", ").find_map(|p| p.strip_suffix(" changed").map(|c| c.rsplit(' ').next().unwrap_or(c).to_string())).unwrap_or_default()
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS; // `cargo bench -- --list` asks benches what they contain
    }
    if !(listening(5672) && listening(5432) && listening(9000)) {
        let st = Command::new("bash").arg(root().join("scripts/services.sh")).status().expect("bash");
        assert!(st.success(), "the services could not be started (scripts/services.sh)");
    }
    if std::env::args().any(|a| a == "drain") {
        return drain();
    }
    if std::env::args().any(|a| a == "reprocess") {
        return reprocess();
    }
    let n: usize = std::env::var("MAILROOM_BENCH_DOCS").ok().and_then(|v| v.parse().ok()).unwrap_or(usize::MAX);
    let docs = documents(n);
    let pages = pages(&docs);
    eprintln!("worker pool bench: {} documents, {pages} pages, binary {}", docs.len(), binary().display());

    let local = tempfile::tempdir().unwrap();
    let base = run_process(&docs, None, Some(local.path()));
    let s3 = setup("process");
    let process_s3 = run_process(&docs, Some(&s3.config), None);
    let pool_1x2 = run_pool(&docs, 1, 2, "pool1");
    let pool_2x1 = run_pool(&docs, 2, 1, "pool2");

    println!("\n| path | seconds | pages/s | vs process (local) |");
    println!("|---|---:|---:|---:|");
    for (name, d) in [
        ("mailroom process, local archive + SQLite", base),
        ("mailroom process, S3 + PostgreSQL", process_s3),
        ("submit + 1 worker × 2 documents at a time", pool_1x2),
        ("submit + 2 workers × 1 document at a time", pool_2x1),
    ] {
        println!("| {name} | {:.1} | {:.2} | {:.2}× |", d.as_secs_f64(), pages as f64 / d.as_secs_f64(), d.as_secs_f64() / base.as_secs_f64());
    }
    let worst = pool_1x2.max(pool_2x1).as_secs_f64() / base.as_secs_f64();
    println!("\ntarget: the worker pool within 1.10× of `mailroom process` — {} ({worst:.2}× for the slower pool setup)", if worst <= 1.10 { "met" } else { "MISSED" });
    ExitCode::SUCCESS
}
