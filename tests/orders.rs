//! Orders from the ERP (`mailroom orders import`, JSON and CSV) stored in the archive as objects
//! of their own, and the invoice's check `order_match` against the order it names: through the
//! real binary on an embedded archive (SQLite catalog).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::*;
use serde_json::Value;

/// The XRechnung fixture (seller VAT ID DE 123456789, gross 336.90 EUR) as invoice `number`,
/// naming order `order` in its header.
fn invoice(dir: &Path, number: &str, order: &str) -> PathBuf {
    let xml = std::fs::read_to_string(fixture("documents/xrechnung-cii.xml")).unwrap();
    let xml = xml.replacen("<ram:ID>123456XX</ram:ID>", &format!("<ram:ID>{number}</ram:ID>"), 1).replacen(
        "</ram:BuyerTradeParty>",
        &format!("</ram:BuyerTradeParty>\n<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{order}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>"),
        1,
    );
    let p = dir.join(format!("{number}.xml"));
    std::fs::write(&p, xml).unwrap();
    p
}

fn mailroom(archive: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("mailroom").unwrap().arg("--archive").arg(archive).args(args).env("MAILROOM_LOG", "warn").output().unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn order_check(idx: &Value) -> Option<&Value> {
    idx["checks"].as_array().unwrap().iter().find(|c| c["name"] == "order_match")
}

fn outbox_entries(archive: &Path, id: &str) -> usize {
    let dir = archive.join("handoff");
    if !dir.exists() {
        return 0;
    }
    listing(&dir).into_iter().filter(|(p, _, _)| p.file_name().unwrap().to_string_lossy().starts_with(id) && p.to_string_lossy().ends_with(".jsonl")).count()
}

const CSV_HEADER: &str = "order_number,supplier_vat_id,supplier_name,order_date,currency,net_total,gross_total,item,description,quantity,unit,unit_price,amount\n";

#[test]
fn invoices_are_matched_against_the_orders_the_erp_exported() {
    let inbox = tempfile::tempdir().unwrap();
    let archive = tempfile::tempdir().unwrap();
    let a = archive.path();
    let json = inbox.path().join("orders.json");
    std::fs::write(&json, r#"{"orders": [{"number": "BE-2025-0042", "supplier_vat_id": "DE123456789", "supplier_name": "Zeitschriftenverlag", "currency": "EUR", "gross_total": "336.90"}]}"#).unwrap();
    let csv = inbox.path().join("orders.csv");
    std::fs::write(&csv, format!("{CSV_HEADER}BE-2025-0043,DE123456789,Zeitschriftenverlag,01.06.2025,EUR,,\"400,00\",246,Zeitschrift Inland,1,,,\n")).unwrap();

    let o = mailroom(a, &["orders", "import", json.to_str().unwrap(), csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("orders: 2 new, 0 changed, 0 unchanged"), "{}", stderr(&o));
    // The same export again stores nothing; a changed order gets a second revision.
    let o = mailroom(a, &["orders", "import", json.to_str().unwrap(), csv.to_str().unwrap()]);
    assert!(stderr(&o).contains("orders: 0 new, 0 changed, 2 unchanged"), "{}", stderr(&o));
    std::fs::write(&csv, format!("{CSV_HEADER}BE-2025-0043,DE123456789,Zeitschriftenverlag,01.06.2025,EUR,,\"306,27\",246,Zeitschrift Inland,1,,,\n")).unwrap();
    let o = mailroom(a, &["orders", "import", csv.to_str().unwrap()]);
    assert!(stderr(&o).contains("changed    BE-2025-0043 (revision 2)"), "{}", stderr(&o));
    let stored: Vec<PathBuf> = listing(&a.join("orders")).into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(stored.len(), 3, "two orders, one of them in two revisions, as objects of their own: {stored:?}");
    // A broken export is refused as a whole, saying where.
    let bad = inbox.path().join("bad.csv");
    std::fs::write(&bad, format!("{CSV_HEADER}BE-9,,,,,,,,,zehn,,,\n")).unwrap();
    let o = mailroom(a, &["orders", "import", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("names no supplier") || stderr(&o).contains("not a number"), "{}", stderr(&o));

    // The invoice within its order passes; the one 10 % above its (changed) order fails and
    // waits for a person, out of the ERP's reach.
    let ok = invoice(inbox.path(), "RE-1", "BE-2025-0042");
    let over = invoice(inbox.path(), "RE-2", "be 2025/0043");
    let unknown = invoice(inbox.path(), "RE-3", "BE-2025-0044");
    let run = process(a, &[ok, over, unknown]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let matched = order_check(run.by_name("RE-1.xml")).expect("an order_match check");
    assert_eq!(matched["passed"], true, "{matched}");
    assert!(matched["message"].as_str().unwrap().contains("supplier, gross total agree"), "{matched}");
    let above = run.by_name("RE-2.xml");
    let failed = order_check(above).expect("an order_match check");
    assert_eq!(failed["passed"], false);
    let message = failed["message"].as_str().unwrap();
    assert!(message.contains("336,90") && message.contains("306,27") && message.contains("10.0 % above"), "{message}");
    assert_eq!(above["needs_review"], true);
    assert_eq!(above["review"]["state"], "pending");
    assert_eq!(outbox_entries(a, above["id"].as_str().unwrap()), 0, "an invoice above its order is not handed to the ERP");
    // An order nobody imported (yet): no check.
    let later = run.by_name("RE-3.xml");
    assert!(order_check(later).is_none());

    // Imported afterwards, the order is matched when the invoice is read again.
    let json2 = inbox.path().join("orders-2.json");
    std::fs::write(&json2, r#"[{"number": "BE-2025-0044", "supplier_name": "Zeitschriftenverlag", "supplier_vat_id": "DE 123 456 789", "gross_total": "300.00"}]"#).unwrap();
    assert!(mailroom(a, &["orders", "import", json2.to_str().unwrap()]).status.success());
    let o = mailroom(a, &["reprocess", "--all"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = later["id"].as_str().unwrap();
    let revisions: Vec<PathBuf> = listing(&a.join("documents").join(id).join("index")).into_iter().map(|(p, _, _)| p).collect();
    let newest: Value = serde_json::from_slice(&std::fs::read(revisions.last().unwrap()).unwrap()).unwrap();
    let now = order_check(&newest).expect("matched on reprocessing");
    assert_eq!(now["passed"], false, "336.90 against an order of 300.00: {now}");

    // The catalog comes back from the archive, orders included.
    std::fs::remove_file(a.join(".mailroom-catalog.sqlite")).unwrap();
    let o = mailroom(a, &["catalog", "rebuild"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("and 3 order(s)"), "{}", stderr(&o));
    let o = mailroom(a, &["orders", "show", "BE-2025-0043", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(shown["revision"], 2);
    assert_eq!(shown["order"]["gross_total"], "306.27");
    // Every import is in the audit trail, its object vouched for.
    let o = mailroom(a, &["verify"]);
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
}

/// A document of a linked set made by `scripts/corpus/linked.py` (`fixtures/linked/sets.tsv`):
/// `1-order`, `2-confirmation`, `3-delivery-note`, `4-invoice`, born digital or scanned at 200 dpi.
fn linked(set: &str, variant: &str, part: &str) -> PathBuf {
    fixture(&format!("linked/{set}/{variant}/{part}.pdf"))
}

/// Archives a set's order, confirmation and delivery note, then its invoice; returns the
/// papers' indexes and the invoice's.
fn archive_set(a: &Path, set: &str, variant: &str) -> (Vec<Value>, Value) {
    let papers = process(a, &[linked(set, variant, "1-order"), linked(set, variant, "2-confirmation"), linked(set, variant, "3-delivery-note")]);
    assert_eq!(papers.code(), 0, "{}", papers.stderr());
    let run = process(a, &[linked(set, variant, "4-invoice")]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    (papers.indexes.clone(), run.by_name("4-invoice.pdf").clone())
}

#[test]
fn a_paper_order_its_delivery_note_and_its_invoice_are_matched_three_ways_also_as_scans() {
    for variant in ["digital", "scans"] {
        let archive = tempfile::tempdir().unwrap();
        let a = archive.path();
        let (papers, invoice) = archive_set(a, "l1-000-match", variant);
        let of = |name: &str| papers.iter().find(|i| i["source"]["name"] == name).unwrap_or_else(|| panic!("{name} was archived"));
        let (order, confirmation, note) = (of("1-order.pdf"), of("2-confirmation.pdf"), of("3-delivery-note.pdf"));
        // Each paper read for what matching needs: the order number, the delivery note's own
        // number and what it delivered (no prices).
        assert_eq!((order["doc_type"]["label"].as_str(), field(order, "order_reference")), (Some("order"), Some("3577311")), "{variant}");
        assert_eq!((confirmation["doc_type"]["label"].as_str(), field(confirmation, "order_reference")), (Some("order_confirmation"), Some("3577311")), "{variant}");
        assert_eq!((note["doc_type"]["label"].as_str(), field(note, "delivery_note_reference"), field(note, "order_reference")), (Some("delivery_note"), Some("353666"), Some("3577311")), "{variant}");
        let delivered: Vec<(&str, &str)> = note["line_items"].as_array().unwrap().iter().map(|l| (l["name"].as_str().unwrap(), l["quantity"].as_str().unwrap())).collect();
        assert_eq!(delivered.len(), 2, "{variant}: {delivered:?}");
        assert!(delivered[1].0.contains("Inspektion nach Herstellervorgabe") && delivered[1].1 == "1", "{variant}: {delivered:?}");
        assert!(note["line_items"].as_array().unwrap().iter().all(|l| l["net_line_amount"].is_null()), "a delivery note has no prices");
        // The invoice names the order and the delivery note, and is matched with all three.
        assert_eq!((field(&invoice, "order_reference"), field(&invoice, "delivery_note_reference")), (Some("3577311"), Some("353666")), "{variant}");
        let check = order_check(&invoice).unwrap_or_else(|| panic!("{variant}: an order_match check: {}", invoice["checks"]));
        assert_eq!(check["passed"], true, "{variant}: {check}");
        let message = check["message"].as_str().unwrap();
        assert!(message.starts_with("order 3577311 (3-way: paper order, confirmation, delivery note 353666): supplier, gross total, net total"), "{variant}: {message}");
        let links = &invoice["order_match"];
        assert_eq!(links["ways"], 3, "{variant}: {links}");
        let linked: Vec<&str> = links["documents"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(linked, [&order["id"], &confirmation["id"], &note["id"]].map(|v| v.as_str().unwrap()), "{variant}");
        // `mailroom list --order` finds the four together.
        let o = mailroom(a, &["list", "--order", "3577311", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let listed: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(listed.len(), 4, "{variant}: {listed:?}");
        let o = mailroom(a, &["list", "--delivery-note", "353 666", "--json"]);
        assert_eq!(serde_json::from_slice::<Vec<Value>>(&o.stdout).unwrap().len(), 2, "{variant}: the delivery note and its invoice");
    }
}

#[test]
fn an_invoice_above_its_paper_order_or_beyond_what_was_delivered_fails_the_match() {
    // 10 % above the order, on paper and as scans.
    for variant in ["digital", "scans"] {
        let archive = tempfile::tempdir().unwrap();
        let (_, invoice) = archive_set(archive.path(), "l1-001-over", variant);
        let check = order_check(&invoice).expect("an order_match check");
        assert_eq!(check["passed"], false, "{variant}: {check}");
        let message = check["message"].as_str().unwrap();
        assert!(message.contains("gross total 3.011,35 is more than the order's 2.737,57 (10.0 % above)"), "{variant}: {message}");
        assert_eq!(invoice["review"]["state"], "pending", "{variant}");
        assert_eq!(outbox_entries(archive.path(), invoice["id"].as_str().unwrap()), 0, "{variant}: not to the ERP");
        assert_eq!(invoice["order_match"]["ways"], 3);
    }
    // Billed more than the delivery note delivered (born digital: the invoice's lines are read
    // whole and add up to its net total).
    let archive = tempfile::tempdir().unwrap();
    let (_, invoice) = archive_set(archive.path(), "l1-002-short", "digital");
    let check = order_check(&invoice).expect("an order_match check");
    assert_eq!(check["passed"], false, "{check}");
    assert!(check["message"].as_str().unwrap().ends_with("Tagesgericht: invoiced 250, delivered 125"), "{check}");
    assert_eq!(invoice["review"]["state"], "pending");
    let o = mailroom(archive.path(), &["list", "--failing", "--json"]);
    let failing: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(failing.iter().any(|e| e["id"] == invoice["id"]), "{failing:?}");
}

#[test]
fn papers_that_arrive_after_their_invoice_match_it_while_it_waits_for_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let (a, config) = (dir.path().join("archive"), dir.path().join("pipeline.toml"));
    std::fs::write(&config, "[review]\nstraight_through = false\n").unwrap();
    let run = |files: &[PathBuf]| {
        let o = Command::cargo_bin("mailroom").unwrap().arg("--archive").arg(&a).arg("--config").arg(&config).arg("process").arg("--json").args(files).env("MAILROOM_LOG", "warn").output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8(o.stdout).unwrap().lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).collect::<Vec<_>>()
    };
    let invoice = run(&[linked("l1-002-short", "digital", "4-invoice")]).remove(0);
    assert!(order_check(&invoice).is_none(), "nothing known of its order yet");
    assert_eq!(invoice["review"]["state"], "pending");
    run(&[linked("l1-002-short", "digital", "1-order"), linked("l1-002-short", "digital", "3-delivery-note")]);
    let id = invoice["id"].as_str().unwrap();
    let revisions: Vec<PathBuf> = listing(&a.join("documents").join(id).join("index")).into_iter().map(|(p, _, _)| p).collect();
    let newest: Value = serde_json::from_slice(&std::fs::read(revisions.iter().max().unwrap()).unwrap()).unwrap();
    let check = order_check(&newest).expect("matched when its papers arrived");
    assert_eq!(check["passed"], false, "{check}");
    assert!(check["message"].as_str().unwrap().contains("3-way: paper order, delivery note LS-2439683") && check["message"].as_str().unwrap().contains("invoiced 250, delivered 125"), "{check}");
    assert_eq!(newest["order_match"]["documents"].as_array().unwrap().len(), 2);
    assert_eq!(newest["review"]["state"], "pending", "still the reviewer's");
    assert_eq!(outbox_entries(&a, id), 0);
    let o = mailroom(&a, &["verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}
