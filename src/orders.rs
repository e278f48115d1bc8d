//! Orders from the ERP and the invoice's match against the order it names (Bestellabgleich).
//!
//! Most orders never pass the mailroom as paper: the ERP exports them, `mailroom orders import`
//! reads the export (JSON or CSV), and each order is stored in the archive as an object of its
//! own — `orders/<key>/<revision>.json` (`mailroom.order/1`), locked like a business letter,
//! audited (`order_imported`) — and mirrored in the catalog for the lookup. Importing the same
//! order again writes nothing; a changed order gets a new revision.
//!
//! An invoice that names an order (`order_reference`, the buyer's order number) gets the check
//! `order_match` when that order is known: the supplier (VAT ID or name), the currency, the
//! totals (at most `[review] order_tolerance_percent` above the order's) and, line by line
//! where an invoice line names an ordered article, the quantities (never above the ordered
//! ones). A failing check holds the invoice for a person; the message says what agrees and
//! what does not. An invoice below its order passes (a partial delivery is invoiced in parts).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::json;

use crate::archive::{Archive, ArchiveError};
use crate::audit::{Event, EventKind};
use crate::catalog::{Catalog, CatalogError};
use crate::duplicate::{compact, name_key};
use crate::index::{Check, CheckName, DocType, DocumentIndex, Field, Order, OrderLine, OrderRecord, Status};
use crate::store::Put;

pub const SCHEMA: &str = "mailroom.order/1";
const PREFIX: &str = "orders/";
/// Orders are business letters (Handelsbriefe): kept six years from the end of the year.
const RETAIN_YEARS: u32 = 6;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("{from}: {message}")]
    Invalid { from: String, message: String },
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("catalog: {0}")]
    Catalog(#[from] CatalogError),
}

/// The order number as a lookup key: letters and digits, upper case (`be-2025/0042` and
/// `BE 2025 0042` are one order).
pub fn number_key(number: &str) -> String {
    compact(number)
}

/// Where an order's revisions lie: its number's key, hashed, so that any number makes a
/// safe object key.
fn order_prefix(number: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(number_key(number).as_bytes());
    format!("{PREFIX}{}/", hex::encode(&digest[..16]))
}

/// Reads an ERP export: a JSON array of orders (or `{"orders": […]}`), or CSV with one row per
/// order line (header: `order_number,supplier_vat_id,supplier_name,order_date,currency,
/// net_total,gross_total,item,description,quantity,unit,unit_price,amount`; the order's own
/// columns repeat on each of its rows). Amounts with a decimal point or German comma.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<Order>, OrderError> {
    let from = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let invalid = |message: String| OrderError::Invalid { from: from.clone(), message };
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) || bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'[' || *b == b'{');
    let orders = if is_json {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let list = match value {
            serde_json::Value::Object(mut o) if o.contains_key("orders") => o.remove("orders").unwrap_or_default(),
            other => other,
        };
        serde_json::from_value::<Vec<Order>>(list).map_err(|e| invalid(format!("not a list of orders: {e}")))?
    } else {
        from_csv(bytes).map_err(invalid)?
    };
    for (i, o) in orders.iter().enumerate() {
        if number_key(&o.number).is_empty() {
            return Err(invalid(format!("order {} has no number", i + 1)));
        }
        if o.supplier_vat_id.as_deref().map(compact).unwrap_or_default().is_empty() && o.supplier_name.as_deref().and_then(name_key).is_none() {
            return Err(invalid(format!("order {} names no supplier (supplier_vat_id or supplier_name)", o.number)));
        }
        if let Some(c) = &o.currency {
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(invalid(format!("order {}: currency {c:?} is not an ISO 4217 code", o.number)));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = orders.iter().find(|o| !seen.insert(number_key(&o.number))) {
        return Err(invalid(format!("order {} is in the file twice", twice.number)));
    }
    Ok(orders)
}

fn decimal(v: &str, what: &str, row: usize) -> Result<Option<Decimal>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    crate::extract::parse::parse_amount(v).map(Some).ok_or_else(|| format!("row {row}: {what} {v:?} is not a number"))
}

