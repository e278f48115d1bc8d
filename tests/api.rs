//! The REST API (`/api/v1`) with personal API tokens: the same roles and document types as the
//! UI — an ERP reads the due list and marks an invoice paid; an auditor's token changes
//! nothing; a user never reaches a type they may not see; a revoked token is refused; a
//! cookie session needs the CSRF header for a state change.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::http::request;
use common::stack::*;
use serde_json::{json, Value};

fn mailroom(cfg: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("mailroom").unwrap().arg("--config").arg(cfg).args(args).output().unwrap()
}

fn add_user(cfg: &Path, name: &str, role: &str, types: Option<&str>, pw: &str) {
    common::add_user(&["--config".as_ref(), cfg.as_os_str()], name, role, types, pw);
}

fn token(cfg: &Path, name: &str) -> String {
    let o = mailroom(cfg, &["user", "token", name, "--label", "erp"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn an_erp_reads_the_due_list_and_marks_paid_with_the_roles_of_the_ui() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = dir.path().join("pipeline.toml");
    std::fs::write(&cfg, format!("[archive]\nkind = \"local\"\npath = {:?}\n", archive.to_str().unwrap())).unwrap();
    let mut ids = Vec::new();
    for k in 0..2usize {
        let p = dir.path().join(format!("brief-{k}.pdf"));
        std::fs::write(&p, stack_pdf(&[Sheet::Text(letter_page(k, 1, 1))])).unwrap();
        let o = mailroom(&cfg, &["process", "--json", p.to_str().unwrap()]);
        let v: Value = serde_json::from_slice(String::from_utf8_lossy(&o.stdout).lines().next().unwrap().as_bytes()).unwrap();
        let id = v["id"].as_str().unwrap().to_string();
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(10)).format("%Y-%m-%d").to_string();
        assert!(mailroom(&cfg, &["revise", &id, "--set", &format!("due_date={due}"), "--reason", "Zahlungsziel"]).status.success());
        ids.push(id);
    }
    let (invoice, contract) = (&ids[0], &ids[1]);
    assert!(mailroom(&cfg, &["revise", contract, "--type", "contract", "--reason", "Vertrag"]).status.success());
    add_user(&cfg, "erp", "reviewer", Some("invoice"), "erp-bucht-die-rechnungen");
    add_user(&cfg, "olga", "auditor", None, "olga-liest-nur-mit");
    let (erp, olga) = (token(&cfg, "erp"), token(&cfg, "olga"));
    let mut serve = std::process::Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
    serve.arg("--config").arg(&cfg).args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", "scanner-2:3f1a9c0e5b7d2f4a6c8e0b1d3f5a7c9e");
    let server = common::http::Server::start(serve);
    let port = server.port;
    let bearer = |t: &str| format!("Bearer {t}");
    let get = |path: &str, t: &str| request(port, "GET", path, &[("Authorization", bearer(t).as_str())], None);
    let post = |path: &str, t: &str, body: Value| request(port, "POST", path, &[("Authorization", bearer(t).as_str()), ("Content-Type", "application/json")], Some(body.to_string().as_bytes()));

    assert_eq!(request(port, "GET", "/api/v1/due", &[], None).status, 401, "no token");
    assert_eq!(get("/api/v1/due", &"0".repeat(64)).status, 401, "an unknown token");
    let spec = request(port, "GET", "/api/v1/openapi.json", &[], None);
    assert_eq!(spec.status, 200);
    assert_eq!(spec.json()["openapi"], "3.0.3");

    // The due list, limited to the types the token's user may see.
    let due = get("/api/v1/due", &erp).json();
    let listed: Vec<&str> = due["documents"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(listed, vec![invoice.as_str()], "the ERP user sees invoices only: {due}");
    assert_eq!(get("/api/v1/due", &olga).json()["documents"].as_array().unwrap().len(), 2, "the auditor sees both");
    let hits = get("/api/v1/search?q=Gesamtbetrag", &erp).json();
    assert_eq!(hits["hits"].as_array().unwrap().len(), 1, "{hits}");
    assert!(hits["hits"][0]["passage"].as_str().unwrap().contains("[Gesamtbetrag]"));

    // Marking paid: not by an auditor, not a type the user may not see, once.
    assert_eq!(post(&format!("/api/v1/documents/{invoice}/settle"), &olga, json!({})).status, 403);
    assert_eq!(post(&format!("/api/v1/documents/{contract}/settle"), &erp, json!({})).status, 404);
    let r = post(&format!("/api/v1/documents/{invoice}/settle"), &erp, json!({"reference": "Zahlungslauf 2026-12-05"}));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(post(&format!("/api/v1/documents/{invoice}/settle"), &erp, json!({})).status, 409);
    assert!(get("/api/v1/due", &erp).json()["documents"].as_array().unwrap().is_empty());

    // Resubmissions over the API.
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let r = post(&format!("/api/v1/documents/{invoice}/resubmissions"), &erp, json!({"on": today, "note": "Skonto nachhalten"}));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(get("/api/v1/resubmissions", &erp).json()["resubmissions"].as_array().unwrap().len(), 1);
    assert_eq!(post(&format!("/api/v1/documents/{invoice}/resubmissions/1/done"), &erp, json!({})).status, 200);
    assert!(get("/api/v1/resubmissions", &erp).json()["resubmissions"].as_array().unwrap().is_empty());

    // Stamps over the API: a kind of the pipeline file's, on a page.
    let r = post(&format!("/api/v1/documents/{invoice}/stamps"), &erp, json!({"kind": "Gebucht", "text": "Beleg 2026-0815"}));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(post(&format!("/api/v1/documents/{invoice}/stamps"), &erp, json!({"kind": "Erfunden"})).status, 400);
    assert_eq!(post(&format!("/api/v1/documents/{invoice}/stamps"), &olga, json!({"kind": "Gebucht"})).status, 403);
    assert_eq!(get(&format!("/api/v1/documents/{invoice}/stamps"), &olga).json()["stamps"][0]["text"], "Beleg 2026-0815");

    // A UI session works too, but a state change needs its CSRF token.
    let cookie = common::http::login(port, "erp", "erp-bucht-die-rechnungen");
    assert_eq!(request(port, "GET", "/api/v1/due", &[("Cookie", cookie.as_str())], None).status, 200);
    let r = request(
        port,
        "POST",
        &format!("/api/v1/documents/{invoice}/resubmissions"),
        &[("Cookie", cookie.as_str()), ("Content-Type", "application/json")],
        Some(json!({"on": today, "note": "x"}).to_string().as_bytes()),
    );
    assert_eq!(r.status, 403, "no CSRF header");

    // The audit trail names the API user; a revoked token is refused.
    let audit: Vec<Value> = common::listing(&archive.join("audit")).into_iter().map(|(p, _, _)| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect();
    assert!(audit.iter().any(|e| e["actor"] == "api:erp" && e["details"]["settled"]["reference"] == "Zahlungslauf 2026-12-05"));
    assert!(mailroom(&cfg, &["user", "token", "erp", "--revoke"]).status.success());
    assert_eq!(get("/api/v1/due", &erp).status, 401);
    let log = String::from_utf8_lossy(&mailroom(&cfg, &["user", "log"]).stdout).into_owned();
    assert!(log.contains("api_token_created") && log.contains("api_tokens_revoked"), "{log}");
    assert!(mailroom(&cfg, &["verify"]).status.success());
}
