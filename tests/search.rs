//! Full-text search on a real SQLite (embedded) and a real PostgreSQL (production): a word only
//! the OCR text holds finds its scan, ranked first; "Muller" finds "Müller"; a reviewer who may
//! not see contracts finds none; `mailroom catalog rebuild` restores the index.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use common::servers::*;
use common::stack::*;
use serde_json::Value;

/// A letter that exists only as pixels: its text rendered by pdfium, then stacked as an image.
fn scanned_letter(dir: &Path, name: &str, lines: &[&str]) -> PathBuf {
    let text = stack_pdf(&[Sheet::Text(lines.iter().map(|l| l.to_string()).collect())]);
    let png = mailroom::pages::pdf::render_png(&text, 1, 1700).unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let p = dir.join(name);
    std::fs::write(&p, stack_pdf(&[Sheet::Image(image)])).unwrap();
    p
}

fn text_letter(dir: &Path, name: &str, lines: &[&str]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, stack_pdf(&[Sheet::Text(lines.iter().map(|l| l.to_string()).collect())])).unwrap();
    p
}

/// Three letters: a scan whose rare word is only in its pixels, a letter from "Müller", and a
/// contract; plus two that mention neither.
fn letters(dir: &Path) -> Vec<PathBuf> {
    vec![
        scanned_letter(dir, "scan.pdf", &["Baeckerei Lang - Hauptstrasse 3 - 10115 Berlin", "", "Rechnung Nr. 4711", "Lieferung Zwetschgenkuchen fuer das Sommerfest", "Gesamtbetrag 89,50 EUR"]),
        text_letter(dir, "mueller.pdf", &["Schreinerei Müller GmbH - Werkstraße 9 - 80331 München", "", "Rechnung Nr. 2025-17", "Einbau einer Küche", "Gesamtbetrag 4.190,00 EUR"]),
        text_letter(
            dir,
            "vertrag.pdf",
            &["Mietvertrag", "zwischen der Hausverwaltung Schulz und der Firma Beispiel AG", "Die Miete beträgt monatlich 1.200,00 EUR. Kündigungsfrist drei Monate.", "Vertragsbeginn 01.07.2025"],
        ),
        text_letter(dir, "other-1.pdf", &["Elektro Schulz KG", "Rechnung Nr. 88", "Leuchten und Kabel", "Gesamtbetrag 240,00 EUR"]),
        text_letter(dir, "other-2.pdf", &["Druckerei Weber", "Angebot Nr. 12", "Visitenkarten 500 Stück"]),
    ]
}

fn ids_of(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stdout).lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).map(|v| v["id"].as_str().unwrap().to_string()).collect()
}

fn id(path: &Path) -> String {
    mailroom::document::sha256_hex(&std::fs::read(path).unwrap())
}