fn from_csv(bytes: &[u8]) -> Result<Vec<Order>, String> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(bytes);
    let headers = reader.headers().map_err(|e| format!("no CSV header: {e}"))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let number_col = col("order_number").ok_or("the CSV has no order_number column")?;
    let mut orders: Vec<Order> = Vec::new();
    let mut at: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| format!("row {row}: {e}"))?;
        let get = |name: &str| col(name).and_then(|c| record.get(c)).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let number = record.get(number_col).unwrap_or_default().trim().to_string();
        let date = match get("order_date") {
            Some(d) => Some(
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(&d, "%d.%m.%Y"))
                    .map_err(|_| format!("row {row}: order_date {d:?} is neither 2025-06-26 nor 26.06.2025"))?,
            ),
            None => None,
        };
        let k = number_key(&number);
        let idx = match at.get(&k) {
            Some(i) => *i,
            None => {
                orders.push(Order {
                    number: number.clone(),
                    supplier_vat_id: get("supplier_vat_id"),
                    supplier_name: get("supplier_name"),
                    date,
                    currency: get("currency"),
                    net_total: decimal(&get("net_total").unwrap_or_default(), "net_total", row)?,
                    gross_total: decimal(&get("gross_total").unwrap_or_default(), "gross_total", row)?,
                    lines: Vec::new(),
                });
                at.insert(k, orders.len() - 1);
                orders.len() - 1
            }
        };
        if let Some(q) = decimal(&get("quantity").unwrap_or_default(), "quantity", row)? {
            orders[idx].lines.push(OrderLine {
                item: get("item"),
                description: get("description"),
                quantity: q,
                unit: get("unit"),
                unit_price: decimal(&get("unit_price").unwrap_or_default(), "unit_price", row)?,
                amount: decimal(&get("amount").unwrap_or_default(), "amount", row)?,
            });
        }
    }
    Ok(orders)
}

/// What importing one order did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    New,
    Changed(u32),
    Unchanged,
}

/// The stored revisions of an order, oldest first.
fn revisions(archive: &Archive, number: &str) -> Result<Vec<OrderRecord>, ArchiveError> {
    let mut out = Vec::new();
    for key in crate::store::list_all(archive.store().as_ref(), &order_prefix(number))? {
        if let Some(bytes) = archive.store().get(&key)? {
            let record: OrderRecord = serde_json::from_slice(&bytes).map_err(|e| ArchiveError::BadIndex { key: key.clone(), message: e.to_string() })?;
            out.push(record);
        }
    }
    out.sort_by_key(|r| r.revision);
    Ok(out)
}

/// Stores `order` (a new revision where it changed), audits it and mirrors it in the catalog.
pub fn import(archive: &Archive, catalog: Option<&dyn Catalog>, order: Order, from: &str, actor: &str) -> Result<Imported, OrderError> {
    let stored = revisions(archive, &order.number)?;
    if let Some(last) = stored.last() {
        if last.order == order {
            if let Some(c) = catalog {
                c.order_put(&number_key(&order.number), last)?;
            }
            return Ok(Imported::Unchanged);
        }
    }
    let mut revision = stored.last().map(|r| r.revision).unwrap_or(0) + 1;
    let retain = crate::retention::end_of_period(Utc::now(), RETAIN_YEARS);
    loop {
        let record = OrderRecord { schema: SCHEMA.into(), revision, imported_at: Utc::now().to_rfc3339(), imported_by: actor.into(), from: from.into(), order: order.clone() };
        let bytes = serde_json::to_vec_pretty(&record).expect("an order serialises");
        let key = format!("{}{revision:04}.json", order_prefix(&order.number));
        match archive.store().put_new(&key, &bytes, Some(retain)).map_err(ArchiveError::from)? {
            Put::Created => {
                let event =
                    Event::new(EventKind::OrderImported, None).objects(vec![crate::audit::ObjectRef::of(&key, &bytes)]).details(json!({"order": order.number, "revision": revision, "from": from}));
                archive.audit().append(actor, event).map_err(ArchiveError::from)?;
                if let Some(c) = catalog {
                    c.order_put(&number_key(&order.number), &record)?;
                }
                return Ok(if revision == 1 { Imported::New } else { Imported::Changed(revision) });
            }
            // Another import took this revision at the same time: take the next.
            Put::Exists => revision += 1,
        }
    }
}

/// Every order's newest revision in the archive, for `mailroom catalog rebuild`.
pub fn all(archive: &Archive) -> Result<Vec<OrderRecord>, ArchiveError> {
    let mut newest: BTreeMap<String, OrderRecord> = BTreeMap::new();
    for key in crate::store::list_all(archive.store().as_ref(), PREFIX)? {
        if let Some(bytes) = archive.store().get(&key)? {
            let r: OrderRecord = serde_json::from_slice(&bytes).map_err(|e| ArchiveError::BadIndex { key: key.clone(), message: e.to_string() })?;
            let k = number_key(&r.order.number);
            if newest.get(&k).is_none_or(|n| n.revision < r.revision) {
                newest.insert(k, r);
            }
        }
    }
    Ok(newest.into_values().collect())
}

