//! Load on `mailroom serve` (issue 24): 16 concurrent clients send 2,000 documents of mixed
//! kinds to the upload API, then read the review UI's pages, against the production setup on
//! loopback (S3 test server, RabbitMQ, PostgreSQL; uploads are stored and queued, answered 202).
//!
//! Every answer is checked: only the documented statuses (202 queued, 200 already there, 413
//! too large, 400 for a request that is no upload, 503 with Retry-After when storage or the
//! broker is unavailable), never a dropped connection or a half answer; each document answered
//! 202 or 200 is in the bucket byte for byte and has its job on the queue; nothing is stored
//! for a 413. Reported: requests per second, p50/p99 latency by kind, the server's peak
//! resident memory (VmHWM), the answers by status.
//!
//! `cargo bench --bench load` (release). `MAILROOM_LOAD_DOCS` / `MAILROOM_LOAD_CLIENTS` change
//! the 2,000 / 16. The servers are started by `scripts/services.sh` when they are down.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{binary, root};

const S3: &str = "http://127.0.0.1:9000";
const TOKEN: &str = "load-secret-7f1c";
const MAX_FILE_MB: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    EInvoice,
    BornDigital,
    Scan,
    Email,
    Garbage,
    TooLarge,
    Again,
}

struct Upload {
    kind: Kind,
    name: String,
    bytes: Arc<Vec<u8>>,
}

/// xorshift64*, reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A PDF with a comment after its end marker: another file (another SHA-256), the same letter.
fn pdf_variant(pdf: &[u8], i: usize) -> Vec<u8> {
    let mut v = pdf.to_vec();
    v.extend_from_slice(format!("%load-variant {i}\n").as_bytes());
    v
}

/// The XRechnung fixture with its invoice number (BT-1) changed.
fn xml_variant(number: &str) -> Vec<u8> {
    let xml = std::fs::read_to_string(root().join("fixtures/documents/xrechnung-cii.xml")).unwrap();
    xml.replacen("<ram:ID>123456XX</ram:ID>", &format!("<ram:ID>{number}</ram:ID>"), 1).into_bytes()
}

fn uploads(n: usize) -> Vec<Upload> {
    let born = std::fs::read(root().join("fixtures/documents/born-digital-invoice.pdf")).unwrap();
    let scans: Vec<Vec<u8>> = common::files(&root().join("fixtures/scans"), "pdf").iter().map(|p| std::fs::read(p).unwrap()).collect();
    let attachment = std::fs::read(root().join("fixtures/documents/zugferd-invoice.pdf")).unwrap();
    // The e-mails carry a PDF as a mail client sends it: base64 in lines of 76 characters.
    let b64 = {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&attachment);
        encoded.as_bytes().chunks(76).map(|l| String::from_utf8_lossy(l).into_owned()).collect::<Vec<_>>().join("\r\n")
    };
    let mut rng = Rng(0x6c6f_6164);
    let mut out: Vec<Upload> = Vec::with_capacity(n);
    for i in 0..n {
        let roll = rng.next() % 100;
        let up = match roll {
            0..=34 => Upload { kind: Kind::EInvoice, name: format!("xrechnung-{i}.xml"), bytes: Arc::new(xml_variant(&format!("LOAD-{i:06}"))) },
            35..=59 => Upload { kind: Kind::BornDigital, name: format!("rechnung-{i}.pdf"), bytes: Arc::new(pdf_variant(&born, i)) },
            60..=74 => Upload { kind: Kind::Scan, name: format!("scan-{i}.pdf"), bytes: Arc::new(pdf_variant(&scans[i % scans.len()], i)) },
            75..=84 => {
                let mail = format!(
                    "From: buchhaltung@lieferant.example\r\nTo: eingang@mailroom.example\r\nSubject: Rechnung {i}\r\nMessage-ID: <load-{i}@lieferant.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei die Rechnung Nr. {i} über 1.234,56 €.\r\n--b{i}\r\nContent-Type: application/pdf; name=\"rechnung.pdf\"\r\nContent-Disposition: attachment; filename=\"rechnung.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b{i}--\r\n"
                );
                Upload { kind: Kind::Email, name: format!("mail-{i}.eml"), bytes: Arc::new(mail.into_bytes()) }
            }
            85..=92 => {
                let len = 1024 + (rng.next() % (63 * 1024)) as usize;
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                Upload { kind: Kind::Garbage, name: format!("noise-{i}.bin"), bytes: Arc::new(bytes) }
            }
            93..=96 if i > 10 => {
                let j = (rng.next() % i as u64) as usize;
                let earlier = &out[j];
                if matches!(earlier.kind, Kind::TooLarge | Kind::Again) {
                    Upload { kind: Kind::EInvoice, name: format!("xrechnung-{i}.xml"), bytes: Arc::new(xml_variant(&format!("LOAD-{i:06}"))) }
                } else {
                    Upload { kind: Kind::Again, name: earlier.name.clone(), bytes: earlier.bytes.clone() }
                }
            }
            _ => Upload { kind: Kind::TooLarge, name: format!("huge-{i}.pdf"), bytes: Arc::new(pdf_variant(&vec![b'%'; MAX_FILE_MB * 1024 * 1024 + 4096], i)) },
        };
        out.push(up);
    }
    out
}

