//! `cargo bench --bench matching`: what the duplicate check and the order match add per
//! document against a catalog of 100,000 invoices (issue 26: under 10 ms per document), on the
//! embedded SQLite catalog and on PostgreSQL.
//!
//! The catalog gets 100,000 document rows (`common::catalog_row`, a year of mail) and 10,000
//! imported orders. Then 1,000 new invoices are checked as the processor checks them when they
//! arrive — `duplicate::check` (the atomic claims, then the lookup of the same supplier and
//! amount) and `orders::check` (the order it names): one in five repeats an archived invoice
//! (a duplicate to find), every one names an order. Timed per document, p50 and p99.
//! PostgreSQL at `postgresql://postgres@127.0.0.1:5432/mailroom` (`scripts/services.sh`).

mod common;

use std::time::Instant;

use mailroom::catalog::{Catalog, Entry};
use mailroom::index::{DocumentIndex, Order, OrderRecord};

const ROWS: usize = 100_000;
const ORDERS: usize = 10_000;
const NEW: usize = 1_000;

/// A real index (the XRechnung fixture, read by the pipeline) as the template of new invoices.
fn template() -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::binary())
        .args(["process", "--json", "--archive"])
        .arg(dir.path().join("a"))
        .arg(common::root().join("fixtures/documents/xrechnung-cii.xml"))
        .output()
        .unwrap();
    serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).expect("an index from mailroom process")
}

/// New invoice `i`: every fifth the same supplier, number and amount as an archived invoice
/// (`invoices`), the rest new; each names order `i % ORDERS`.
fn invoice(template: &serde_json::Value, i: usize, invoices: &[&Entry]) -> DocumentIndex {
    let mut v = template.clone();
    let (number, vat, gross) = if i.is_multiple_of(5) {
        let e = invoices[(i * 97) % invoices.len()];
        (e.invoice_number.clone().unwrap(), e.seller_vat_id.clone().unwrap(), e.gross_total.clone().unwrap())
    } else {
        (format!("NEU-{i}"), format!("DE{:09}", 900_000_000 + i), format!("{}.{:02}", 100 + i, i % 100))
    };
    v["id"] = mailroom::document::sha256_hex(format!("new-{i}").as_bytes()).into();
    v["doc_type"]["label"] = "invoice".into();
    for (field, value) in [("invoice_number", number), ("seller_vat_id", vat), ("gross_total", gross.clone()), ("order_reference", format!("BE-{:06}", i % ORDERS))] {
        if v["fields"][field].is_null() {
            // A field the template lacks: shaped like one it has.
            v["fields"][field] = v["fields"]["invoice_number"].clone();
        }
        v["fields"][field]["value"] = value.into();
    }
    v["fields"].as_object_mut().unwrap().remove("net_total");
    serde_json::from_value(v).expect("an index")
}

fn order(i: usize) -> OrderRecord {
    OrderRecord {
        schema: mailroom::orders::SCHEMA.into(),
        revision: 1,
        imported_at: "2025-06-01T08:00:00Z".into(),
        imported_by: "bench".into(),
        from: "orders.csv".into(),
        order: Order {
            number: format!("BE-{i:06}"),
            supplier_vat_id: Some(format!("DE{:09}", 900_000_000 + i)),
            supplier_name: None,
            date: None,
            currency: Some("EUR".into()),
            net_total: None,
            gross_total: Some(format!("{}.00", 200 + i).parse().unwrap()),
            lines: Vec::new(),
        },
    }
}

fn run(name: &str, catalog: &dyn Catalog, template: &serde_json::Value, analyse: &dyn Fn()) {
    let rows: Vec<Entry> = (0..ROWS).map(|i| common::catalog_row(i, ROWS)).collect();
    let t = Instant::now();
    catalog.upsert_many(&rows).unwrap();
    for i in 0..ORDERS {
        let o = order(i);
        catalog.order_put(&mailroom::orders::number_key(&o.order.number), &o).unwrap();
    }
    eprintln!("{name}: {ROWS} rows and {ORDERS} orders written in {:.1} s", t.elapsed().as_secs_f64());
    analyse();
    let archived: Vec<&Entry> = rows.iter().filter(|e| e.doc_type.as_deref() == Some("invoice") && e.status == mailroom::index::Status::Processed).collect();
    let invoices: Vec<DocumentIndex> = (0..NEW).map(|i| invoice(template, i, &archived)).collect();
    let tolerance = rust_decimal::Decimal::from(2);
    // No paper orders or delivery notes here: the archive is only read for those the catalog names.
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(mailroom::store::local::LocalStore::open(dir.path()).unwrap());
    let archive = mailroom::archive::Archive::new(store, Default::default());
    let (mut dup_ms, mut order_ms, mut both_ms) = (Vec::new(), Vec::new(), Vec::new());
    let (mut duplicates, mut matched) = (0, 0);
    for inv in &invoices {
        let t = Instant::now();
        let d = mailroom::duplicate::check(inv, catalog).unwrap();
        let between = t.elapsed();
        let o = mailroom::orders::check(inv, catalog, &archive, tolerance).unwrap();
        let all = t.elapsed();
        duplicates += usize::from(d.is_some_and(|c| !c.passed));
        matched += usize::from(o.is_some());
        dup_ms.push(between.as_secs_f64() * 1000.0);
        order_ms.push((all - between).as_secs_f64() * 1000.0);
        both_ms.push(all.as_secs_f64() * 1000.0);
    }
    for v in [&mut dup_ms, &mut order_ms, &mut both_ms] {
        v.sort_by(|a, b| a.total_cmp(b));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "| {name} | {ROWS} | {NEW} | {duplicates} | {matched} | {:.2} / {:.2} | {:.2} / {:.2} | **{:.2}** / {:.2} / {:.2} |",
        common::percentile(&dup_ms, 0.5),
        common::percentile(&dup_ms, 0.99),
        common::percentile(&order_ms, 0.5),
        common::percentile(&order_ms, 0.99),
        mean(&both_ms),
        common::percentile(&both_ms, 0.5),
        common::percentile(&both_ms, 0.99)
    );
    assert_eq!(duplicates, NEW / 5, "every repeated invoice found as a duplicate");
    assert_eq!(matched, NEW, "every invoice matched to its order");
}

fn main() {
    let which = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let template = template();
    println!("| catalog | invoices | new documents | duplicates found | orders matched | duplicate check p50 / p99 ms | order match p50 / p99 ms | both: mean / p50 / p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    if which.as_deref().is_none_or(|w| w == "sqlite") {
        let dir = tempfile::tempdir().unwrap();
        let c = mailroom::catalog::sqlite::SqliteCatalog::open(dir.path().join("catalog.sqlite")).unwrap();
        run("SQLite", &c, &template, &|| {});
    }
    if which.as_deref().is_none_or(|w| w == "postgres") {
        let schema = format!("mailroom_match_{}", std::process::id());
        let url = "postgresql://postgres@127.0.0.1:5432/mailroom";
        let c = mailroom::catalog::postgres::PostgresCatalog::connect(url, &schema).expect("PostgreSQL (scripts/services.sh)");
        // PostgreSQL's autovacuum analyses a table after a bulk load (and `catalog rebuild`
        // does it at once); here it would not have run yet, so the bench asks for it.
        run("PostgreSQL", &c, &template, &|| c.analyse().unwrap());
        let mut pg = postgres::Client::connect(url, postgres::NoTls).unwrap();
        pg.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).unwrap();
    }
}
