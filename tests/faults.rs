//! Fault injection against real servers, each private to its test so that the suite's other
//! tests are not disturbed: the archive's disk runs full (a small tmpfs), and the S3 server
//! stops answering mid-run (a private moto, paused with SIGSTOP and resumed — it keeps its
//! objects in memory, so it is never restarted). After each: every document archived exactly
//! once, nothing acknowledged (moved out of the hot folder, taken off the queue) that is not
//! stored, the catalog the same after `mailroom catalog rebuild`, `mailroom verify` clean, and
//! exit codes and messages that tell the operator what happened.
//!
//! Needs root (mount) and the moto server that `scripts/setup.sh` installs; fails, naming what
//! is missing, without them.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::servers::*;
use common::*;

/// `n` distinct born-digital invoices (the fixture with a comment after its end marker).
fn pdf_invoices(dir: &Path, n: usize) -> Vec<PathBuf> {
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();
    (0..n)
        .map(|i| {
            let p = dir.join(format!("rechnung-{i:03}.pdf"));
            let mut v = pdf.clone();
            v.extend_from_slice(format!("%variant {i}\n").as_bytes());
            std::fs::write(&p, v).unwrap();
            p
        })
        .collect()
}

/// A tmpfs of `mb` MiB at `dir`, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, mb: u32) -> SmallDisk {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"]).arg(dir).output().expect("mount (util-linux)");
        assert!(out.status.success(), "this test mounts a small tmpfs to fill it and needs root: mount said {}", String::from_utf8_lossy(&out.stderr));
        SmallDisk(dir.to_path_buf())
    }
    fn grow(&self, mb: u32) {
        let out = Command::new("mount").args(["-o", &format!("remount,size={mb}m")]).arg(&self.0).output().unwrap();
        assert!(out.status.success(), "remount: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// The index revisions in a local archive, per document.
fn local_revisions(archive: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out = std::collections::BTreeMap::new();
    let Ok(docs) = std::fs::read_dir(archive.join("documents")) else { return out };
    for d in docs {
        let d = d.unwrap().path();
        let mut revs: Vec<String> = std::fs::read_dir(d.join("index")).map(|r| r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
        revs.sort();
        out.insert(d.file_name().unwrap().to_string_lossy().into_owned(), revs);
    }
    out
}

fn mailroom_local(archive: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
    c.arg("--archive").arg(archive).env("MAILROOM_LOG", "warn");
    c
}

/// The catalog as `list --json` shows it, before and after `catalog rebuild`: the same.
fn catalog_survives_rebuild(mut run: impl FnMut(&[&str]) -> std::process::Output) {
    let listed = |run: &mut dyn FnMut(&[&str]) -> std::process::Output| {
        let out = run(&["list", "--json", "--limit", "100000"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        v.sort_by_key(|e| e["id"].as_str().unwrap_or_default().to_string());
        v
    };
    let before = listed(&mut run);
    let out = run(&["catalog", "rebuild"]);
    assert!(out.status.success(), "catalog rebuild: {}", String::from_utf8_lossy(&out.stderr));
    let after = listed(&mut run);
    assert_eq!(before, after, "catalog rebuild changed the catalog: it was not consistent with the archive");
}

/// After a fault: each of the `n` documents archived exactly once, no job dead-lettered, the
/// catalog what `catalog rebuild` makes of the archive, `verify` clean.
fn each_archived_once_and_consistent(env: &Env, n: usize, fault: &str) {
    let keys = index_keys(&env.store());
    let ids: BTreeSet<String> = keys.iter().map(|k| k.split('/').nth(1).unwrap().to_string()).collect();
    assert_eq!(ids.len(), n, "every document archived after {fault}");
    assert_eq!(keys.len(), n, "one index revision each after {fault}: {keys:#?}");
    assert!(keys.iter().all(|k| k.ends_with("/index/0001.json")), "each document once after {fault}: {keys:#?}");
    let dead = env.dead_letters();
    assert!(dead.is_empty(), "{fault} dead-lettered jobs: {dead:#?}");
    catalog_survives_rebuild(|args| env.run(args));
    env.verify_clean();
}

/// The local archive's disk runs full in the middle of a hot-folder run: the files not stored
/// stay in the hot folder, the run says the disk is full and exits non-zero, no document is
/// half-archived, and after room is made the same folder is taken in completely, each document
/// once, the audit trail intact.
#[test]
fn a_full_disk_loses_nothing_and_the_run_after_it_completes() {
    let dir = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&dir.path().join("disk"), 3);
    let archive = disk.0.join("archive");
    let hot = dir.path().join("hot");
    std::fs::create_dir(&hot).unwrap();
    let files = pdf_invoices(&hot, 40);
    let names: BTreeSet<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let ids: BTreeSet<String> = files.iter().map(|f| mailroom::document::sha256_hex(&std::fs::read(f).unwrap())).collect();

    let out = mailroom_local(&archive).args(["watch", "--once", "--settle", "0"]).arg(&hot).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a run that could not store everything must fail:\n{stderr}");
    assert!(stderr.to_lowercase().contains("no space left") || stderr.contains("disk is full"), "the operator must be told the disk is full:\n{stderr}");
    // Nothing moved away that is not stored: every file left in the hot folder is not
    // archived completely, every file moved out is.
    let left: BTreeSet<String> = std::fs::read_dir(&hot).unwrap().map(|e| e.unwrap()).filter(|e| e.path().is_file()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(!left.is_empty() && left.len() < names.len(), "the disk should fill part-way ({} of {} left)", left.len(), names.len());
    let done_dir = hot.join(".mailroom-done");
    for name in names.difference(&left) {
        let id = mailroom::document::sha256_hex(&std::fs::read(done_dir.join(name)).unwrap());
        assert_eq!(local_revisions(&archive).get(&id).map(Vec::len), Some(1), "{name} was moved out of the hot folder but is not archived");
    }

    disk.grow(64);
    let out = mailroom_local(&archive).args(["watch", "--once", "--settle", "0"]).arg(&hot).output().unwrap();
    assert!(out.status.success(), "after room was made: {}", String::from_utf8_lossy(&out.stderr));
    let revisions = local_revisions(&archive);
    assert_eq!(revisions.keys().cloned().collect::<BTreeSet<_>>(), ids, "every document archived");
    for (id, revs) in &revisions {
        assert_eq!(revs, &["0001.json"], "{id} archived more than once or not at all");
    }
    assert!(std::fs::read_dir(&hot).unwrap().all(|e| !e.unwrap().path().is_file()), "the hot folder is empty");
    catalog_survives_rebuild(|args| mailroom_local(&archive).args(args).output().unwrap());
    let out = mailroom_local(&archive).arg("verify").output().unwrap();
    assert!(out.status.success(), "verify after the full disk:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// A private S3 test server (moto) on its own port.
struct PrivateS3 {
    child: Child,
    port: u16,
}

impl PrivateS3 {
    fn start() -> PrivateS3 {
        let venv = std::env::var("MAILROOM_MOTO_VENV").unwrap_or_else(|_| "/opt/mailroom/moto-venv".into());
        let server = Path::new(&venv).join("bin/moto_server");
        assert!(server.exists(), "{} is missing: run scripts/setup.sh (it installs moto)", server.display());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(server).args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let t = Instant::now();
        while !listening(port) {
            assert!(t.elapsed() < Duration::from_secs(30), "the private moto did not come up on port {port}");
            std::thread::sleep(Duration::from_millis(200));
        }
        PrivateS3 { child, port }
    }
    fn signal(&self, sig: i32) {
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }
}

impl Drop for PrivateS3 {
    fn drop(&mut self) {
        self.signal(libc::SIGCONT);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The S3 server stops answering for 10 seconds while two workers drain 200 documents: they
/// wait or retry, and when it answers again every document is archived once, no job is
/// dead-lettered, the PostgreSQL catalog matches the archive and `verify` is clean.
#[test]
fn a_paused_s3_server_delays_but_loses_nothing() {
    let s3 = PrivateS3::start();
    let env = Env::with_s3("mailroom-fault", &format!("http://127.0.0.1:{}", s3.port));
    let inbox = env.dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let files = xml_invoices(&inbox, 200);
    let out = env.run(&["submit", inbox.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = env.store();
    let mut a = env.spawn_worker("worker-a.log");
    let mut b = env.spawn_worker("worker-b.log");
    wait_until("the first 40 documents", Duration::from_secs(300), || index_keys(&s).len() >= 40);
    s3.signal(libc::SIGSTOP);
    // The catalog (PostgreSQL) still answers while S3 does not.
    let at_pause = env.catalogued();
    std::thread::sleep(Duration::from_secs(10));
    let during = env.catalogued();
    s3.signal(libc::SIGCONT);
    // The pause took hold: at most the documents already past their last S3 request went on.
    assert!(during <= at_pause + 4, "{at_pause} catalogued at the pause, {during} ten seconds later: the S3 server was not paused");
    wait_until("all 200 documents after the pause", Duration::from_secs(600), || index_keys(&s).len() >= files.len());
    std::thread::sleep(Duration::from_secs(2));
    stop(&mut a);
    stop(&mut b);
    each_archived_once_and_consistent(&env, 200, "a pause of the S3 server");
}

/// A private PostgreSQL cluster (initdb as the `postgres` user) on its own port.
struct PrivatePg {
    dir: tempfile::TempDir,
    port: u16,
}

impl PrivatePg {
    fn bin(tool: &str) -> PathBuf {
        let root = Path::new("/usr/lib/postgresql");
        let version = std::fs::read_dir(root)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| e.path())
            .unwrap_or_else(|| panic!("no PostgreSQL server under {}: install postgresql (scripts/setup.sh)", root.display()));
        version.join("bin").join(tool)
    }
    fn as_postgres(args: &[&str]) -> std::process::Output {
        Command::new("runuser").args(["-u", "postgres", "--"]).args(args).output().expect("runuser (util-linux) to run PostgreSQL as its own user")
    }
    fn start() -> PrivatePg {
        let dir = tempfile::Builder::new().prefix("mailroom-pg").tempdir().unwrap();
        let st = Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().unwrap();
        assert!(st.success(), "chown of the private cluster's folder (needs root)");
        let data = dir.path().join("data");
        let out = Self::as_postgres(&[Self::bin("initdb").to_str().unwrap(), "-D", data.to_str().unwrap(), "--auth=trust", "-U", "postgres"]);
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let pg = PrivatePg { dir, port };
        pg.ctl("start");
        pg
    }
    fn ctl(&self, what: &str) {
        let data = self.dir.path().join("data");
        let log = self.dir.path().join("log");
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        let mut args = vec![Self::bin("pg_ctl").to_string_lossy().into_owned(), "-D".into(), data.display().to_string(), "-l".into(), log.display().to_string(), "-o".into(), opts, "-w".into()];
        if what != "start" {
            args.extend(["-m".into(), "fast".into()]);
        }
        args.push(what.into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = Self::as_postgres(&args);
        assert!(out.status.success(), "pg_ctl {what}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    }
    fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = Self::as_postgres(&[Self::bin("pg_ctl").to_str().unwrap(), "-D", data.to_str().unwrap(), "-m", "immediate", "stop"]);
    }
}

/// PostgreSQL (the catalog) restarts while two workers drain 200 documents: the workers
/// reconnect (a connection that failed is not reused), every document is archived once and
/// catalogued once, `catalog rebuild` finds nothing to change, `verify` is clean.
#[test]
fn a_postgres_restart_mid_run_leaves_the_catalog_consistent() {
    let pg = PrivatePg::start();
    let env = Env::with_servers("mailroom-fault", S3, &pg.url(), "amqp://guest:guest@127.0.0.1:5672/%2f");
    let inbox = env.dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let files = xml_invoices(&inbox, 200);
    let out = env.run(&["submit", inbox.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = env.store();
    let mut a = env.spawn_worker("worker-a.log");
    let mut b = env.spawn_worker("worker-b.log");
    wait_until("the first 40 documents", Duration::from_secs(300), || index_keys(&s).len() >= 40);
    pg.ctl("restart");
    wait_until("all 200 documents after the restart", Duration::from_secs(600), || index_keys(&s).len() >= files.len());
    // The catalog row is written last: wait for it, not only for the index.
    wait_until("200 catalog rows", Duration::from_secs(300), || env.catalogued() >= 200);
    stop(&mut a);
    stop(&mut b);
    let logs = env.log("worker-a.log") + &env.log("worker-b.log");
    assert!(logs.contains("the catalog could not be updated"), "the restart should have met a catalog write, and the log say so");
    each_archived_once_and_consistent(&env, 200, "a PostgreSQL restart");
}

/// A TCP proxy to the broker whose connections the test can cut, as a network failure would.
struct Proxy {
    port: u16,
    conns: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Proxy {
    fn to(upstream: u16) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let conns: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>> = Default::default();
        let kept = conns.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = std::net::TcpStream::connect(("127.0.0.1", upstream)) else { continue };
                kept.lock().unwrap().extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Proxy { port, conns }
    }
    /// Cuts every connection open now; new ones are let through.
    fn cut(&self) -> usize {
        let mut conns = self.conns.lock().unwrap();
        for c in conns.iter() {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
        let n = conns.len() / 2;
        conns.clear();
        n
    }
}

/// The broker connection is cut while `submit` publishes 200 jobs and again while workers
/// take them: `submit` says which documents were stored but not queued and exits non-zero,
/// submitting again queues exactly those, the workers reconnect, and every document is archived
/// once — a job whose ack was lost comes back and is found archived.
#[test]
fn a_cut_broker_connection_loses_nothing_and_archives_nothing_twice() {
    let proxy = Proxy::to(5672);
    let env = Env::with_servers("mailroom-fault", S3, PG, &format!("amqp://guest:guest@127.0.0.1:{}/%2f", proxy.port));
    let inbox = env.dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let files = xml_invoices(&inbox, 200);
    let mut submit = env.mailroom().args(["submit", inbox.to_str().unwrap()]).stderr(Stdio::piped()).spawn().unwrap();
    let log = env.dir.path().join("submit.log");
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    let stderr = submit.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = lines_tx.send(line);
        }
        all
    });
    // Cut once 20 jobs are on the queue.
    let t = Instant::now();
    let mut queued = 0;
    while queued < 20 {
        let line = lines_rx.recv_timeout(Duration::from_secs(120)).expect("submit's progress");
        queued += usize::from(line.starts_with("submitted"));
    }
    let cut = proxy.cut();
    assert!(cut >= 1, "submit had no broker connection to cut");
    let out = (submit.wait().unwrap(), reader.join().unwrap());
    std::fs::write(&log, &out.1).unwrap();
    assert!(!out.0.success(), "submit must fail when its jobs were not all queued:\n{}", out.1);
    assert!(out.1.contains("stored but NOT queued") && out.1.contains("submit it again"), "{}", out.1);
    let queued_first = out.1.lines().filter(|l| l.starts_with("submitted")).count();
    assert!(queued_first > 0 && queued_first < 200, "the cut should fall mid-run ({queued_first} queued, {:?} in)", t.elapsed());
    // Again: the rest are queued (an original already stored is not stored twice).
    let again = env.run(&["submit", inbox.to_str().unwrap()]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let s = env.store();
    let mut a = env.spawn_worker("worker-a.log");
    let mut b = env.spawn_worker("worker-b.log");
    wait_until("the first 40 documents", Duration::from_secs(300), || index_keys(&s).len() >= 40);
    assert!(proxy.cut() >= 2, "the workers' connections");
    wait_until("all 200 documents after the cut", Duration::from_secs(600), || index_keys(&s).len() >= files.len());
    std::thread::sleep(Duration::from_secs(3));
    stop(&mut a);
    stop(&mut b);
    let worker_logs = env.log("worker-a.log") + &env.log("worker-b.log");
    assert!(worker_logs.contains("reconnecting"), "the workers must have lost and regained the broker");
    each_archived_once_and_consistent(&env, 200, "a cut broker connection");
}