fn amount(index: &DocumentIndex, f: Field) -> Option<Decimal> {
    index.field(f).and_then(|v| v.parse().ok())
}

/// `1234.5` as `1.234,50`, the way the accountant reads it.
fn money(d: Decimal) -> String {
    crate::extract::parse::german_amount(&format!("{:.2}", d.round_dp(2)))
}

/// The invoice's check against the order it names; `None` when it names none, is no invoice,
/// or names one that was not imported.
pub fn check(index: &DocumentIndex, catalog: &dyn Catalog, tolerance_percent: Decimal) -> Result<Option<Check>, CatalogError> {
    if index.status != Status::Processed || index.doc_type.as_ref().map(|d| d.label) != Some(DocType::Invoice) {
        return Ok(None);
    }
    let Some(reference) = index.field(Field::OrderReference).map(number_key).filter(|k| !k.is_empty()) else { return Ok(None) };
    let Some(record) = catalog.order_get(&reference)? else { return Ok(None) };
    Ok(Some(compare(index, &record.order, tolerance_percent)))
}

/// What agrees and what does not between an invoice and its order.
pub fn compare(index: &DocumentIndex, order: &Order, tolerance_percent: Decimal) -> Check {
    let mut wrong: Vec<String> = Vec::new();
    let mut agrees: Vec<String> = Vec::new();
    // The supplier: by VAT ID where both have one, else by name.
    let vat = (index.field(Field::SellerVatId).map(compact), order.supplier_vat_id.as_deref().map(compact));
    let name = (index.field(Field::SellerName).and_then(name_key), order.supplier_name.as_deref().and_then(name_key));
    match (vat, name) {
        ((Some(a), Some(b)), _) if !a.is_empty() && !b.is_empty() => {
            if a == b {
                agrees.push("supplier".into());
            } else {
                wrong.push(format!("the order was placed with {} ({b}), the invoice is from VAT ID {a}", order.supplier_name.as_deref().unwrap_or("another supplier")));
            }
        }
        (_, (Some(a), Some(b))) => {
            if a == b {
                agrees.push("supplier".into());
            } else {
                wrong.push(format!(
                    "the order was placed with {}, the invoice is from {}",
                    order.supplier_name.as_deref().unwrap_or("another supplier"),
                    index.field(Field::SellerName).unwrap_or("?")
                ));
            }
        }
        _ => {}
    }
    if let (Some(theirs), Some(ours)) = (index.field(Field::Currency), order.currency.as_deref()) {
        if !theirs.eq_ignore_ascii_case(ours) {
            wrong.push(format!("the invoice is in {theirs}, the order in {ours}"));
        }
    }
    let limit = |d: Decimal| d + d.abs() * tolerance_percent / Decimal::from(100);
    for (f, ordered, what) in [(Field::GrossTotal, order.gross_total, "gross total"), (Field::NetTotal, order.net_total, "net total")] {
        let (Some(invoiced), Some(ordered)) = (amount(index, f), ordered) else { continue };
        if invoiced > limit(ordered) {
            let over = if ordered.is_zero() { String::new() } else { format!(" ({:.1} % above)", ((invoiced - ordered) / ordered * Decimal::from(100)).round_dp(1)) };
            wrong.push(format!("{what} {} is more than the order's {}{over}; tolerance {tolerance_percent} %", money(invoiced), money(ordered)));
        } else {
            agrees.push(what.into());
        }
    }
    // Line by line, where an invoice line names an ordered article (by article number, else
    // by its description).
    let key = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    for line in &index.line_items {
        let Some(q) = line.quantity.as_deref().and_then(|q| q.parse::<Decimal>().ok()) else { continue };
        let found = order.lines.iter().find(|o| {
            let by_item = matches!((&line.line_id, &o.item), (Some(a), Some(b)) if compact(a) == compact(b));
            let by_name = matches!((&line.name, &o.description), (Some(a), Some(b)) if key(a) == key(b));
            by_item || by_name
        });
        if let Some(o) = found {
            if q > o.quantity {
                wrong.push(format!("{} invoiced {q}, ordered {}", line.name.as_deref().or(o.description.as_deref()).unwrap_or("a line"), o.quantity));
            }
        }
    }
    let passed = wrong.is_empty();
    let message = if passed {
        format!("order {}: {} agree{}", order.number, if agrees.is_empty() { "nothing to compare, nothing that".to_string() } else { agrees.join(", ") }, if agrees.len() == 1 { "s" } else { "" })
    } else {
        format!("order {}: {}", order.number, wrong.join("; "))
    };
    Check { name: CheckName::OrderMatch, passed, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{FieldValue, Origin};

    fn order() -> Order {
        Order {
            number: "BE-2025-0042".into(),
            supplier_vat_id: Some("DE 123 456 789".into()),
            supplier_name: Some("Bürobedarf Müller GmbH".into()),
            date: None,
            currency: Some("EUR".into()),
            net_total: Some("1000.00".parse().unwrap()),
            gross_total: Some("1190.00".parse().unwrap()),
            lines: vec![OrderLine { item: Some("A-100".into()), description: Some("Kopierpapier A4".into()), quantity: Decimal::from(10), unit: None, unit_price: None, amount: None }],
        }
    }

    fn invoice(gross: &str, vat: &str) -> DocumentIndex {
        let mut i = crate::catalog::tests::index("a", DocType::Invoice, "2025-06-26", "Bürobedarf Müller GmbH", 1);
        for (f, v) in [(Field::GrossTotal, gross), (Field::SellerVatId, vat), (Field::OrderReference, "be 2025/0042"), (Field::Currency, "EUR")] {
            i.fields.insert(f, FieldValue::read(v.into(), 0.99, None, None, Origin::Model));
        }
        i
    }

    #[test]
    fn an_invoice_within_its_order_passes_and_above_it_fails_saying_by_how_much() {
        let ok = compare(&invoice("1190.00", "DE123456789"), &order(), Decimal::from(2));
        assert!(ok.passed, "{}", ok.message);
        let within = compare(&invoice("1200.00", "DE123456789"), &order(), Decimal::from(2));
        assert!(within.passed, "0.8 % above is within 2 %: {}", within.message);
        let over = compare(&invoice("1309.00", "DE123456789"), &order(), Decimal::from(2));
        assert!(!over.passed);
        assert!(over.message.contains("1.309,00") && over.message.contains("1.190,00") && over.message.contains("10.0 % above"), "{}", over.message);
        let other = compare(&invoice("1190.00", "DE999999999"), &order(), Decimal::from(2));
        assert!(!other.passed && other.message.contains("Bürobedarf Müller GmbH"), "{}", other.message);
    }

    #[test]
    fn quantities_above_the_ordered_fail() {
        let mut i = invoice("1190.00", "DE123456789");
        i.line_items.push(crate::index::LineItem {
            line_id: Some("a-100".into()),
            name: Some("Kopierpapier A4".into()),
            quantity: Some("12".into()),
            unit_code: None,
            net_unit_price: None,
            net_line_amount: None,
            vat_rate: None,
        });
        let c = compare(&i, &order(), Decimal::from(2));
        assert!(!c.passed && c.message.contains("invoiced 12, ordered 10"), "{}", c.message);
    }

    #[test]
    fn json_and_csv_exports_read_into_orders_and_bad_ones_are_refused() {
        let json = r#"[{"number": "BE-1", "supplier_name": "Müller GmbH", "gross_total": "119.00", "lines": [{"item": "X", "quantity": "2"}]}]"#;
        let o = parse(Path::new("orders.json"), json.as_bytes()).unwrap();
        assert_eq!(o[0].lines[0].quantity, Decimal::from(2));
        let csv = "order_number,supplier_vat_id,supplier_name,order_date,currency,net_total,gross_total,item,description,quantity,unit,unit_price,amount\n\
                   BE-2,DE123456789,Müller GmbH,26.06.2025,EUR,\"1.000,00\",\"1.190,00\",A-1,Papier,10,C62,\"100,00\",\"1.000,00\"\n\
                   BE-2,DE123456789,Müller GmbH,26.06.2025,EUR,\"1.000,00\",\"1.190,00\",A-2,Toner,1,C62,,\n";
        let o = parse(Path::new("orders.csv"), csv.as_bytes()).unwrap();
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].gross_total, Some("1190.00".parse().unwrap()));
        assert_eq!(o[0].lines.len(), 2);
        assert_eq!(o[0].date, NaiveDate::from_ymd_opt(2025, 6, 26));
        assert!(parse(Path::new("o.json"), br#"[{"number": "BE-3"}]"#).unwrap_err().to_string().contains("names no supplier"));
        assert!(parse(Path::new("o.json"), r#"[{"number": "", "supplier_name": "Müller"}]"#.as_bytes()).unwrap_err().to_string().contains("has no number"));
        assert!(parse(Path::new("o.csv"), b"order_number,quantity\nBE-4,zehn\n").unwrap_err().to_string().contains("not a number"));
    }

    #[test]
    fn amounts_read_as_the_accountant_writes_them() {
        assert_eq!(money("1234.5".parse().unwrap()), "1.234,50");
        assert_eq!(money("-1000000".parse().unwrap()), "-1.000.000,00");
        assert_eq!(money("12".parse().unwrap()), "12,00");
    }
}
