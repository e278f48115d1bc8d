//! `cargo bench --bench audit`: N concurrent writers appending to one audit trail, against a
//! local folder and the S3 test server (scale-out issue: the cost of an append must not grow
//! with the number of writers).
//!
//! Each writer is a process of its own with its own audit state, as workers are in
//! production (threads sharing one log would hide the conflicts): this bench runs itself as
//! the child. The writers wait for a common start instant, then each appends
//! `MAILROOM_BENCH_APPENDS` (default 200) `archived` entries of the size a real document
//! gives, each announcing two objects the writer stores first (outside the timing and the
//! count), then closes its log as a stopping worker does (its last anchor counts). Per N the table shows throughput, the
//! latency of one append (p50, p99), store requests per append (counted by the store
//! wrapper, `store::counted`), conflicts per append (creates refused because another writer
//! took the key) — in all, in the steady state (every append but a writer's first), and per
//! writer for opening its lane and closing its log, which all N writers do in the same instant
//! here — and whether `verify` is clean afterwards (a fork or a gap is a failure).
//!
//! Rows `catalog`: the same N processes upserting catalog rows (one per document, as workers
//! do) into PostgreSQL over the catalog's pooled connections; "requests" are upserts.
//!
//! `MAILROOM_BENCH_WRITERS` (default `1,2,4,8,16,32,64`) and `MAILROOM_BENCH_STORES`
//! (default `local,s3,catalog`) pick the rows. The S3 and catalog rows need the S3 server and
//! PostgreSQL (`scripts/services.sh`).

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mailroom::audit::{AuditLog, Event, EventKind, ObjectRef};
use mailroom::config::Config;
use mailroom::retention::RetentionPolicy;
use serde_json::{json, Value};

const S3: &str = "http://127.0.0.1:9000";
const PG: &str = "postgresql://postgres@127.0.0.1:5432/mailroom";
const CHILD: &str = "MAILROOM_AUDIT_BENCH_CHILD";

fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A writer's share of the spec (appends, writer number), once the common start instant has
/// come; `late` when the writer was not ready by then.
fn wait_for_start(spec: &Value) -> (u64, u64, bool) {
    let start = spec["start_ms"].as_u64().unwrap() as u128;
    let late = now_ms() > start;
    while now_ms() < start {
        std::thread::sleep(Duration::from_millis(1));
    }
    (spec["appends"].as_u64().unwrap(), spec["writer"].as_u64().unwrap(), late)
}

/// One writer: waits for the start instant, appends, prints what it measured as JSON.
fn child(spec: &str) -> ExitCode {
    let spec: Value = serde_json::from_str(spec).expect("the parent's spec");
    let config = Config::load(Some(Path::new(spec["config"].as_str().unwrap()))).expect("config");
    if spec["kind"] == "catalog" {
        return catalog_child(&spec, &config);
    }
    let spec = &spec;
    let store = config.open_store().expect("store");
    let log = AuditLog::new(store.clone(), RetentionPolicy::default());
    let (appends, writer, late) = wait_for_start(spec);
    // Only the audit log's requests count: the objects an entry announces are written
    // outside the count (verify checks them afterwards).
    // Per phase: "edges" (the first append, which opens the lane, and the close at the end —
    // once per process), "steady" (every other append).
    let mut requests: std::collections::BTreeMap<(&str, &str), u64> = std::collections::BTreeMap::new();
    let mut counted = |phase: &'static str, f: &mut dyn FnMut()| {
        let before = mailroom::store::counted::snapshot();
        f();
        for ((op, n), (_, b)) in mailroom::store::counted::snapshot().into_iter().zip(before) {
            *requests.entry((phase, op)).or_default() += n - b;
        }
    };
    let mut latencies = Vec::new();
    for i in 0..appends {
        let id = format!("{:064x}", writer * 1_000_000 + i);
        let objects: Vec<ObjectRef> = ["index/0001.json", "words.json"]
            .iter()
            .map(|name| {
                let key = format!("documents/{id}/{name}");
                let bytes = format!("{id}/{name}").into_bytes();
                store.put_new(&key, &bytes, None).expect("an object");
                ObjectRef::of(&key, &bytes)
            })
            .collect();
        // The size of a real `archived` entry: the padding stands for its other three objects.
        let details = json!({"revision": 1, "doc_type": "invoice", "confidence": 0.97, "needs_review": false, "models": {"extract": "extract-v3", "classify": "doctype-v2"}, "retain_until": "2035-12-31T23:59:59Z", "retention_rule": "invoice", "padding": "x".repeat(400)});
        counted(if i == 0 { "edges" } else { "steady" }, &mut || {
            let t = Instant::now();
            log.append(&format!("worker@bench:{writer}"), Event::new(EventKind::Archived, Some(&id)).objects(objects.clone()).details(details.clone())).expect("append");
            latencies.push(t.elapsed().as_micros() as u64);
        });
    }
    // A worker closes its log when it stops: its last anchor counts too.
    counted("edges", &mut || log.close().expect("close"));
    let requests: serde_json::Map<String, Value> = requests.into_iter().map(|((phase, op), n)| (format!("{phase}/{op}"), json!(n))).collect();
    println!("{}", json!({"latencies_us": latencies, "requests": requests, "end_ms": now_ms() as u64, "late": late}));
    ExitCode::SUCCESS
}

