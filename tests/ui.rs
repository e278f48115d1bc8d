//! The review UI in a real browser: Debian's Chromium, headless, driven through chromedriver
//! (WebDriver) against `mailroom serve` on an embedded archive. A reviewer logs in, opens the
//! oldest invoice waiting for review, corrects its gross total by clicking the amount on the
//! page image, approves with the keyboard — and the ERP outbox has the corrected value, the
//! audit trail names the reviewer, the next document is open. Around it, over plain HTTP: the
//! login wall, the roles, CSRF, the document types a user may see, and the gate before the ERP.
//!
//! Screenshots go to `$CARGO_TARGET_TMPDIR/ui-screenshots` (or `$MAILROOM_SCREENSHOTS`).

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::http::{request, Reply, Server};
use common::*;
use fantoccini::{ClientBuilder, Locator};
use serde_json::{json, Value};

const TOKENS: &str = "scanner-2:3f1a9c0e5b7d2f4a6c8e0b1d3f5a7c9e";

fn mailroom(archive: &Path, config: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
    c.arg("--archive").arg(archive).arg("--config").arg(config).env("MAILROOM_LOG", "warn");
    c
}

fn run(archive: &Path, config: &Path, args: &[&str]) -> Value {
    let o = mailroom(archive, config).args(args).output().unwrap();
    assert!(o.status.success(), "mailroom {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    out.lines().last().map(|l| serde_json::from_str(l).unwrap_or(Value::Null)).unwrap_or(Value::Null)
}

fn add_user(archive: &Path, config: &Path, name: &str, role: &str, types: Option<&str>, password: &str) {
    common::add_user(&["--archive".as_ref(), archive.as_os_str(), "--config".as_ref(), config.as_os_str()], name, role, types, password);
}

fn login(port: u16, name: &str, password: &str) -> String {
    common::http::login(port, name, password)
}

fn get(port: u16, path: &str, cookie: &str) -> Reply {
    request(port, "GET", path, &[("Cookie", cookie)], None)
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// The JSON block the document view hands its script (id, revision, CSRF token, …).
fn doc_data(html: &str) -> Value {
    let start = html.find("id=\"doc-data\"").expect("the document data block");
    let from = html[start..].find('>').unwrap() + start + 1;
    let to = html[from..].find("</script>").unwrap() + from;
    serde_json::from_str(&html[from..to]).unwrap()
}

fn decide(port: u16, cookie: &str, csrf: Option<&str>, id: &str, body: &Value) -> Reply {
    let mut headers = vec![("Cookie", cookie), ("Content-Type", "application/json")];
    if let Some(t) = csrf {
        headers.push(("X-CSRF-Token", t));
    }
    request(port, "POST", &format!("/ui/documents/{id}/decide"), &headers, Some(body.to_string().as_bytes()))
}

fn outbox(archive: &Path, id: &str) -> Vec<PathBuf> {
    let dir = archive.join("handoff");
    if !dir.exists() {
        return Vec::new();
    }
    listing(&dir).into_iter().map(|(p, _, _)| p).filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(id)).collect()
}

fn audit(archive: &Path) -> Vec<Value> {
    listing(&archive.join("audit")).into_iter().map(|(p, _, _)| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// chromedriver on a free port; fails (never skips) when it is not installed.
fn chromedriver() -> (Driver, u16) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("chromedriver cannot be started ({e}): the browser tests need Debian's chromium and chromium-driver — run scripts/setup.sh"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    (Driver(child), port)
}

/// Headless Chromium through chromedriver (kept running while the returned guard lives).
async fn browser() -> (Driver, fantoccini::Client) {
    let (driver, driver_port) = chromedriver();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": "/usr/bin/chromium", "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1600,1000", "--lang=en"]}),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session through chromedriver");
    (driver, c)
}

fn screenshots() -> PathBuf {
    let dir = std::env::var_os("MAILROOM_SCREENSHOTS").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn wait_for(c: &fantoccini::Client, script: &str, what: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v = c.execute(script, vec![]).await.unwrap();
        if !v.is_null() && v != Value::Bool(false) {
            return v;
        }
        if Instant::now() > deadline {
            let html = c.source().await.unwrap_or_default();
            panic!("waited 30 s for {what}; the page:\n{}", html.chars().take(4000).collect::<String>());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_corrects_and_approves_in_the_browser_and_only_then_the_erp_gets_it() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let config = dir.path().join("pipeline.toml");
    // Every document waits for a person, whatever the reading says.
    // And invoices from 500 EUR need two people's approval (the second invoice is 571.04).
    std::fs::write(&config, "[review]\nstraight_through = false\n\n[[review.approvals]]\nname = \"four eyes from 500 EUR\"\nmin_gross = \"500.00\"\napprovers = 2\n").unwrap();

    // Three documents, in this order: two invoices, and one that will be filed as a contract.
    let first = run(&archive, &config, &["process", "--json", fixture("documents/born-digital-invoice.pdf").to_str().unwrap()]);
    let second = run(&archive, &config, &["process", "--json", fixture("documents/zugferd-invoice.pdf").to_str().unwrap()]);
    let third = run(&archive, &config, &["process", "--json", fixture("documents/xrechnung-cii.xml").to_str().unwrap()]);
    let (id1, id2, id3) = (first["id"].as_str().unwrap().to_string(), second["id"].as_str().unwrap().to_string(), third["id"].as_str().unwrap().to_string());
    for d in [&first, &second, &third] {
        assert_eq!(d["review"]["state"], "pending", "{d}");
    }
    let printed_gross = field(&first, "gross_total").expect("the invoice's gross total").to_string();
    // A misread, as OCR makes them: the gross total is wrong in the index.
    let o = mailroom(&archive, &config).args(["revise", &id1, "--set", "gross_total=1.00", "--reason", "misread (test)"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = mailroom(&archive, &config).args(["revise", &id3, "--type", "contract", "--reason", "a contract (test)"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    add_user(&archive, &config, "anna", "reviewer", Some("invoice,credit_note,receipt"), "anna-prueft-rechnungen");
    add_user(&archive, &config, "olga", "auditor", None, "olga-liest-nur-mit");
    add_user(&archive, &config, "root", "admin", None, "root-verwaltet-alles");

    let mut serve = mailroom(&archive, &config);
    serve.args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", TOKENS);
    let server = Server::start(serve);
    let port = server.port;

    // --- Over plain HTTP: the walls around the queue.
    let r = request(port, "GET", "/ui", &[], None);
    assert_eq!(r.status, 303, "an anonymous request is sent to the login page");
    assert!(r.header("location").unwrap().starts_with("/ui/login?next="), "{:?}", r.header("location"));
    let r = request(port, "GET", &format!("/ui/documents/{id1}/pages/1"), &[], None);
    assert_eq!(r.status, 303, "page images too");
    let r = request(port, "POST", &format!("/ui/documents/{id1}/decide"), &[("Content-Type", "application/json")], Some(b"{}"));
    assert_eq!(r.status, 401);
    let bad = request(port, "POST", "/ui/login", &[("Content-Type", "application/x-www-form-urlencoded")], Some(b"username=anna&password=falsch-falsch-falsch"));
    assert_eq!(bad.status, 401);
    assert!(bad.header("set-cookie").is_none());

    let anna = login(port, "anna", "anna-prueft-rechnungen");
    let olga = login(port, "olga", "olga-liest-nur-mit");
    let root = login(port, "root", "root-verwaltet-alles");
    assert_eq!(get(port, "/ui/admin/users", &anna).status, 403, "a reviewer cannot reach user administration");
    assert_eq!(get(port, "/ui/admin/users", &olga).status, 403);
    let users = get(port, "/ui/admin/users", &root);
    assert_eq!(users.status, 200);
    assert!(text(&users).contains("anna") && text(&users).contains("login_failed"), "the admin sees the users and the security log");

    // A user sees no document of a type they may not see: not in the queue, not by address.
    let queue = text(&get(port, "/ui", &anna));
    assert!(queue.contains(&id1) && queue.contains(&id2), "anna's queue lists both invoices");
    assert!(!queue.contains(&id3), "…but not the contract");
    assert_eq!(get(port, &format!("/ui/documents/{id3}"), &anna).status, 404);
    assert_eq!(get(port, &format!("/ui/documents/{id3}/original"), &anna).status, 404);
    assert!(text(&get(port, "/ui", &root)).contains(&id3), "the admin sees every type");

    // Nothing is in the outbox before a person approved it.
    assert!(outbox(&archive, &id1).is_empty() && outbox(&archive, &id2).is_empty());

    // State changes need the session's CSRF token; an auditor changes nothing even with it.
    let view = get(port, &format!("/ui/documents/{id1}"), &anna);
    assert_eq!(view.status, 200);
    let data = doc_data(&text(&view));
    let base = data["revision"].as_u64().unwrap();
    let body = json!({"base": base, "action": "save", "fields": {"invoice_number": {"value": "HACKED"}}});
    assert_eq!(decide(port, &anna, None, &id1, &body).status, 403, "no CSRF token: refused");
    assert_eq!(decide(port, &anna, Some("0".repeat(64).as_str()), &id1, &body).status, 403, "a wrong CSRF token: refused");
    let olga_view = text(&get(port, &format!("/ui/documents/{id1}"), &olga));
    let olga_data = doc_data(&olga_view);
    assert_eq!(olga_data["may_review"], false);
    assert!(olga_view.contains("readonly"), "an auditor's values are read only");
    let r = decide(port, &olga, olga_data["csrf"].as_str(), &id1, &body);
    assert_eq!(r.status, 403, "an auditor cannot change a value: {}", text(&r));
    let r = decide(port, &root, None, &id1, &json!({"base": base, "action": "approve"}));
    assert_eq!(r.status, 403);
    let now: Value = serde_json::from_slice(&std::fs::read(archive.join("documents").join(&id1).join("index").join(format!("{base:04}.json"))).unwrap()).unwrap();
    assert_eq!(field(&now, "invoice_number"), field(&first, "invoice_number"), "nothing was changed");
    assert!(!archive.join("documents").join(&id1).join("index").join(format!("{:04}.json", base + 1)).exists(), "no revision was written");
    // A decision against an old revision is refused.
    let r = decide(port, &anna, data["csrf"].as_str(), &id1, &json!({"base": base - 1, "action": "save", "fields": {"invoice_number": {"value": "X"}}}));
    assert_eq!(r.status, 409, "{}", text(&r));

    // --- In the browser.
    let (_driver, c) = browser().await;
    let base_url = format!("http://127.0.0.1:{port}");
    c.goto(&format!("{base_url}/ui")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/ui/login"), "the browser lands on the login page");
    c.find(Locator::Css("#username")).await.unwrap().send_keys("anna").await.unwrap();
    c.find(Locator::Css("#password")).await.unwrap().send_keys("anna-prueft-rechnungen").await.unwrap();
    c.find(Locator::Css("#login")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#queue")).await.unwrap();
    let shots = screenshots();
    std::fs::write(shots.join("queue.png"), c.screenshot().await.unwrap()).unwrap();

    // The oldest invoice waiting is first in the queue: open it.
    let first_row = c.find(Locator::Css("#queue tbody tr:first-child td a")).await.unwrap();
    first_row.click().await.unwrap();
    c.wait().for_element(Locator::Css("#doc-data")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with(&id1), "the oldest waiting document opens");
    wait_for(
        &c,
        "return document.querySelectorAll('#pages .page img').length > 0 && document.querySelector('#pages .page img').complete && document.querySelector('#pages .page img').naturalWidth > 0",
        "the page image",
    )
    .await;

    // Keyboard first: the view opens on the first value that needs attention; Tab moves only
    // among those (the misread gross total, red with its failing check, is one); `?` lists the keys.
    let attention = wait_for(&c, "const a = document.activeElement; return a && a.dataset.attention === '1' ? a.name : null", "focus on a value that needs attention").await;
    c.execute("document.querySelector('section.side').scrollTop = 0", vec![]).await.unwrap();
    std::fs::write(shots.join("document-doubtful.png"), c.screenshot().await.unwrap()).unwrap();
    let names: Vec<String> =
        serde_json::from_value(c.execute("return [...document.querySelectorAll('input.value')].filter(i => i.dataset.attention === '1').map(i => i.name)", vec![]).await.unwrap()).unwrap();
    assert!(names.contains(&"gross_total".to_string()), "the misread total needs attention: {names:?}");
    c.active_element().await.unwrap().send_keys("\u{E004}").await.unwrap();
    let after_tab = c.execute("const a = document.activeElement; return a.dataset.attention === '1' ? a.name : a.id", vec![]).await.unwrap();
    let expected_next = names.iter().skip_while(|n| Value::String((*n).clone()) != attention).nth(1).cloned().unwrap_or_else(|| names[0].clone());
    assert_eq!(after_tab, Value::String(expected_next), "Tab goes to the next value that needs attention, skipping the confident ones");
    c.active_element().await.unwrap().send_keys("\u{E00C}").await.unwrap();
    c.find(Locator::Css("body")).await.unwrap().send_keys("?").await.unwrap();
    wait_for(&c, "return document.querySelector('#help').open", "the list of keys").await;
    c.active_element().await.unwrap().send_keys("\u{E00C}").await.unwrap();
    wait_for(&c, "return !document.querySelector('#help').open", "the list of keys closed").await;

    // Focus the gross total, click the amount printed on the page.
    c.find(Locator::Css("#f-gross_total")).await.unwrap().click().await.unwrap();
    let wanted = german(&printed_gross);
    let mut target = None;
    for w in c.find_all(Locator::Css("span.word")).await.unwrap() {
        let t = w.attr("data-text").await.unwrap().unwrap_or_default();
        if t.trim_end_matches('€').trim() == wanted {
            target = Some(w);
        }
    }
    let target = target.unwrap_or_else(|| panic!("no word '{wanted}' on the page"));
    target.click().await.unwrap();
    let filled = wait_for(&c, &format!("const v = document.querySelector('#f-gross_total').value; return v === '{printed_gross}' ? v : null"), "the clicked amount, normalised").await;
    assert_eq!(filled, printed_gross.as_str());
    wait_for(&c, "return document.querySelector('tr[data-field=gross_total]').classList.contains('green')", "the corrected value turning green").await;
    std::fs::write(shots.join("document.png"), c.screenshot().await.unwrap()).unwrap();

    // Approve with the keyboard (Ctrl+Enter in the value), and the next document opens.
    c.find(Locator::Css("#f-gross_total")).await.unwrap().send_keys("\u{E009}\u{E007}\u{E000}").await.unwrap();
    wait_for(&c, &format!("return location.pathname.endsWith('{id2}')"), "the next document").await;
    c.wait().for_element(Locator::Css("#doc-data")).await.unwrap();

    // The ERP outbox has the corrected value, from the approved revision, naming the approver.
    let entries = outbox(&archive, &id1);
    let jsonl = entries.iter().find(|p| p.extension().is_some_and(|e| e == "jsonl")).unwrap_or_else(|| panic!("no JSON outbox entry: {entries:?}"));
    let handed: Value = serde_json::from_str(std::fs::read_to_string(jsonl).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(field(&handed, "gross_total"), Some(printed_gross.as_str()), "{handed}");
    assert_eq!(handed["fields"]["gross_total"]["source"]["from"], "person");
    assert_eq!(handed["review"]["state"], "approved");
    assert_eq!(handed["review"]["by"], "ui:anna");
    // The audit trail names the reviewer for the correction and the approval.
    let by_anna: Vec<Value> = audit(&archive).into_iter().filter(|e| e["actor"] == "ui:anna" && e["document"] == id1.as_str()).collect();
    assert!(by_anna.len() >= 2, "correction and approval by anna: {by_anna:?}");
    assert!(by_anna.iter().any(|e| e.to_string().contains("gross_total")), "{by_anna:?}");
    // The second invoice, still waiting, is not in the outbox.
    assert!(outbox(&archive, &id2).is_empty());

    // It is above the four-eyes threshold: the reviewer's approval (the `a` key) is one of two.
    wait_for(&c, "return document.querySelector('#approvals') !== null", "the approval step shown").await;
    c.active_element().await.unwrap().send_keys("\u{E00C}").await.unwrap();
    c.find(Locator::Css("body")).await.unwrap().send_keys("a").await.unwrap();
    wait_for(&c, &format!("return !location.pathname.endsWith('{id2}')"), "leaving the approved document").await;
    assert!(outbox(&archive, &id2).is_empty(), "one approval of two: not in the outbox");
    let second = doc_data(&text(&get(port, &format!("/ui/documents/{id2}"), &anna)));
    let r = decide(port, &anna, data["csrf"].as_str(), &id2, &json!({"base": second["revision"], "action": "approve"}));
    assert_eq!(r.status, 409, "the same person cannot give both approvals: {}", text(&r));
    assert!(text(&get(port, "/ui?tab=approval", &root)).contains(&id2), "the admin's queue has it under Second approval");

    c.close().await.unwrap();

    // The audit trail for auditors (and admins), verify included; not for reviewers.
    assert_eq!(get(port, "/ui/audit", &anna).status, 403);
    let trail = get(port, &format!("/ui/audit?document={}", &id1[..12]), &olga);
    assert_eq!(trail.status, 200);
    assert!(text(&trail).contains("ui:anna"), "the auditor sees the reviewer's entries");
    let form = |csrf: &str, extra: &str| format!("csrf={csrf}{extra}");
    let olga_csrf = olga_data["csrf"].as_str().unwrap();
    let post = |cookie: &str, path: &str, body: String| request(port, "POST", path, &[("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")], Some(body.as_bytes()));
    let verified = post(&olga, "/ui/audit/verify", form(olga_csrf, ""));
    assert_eq!(verified.status, 200);
    assert!(text(&verified).contains("Clean:"), "{}", text(&verified));
    assert_eq!(post(&olga, "/ui/audit/verify", String::new()).status, 403, "no CSRF token: refused");
    // The admin gives the second approval: now it goes to the ERP, naming both.
    let second = doc_data(&text(&get(port, &format!("/ui/documents/{id2}"), &root)));
    let r = decide(port, &root, second["csrf"].as_str(), &id2, &json!({"base": second["revision"], "action": "approve"}));
    assert_eq!(r.status, 200, "{}", text(&r));
    let entries = outbox(&archive, &id2);
    let jsonl = entries.iter().find(|p| p.extension().is_some_and(|e| e == "jsonl")).unwrap_or_else(|| panic!("no JSON outbox entry: {entries:?}"));
    let handed: Value = serde_json::from_str(std::fs::read_to_string(jsonl).unwrap().lines().next().unwrap()).unwrap();
    let approvers: Vec<&str> = handed["review"]["approvals"].as_array().unwrap().iter().map(|a| a["by"].as_str().unwrap()).collect();
    assert_eq!(approvers, ["ui:anna", "ui:root"], "{handed}");
    assert_eq!(handed["review"]["state"], "approved");

    // Legal holds are for admins.
    let anna_csrf = data["csrf"].as_str().unwrap();
    assert_eq!(post(&anna, &format!("/ui/documents/{id2}/hold"), form(anna_csrf, "&reason=Pr%C3%BCfung&on=1")).status, 403);
    let root_csrf = doc_data(&text(&get(port, &format!("/ui/documents/{id2}"), &root)))["csrf"].as_str().unwrap().to_string();
    let held = post(&root, &format!("/ui/documents/{id2}/hold"), form(&root_csrf, "&reason=Betriebspr%C3%BCfung+2026&on=1"));
    assert_eq!(held.status, 200, "{}", text(&held));
    assert!(audit(&archive).iter().any(|e| e["actor"] == "ui:root" && e["event"] == "legal_hold_set" && e["document"] == id2.as_str()));
    // Retention approvals are for admins; nothing is purged before its date.
    assert_eq!(get(port, "/ui/admin/retention", &anna).status, 403);
    let retention = get(port, "/ui/admin/retention", &root);
    assert_eq!(retention.status, 200);
    assert!(text(&retention).contains("No document has passed its retention"), "{}", text(&retention));
    let refused = post(&root, "/ui/admin/retention", form(&root_csrf, &format!("&approval=J.+Schmidt%2C+Freigabe+1&id={id1}")));
    assert_eq!(refused.status, 200);
    assert!(text(&refused).contains("not purged") && text(&refused).contains("retained until"), "{}", text(&refused));
    assert!(archive.join("documents").join(&id1).exists(), "still archived");
    // Logging out ends the session.
    let logout = post(&anna, "/ui/logout", form(anna_csrf, ""));
    assert_eq!(logout.status, 303);
    assert_eq!(get(port, "/ui", &anna).status, 303, "after logout the session is gone");
    drop(server);
}

/// `1190.00` as printed on a German invoice: `1.190,00`.
fn german(v: &str) -> String {
    let (int, frac) = v.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("{grouped},{frac}")
}

/// A batch scan in the review UI: its pages with the letters they were split into, and a
/// reviewer's correction of the split in the browser — new parts in the queue, the part they
/// replace superseded and out of it; CSRF and roles hold here too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_corrects_a_batch_split_in_the_browser() {
    use common::stack::*;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let config = dir.path().join("pipeline.toml");
    std::fs::write(&config, "[review]\nstraight_through = false\n").unwrap();
    // Two letters with no sheet between them (the scanning clerk forgot one), a patch sheet, a third letter.
    let sheets = vec![Sheet::Text(letter_page(0, 1, 2)), Sheet::Text(letter_page(0, 2, 2)), Sheet::Text(letter_page(1, 1, 1)), Sheet::Image(patch_sheet(1)), Sheet::Text(letter_page(2, 1, 1))];
    let stack = dir.path().join("stapel.pdf");
    std::fs::write(&stack, stack_pdf(&sheets)).unwrap();
    let o = mailroom(&archive, &config).args(["process", "--json", "--split", "patch", stack.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out: Vec<Value> = String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let batch = out.iter().find(|i| i["status"] == "split").expect("the batch");
    let batch_id = batch["id"].as_str().unwrap().to_string();
    let wrong = batch["batch"]["parts"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(batch["batch"]["parts"][0]["pages"], json!([1, 3]));

    add_user(&archive, &config, "anna", "reviewer", None, "anna-prueft-rechnungen");
    add_user(&archive, &config, "olga", "auditor", None, "olga-liest-nur-mit");
    let mut serve = mailroom(&archive, &config);
    serve.args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", TOKENS);
    let server = Server::start(serve);
    let port = server.port;
    let anna = login(port, "anna", "anna-prueft-rechnungen");
    let olga = login(port, "olga", "olga-liest-nur-mit");
    let queue = text(&get(port, "/ui", &anna));
    assert!(queue.contains(&wrong) && !queue.contains(&batch_id), "the parts are in the queue, the batch is not");
    let part_view = text(&get(port, &format!("/ui/documents/{wrong}"), &anna));
    assert!(part_view.contains("batch-link") && part_view.contains(&format!("/ui/documents/{batch_id}")), "a part links to its batch");

    // Over HTTP: no CSRF token, or an auditor: refused, nothing written.
    let view = text(&get(port, &format!("/ui/documents/{batch_id}"), &anna));
    let csrf = doc_data(&view)["csrf"].as_str().unwrap().to_string();
    let post = |cookie: &str, body: String| {
        request(port, "POST", &format!("/ui/documents/{batch_id}/split"), &[("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")], Some(body.as_bytes()))
    };
    assert_eq!(post(&anna, "pages=1-2%2C3%2C5&reason=x".into()).status, 403, "no CSRF token");
    let olga_csrf = doc_data(&text(&get(port, &format!("/ui/documents/{batch_id}"), &olga)))["csrf"].as_str().unwrap().to_string();
    assert_eq!(post(&olga, format!("csrf={olga_csrf}&pages=1-2%2C3%2C5&reason=x")).status, 403, "an auditor changes nothing");
    assert_eq!(post(&anna, format!("csrf={csrf}&pages=1-4&reason=x")).status, 400, "page 4 is a separator sheet");
    assert!(!archive.join("documents").join(&batch_id).join("index").join("0002.json").exists());

    // In the browser: the batch's pages, each letter in its colour; the reviewer splits pages 1-3 in two.
    let (_driver, c) = browser().await;
    let base_url = format!("http://127.0.0.1:{port}");
    c.goto(&format!("{base_url}/ui/documents/{batch_id}")).await.unwrap();
    c.find(Locator::Css("#username")).await.unwrap().send_keys("anna").await.unwrap();
    c.find(Locator::Css("#password")).await.unwrap().send_keys("anna-prueft-rechnungen").await.unwrap();
    c.find(Locator::Css("#login")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#split-form")).await.unwrap();
    wait_for(
        &c,
        "return Array.from(document.querySelectorAll('.batch-pages img')).every(i => i.complete && i.naturalWidth > 0) && document.querySelectorAll('.batch-pages img').length === 5;",
        "the batch's five page images",
    )
    .await;
    let shots = screenshots();
    std::fs::write(shots.join("batch.png"), c.screenshot().await.unwrap()).unwrap();
    let pages = c.find(Locator::Css("#split-pages")).await.unwrap();
    assert_eq!(pages.prop("value").await.unwrap().as_deref(), Some("1-3, 5"));
    pages.clear().await.unwrap();
    pages.send_keys("1-2, 3, 5").await.unwrap();
    c.find(Locator::Css("#split-form input[name=reason]")).await.unwrap().send_keys("Seite 3 ist ein eigener Brief").await.unwrap();
    c.find(Locator::Css("#split-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "return document.querySelectorAll('#batch-parts tbody tr').length === 3;", "three letters after the correction").await;
    std::fs::write(shots.join("batch-corrected.png"), c.screenshot().await.unwrap()).unwrap();
    // Search from the top bar: the letters are found by their words, the passage marked.
    c.goto(&format!("{base_url}/ui/search?q=Gesamtbetrag")).await.unwrap();
    wait_for(&c, "return document.querySelectorAll('#hits li mark').length >= 3;", "three hits with the word marked").await;
    std::fs::write(shots.join("search.png"), c.screenshot().await.unwrap()).unwrap();
    c.close().await.unwrap();

    let now: Value = serde_json::from_slice(&std::fs::read(archive.join("documents").join(&batch_id).join("index").join("0002.json")).unwrap()).unwrap();
    assert_eq!(now["batch"]["parts"].as_array().unwrap().iter().map(|p| p["pages"].clone()).collect::<Vec<_>>(), vec![json!([1, 2]), json!([3, 3]), json!([5, 5])]);
    assert_eq!(now["batch"]["corrected_by"], "ui:anna");
    assert_eq!(now["batch"]["parts"][2]["id"], batch["batch"]["parts"][1]["id"], "the letter on page 5 is the same document as before");
    assert_eq!(now["batch"]["parts"][2]["by"], "patch");
    let queue = text(&get(port, "/ui", &anna));
    assert!(!queue.contains(&wrong), "the replaced part left the queue");
    for p in now["batch"]["parts"].as_array().unwrap() {
        assert!(queue.contains(p["id"].as_str().unwrap()), "part {} is in the queue", p["pages"]);
    }
    assert!(text(&get(port, &format!("/ui/documents/{wrong}"), &anna)).contains("superseded"));
    assert!(audit(&archive).iter().any(|e| e["actor"] == "ui:anna" && e["document"] == batch_id.as_str()), "the correction is audited in the reviewer's name");
    let o = mailroom(&archive, &config).args(["verify"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

/// Stamps in the browser: a reviewer stamps a scan ("Gebucht", a cost centre); the stamp shows
/// over the page, hides and shows again, is drawn into the "with stamps" download — and the
/// archived original and PDF/A are byte for byte what they were; audited, `verify` clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stamp_is_shown_hidden_and_drawn_into_the_download_but_never_into_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let config = dir.path().join("pipeline.toml");
    std::fs::write(&config, "[review]\nstraight_through = false\n").unwrap();
    let scan = run(&archive, &config, &["process", "--json", fixture("documents/invoice-page.png").to_str().unwrap()]);
    let id = scan["id"].as_str().unwrap().to_string();
    let (original_key, pdfa_key) = (scan["archive"]["original"].as_str().unwrap().to_string(), scan["archive"]["pdfa"].as_str().expect("a scan has a PDF/A").to_string());
    let before = (std::fs::read(archive.join(&original_key)).unwrap(), std::fs::read(archive.join(&pdfa_key)).unwrap());
    add_user(&archive, &config, "anna", "reviewer", None, "anna-prueft-rechnungen");
    let mut serve = mailroom(&archive, &config);
    serve.args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", TOKENS);
    let server = Server::start(serve);
    let port = server.port;

    let (_driver, c) = browser().await;
    c.goto(&format!("http://127.0.0.1:{port}/ui/documents/{id}")).await.unwrap();
    c.find(Locator::Css("#username")).await.unwrap().send_keys("anna").await.unwrap();
    c.find(Locator::Css("#password")).await.unwrap().send_keys("anna-prueft-rechnungen").await.unwrap();
    c.find(Locator::Css("#login")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#stamp-form")).await.unwrap();
    c.find(Locator::Css("#stamp-form select[name=kind] option[value=Gebucht]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#stamp-form input[name=text]")).await.unwrap().send_keys("Kst. 4711").await.unwrap();
    c.find(Locator::Css("#stamp-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(
        &c,
        "const s = document.querySelector('.page .stamp'); return s && getComputedStyle(s).display !== 'none' && s.textContent.includes('GEBUCHT') && s.textContent.includes('Kst. 4711');",
        "the stamp over the page",
    )
    .await;
    wait_for(&c, "const i = document.querySelector('.page img'); return i && i.complete && i.naturalWidth > 0;", "the page image").await;
    let shots = screenshots();
    std::fs::write(shots.join("stamp.png"), c.screenshot().await.unwrap()).unwrap();
    c.find(Locator::Css("#toggle-stamps")).await.unwrap().click().await.unwrap();
    wait_for(&c, "return getComputedStyle(document.querySelector('.page .stamp')).display === 'none';", "the stamp hidden").await;
    c.find(Locator::Css("#toggle-stamps")).await.unwrap().click().await.unwrap();
    wait_for(&c, "return getComputedStyle(document.querySelector('.page .stamp')).display !== 'none';", "the stamp shown again").await;
    c.close().await.unwrap();

    // The download with stamps has them; the archive has not changed.
    let anna = login(port, "anna", "anna-prueft-rechnungen");
    let r = get(port, &format!("/ui/documents/{id}/stamped"), &anna);
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with(b"%PDF"), "a PDF");
    let pdfium = mailroom::pages::pdf::pdfium().unwrap();
    let doc = pdfium.load_pdf_from_byte_slice(&r.body, None).unwrap();
    let text = doc.pages().get(0).unwrap().text().unwrap().all();
    assert!(text.contains("GEBUCHT") && text.contains("Kst. 4711"), "the stamp is drawn into the copy: {text:?}");
    let after = (std::fs::read(archive.join(&original_key)).unwrap(), std::fs::read(archive.join(&pdfa_key)).unwrap());
    assert!(before.0 == after.0 && before.1 == after.1, "the archived original and PDF/A are byte-identical");
    assert_eq!(get(port, &format!("/ui/documents/{id}/stamped"), "mailroom_session=00").status, 303, "not without a login");
    assert!(audit(&archive).iter().any(|e| e["event"] == "stamped" && e["actor"] == "ui:anna" && e["details"]["kind"] == "Gebucht"));
    let o = mailroom(&archive, &config).args(["verify"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

/// The newest index revision of a document, as the archive holds it.
fn newest_index(archive: &Path, id: &str) -> Value {
    let revisions: Vec<PathBuf> = listing(&archive.join("documents").join(id).join("index")).into_iter().map(|(p, _, _)| p).collect();
    serde_json::from_slice(&std::fs::read(revisions.iter().max().unwrap()).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiving_department_approves_or_refuses_in_its_own_queue_after_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let config = dir.path().join("pipeline.toml");
    // Every invoice, once checked, waits for a member of the department it is assigned to.
    std::fs::write(&config, "[review]\nstraight_through = false\n\n[[review.approvals]]\nname = \"Wareneingang\"\napproved_by = \"assigned\"\n").unwrap();
    let invoice = run(&archive, &config, &["process", "--json", fixture("documents/born-digital-invoice.pdf").to_str().unwrap()]);
    let id = invoice["id"].as_str().unwrap().to_string();
    add_user(&archive, &config, "anna", "reviewer", None, "anna-prueft-rechnungen");
    add_user(&archive, &config, "dora", "reviewer", None, "dora-nimmt-waren-an");
    add_user(&archive, &config, "ben", "reviewer", None, "ben-kauft-alles-ein");
    for (who, departments) in [("dora", "Lager"), ("ben", "Einkauf")] {
        let o = mailroom(&archive, &config).args(["user", "departments", who, departments]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let mut serve = mailroom(&archive, &config);
    serve.args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", TOKENS);
    let server = Server::start(serve);
    let port = server.port;

    let (_driver, c) = browser().await;
    let base_url = format!("http://127.0.0.1:{port}");
    let log_in = |name: &'static str, password: &'static str| {
        let c = c.clone();
        let url = format!("{base_url}/ui/documents/{id}");
        async move {
            c.delete_all_cookies().await.unwrap();
            c.goto(&url).await.unwrap();
            c.find(Locator::Css("#username")).await.unwrap().send_keys(name).await.unwrap();
            c.find(Locator::Css("#password")).await.unwrap().send_keys(password).await.unwrap();
            c.find(Locator::Css("#login")).await.unwrap().click().await.unwrap();
            c.wait().for_element(Locator::Css("#approvals")).await.unwrap();
        }
    };
    let shots = screenshots();

    // The accountant assigns the invoice to the warehouse and checks it: it now waits for the
    // warehouse, not for the ERP.
    log_in("anna", "anna-prueft-rechnungen").await;
    c.find(Locator::Css("#department")).await.unwrap().send_keys("Lager").await.unwrap();
    c.find(Locator::Css("#approve")).await.unwrap().click().await.unwrap();
    wait_for(&c, &format!("return !location.pathname.endsWith('{id}')"), "leaving the checked document").await;
    let now = newest_index(&archive, &id);
    assert_eq!((now["review"]["state"].as_str(), now["review"]["waiting_for"][0].as_str()), (Some("pending"), Some("Lager")), "{}", now["review"]);
    assert_eq!(now["assignment"]["department"], "Lager");
    assert!(outbox(&archive, &id).is_empty(), "checked, not yet approved by the department: not to the ERP");
    // It is in dora's queue (Lager), not in ben's (Einkauf), nor in anna's, who checked it.
    let (anna, dora, ben) = (login(port, "anna", "anna-prueft-rechnungen"), login(port, "dora", "dora-nimmt-waren-an"), login(port, "ben", "ben-kauft-alles-ein"));
    assert!(text(&get(port, "/ui?tab=approval", &dora)).contains(&id), "the warehouse's queue has it");
    assert!(!text(&get(port, "/ui?tab=approval", &ben)).contains(&id), "purchasing's has not");
    assert!(!text(&get(port, "/ui?tab=approval", &anna)).contains(&id), "the accountant's has not");
    let ben_view = doc_data(&text(&get(port, &format!("/ui/documents/{id}"), &ben)));
    let r = decide(port, &ben, ben_view["csrf"].as_str(), &id, &json!({"base": ben_view["revision"], "action": "approve"}));
    assert_eq!(r.status, 403, "not ben's step: {}", text(&r));

    // The warehouse refuses (the goods did not all come): back to the accountant, reason given.
    log_in("dora", "dora-nimmt-waren-an").await;
    c.goto(&format!("{base_url}/ui?tab=approval")).await.unwrap();
    c.wait().for_element(Locator::Css("#queue")).await.unwrap();
    std::fs::write(shots.join("approval-queue.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base_url}/ui/documents/{id}?tab=approval")).await.unwrap();
    c.wait().for_element(Locator::Css("#refuse")).await.unwrap();
    std::fs::write(shots.join("approval-step.png"), c.screenshot().await.unwrap()).unwrap();
    c.find(Locator::Css("body")).await.unwrap().send_keys("x").await.unwrap();
    wait_for(&c, "return document.querySelector('#reason-dialog').open", "the reason dialog").await;
    c.find(Locator::Css("#reason")).await.unwrap().send_keys("Lieferung unvollständig").await.unwrap();
    c.find(Locator::Css("#reason-ok")).await.unwrap().click().await.unwrap();
    wait_for(&c, &format!("return !location.pathname.endsWith('{id}')"), "leaving the refused document").await;
    let now = newest_index(&archive, &id);
    assert_eq!(now["review"]["state"], "pending");
    assert_eq!(now["review"]["reason"], "refused by ui:dora: Lieferung unvollständig");
    assert!(now["review"]["approvals"].is_null(), "the check was voided: {}", now["review"]);
    assert!(text(&get(port, "/ui", &anna)).contains(&id), "back in the accountant's queue");

    // Checked again; the warehouse approves: now it goes to the ERP with the whole chain.
    let v = doc_data(&text(&get(port, &format!("/ui/documents/{id}"), &anna)));
    let r = decide(port, &anna, v["csrf"].as_str(), &id, &json!({"base": v["revision"], "action": "approve"}));
    assert_eq!(r.status, 200, "{}", text(&r));
    assert!(outbox(&archive, &id).is_empty());
    log_in("dora", "dora-nimmt-waren-an").await;
    c.find(Locator::Css("#approve")).await.unwrap().click().await.unwrap();
    wait_for(&c, &format!("return !location.pathname.endsWith('{id}')"), "leaving the approved document").await;
    c.close().await.unwrap();
    let entries = outbox(&archive, &id);
    let jsonl = entries.iter().find(|p| p.extension().is_some_and(|e| e == "jsonl")).unwrap_or_else(|| panic!("no JSON outbox entry: {entries:?}"));
    let handed: Value = serde_json::from_str(std::fs::read_to_string(jsonl).unwrap().lines().next().unwrap()).unwrap();
    let chain: Vec<(&str, Option<&str>)> = handed["review"]["approvals"].as_array().unwrap().iter().map(|a| (a["by"].as_str().unwrap(), a["step"].as_str())).collect();
    assert_eq!(chain, [("ui:anna", None), ("ui:dora", Some("Wareneingang"))], "{handed}");
    let csv = entries.iter().find(|p| p.to_string_lossy().ends_with(".csv") && !p.to_string_lossy().ends_with(".datev.csv")).expect("a CSV outbox entry");
    let mut rows = ::csv::ReaderBuilder::new().delimiter(b';').from_path(csv).unwrap();
    let header = rows.headers().unwrap().clone();
    let row = rows.records().next().unwrap().unwrap();
    let cell = |name: &str| row.get(header.iter().position(|h| h == name).unwrap()).unwrap().to_string();
    assert_eq!((cell("approved_by"), cell("department")), ("ui:anna; ui:dora (Wareneingang)".to_string(), "Lager".to_string()));
    // Every step is in the audit trail: the check, the refusal, the approvals.
    let trail: Vec<Value> = audit(&archive).into_iter().filter(|e| e["document"] == id.as_str() && e["event"] == "revised").collect();
    assert!(trail.iter().any(|e| e["actor"] == "ui:dora" && e["details"]["approval"]["refused_by"] == "ui:dora"), "{trail:?}");
    assert!(trail.iter().any(|e| e["actor"] == "ui:dora" && e["details"]["approval"]["step"] == "Wareneingang"), "{trail:?}");
    let o = mailroom(&archive, &config).args(["verify"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}
