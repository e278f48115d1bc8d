//! Production mode against the real servers: RabbitMQ on 127.0.0.1:5672 and the S3 server
//! (moto) on 127.0.0.1:9000, both started by `scripts/services.sh` when they are down. No
//! mocks: the workers are the real `mailroom` binary, reached over the network like in
//! production. Each test uses its own bucket, queue names and catalog schema
//! (`common::servers::Env`), and removes its queues and schema when it ends.
//!
//! The tests that need the broker take one lock, because one of them restarts RabbitMQ.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, Utc};
use common::servers::*;
use common::*;
use mailroom::retention::end_of_period;
use mailroom::store::{ObjectStore, StoreError};

static BROKER: Mutex<()> = Mutex::new(());

/// A plain S3 client, as someone with the bucket's credentials (not mailroom) would use it.
fn raw_client() -> (tokio::runtime::Runtime, aws_sdk_s3::Client) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-central-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(S3)
        .force_path_style(true)
        .build();
    (rt, aws_sdk_s3::Client::from_conf(conf))
}

#[test]
fn locked_objects_outlive_deletes_and_overwrites_and_verify_finds_tampering() {
    let env = Env::new("mailroom-test");
    let docs = env.dir.path().join("in");
    std::fs::create_dir(&docs).unwrap();
    std::fs::copy(fixture("documents/born-digital-invoice.pdf"), docs.join("invoice.pdf")).unwrap();
    std::fs::copy(fixture("bad/truncated.pdf"), docs.join("truncated.pdf")).unwrap();
    let out = env.run(&["process", "--json", docs.to_str().unwrap()]);
    let indexes: Vec<serde_json::Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let invoice = indexes.iter().find(|i| i["status"] == "processed").expect("the invoice is processed");
    let broken = indexes.iter().find(|i| i["status"] == "quarantined").expect("the truncated file is quarantined");
    let s = env.store();
    let received: DateTime<Utc> = invoice["source"]["received_at"].as_str().unwrap().parse().unwrap();

    // The retain-until date follows the rule for the type: 8 years for an invoice, counted
    // from the end of the year of receipt; the unclassifiable file keeps the shortest, 6.
    let original = invoice["archive"]["original"].as_str().unwrap();
    assert_eq!(invoice["doc_type"]["label"], "invoice");
    assert_eq!(s.head(original).unwrap().unwrap().retain_until, Some(end_of_period(received, 8)));
    let broken_original = broken["archive"]["original"].as_str().unwrap();
    assert_eq!(s.head(broken_original).unwrap().unwrap().retain_until, Some(end_of_period(received, 6)));

    // Reclassified as a contract: every object of the document is extended to 10 years.
    let id = invoice["id"].as_str().unwrap();
    let out = env.run(&["revise", id, "--type", "contract", "--reason", "framework agreement, not an invoice"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for key in mailroom::store::list_all(&s, &format!("documents/{id}/")).unwrap() {
        assert_eq!(s.head(&key).unwrap().unwrap().retain_until, Some(end_of_period(received, 10)), "{key}");
    }
    // mailroom never shortens a retention.
    s.extend_retention(original, end_of_period(received, 1)).unwrap();
    assert_eq!(s.head(original).unwrap().unwrap().retain_until, Some(end_of_period(received, 10)));

    // Neither mailroom nor someone with the bucket's keys can delete a locked version.
    assert!(matches!(s.delete(original), Err(StoreError::Refused { .. })));
    let (rt, raw) = raw_client();
    let versions = rt.block_on(raw.list_object_versions().bucket(&env.bucket).prefix(original).send()).unwrap();
    let version = versions.versions()[0].version_id().unwrap().to_string();
    let refused = rt.block_on(raw.delete_object().bucket(&env.bucket).key(original).version_id(&version).send());
    assert!(refused.is_err(), "a locked version was deleted");
    // An overwrite cannot replace it either: mailroom refuses to write the key again, and a
    // raw PUT only stacks a new version on top while the locked one stays as it was.
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();
    assert_eq!(s.put_new(original, b"forged", None).unwrap(), mailroom::store::Put::Exists);
    rt.block_on(raw.put_object().bucket(&env.bucket).key(original).body(ByteStream::from_static(b"forged")).send()).unwrap();
    let kept = rt.block_on(raw.get_object().bucket(&env.bucket).key(original).version_id(&version).send()).unwrap();
    assert_eq!(rt.block_on(kept.body.collect()).unwrap().into_bytes().as_ref(), pdf.as_slice());

    // Deletion is allowed once the date has passed, but not under a legal hold.
    let soon = Utc::now() + chrono::Duration::seconds(3);
    s.put_new("documents/scratch/short.txt", b"x", Some(soon)).unwrap();
    assert!(s.delete("documents/scratch/short.txt").is_err(), "deleted before its date");
    s.put_new("documents/scratch/held.txt", b"x", Some(soon)).unwrap();
    s.set_legal_hold("documents/scratch/held.txt", true).unwrap();
    std::thread::sleep(Duration::from_secs(4));
    s.delete("documents/scratch/short.txt").unwrap();
    assert!(s.head("documents/scratch/short.txt").unwrap().is_none());
    assert!(matches!(s.delete("documents/scratch/held.txt"), Err(StoreError::Refused { .. })));

    // verify: the forged original (its current version) and a forged index revision are
    // found, and so is an audit entry someone replaced.
    let index_key = format!("documents/{id}/index/0001.json");
    let mut forged_index: serde_json::Value = serde_json::from_slice(&s.get(&index_key).unwrap().unwrap()).unwrap();
    forged_index["fields"]["gross_total"]["value"] = "1.00".into();
    rt.block_on(raw.put_object().bucket(&env.bucket).key(&index_key).body(ByteStream::from(serde_json::to_vec(&forged_index).unwrap())).send()).unwrap();
    let entry_key = mailroom::store::list_all(&s, "audit/lanes/").unwrap().into_iter().next().expect("lane entries");
    let mut entry: serde_json::Value = serde_json::from_slice(&s.get(&entry_key).unwrap().unwrap()).unwrap();
    entry["actor"] = "nobody".into();
    rt.block_on(raw.put_object().bucket(&env.bucket).key(&entry_key).body(ByteStream::from(serde_json::to_vec(&entry).unwrap())).send()).unwrap();
    let out = env.run(&["verify", "--json"]);
    assert_eq!(out.status.code(), Some(2), "verify must fail");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<(String, String)> =
        report["findings"].as_array().unwrap().iter().map(|f| (f["problem"].as_str().unwrap().to_string(), f["key"].as_str().or(f["entry"].as_str()).unwrap_or_default().to_string())).collect();
    assert!(findings.contains(&("wrong_original".into(), original.to_string())), "{findings:?}");
    assert!(findings.contains(&("tampered_object".into(), index_key.clone())), "{findings:?}");
    assert!(findings.contains(&("tampered_entry".into(), entry_key.clone())), "{findings:?}");
    assert!(findings.iter().any(|(p, _)| p == "unlogged_object"), "the scratch objects were put outside mailroom: {findings:?}");
}

/// 200 documents, two workers, one killed with SIGKILL half way: every document archived
/// exactly once with its index, none lost, none duplicated; bad jobs dead-lettered with reasons.
#[test]
fn two_workers_one_killed_every_document_archived_exactly_once() {
    let _broker = BROKER.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new("mailroom-test");
    let inbox = env.dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let mut files = xml_invoices(&inbox, 190);
    // Some that take real work: scans (OCR, PDF/A) and a born-digital PDF, made distinct.
    for (i, f) in ["invoice-page.png", "invoice-skewed.png", "invoice-upside-down.png", "two-pages.tif", "born-digital-invoice.pdf"].iter().cycle().take(10).enumerate() {
        let mut bytes = std::fs::read(fixture(&format!("documents/{f}"))).unwrap();
        bytes.extend_from_slice(format!("\nvariant {i}\n").as_bytes());
        let p = inbox.join(format!("scan-{i:02}-{f}"));
        std::fs::write(&p, bytes).unwrap();
        files.push(p);
    }
    assert_eq!(files.len(), 200);
    let out = env.run(&["submit", inbox.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("200 submitted"));
    publish_bad_jobs(&env);

    let s = env.store();
    let mut a = env.spawn_worker("worker-a.log");
    let mut b = env.spawn_worker("worker-b.log");
    wait_until("a third of the documents", Duration::from_secs(300), || index_keys(&s).len() >= 60);
    a.kill().unwrap(); // SIGKILL
    a.wait().unwrap();
    wait_until("all 200 documents", Duration::from_secs(600), || index_keys(&s).len() >= 200);
    std::thread::sleep(Duration::from_secs(2)); // let b settle: nothing more may appear
    stop(&mut b);

    let keys = index_keys(&s);
    let mut revisions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for k in &keys {
        let parts: Vec<&str> = k.split('/').collect();
        revisions.entry(parts[1].to_string()).or_default().insert(parts[3].to_string());
    }
    assert_eq!(revisions.len(), 200, "every document archived");
    for (id, revs) in &revisions {
        assert_eq!(revs.iter().collect::<Vec<_>>(), ["0001.json"], "{id} archived more than once");
    }
    let ids: BTreeSet<String> = files.iter().map(|f| mailroom::document::sha256_hex(&std::fs::read(f).unwrap())).collect();
    assert_eq!(ids, revisions.keys().cloned().collect::<BTreeSet<_>>(), "the archived documents are exactly the submitted ones");
    // One ERP outbox entry per released document, none for those held for review.
    let outbox: BTreeSet<String> = mailroom::store::list_all(&s, "handoff/").unwrap().into_iter().filter(|k| k.ends_with(".jsonl")).collect();
    let released: BTreeSet<String> = keys
        .iter()
        .filter_map(|k| {
            let idx: mailroom::index::DocumentIndex = serde_json::from_slice(&s.get(k).unwrap().unwrap()).unwrap();
            idx.released().then(|| idx.id.to_string())
        })
        .collect();
    assert_eq!(outbox.len(), released.len(), "one outbox entry each released document");
    assert!(outbox.iter().all(|k| released.iter().any(|id| k.contains(id.as_str()))), "only released documents are in the outbox");
    // The PostgreSQL catalog lists every one of them, once.
    let out = env.run(&["list", "--json", "--limit", "1000"]);
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect::<BTreeSet<_>>(), ids);

    // Each bad job dead-lettered once, with its reason, while the workers went on consuming.
    let dead = env.dead_letters();
    assert_eq!(dead.len(), 6, "{dead:#?}");
    for d in &dead {
        assert!(d["reason"].as_str().unwrap().len() > 10, "a dead letter carries its reason: {d}");
    }
    assert!(dead.iter().any(|d| d["reason"].as_str().unwrap().contains("malformed job")));
    assert!(dead.iter().any(|d| d["reason"].as_str().unwrap().contains("not in the archive")));
    assert_eq!(dead.iter().filter(|d| d["reason"].as_str().unwrap().contains("is not a document id")).count(), 2, "the short and the non-hex id: {dead:#?}");
    assert_eq!(dead.iter().filter(|d| d["reason"].as_str().unwrap().contains("malformed job")).count(), 4, "not JSON, the wrong shape, and both bad ids: {dead:#?}");
    env.verify_clean();
}

/// Publishes six jobs that can never work: not JSON, valid JSON of the wrong shape, an id of
/// three characters, an id of 64 characters that are not hex, an original that was never
/// stored, and a key that belongs to another document.
fn publish_bad_jobs(env: &Env) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let cfg = mailroom::config::Config::load(Some(&env.config)).unwrap();
    let topology = mailroom::queue::Topology::new(&cfg.broker);
    rt.block_on(async {
        let conn = mailroom::queue::connect(&cfg.broker, "test").await.unwrap();
        let ch = mailroom::queue::confirm_channel(&conn).await.unwrap();
        topology.declare(&ch).await.unwrap();
        mailroom::queue::publish(&ch, "", &topology.jobs, b"{not json", "bad-1", mailroom::queue::job_headers(0)).await.unwrap();
        let source = mailroom::index::Source {
            channel: mailroom::index::Channel::File,
            name: "ghost.pdf".into(),
            media_type: mailroom::vocab::MediaType::Pdf,
            size: 1,
            received_at: Utc::now().to_rfc3339(),
            parent: None,
            parent_pages: None,
            split: None,
        };
        let ghost = "f".repeat(64);
        let job = mailroom::queue::Job { id: mailroom::vocab::DocumentId::parse(&ghost).unwrap(), key: format!("documents/{ghost}/{ghost}.pdf"), source: source.clone(), submitted_by: "test".into() };
        mailroom::queue::publish_job(&ch, &topology, &job, 0).await.unwrap();
        let other = mailroom::queue::Job { id: mailroom::vocab::DocumentId::parse(&"e".repeat(64)).unwrap(), key: format!("documents/{ghost}/{ghost}.pdf"), source, submitted_by: "test".into() };
        mailroom::queue::publish_job(&ch, &topology, &other, 0).await.unwrap();
        // A job whose id is no document id (three characters): refused where it is parsed,
        // dead-lettered with the reason, never sliced into a log line.
        let mut short = serde_json::to_value(&other).unwrap();
        short["id"] = "abc".into();
        mailroom::queue::publish(&ch, "", &topology.jobs, &serde_json::to_vec(&short).unwrap(), "bad-2", mailroom::queue::job_headers(0)).await.unwrap();
        // 64 characters, but not hex.
        let mut not_hex = serde_json::to_value(&other).unwrap();
        not_hex["id"] = "g".repeat(64).into();
        mailroom::queue::publish(&ch, "", &topology.jobs, &serde_json::to_vec(&not_hex).unwrap(), "bad-3", mailroom::queue::job_headers(0)).await.unwrap();
        // Valid JSON of the wrong shape.
        mailroom::queue::publish(&ch, "", &topology.jobs, br#"{"document": "invoice.pdf", "priority": 1}"#, "bad-4", mailroom::queue::job_headers(0)).await.unwrap();
        conn.close(200, "done".into()).await.unwrap();
    });
}

fn rabbitmqctl(args: &[&str]) {
    let out = Command::new("rabbitmqctl").args(args).output().expect("rabbitmqctl");
    assert!(out.status.success(), "rabbitmqctl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// RabbitMQ restarts while a worker runs: it reconnects and every document is archived once.
#[test]
fn a_broker_restart_is_survived_without_loss() {
    let _broker = BROKER.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new("mailroom-test");
    let inbox = env.dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let files = xml_invoices(&inbox, 60);
    let out = env.run(&["submit", inbox.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = env.store();
    let mut w = env.spawn_worker("worker.log");
    wait_until("the first documents", Duration::from_secs(120), || index_keys(&s).len() >= 10);
    rabbitmqctl(&["stop_app"]);
    std::thread::sleep(Duration::from_secs(3));
    rabbitmqctl(&["start_app"]);
    wait_until("all 60 documents after the restart", Duration::from_secs(300), || index_keys(&s).len() >= files.len());
    stop(&mut w);
    let log = std::fs::read_to_string(env.dir.path().join("worker.log")).unwrap();
    assert!(log.contains("reconnecting"), "the worker must have lost and regained the broker:\n{log}");
    let keys = index_keys(&s);
    assert_eq!(keys.len(), 60, "each document exactly once: {keys:#?}");
    assert!(keys.iter().all(|k| k.ends_with("/index/0001.json")));
    assert!(env.dead_letters().is_empty());
    env.verify_clean();
}

/// A batch scan through the worker pool: submitted with `--split`, its job carries the split;
/// a worker cuts it into its letters, each a document of its own in S3 and the PostgreSQL
/// catalog, and the batch's container last; submitting the same stack again stores nothing.
#[test]
fn a_batch_scan_is_split_by_a_worker() {
    use common::stack::*;
    let _broker = BROKER.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new("mailroom-test");
    let stack = env.dir.path().join("stapel.pdf");
    let bytes = stack_pdf(&[
        Sheet::Text(letter_page(5, 1, 2)),
        Sheet::Text(letter_page(5, 2, 2)),
        Sheet::Image(paper(3)),
        Sheet::Text(letter_page(6, 1, 1)),
        Sheet::Image(patch_sheet(4)),
        Sheet::Text(letter_page(7, 1, 1)),
    ]);
    std::fs::write(&stack, &bytes).unwrap();
    let out = env.run(&["submit", "--split", "blank,patch", stack.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = env.store();
    let batch_id = mailroom::document::sha256_hex(&bytes);
    let container = format!("documents/{batch_id}/index/0001.json");
    let mut w = env.spawn_worker("worker-batch.log");
    wait_until("the batch's container", Duration::from_secs(120), || s.get(&container).ok().flatten().is_some());
    stop(&mut w);
    let batch: mailroom::index::DocumentIndex = serde_json::from_slice(&s.get(&container).unwrap().unwrap()).unwrap();
    assert_eq!(batch.status, mailroom::index::Status::Split);
    let parts = batch.batch.as_ref().unwrap();
    assert_eq!(parts.parts.iter().map(|p| p.pages).collect::<Vec<_>>(), vec![[1, 2], [4, 4], [6, 6]]);
    assert_eq!(parts.separators, vec![3, 5]);
    for p in &parts.parts {
        let idx: mailroom::index::DocumentIndex = serde_json::from_slice(&s.get(&format!("documents/{}/index/0001.json", p.id)).unwrap().unwrap()).unwrap();
        assert_eq!(idx.source.parent.as_deref(), Some(batch_id.as_str()));
        assert_eq!(idx.source.parent_pages, Some(p.pages));
    }
    let out = env.run(&["list", "--json", "--limit", "100"]);
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.len(), 4, "the batch and its three letters are catalogued");
    // The same stack again: found archived at submit, nothing queued or stored.
    let before = mailroom::store::list_all(&s, "documents/").unwrap().len();
    let out = env.run(&["submit", "--split", "blank,patch", stack.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(mailroom::store::list_all(&s, "documents/").unwrap().len(), before);
    env.verify_clean();
}

/// Reprocessing through the worker pool: 20 letters read by an older (rules-only) pipeline;
/// `reprocess --all --queue` puts a job per document on the broker; two workers with the
/// shipped models read them again, one killed (SIGKILL) halfway: every document gets exactly
/// one new revision, the run's progress in PostgreSQL counts all 20, `verify` is clean.
#[test]
fn reprocessing_jobs_run_on_the_worker_pool_once_each_through_a_kill() {
    use common::stack::*;
    let _broker = BROKER.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new("mailroom-test");
    let inbox = env.dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    for k in 0..20 {
        std::fs::write(inbox.join(format!("brief-{k:02}.pdf")), stack_pdf(&[Sheet::Text(letter_page(k, 1, 1))])).unwrap();
    }
    let shipped = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(&env.config, format!("{shipped}\n[models]\ntrained = false\n")).unwrap();
    let out = env.run(&["submit", inbox.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = env.store();
    let mut w = env.spawn_worker("worker-old.log");
    wait_until("20 letters read by the older pipeline", Duration::from_secs(120), || index_keys(&s).len() >= 20);
    stop(&mut w);
    // The models change: the shipped ones from now on.
    std::fs::write(&env.config, &shipped).unwrap();
    let out = env.run(&["reprocess", "--all", "--queue"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("20 job(s) queued"), "{}", String::from_utf8_lossy(&out.stderr));
    let second = || index_keys(&s).iter().filter(|k| k.ends_with("/0002.json")).count();
    let mut a = env.spawn_worker("worker-a.log");
    let mut b = env.spawn_worker("worker-b.log");
    wait_until("some read again", Duration::from_secs(120), || second() >= 6);
    a.kill().unwrap();
    a.wait().unwrap();
    wait_until("all 20 read again", Duration::from_secs(240), || second() >= 20);
    let done = || -> u64 {
        let out = env.run(&["reprocess", "status", "--json"]);
        let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        runs.as_array().and_then(|r| r.first()).map(|r| r["done"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum()).unwrap_or(0)
    };
    wait_until("the run's progress to count all 20", Duration::from_secs(60), || done() >= 20);
    std::thread::sleep(Duration::from_secs(2));
    stop(&mut b);
    let keys = index_keys(&s);
    assert_eq!(keys.iter().filter(|k| k.ends_with("/0002.json")).count(), 20);
    assert!(!keys.iter().any(|k| k.ends_with("/0003.json")), "no document read again twice");
    let out = env.run(&["reprocess", "status"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("20/20 done"), "{}", String::from_utf8_lossy(&out.stdout));
    env.verify_clean();
}

/// Adds `line` to the test configuration's `[broker]` section.
fn broker_setting(env: &Env, line: &str) {
    let cfg = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(&env.config, cfg.replacen("[broker]\n", &format!("[broker]\n{line}\n"), 1)).unwrap();
}

/// A job that takes its worker down with it — here the worker is killed (SIGKILL) each time
/// it starts the job, as a crash in a C library would end it — is handed out again only up to
/// the delivery limit; then the broker itself dead-letters it, `dead-letters list` says why,
/// and the next worker is not taken down by it.
#[test]
fn a_job_that_kills_its_worker_is_dead_lettered_by_the_broker() {
    let _broker = BROKER.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new("mailroom-test");
    broker_setting(&env, "delivery_limit = 2");
    let scan = fixture("scans/rechnung-vollstaendig.pdf");
    let out = env.run(&["submit", scan.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut kills = 0;
    loop {
        assert!(kills <= 5, "the job came back {kills} times: the delivery limit did not hold");
        let name = format!("worker-{kills}.log");
        let mut w = env.spawn_worker(&name);
        let started = std::time::Instant::now();
        let mut consuming_since = None;
        let took_it = loop {
            let log = env.log(&name);
            if log.contains("job started") {
                break true;
            }
            if log.contains("consuming") {
                let since = *consuming_since.get_or_insert_with(std::time::Instant::now);
                if since.elapsed() > Duration::from_secs(5) {
                    break false; // consuming, and nothing comes
                }
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the worker neither took the job nor consumed:\n{log}");
            std::thread::sleep(Duration::from_millis(10));
        };
        if !took_it {
            stop(&mut w);
            break;
        }
        w.kill().unwrap(); // SIGKILL, mid-job
        w.wait().unwrap();
        kills += 1;
    }
    // RabbitMQ counts the deliveries that ended without an answer and dead-letters a job once
    // it has more than the limit: the first delivery and two more.
    assert_eq!(kills, 3, "a delivery limit of 2 lets the job fail three times");
    assert!(env.log("worker-1.log").contains("job started again after deliveries without an answer"), "{}", env.log("worker-1.log"));
    let dead = env.dead_letters();
    assert_eq!(dead.len(), 1, "{dead:#?}");
    let reason = dead[0]["reason"].as_str().unwrap();
    assert!(reason.contains("delivery_limit") && reason.contains("crashed, was killed"), "{reason}");
    assert_eq!(dead[0]["job"]["source"]["name"], "rechnung-vollstaendig.pdf");
    // Put back once the cause is fixed (here: nobody kills the worker any more), it is archived once.
    let out = env.run(&["dead-letters", "retry", "--all"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = env.store();
    let mut w = env.spawn_worker("worker-after.log");
    wait_until("the scan archived after the retry", Duration::from_secs(180), || !index_keys(&s).is_empty());
    stop(&mut w);
    assert_eq!(index_keys(&s).len(), 1);
    assert!(env.dead_letters().is_empty());
    env.verify_clean();
}

/// A broker that holds the job queue as an older mailroom declared it (a classic queue,
/// without the delivery limit), with jobs waiting: producers and workers refuse it with what to
/// do, `mailroom queue migrate` replaces it by the quorum queue keeping every job, and the
/// workers then take them.
#[test]
fn a_classic_job_queue_left_by_an_older_mailroom_is_migrated_with_its_jobs() {
    let _broker = BROKER.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new("mailroom-test");
    let inbox = env.dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let files = xml_invoices(&inbox, 3);
    let cfg = mailroom::config::Config::load(Some(&env.config)).unwrap();
    let topology = mailroom::queue::Topology::new(&cfg.broker);
    // Stored as `submit` stores them, queued the old way.
    std::env::set_var("AWS_ACCESS_KEY_ID", "test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    let archive = cfg.open_archive().unwrap();
    let jobs: Vec<mailroom::queue::Job> = files
        .iter()
        .map(|f| {
            let doc = mailroom::document::Document::new(std::fs::read(f).unwrap(), mailroom::index::Channel::File, f.file_name().unwrap().to_string_lossy().into());
            let stored = archive.receive(&doc, "test").unwrap();
            mailroom::queue::Job { id: doc.sha256.clone(), key: stored.key.clone(), source: doc.source.clone(), submitted_by: "test".into() }
        })
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let conn = mailroom::queue::connect(&cfg.broker, "test").await.unwrap();
        let ch = mailroom::queue::confirm_channel(&conn).await.unwrap();
        ch.queue_declare(topology.jobs.as_str().into(), lapin::options::QueueDeclareOptions::durable(), lapin::types::FieldTable::default()).await.unwrap();
        for job in &jobs {
            mailroom::queue::publish(&ch, "", &topology.jobs, &serde_json::to_vec(&job).unwrap(), &job.id, mailroom::queue::job_headers(0)).await.unwrap();
        }
        conn.close(200, "done".into()).await.unwrap();
    });
    // A producer is told what to do, and stores nothing more.
    let more = inbox.join("more");
    std::fs::create_dir(&more).unwrap();
    let extra = xml_invoices(&more, 4).pop().unwrap();
    let out = env.run(&["submit", extra.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mailroom queue migrate"), "{stderr}");
    // So is a worker, which waits, not ready, instead of consuming.
    let mut w = env.spawn_worker("worker-old.log");
    wait_until("the worker's complaint", Duration::from_secs(60), || env.log("worker-old.log").contains("needs `mailroom queue migrate`"));
    stop(&mut w);
    // The migration refuses while a worker consumes the classic queue.
    let holder = rt.block_on(async {
        let conn = mailroom::queue::connect(&cfg.broker, "test-consumer").await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        ch.basic_qos(0, Default::default()).await.unwrap();
        let _c = ch.basic_consume(topology.jobs.as_str().into(), "old-worker".into(), Default::default(), lapin::types::FieldTable::default()).await.unwrap();
        (conn, _c)
    });
    let out = env.run(&["queue", "migrate"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("stop every worker"), "{}", String::from_utf8_lossy(&out.stderr));
    rt.block_on(holder.0.close(200, "gone".into())).unwrap();
    drop(holder.1);
    let out = env.run(&["queue", "migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 waiting job(s) moved"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = env.run(&["queue", "migrate"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already a quorum queue"), "{}", String::from_utf8_lossy(&out.stderr));
    // Now producers and workers run as usual: the three old jobs and a new one.
    let out = env.run(&["submit", extra.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = env.store();
    let mut w = env.spawn_worker("worker-new.log");
    wait_until("all four documents", Duration::from_secs(120), || index_keys(&s).len() >= 4);
    stop(&mut w);
    assert_eq!(index_keys(&s).len(), 4);
    assert!(env.dead_letters().is_empty());
    env.verify_clean();
}

/// The same invoice twice — born digital and its 200 dpi scan (`fixtures/linked`) — reaches two
/// workers at the same moment: the duplicate claims are atomic in PostgreSQL, so exactly one of
/// the two passes and only that one reaches the ERP's outbox.
#[test]
fn the_same_invoice_read_by_two_workers_at_once_is_flagged_exactly_once() {
    let _broker = BROKER.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new("mailroom-test");
    let files: Vec<String> = ["digital", "scans"].iter().map(|v| fixture(&format!("linked/l1-001-over/{v}/4-invoice.pdf")).to_str().unwrap().to_string()).collect();
    let out = env.run(&["submit", &files[0], &files[1]]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = env.store();
    let mut a = env.spawn_worker("worker-a.log");
    let mut b = env.spawn_worker("worker-b.log");
    wait_until("both copies archived", Duration::from_secs(180), || index_keys(&s).len() >= 2);
    stop(&mut a);
    stop(&mut b);
    let indexes: Vec<mailroom::index::DocumentIndex> = index_keys(&s).iter().map(|k| serde_json::from_slice(&s.get(k).unwrap().unwrap()).unwrap()).collect();
    assert_eq!(indexes.len(), 2);
    let passed: Vec<bool> = indexes.iter().map(|i| i.checks.iter().find(|c| c.name == mailroom::index::CheckName::PossibleDuplicate).expect("a duplicate check").passed).collect();
    assert_eq!(passed.iter().filter(|p| **p).count(), 1, "exactly one of the two passes: {passed:?}");
    let outbox: Vec<String> = mailroom::store::list_all(&s, "handoff/").unwrap().into_iter().filter(|k| k.ends_with(".jsonl")).collect();
    let flagged = indexes.iter().find(|i| i.checks.iter().any(|c| c.name == mailroom::index::CheckName::PossibleDuplicate && !c.passed)).unwrap();
    assert!(!flagged.released(), "the flagged copy waits for a person");
    assert!(!outbox.iter().any(|k| k.contains(flagged.id.as_str())), "and is not in the outbox: {outbox:?}");
    assert_eq!(outbox.len(), 1, "one copy to the ERP: {outbox:?}");
    env.verify_clean();
}