/// One catalog writer: upserts rows as workers do after each document, on the pooled
/// PostgreSQL connections.
fn catalog_child(spec: &Value, config: &Config) -> ExitCode {
    let catalog = config.open_catalog().expect("catalog").expect("a PostgreSQL catalog");
    let (appends, writer, late) = wait_for_start(spec);
    let mut latencies = Vec::new();
    for i in 0..appends {
        let id = mailroom::vocab::DocumentId::parse(&format!("{:064x}", writer * 1_000_000 + i)).unwrap();
        let source = mailroom::index::Source {
            channel: mailroom::index::Channel::File,
            name: format!("{i}.pdf"),
            media_type: mailroom::vocab::MediaType::Pdf,
            size: 1,
            received_at: "2026-12-05T10:00:00Z".into(),
            parent: None,
            parent_pages: None,
            split: None,
        };
        let mut index = mailroom::index::DocumentIndex::processed(id.clone(), source);
        index.archive.revision = 1;
        index.archive.index = Some(format!("documents/{id}/index/0001.json"));
        let t = Instant::now();
        catalog.upsert(&mailroom::catalog::Entry::of(&index)).expect("upsert");
        latencies.push(t.elapsed().as_micros() as u64);
    }
    println!("{}", json!({"latencies_us": latencies, "requests": {"steady/upsert": appends.saturating_sub(1), "edges/upsert": appends.min(1)}, "end_ms": now_ms() as u64, "late": late}));
    ExitCode::SUCCESS
}

struct Row {
    store: &'static str,
    writers: usize,
    appends: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Per append, all phases.
    requests: f64,
    conflicts: f64,
    /// Per append after a writer's first, before its close.
    steady_requests: f64,
    steady_conflicts: f64,
    /// Per writer: opening its lane (first append) and closing its log.
    edge_requests: f64,
    edge_conflicts: f64,
    verify: String,
}

fn run(store: &'static str, writers: usize, appends: u64, dir: &Path) -> Row {
    let config = dir.join(format!("{store}-{writers}.toml"));
    let schema = format!("mailroom_bench_audit_{}_{writers}", std::process::id());
    let archive = match store {
        "local" => format!("[archive]\nkind = \"local\"\npath = \"{}\"\n", dir.join(format!("archive-{writers}")).display()),
        "catalog" => format!(
            "[archive]\nkind = \"local\"\npath = \"{}\"\n\n[catalog]\nkind = \"postgres\"\ndefault_url = \"{PG}\"\nschema = \"{schema}\"\n",
            dir.join(format!("catalog-archive-{writers}")).display()
        ),
        _ => format!(
            "[archive]\nkind = \"s3\"\nbucket = \"mailroom-bench-audit-{}-{writers}\"\nendpoint = \"{S3}\"\nregion = \"eu-central-1\"\npath_style = true\ncreate_bucket = true\n",
            std::process::id()
        ),
    };
    let text = if store == "catalog" { archive } else { format!("{archive}\n[catalog]\nkind = \"none\"\n") };
    std::fs::write(&config, text).unwrap();
    // Creates the bucket (or the schema) before the writers race to.
    let loaded = Config::load(Some(&config)).unwrap();
    let opened = loaded.open_store().unwrap();
    let catalog = if store == "catalog" { loaded.open_catalog().unwrap() } else { None };
    // Time for every writer to start (and connect) before the common start.
    let start = now_ms() + 1500 + 60 * writers as u128;
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..writers)
        .map(|w| {
            let spec = json!({"config": config, "appends": appends, "writer": w, "start_ms": start as u64, "kind": if store == "catalog" { "catalog" } else { "audit" }});
            Command::new(&exe).env(CHILD, spec.to_string()).stdout(Stdio::piped()).spawn().expect("the bench runs itself")
        })
        .collect();
    let mut latencies = Vec::new();
    let mut requests = 0u64;
    let mut conflicts = 0u64;
    let (mut steady_requests, mut steady_conflicts, mut edge_requests, mut edge_conflicts) = (0u64, 0u64, 0u64, 0u64);
    let mut end = 0u128;
    let mut late = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a writer failed");
        let v: Value = serde_json::from_slice(&out.stdout).expect("a writer's report");
        latencies.extend(v["latencies_us"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()));
        for (key, n) in v["requests"].as_object().unwrap() {
            let n = n.as_u64().unwrap();
            let (phase, op) = key.split_once('/').unwrap();
            let conflict = if op == "put_new_exists" { n } else { 0 };
            requests += n;
            conflicts += conflict;
            if phase == "steady" {
                steady_requests += n;
                steady_conflicts += conflict;
            } else {
                edge_requests += n;
                edge_conflicts += conflict;
            }
        }
        end = end.max(v["end_ms"].as_u64().unwrap() as u128);
        late += v["late"].as_bool().unwrap() as usize;
    }
    if late > 0 {
        eprintln!("audit bench: {late} of {writers} writers started after the common start; raise the start delay");
    }
    if let Some(catalog) = catalog {
        // No verify for rows: every one must be there.
        let rows = catalog.count(&mailroom::catalog::Query::default()).expect("count");
        let total = writers as u64 * appends;
        let verify = if rows == total { format!("clean ({rows} rows)") } else { format!("{rows} ROWS of {total}") };
        drop(catalog);
        let mut db = postgres::Client::connect(PG, postgres::NoTls).expect("PostgreSQL");
        let _ = db.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
        return row(store, writers, appends, (end - start) as f64 / 1000.0, latencies, [requests, conflicts, steady_requests, steady_conflicts, edge_requests, edge_conflicts], verify);
    }
    let report = mailroom::audit::verify::verify(&*opened).expect("verify");
    let verify = if report.is_clean() {
        format!("clean ({} entries, {} lanes)", report.entries, report.lanes)
    } else {
        format!("{} FINDINGS: {:?}", report.findings.len(), &report.findings[..report.findings.len().min(3)])
    };
    row(store, writers, appends, (end - start) as f64 / 1000.0, latencies, [requests, conflicts, steady_requests, steady_conflicts, edge_requests, edge_conflicts], verify)
}

