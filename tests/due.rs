//! Due dates against a real RabbitMQ: an invoice due in 20 days is on the 30-day list, an
//! overdue one too, one due in 60 days is not; two announcing rounds publish exactly one
//! `document.due` event per document; settling takes a document off the list; every step is
//! audited and `verify` stays clean.

mod common;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use common::stack::*;
use lapin::options::{BasicGetOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use serde_json::Value;

fn mailroom(config: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("mailroom").unwrap().arg("--config").arg(config).args(args).output().unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every `document.due` message waiting on `queue`.
fn drain(rt: &tokio::runtime::Runtime, ch: &lapin::Channel, queue: &str) -> Vec<Value> {
    rt.block_on(async {
        let mut out = Vec::new();
        while let Some(m) = ch.basic_get(queue.into(), BasicGetOptions { no_ack: true }).await.unwrap() {
            out.push(serde_json::from_slice(&m.delivery.data).unwrap());
        }
        out
    })
}

#[test]
fn due_invoices_are_listed_announced_once_and_leave_when_settled() {
    common::servers::services();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let unique = common::servers::unique("due");
    let events = format!("{unique}.events");
    let cfg = dir.path().join("pipeline.toml");
    std::fs::write(
        &cfg,
        format!("[archive]\nkind = \"local\"\npath = {:?}\n\n[broker]\nqueue = \"{unique}.jobs\"\nevents_exchange = \"{events}\"\n\n[due]\nlead_days = 30\n", archive.to_str().unwrap()),
    )
    .unwrap();
    let today = chrono::Utc::now().date_naive();
    let mut ids = Vec::new();
    for (k, days) in [(0usize, 20i64), (1, 60), (2, -3)] {
        let p = dir.path().join(format!("rechnung-{k}.pdf"));
        std::fs::write(&p, stack_pdf(&[Sheet::Text(letter_page(k, 1, 1))])).unwrap();
        let o = mailroom(&cfg, &["process", "--json", p.to_str().unwrap()]);
        assert!(o.status.code().is_some_and(|c| c == 0 || c == 2), "{}", err(&o));
        let idx: Value = serde_json::from_slice(String::from_utf8_lossy(&o.stdout).lines().next().unwrap().as_bytes()).unwrap();
        let id = idx["id"].as_str().unwrap().to_string();
        let due = (today + chrono::Duration::days(days)).format("%Y-%m-%d").to_string();
        let o = mailroom(&cfg, &["revise", &id, "--set", &format!("due_date={due}"), "--reason", "Zahlungsziel laut Vertrag"]);
        assert!(o.status.success(), "{}", err(&o));
        ids.push(id);
    }
    let (in_20, in_60, overdue) = (&ids[0], &ids[1], &ids[2]);

    // The list: due within 30 days, and overdue; soonest first.
    let o = mailroom(&cfg, &["due", "--json"]);
    assert!(o.status.success(), "{}", err(&o));
    let listed: Vec<Value> = String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(listed.iter().map(|v| v["id"].as_str().unwrap()).collect::<Vec<_>>(), vec![overdue.as_str(), in_20.as_str()]);
    assert_eq!(listed[1]["days_left"], 20);
    let o = mailroom(&cfg, &["due", "--within", "90", "--json"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains(in_60.as_str()), "a longer look ahead finds the third");

    // A queue bound to the events exchange sees what is announced.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (conn, ch, queue) = rt.block_on(async {
        let conn = lapin::Connection::connect("amqp://guest:guest@127.0.0.1:5672/%2f", lapin::ConnectionProperties::default()).await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        ch.exchange_declare(events.as_str().into(), lapin::ExchangeKind::Topic, ExchangeDeclareOptions { durable: true, ..Default::default() }, FieldTable::default()).await.unwrap();
        let q = ch.queue_declare("".into(), QueueDeclareOptions { exclusive: true, auto_delete: true, ..Default::default() }, FieldTable::default()).await.unwrap();
        ch.queue_bind(q.name().as_str().into(), events.as_str().into(), "document.due".into(), QueueBindOptions::default(), FieldTable::default()).await.unwrap();
        (conn, ch, q.name().as_str().to_string())
    });
    for round in 0..2 {
        let o = mailroom(&cfg, &["due", "--announce"]);
        assert!(o.status.success(), "round {round}: {}", err(&o));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let got = drain(&rt, &ch, &queue);
    let mut announced: Vec<&str> = got.iter().map(|v| v["id"].as_str().unwrap()).collect();
    announced.sort();
    let mut expected = vec![in_20.as_str(), overdue.as_str()];
    expected.sort();
    assert_eq!(announced, expected, "exactly one document.due per document over two rounds: {got:?}");
    assert!(got.iter().all(|v| v["event"] == "document.due"));

    // Paid: off the list; the mark is an index revision, audited.
    // The daily digest, as an e-mail a mail connector sends.
    let eml = dir.path().join("digest.eml");
    let o = mailroom(&cfg, &["due", "--digest", "buchhaltung@kunde.example", "--out", eml.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let digest = std::fs::read(&eml).unwrap();
    assert_eq!(mailroom::document::MediaType::sniff(&digest), mailroom::document::MediaType::Email, "a well-formed message");
    let text = String::from_utf8_lossy(&digest);
    assert!(text.contains("To: buchhaltung@kunde.example") && text.contains("Überfällig (1)") && text.contains(&overdue[..12]) && text.contains(&in_20[..12]), "{text}");
    assert!(!text.contains(&in_60[..12]));
    let o = mailroom(&cfg, &["settle", in_20, "--reference", "Zahlung 2026-12-05"]);
    assert!(o.status.success(), "{}", err(&o));
    let o = mailroom(&cfg, &["due", "--json"]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains(in_20.as_str()));
    assert!(String::from_utf8_lossy(&o.stdout).contains(overdue.as_str()));
    let o = mailroom(&cfg, &["settle", in_20]);
    assert!(!o.status.success() && err(&o).contains("settled already"), "{}", err(&o));
    // Both survive a catalog rebuild: the settled mark and that the event went out.
    std::fs::remove_file(archive.join(".mailroom-catalog.sqlite")).unwrap();
    assert!(mailroom(&cfg, &["catalog", "rebuild"]).status.success());
    let o = mailroom(&cfg, &["due", "--json"]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains(in_20.as_str()), "settled after a rebuild too");
    let o = mailroom(&cfg, &["due", "--announce"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("0 document.due event(s) published"), "{}", err(&o));
    let audit: Vec<Value> = common::listing(&archive.join("audit")).into_iter().map(|(p, _, _)| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect();
    assert_eq!(audit.iter().filter(|e| e["event"] == "due_announced").count(), 2);
    assert!(audit.iter().any(|e| e["event"] == "revised" && e["document"] == in_20.as_str() && e["details"]["settled"]["reference"] == "Zahlung 2026-12-05"));

    // In the UI: the due list, limited to what a user may see; marking paid needs the CSRF token.
    let add = |name: &str, role: &str, types: Option<&str>, pw: &str| common::add_user(&["--config".as_ref(), cfg.as_os_str()], name, role, types, pw);
    add("anna", "reviewer", None, "anna-prueft-rechnungen");
    add("carl", "reviewer", Some("contract"), "carl-liest-vertraege");
    let mut serve = std::process::Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
    serve.arg("--config").arg(&cfg).args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", "scanner-2:3f1a9c0e5b7d2f4a6c8e0b1d3f5a7c9e");
    let server = common::http::Server::start(serve);
    let login = |name: &str, pw: &str| common::http::login(server.port, name, pw);
    let (anna, carl) = (login("anna", "anna-prueft-rechnungen"), login("carl", "carl-liest-vertraege"));
    let page = |cookie: &str| String::from_utf8_lossy(&common::http::request(server.port, "GET", "/ui/due", &[("Cookie", cookie)], None).body).into_owned();
    let anna_page = page(&anna);
    assert!(anna_page.contains(overdue.as_str()) && anna_page.contains("overdue"), "{anna_page}");
    assert!(!page(&carl).contains(overdue.as_str()), "a user who may see contracts only sees no invoice");
    let csrf = {
        let start = anna_page.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
        anna_page.get(start..start + 64).unwrap().to_string()
    };
    let post = |body: String| {
        common::http::request(
            server.port,
            "POST",
            &format!("/ui/documents/{overdue}/settle"),
            &[("Cookie", anna.as_str()), ("Content-Type", "application/x-www-form-urlencoded")],
            Some(body.as_bytes()),
        )
    };
    assert_eq!(post("reference=x".into()).status, 403, "no CSRF token");
    assert_eq!(post(format!("csrf={csrf}&reference=Kontoauszug+12")).status, 303);
    assert!(!page(&anna).contains(overdue.as_str()), "paid: off the list");

    let o = mailroom(&cfg, &["verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    rt.block_on(async {
        let _ = conn.close(200, "done".into()).await;
    });
}

/// Resubmissions (Wiedervorlage): a document put on a day for a person appears on that day's
/// list (theirs, or everyone's when for no one), leaves it when done, survives a catalog
/// rebuild, and every step is audited.
#[test]
fn a_resubmission_appears_on_its_day_and_leaves_when_done() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = dir.path().join("pipeline.toml");
    std::fs::write(&cfg, format!("[archive]\nkind = \"local\"\npath = {:?}\n", archive.to_str().unwrap())).unwrap();
    let p = dir.path().join("vertrag.pdf");
    std::fs::write(&p, stack_pdf(&[Sheet::Text(letter_page(4, 1, 1))])).unwrap();
    let o = mailroom(&cfg, &["process", "--json", p.to_str().unwrap()]);
    let id = serde_json::from_slice::<Value>(String::from_utf8_lossy(&o.stdout).lines().next().unwrap().as_bytes()).unwrap()["id"].as_str().unwrap().to_string();
    let today = chrono::Utc::now().date_naive();
    let in_two = (today + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    let o = mailroom(&cfg, &["resubmission", "add", &id, "--on", &in_two, "--to", "anna", "--note", "Skonto prüfen"]);
    assert!(o.status.success(), "{}", err(&o));
    let o = mailroom(&cfg, &["resubmission", "add", &id, "--on", &today.format("%Y-%m-%d").to_string(), "--note", "Kündigungsfrist notieren"]);
    assert!(o.status.success(), "{}", err(&o));
    let list = |on: &str, to: &str| -> Vec<Value> {
        let o = mailroom(&cfg, &["resubmission", "list", "--json", "--on", on, "--to", to]);
        assert!(o.status.success(), "{}", err(&o));
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let today_s = today.format("%Y-%m-%d").to_string();
    assert_eq!(list(&today_s, "anna").len(), 1, "today: only the one for everyone");
    assert_eq!(list(&in_two, "anna").len(), 2, "in two days: anna's too");
    assert_eq!(list(&in_two, "ben").len(), 1, "not anna's for ben");
    let o = mailroom(&cfg, &["resubmission", "done", &id, "1"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(list(&in_two, "anna").len(), 1, "done: off the list");
    let o = mailroom(&cfg, &["resubmission", "done", &id, "1"]);
    assert!(!o.status.success(), "done twice is refused");
    // The lists come back from the archive.
    std::fs::remove_file(archive.join(".mailroom-catalog.sqlite")).unwrap();
    assert!(mailroom(&cfg, &["catalog", "rebuild"]).status.success());
    let back = list(&in_two, "anna");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0]["note"], "Kündigungsfrist notieren");

    // In the UI: today's list, and Done needs the CSRF token.
    common::add_user(&["--config".as_ref(), cfg.as_os_str()], "anna", "reviewer", None, "anna-prueft-rechnungen");
    let mut serve = std::process::Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
    serve.arg("--config").arg(&cfg).args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", "scanner-2:3f1a9c0e5b7d2f4a6c8e0b1d3f5a7c9e");
    let server = common::http::Server::start(serve);
    let anna = common::http::login(server.port, "anna", "anna-prueft-rechnungen");
    let page = String::from_utf8_lossy(&common::http::request(server.port, "GET", "/ui/resubmissions", &[("Cookie", anna.as_str())], None).body).into_owned();
    assert!(page.contains("Kündigungsfrist notieren"), "{page}");
    let view = String::from_utf8_lossy(&common::http::request(server.port, "GET", &format!("/ui/documents/{id}"), &[("Cookie", anna.as_str())], None).body).into_owned();
    assert!(view.contains("Skonto prüfen") && view.contains("resubmit-form"), "the document view lists its resubmissions");
    let start = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page.get(start..start + 64).unwrap().to_string();
    let post = |body: String| {
        common::http::request(
            server.port,
            "POST",
            &format!("/ui/documents/{id}/resubmissions/2/done"),
            &[("Cookie", anna.as_str()), ("Content-Type", "application/x-www-form-urlencoded")],
            Some(body.as_bytes()),
        )
    };
    assert_eq!(post(String::new()).status, 403);
    assert_eq!(post(format!("csrf={csrf}")).status, 303);
    let page = String::from_utf8_lossy(&common::http::request(server.port, "GET", "/ui/resubmissions", &[("Cookie", anna.as_str())], None).body).into_owned();
    assert!(!page.contains("Kündigungsfrist notieren"));

    let audit: Vec<Value> = common::listing(&archive.join("audit")).into_iter().map(|(p, _, _)| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect();
    assert_eq!(audit.iter().filter(|e| e["event"] == "resubmission_set").count(), 2);
    assert_eq!(audit.iter().filter(|e| e["event"] == "resubmission_done").count(), 2);
    assert!(audit.iter().any(|e| e["event"] == "resubmission_done" && e["actor"] == "ui:anna"));
    let o = mailroom(&cfg, &["verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

/// Lists (virtual folders) from the pipeline file: typed filters, the same through the command
/// line and the UI; a list with a filter that does not exist stops the configuration.
#[test]
fn lists_from_the_pipeline_file_filter_and_sort() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = dir.path().join("pipeline.toml");
    std::fs::write(
        &cfg,
        format!(
            "[archive]\nkind = \"local\"\npath = {:?}\n\n[[lists]]\nname = \"Rechnungen / ab 2.000 EUR\"\ndoc_types = [\"invoice\"]\nmin_gross = \"2000.00\"\nsort = \"amount\"\ndescending = true\n",
            archive.to_str().unwrap()
        ),
    )
    .unwrap();
    let mut paths = Vec::new();
    for k in [0usize, 2, 5] {
        let p = dir.path().join(format!("rechnung-{k}.pdf"));
        std::fs::write(&p, stack_pdf(&[Sheet::Text(letter_page(k, 1, 1))])).unwrap();
        paths.push(p);
    }
    let mut args = vec!["process", "--json"];
    let names: Vec<String> = paths.iter().map(|p| p.to_str().unwrap().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let o = mailroom(&cfg, &args);
    assert!(o.status.code().is_some_and(|c| c == 0 || c == 2), "{}", err(&o));
    let o = mailroom(&cfg, &["list", "--folder", "rechnungen / ab 2.000 eur", "--json"]);
    assert!(o.status.success(), "{}", err(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let grosses: Vec<&str> = rows.iter().map(|r| r["gross_total"].as_str().unwrap_or("")).collect();
    assert_eq!(grosses, vec!["6190.00", "3190.00"], "invoices from 2,000 EUR, highest first: {rows:?}");
    let o = mailroom(&cfg, &["list", "--folder", "Gibt es nicht"]);
    assert!(!o.status.success() && err(&o).contains("Rechnungen / ab 2.000 EUR"), "{}", err(&o));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[lists]]\nname = \"x\"\ndoc_types = [\"rechnung\"]\n").unwrap();
    let o = mailroom(&bad, &["list"]);
    assert!(!o.status.success() && err(&o).contains("unknown document type"), "{}", err(&o));
}