struct Answer {
    status: u16,
    retry_after: bool,
    body: Vec<u8>,
}

/// One request on its own connection; `Err` for anything but a complete HTTP answer. The body
/// is written from a second thread while the answer is read, so that a server answering 413
/// before the body has arrived is read, not taken for a dropped connection.
fn request(port: u16, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Result<Answer, String> {
    let s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(120))).map_err(|e| e.to_string())?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut w = s.try_clone().map_err(|e| e.to_string())?;
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> std::io::Result<()> {
            w.write_all(head.as_bytes())?;
            w.write_all(body)?;
            w.flush()
        });
        let mut reader = BufReader::new(&s);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).map_err(|e| format!("reading the answer: {e}"))?;
        let status: u16 = status_line.split(' ').nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| format!("no status line: {status_line:?}"))?;
        let (mut length, mut chunked, mut retry_after) = (None, false, false);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).map_err(|e| format!("reading the headers: {e}"))?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (k, v) = line.split_once(':').unwrap_or((line, ""));
            match k.to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse::<usize>().ok(),
                "transfer-encoding" => chunked = v.contains("chunked"),
                "retry-after" => retry_after = true,
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let mut size = String::new();
                reader.read_line(&mut size).map_err(|e| e.to_string())?;
                let n = usize::from_str_radix(size.trim(), 16).map_err(|_| format!("bad chunk size {size:?}"))?;
                let mut chunk = vec![0; n + 2];
                reader.read_exact(&mut chunk).map_err(|e| format!("a chunk broke off: {e}"))?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            reader.read_exact(&mut body).map_err(|e| format!("the body broke off: {e}"))?;
        } else {
            reader.read_to_end(&mut body).map_err(|e| e.to_string())?;
        }
        // A write that failed after a complete answer (413 before the body) is no drop.
        let wrote = writer.join().expect("the writer thread");
        if let Err(e) = wrote {
            if status < 400 {
                return Err(format!("the upload could not be sent but was answered {status}: {e}"));
            }
        }
        Ok(Answer { status, retry_after, body })
    })
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()).map(|kb| kb / 1024.0).unwrap_or(f64::NAN)
}

fn services() {
    let up = |port: u16| TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(300)).is_ok();
    if !(up(5672) && up(5432) && up(9000)) {
        let st = Command::new("bash").arg(root().join("scripts/services.sh")).status().unwrap();
        assert!(st.success() && up(5672) && up(5432) && up(9000), "RabbitMQ, PostgreSQL and the S3 server must run: see scripts/services.sh");
    }
}

fn mailroom(config: &Path) -> Command {
    let mut c = Command::new(binary());
    c.arg("--config").arg(config).env("AWS_ACCESS_KEY_ID", "bench").env("AWS_SECRET_ACCESS_KEY", "bench").env("MAILROOM_HTTP_TOKENS", format!("load:{TOKEN}")).env("MAILROOM_LOG", "warn");
    c
}