/// counts: requests, conflicts, then the same in the steady state and at the edges.
fn row(store: &'static str, writers: usize, appends: u64, seconds: f64, mut latencies: Vec<u64>, counts: [u64; 6], verify: String) -> Row {
    let [requests, conflicts, steady_requests, steady_conflicts, edge_requests, edge_conflicts] = counts.map(|c| c as f64);
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0;
    let total = (writers as u64 * appends) as f64;
    let steady = (writers as u64 * appends.saturating_sub(1)).max(1) as f64;
    Row {
        store,
        writers,
        appends: writers as u64 * appends,
        seconds,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        requests: requests / total,
        conflicts: conflicts / total,
        steady_requests: steady_requests / steady,
        steady_conflicts: steady_conflicts / steady,
        edge_requests: edge_requests / writers as f64,
        edge_conflicts: edge_conflicts / writers as f64,
        verify,
    }
}

fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(CHILD) {
        return child(&spec);
    }
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        // Any keys do for the S3 test server; the writers get them from their parent.
        std::env::set_var("AWS_ACCESS_KEY_ID", "test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    }
    let writers: Vec<usize> = std::env::var("MAILROOM_BENCH_WRITERS").unwrap_or_else(|_| "1,2,4,8,16,32,64".into()).split(',').filter_map(|n| n.trim().parse().ok()).collect();
    let stores: Vec<String> = std::env::var("MAILROOM_BENCH_STORES").unwrap_or_else(|_| "local,s3,catalog".into()).split(',').map(|s| s.trim().to_string()).collect();
    let appends: u64 = env_or("MAILROOM_BENCH_APPENDS", 200);
    if stores.iter().any(|s| s == "s3") && std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], 9000).into(), Duration::from_secs(1)).is_err() {
        let st = Command::new("bash").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/services.sh")).status().expect("bash");
        assert!(st.success(), "scripts/services.sh failed: the S3 rows need the S3 server");
    }
    let dir = tempfile::tempdir().unwrap();
    println!("| store | writers | appends | seconds | appends/s (objects written too) | p50 ms | p99 ms | requests/append | conflicts/append | steady: requests/append | steady: conflicts/append | open+close: requests/writer | open+close: conflicts/writer | verify |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut ok = true;
    for store in &stores {
        let store: &'static str = match store.as_str() {
            "s3" => "s3",
            "catalog" => "catalog",
            _ => "local",
        };
        for &n in &writers {
            let r = run(store, n, appends, dir.path());
            ok &= r.verify.starts_with("clean");
            println!(
                "| {} | {} | {} | {:.2} | {:.0} | {:.1} | {:.1} | {:.2} | {:.3} | {:.3} | {:.3} | {:.1} | {:.1} | {} |",
                r.store,
                r.writers,
                r.appends,
                r.seconds,
                r.appends as f64 / r.seconds,
                r.p50_ms,
                r.p99_ms,
                r.requests,
                r.conflicts,
                r.steady_requests,
                r.steady_conflicts,
                r.edge_requests,
                r.edge_conflicts,
                r.verify
            );
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
