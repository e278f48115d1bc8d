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