struct Serve {
    child: std::process::Child,
    port: u16,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(config: &Path) -> Serve {
    let mut child = mailroom(config).args(["serve", "--listen", "127.0.0.1:0"]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("serve ended before it listened").unwrap();
        if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
            break rest.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    Serve { child, port }
}

#[derive(Default)]
struct Tally {
    latencies: BTreeMap<Kind, Vec<f64>>,
    statuses: BTreeMap<(Kind, u16), usize>,
    dropped: Vec<String>,
    stored: Vec<(String, Arc<Vec<u8>>)>,
    undocumented: Vec<String>,
}

fn main() -> ExitCode {
    let n: usize = std::env::var("MAILROOM_LOAD_DOCS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let clients: usize = std::env::var("MAILROOM_LOAD_CLIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
    services();
    let dir = tempfile::tempdir().unwrap();
    let unique = format!("{}-{}", std::process::id(), chrono::Utc::now().timestamp_millis() % 1_000_000);
    let (bucket, schema) = (format!("mailroom-load-{unique}"), format!("mailroom_load_{}", unique.replace('-', "_")));
    let queue = format!("mailroom.load.{unique}");
    let config: PathBuf = dir.path().join("pipeline.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\nkind = \"s3\"\nbucket = \"{bucket}\"\nendpoint = \"{S3}\"\nregion = \"eu-central-1\"\npath_style = true\ncreate_bucket = true\n\n\
             [catalog]\nkind = \"postgres\"\ndefault_url = \"postgresql://postgres@127.0.0.1:5432/mailroom\"\nschema = \"{schema}\"\n\n\
             [broker]\nqueue = \"{queue}.jobs\"\nevents_exchange = \"{queue}.events\"\n\n\
             [limits]\nmax_file_mb = {MAX_FILE_MB}\n\n[http]\nconcurrency = 8\n"
        ),
    )
    .unwrap();
    assert!(mailroom(&config).arg("check").stdout(Stdio::null()).status().unwrap().success(), "mailroom check failed");
    let work = uploads(n);
    let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    for u in &work {
        *by_kind.entry(u.kind).or_default() += 1;
    }
    eprintln!("load: {n} uploads by {clients} clients: {by_kind:?}");
    let server = serve(&config);
    let port = server.port;
    let next = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(u) = work.get(i) else { break };
                let t = Instant::now();
                let headers = [("Authorization", format!("Bearer {TOKEN}")), ("X-Filename", u.name.clone()), ("Content-Type", "application/octet-stream".to_string())];
                let answer = request(port, "POST", "/documents", &headers, &u.bytes);
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                let mut tally = tally.lock().unwrap();
                tally.latencies.entry(u.kind).or_default().push(ms);
                match answer {
                    Err(e) => tally.dropped.push(format!("{} ({:?}): {e}", u.name, u.kind)),
                    Ok(a) => {
                        *tally.statuses.entry((u.kind, a.status)).or_default() += 1;
                        let expected = match u.kind {
                            Kind::TooLarge => a.status == 413,
                            Kind::Again => matches!(a.status, 200 | 202),
                            _ => a.status == 202 || (a.status == 503 && a.retry_after),
                        };
                        if !expected {
                            tally.undocumented.push(format!("{} ({:?}): {} {}", u.name, u.kind, a.status, String::from_utf8_lossy(&a.body)));
                        }
                        if matches!(a.status, 200 | 202) {
                            let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap_or_default();
                            let id = v["id"].as_str().unwrap_or_default().to_string();
                            tally.stored.push((id, u.bytes.clone()));
                        }
                    }
                }
            });
        }
    });
    let upload_s = started.elapsed().as_secs_f64();
    let upload_rss = peak_rss_mb(server.child.id());
    let tally = tally.into_inner().unwrap();

    // Every stored document complete in the bucket, and one job each on the queue.
    let store = mailroom::store::s3::S3Store::connect(mailroom::store::s3::S3Config {
        bucket: bucket.clone(),
        endpoint: Some(S3.into()),
        region: "eu-central-1".into(),
        path_style: true,
        access_key_id: "bench".into(),
        secret_access_key: "bench".into(),
        session_token: None,
        sse: None,
        sse_kms_key_id: None,
        object_lock: true,
    })
    .unwrap();
    use mailroom::store::ObjectStore;
    let originals: BTreeMap<String, String> =
        mailroom::store::list_all(&store, "documents/").unwrap().into_iter().filter(|k| k.split('/').count() == 3).map(|k| (k.split('/').nth(1).unwrap().to_string(), k)).collect();
    let mut incomplete = Vec::new();
    for (id, bytes) in &tally.stored {
        let expected = mailroom::document::sha256_hex(bytes);
        if *id != expected {
            incomplete.push(format!("answered with id {id}, the upload's SHA-256 is {expected}"));
            continue;
        }
        match originals.get(id).and_then(|k| store.get(k).ok().flatten()) {
            Some(stored) if stored == **bytes => {}
            Some(_) => incomplete.push(format!("{id}: the stored original differs from the upload")),
            None => incomplete.push(format!("{id}: answered as stored, but not in the bucket")),
        }
    }
    let distinct_stored: std::collections::BTreeSet<&String> = tally.stored.iter().map(|(id, _)| id).collect();
    let too_large_stored = work.iter().filter(|u| u.kind == Kind::TooLarge).filter(|u| originals.contains_key(&mailroom::document::sha256_hex(&u.bytes))).count();
    // One job on the broker for each document answered as stored (none taken: no worker runs).
    let jobs = {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let cfg = mailroom::config::Config::load(Some(&config)).unwrap();
        let t = mailroom::queue::Topology::new(&cfg.broker);
        rt.block_on(async {
            let conn = mailroom::queue::connect(&cfg.broker, "load-bench").await.unwrap();
            let ch = conn.create_channel().await.unwrap();
            let q = ch.queue_declare(t.jobs.as_str().into(), lapin::options::QueueDeclareOptions { passive: true, ..Default::default() }, lapin::types::FieldTable::default()).await.unwrap();
            let n = q.message_count() as usize;
            for name in [t.jobs.clone(), t.dead.clone()].into_iter().chain(t.retry_delays_s.iter().map(|d| t.retry_queue(*d))) {
                let _ = ch.queue_delete(name.as_str().into(), Default::default()).await;
            }
            let _ = conn.close(200, "done".into()).await;
            n
        })
    };

    // The review UI's pages under the same clients: the queue, a document, the search.
    let ui_rounds = 40;
    let user_ok = {
        let mut c = mailroom(&config).args(["user", "add", "loadtester", "--role", "reviewer"]).stdin(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        c.stdin.take().unwrap().write_all(b"load-test-password-1\n").unwrap();
        c.wait().unwrap().success()
    };
    assert!(user_ok, "mailroom user add failed");
    let login = request(port, "POST", "/ui/login", &[("Content-Type", "application/x-www-form-urlencoded".into())], b"username=loadtester&password=load-test-password-1&next=%2Fui").expect("login");
    assert_eq!(login.status, 303, "login: {}", String::from_utf8_lossy(&login.body));
    drop(login);
    // The cookie is in the login's headers, which `request` does not keep: log in once more, raw.
    let cookie = {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let body = b"username=loadtester&password=load-test-password-1&next=%2Fui";
        write!(s, "POST /ui/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
        s.write_all(body).unwrap();
        let mut raw = String::new();
        let _ = s.read_to_string(&mut raw);
        raw.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().split(';').next().unwrap().to_string()).expect("a session cookie")
    };
    // Documents to show: 40 e-invoices read into the archive and catalog (the uploads above
    // are only queued; no worker runs here).
    let shown = dir.path().join("shown");
    std::fs::create_dir(&shown).unwrap();
    for i in 0..40 {
        std::fs::write(shown.join(format!("shown-{i}.xml")), xml_variant(&format!("UI-{i:04}"))).unwrap();
    }
    let out = mailroom(&config).args(["process", "--json"]).arg(&shown).stderr(Stdio::null()).output().unwrap();
    let shown_ids: Vec<String> =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()).filter_map(|v| v["id"].as_str().map(str::to_string)).collect();
    assert_eq!(shown_ids.len(), 40, "mailroom process of the UI's documents");
    let mut pages = vec!["/ui".to_string(), "/ui/search?q=Rechnung".to_string(), "/ui/due".to_string()];
    pages.extend(shown_ids.iter().take(5).map(|id| format!("/ui/documents/{id}")));
    let ui = Mutex::new((Vec::<f64>::new(), BTreeMap::<u16, usize>::new(), Vec::<String>::new(), BTreeMap::<String, Vec<f64>>::new()));
    let ui_started = Instant::now();
    std::thread::scope(|scope| {
        for c in 0..clients {
            let (pages, ui, cookie) = (&pages, &ui, &cookie);
            scope.spawn(move || {
                for r in 0..ui_rounds {
                    let page = &pages[(c + r) % pages.len()];
                    let t = Instant::now();
                    let a = request(port, "GET", page, &[("Cookie", cookie.clone())], b"");
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    let mut ui = ui.lock().unwrap();
                    ui.0.push(ms);
                    let label = if page.starts_with("/ui/documents/") { "/ui/documents/{id}".to_string() } else { page.clone() };
                    ui.3.entry(label).or_default().push(ms);
                    match a {
                        Ok(a) => *ui.1.entry(a.status).or_default() += 1,
                        Err(e) => ui.2.push(format!("{page}: {e}")),
                    }
                }
            });
        }
    });
    let ui_s = ui_started.elapsed().as_secs_f64();
    let (mut ui_lat, ui_status, ui_dropped, ui_pages) = ui.into_inner().unwrap();
    ui_lat.sort_by(|a, b| a.total_cmp(b));
    let peak = peak_rss_mb(server.child.id());
    drop(server);

    // Report.
    let answered: usize = tally.statuses.values().sum();
    println!("\n## Load: {n} uploads, {clients} clients (release, 2-core machine, S3 test server + RabbitMQ + PostgreSQL on loopback)\n");
    println!("| kind | uploads | answers | p50 ms | p99 ms |");
    println!("|---|---:|---|---:|---:|");
    let mut all: Vec<f64> = Vec::new();
    for (kind, lat) in &tally.latencies {
        let mut l = lat.clone();
        l.sort_by(|a, b| a.total_cmp(b));
        all.extend(&l);
        let answers: Vec<String> = tally.statuses.iter().filter(|((k, _), _)| k == kind).map(|((_, s), c)| format!("{c}× {s}")).collect();
        println!("| {kind:?} | {} | {} | {:.0} | {:.0} |", l.len(), answers.join(", "), common::percentile(&l, 0.5), common::percentile(&l, 0.99));
    }
    all.sort_by(|a, b| a.total_cmp(b));
    println!(
        "\nuploads: {answered} answered of {n} in {upload_s:.1} s = **{:.1} requests/s**, p50 {:.0} ms, **p99 {:.0} ms**; dropped connections: **{}**; undocumented answers: {}; stored documents incomplete or missing: **{}** of {} answered as stored ({} distinct); objects for refused uploads: {too_large_stored}",
        answered as f64 / upload_s,
        common::percentile(&all, 0.5),
        common::percentile(&all, 0.99),
        tally.dropped.len(),
        tally.undocumented.len(),
        incomplete.len(),
        tally.stored.len(),
        distinct_stored.len()
    );
    println!("jobs on the broker: {jobs} for {} distinct documents answered as stored", distinct_stored.len());
    println!("server peak RSS after the uploads: **{upload_rss:.0} MB**; after the UI load: {peak:.0} MB");
    println!(
        "review UI: {} pages in {ui_s:.1} s = {:.1} requests/s, p50 {:.0} ms, p99 {:.0} ms, answers {ui_status:?}, dropped {}",
        ui_lat.len(),
        ui_lat.len() as f64 / ui_s,
        common::percentile(&ui_lat, 0.5),
        common::percentile(&ui_lat, 0.99),
        ui_dropped.len()
    );
    for (page, lat) in &ui_pages {
        let mut l = lat.clone();
        l.sort_by(|a, b| a.total_cmp(b));
        println!("  {page}: {} requests, p50 {:.0} ms, p99 {:.0} ms", l.len(), common::percentile(&l, 0.5), common::percentile(&l, 0.99));
    }
    for d in tally.dropped.iter().chain(&tally.undocumented).chain(&incomplete).chain(&ui_dropped).take(20) {
        eprintln!("  problem: {d}");
    }
    let ok = tally.dropped.is_empty()
        && tally.undocumented.is_empty()
        && incomplete.is_empty()
        && answered == n
        && ui_dropped.is_empty()
        && ui_status.keys().all(|s| *s == 200)
        && too_large_stored == 0
        && jobs >= distinct_stored.len();
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("load: FAILED (see the problems above)");
        ExitCode::FAILURE
    }
}