/// The same checks on either database: `run` runs `mailroom` with that configuration.
fn finds_what_it_should(run: &dyn Fn(&[&str]) -> Output, docs: &[PathBuf]) {
    let (scan, mueller, contract) = (id(&docs[0]), id(&docs[1]), id(&docs[2]));
    // A word only the OCR text holds: the scan, first.
    let o = run(&["search", "--json", "Zwetschgenkuchen"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(ids_of(&o).first(), Some(&scan), "the scan is found by its OCR text");
    let o = run(&["search", "zwetschgen*"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("[Zwetschgenkuchen]"), "a prefix, and the passage marks the word: {}", String::from_utf8_lossy(&o.stdout));
    // OCR and people lose umlauts: "Muller" finds "Müller"; a stem finds its forms.
    let o = run(&["search", "--json", "Muller"]);
    assert_eq!(ids_of(&o), vec![mueller.clone()]);
    let o = run(&["search", "--json", "Zwetschgenkuchen", "Einbau"]);
    assert!(ids_of(&o).is_empty(), "all words must match");
    let o = run(&["search", "--json", "\"einer Kuche\""]);
    assert_eq!(ids_of(&o), vec![mueller.clone()], "a phrase");
    let o = run(&["search", "--json", "Kündigungsfristen"]);
    assert_eq!(ids_of(&o), vec![contract.clone()], "a German plural finds the singular");
    let o = run(&["search", "--json", "--type", "invoice", "Schulz"]);
    assert!(!ids_of(&o).contains(&contract), "a type filter narrows");
    let o = run(&["search", "--json", "Gesamtbetrag"]);
    assert_eq!(ids_of(&o).len(), 3, "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn sqlite_search_finds_ocr_words_folded_umlauts_and_respects_who_may_see_what() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let docs = letters(dir.path());
    let run = |args: &[&str]| Command::cargo_bin("mailroom").unwrap().arg("--archive").arg(&archive).args(args).output().unwrap();
    let mut process = vec!["process"];
    let names: Vec<String> = docs.iter().map(|d| d.to_str().unwrap().to_string()).collect();
    process.extend(names.iter().map(String::as_str));
    let o = run(&process);
    assert!(o.status.code().is_some_and(|c| c == 0 || c == 2), "{}", String::from_utf8_lossy(&o.stderr));
    // The contract is a contract and Müller's five lines an invoice, whatever the classifier
    // said (it is unsure of both: they are too short to tell): roles see types.
    let contract = id(&docs[2]);
    let o = run(&["revise", &contract, "--type", "contract", "--reason", "Mietvertrag"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["revise", &id(&docs[1]), "--type", "invoice", "--reason", "Rechnung"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    finds_what_it_should(&run, &docs);

    // Rebuilt from the archive, the index finds the same.
    std::fs::remove_file(archive.join(".mailroom-catalog.sqlite")).unwrap();
    let o = run(&["catalog", "rebuild"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    finds_what_it_should(&run, &docs);

    // In the UI: a reviewer who may see invoices only finds no contract.
    let add = |name: &str, role: &str, types: Option<&str>, pw: &str| common::add_user(&["--archive".as_ref(), archive.as_os_str()], name, role, types, pw);
    add("anna", "reviewer", Some("invoice"), "anna-prueft-rechnungen");
    add("root", "admin", None, "root-verwaltet-alles");
    let mut serve = std::process::Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
    serve.arg("--archive").arg(&archive).args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", "scanner-2:3f1a9c0e5b7d2f4a6c8e0b1d3f5a7c9e");
    let server = common::http::Server::start(serve);
    let login = |name: &str, pw: &str| common::http::login(server.port, name, pw);
    let (anna, root) = (login("anna", "anna-prueft-rechnungen"), login("root", "root-verwaltet-alles"));
    let page = |cookie: &str, q: &str| String::from_utf8_lossy(&common::http::request(server.port, "GET", &format!("/ui/search?q={q}"), &[("Cookie", cookie)], None).body).into_owned();
    assert!(page(&root, "Miete").contains(&contract), "the admin finds the contract");
    assert!(!page(&anna, "Miete").contains(&contract), "a reviewer without access to contracts does not");
    assert!(page(&anna, "Muller").contains("<mark>Müller</mark>"), "the passage marks what was found");
    assert_eq!(common::http::request(server.port, "GET", "/ui/search?q=Miete", &[], None).status, 303, "not without a login");
}

#[test]
fn postgres_search_finds_the_same_and_is_rebuilt_from_the_archive() {
    let env = Env::new("mailroom-test");
    let docs = letters(env.dir.path());
    let run = |args: &[&str]| env.run(args);
    let mut process = vec!["process"];
    let names: Vec<String> = docs.iter().map(|d| d.to_str().unwrap().to_string()).collect();
    process.extend(names.iter().map(String::as_str));
    let o = run(&process);
    assert!(o.status.code().is_some_and(|c| c == 0 || c == 2), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["revise", &id(&docs[2]), "--type", "contract", "--reason", "Mietvertrag"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    finds_what_it_should(&run, &docs);
    // What a user limited to invoices finds (the UI and API narrow every query so): no contract.
    let catalog = mailroom::catalog::postgres::PostgresCatalog::connect(PG, &env.schema).unwrap();
    let q = mailroom::search::Query::parse("Miete").unwrap();
    let as_invoice_clerk = mailroom::catalog::Query { doc_types: vec![mailroom::index::DocType::Invoice], ..Default::default() };
    assert!(mailroom::catalog::Catalog::search(&catalog, &q, &as_invoice_clerk).unwrap().is_empty());
    assert_eq!(mailroom::catalog::Catalog::search(&catalog, &q, &Default::default()).unwrap().len(), 1, "an unrestricted user finds the contract");
    let mut db = postgres::Client::connect(PG, postgres::NoTls).unwrap();
    db.execute(&format!("DELETE FROM {}.search", env.schema), &[]).unwrap();
    assert!(ids_of(&run(&["search", "--json", "Muller"])).is_empty(), "the index is gone");
    let o = run(&["catalog", "rebuild"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    finds_what_it_should(&run, &docs);
}
