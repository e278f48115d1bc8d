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
use crate::catalog::{reference_key, Catalog, CatalogError, Query};
use crate::duplicate::{compact, name_key};
use crate::index::{Check, CheckName, DocType, DocumentIndex, Field, MatchedDocument, Order, OrderLine, OrderMatch, OrderRecord, Status};
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

impl OrderError {
    /// As the archive reports it to a caller that stores documents.
    pub fn into_archive(self) -> ArchiveError {
        match self {
            OrderError::Archive(e) => e,
            other => ArchiveError::Catalog(other.to_string()),
        }
    }
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

/// An invoice's match: the check, and the documents it was matched with.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub check: Check,
    /// `None` when the check is about an order the invoice does not name.
    pub links: Option<OrderMatch>,
}

impl Matched {
    /// Puts the match into `index`: its check in place of any earlier one, the documents
    /// matched, and a failing check holds the document for a person.
    pub fn apply(self, index: &mut DocumentIndex) {
        index.checks.retain(|c| c.name != CheckName::OrderMatch);
        index.needs_review |= !self.check.passed;
        index.checks.push(self.check);
        index.order_match = self.links;
    }
}

/// At least this many of the supplier's other invoices, and three in four of them, must name
/// an order before an invoice of theirs that names none is held for it.
const USUALLY_AT_LEAST: usize = 3;

/// The invoice's match against the order it names — imported from the ERP, or archived as a
/// paper order or order confirmation — and against the delivery notes that deliver it (the
/// one the invoice names, and any naming the same order): a two- or three-way match. `None`
/// when it is no invoice, or names an order nothing is known of and its supplier's invoices
/// do not usually name one.
pub fn check(index: &DocumentIndex, catalog: &dyn Catalog, archive: &Archive, tolerance_percent: Decimal) -> Result<Option<Matched>, OrderError> {
    if index.status != Status::Processed || index.doc_type.as_ref().map(|d| d.label) != Some(DocType::Invoice) {
        return Ok(None);
    }
    let Some(reference) = reference_key(index.field(Field::OrderReference)) else {
        return Ok(usually_names_an_order(index, catalog)?.map(|check| Matched { check, links: None }));
    };
    let erp = catalog.order_get(&reference)?;
    let related = related_documents(index, catalog, archive, &reference)?;
    let newest = |t: DocType| related.iter().filter(|i| i.doc_type.as_ref().map(|d| d.label) == Some(t)).max_by(|a, b| a.source.received_at.cmp(&b.source.received_at));
    let (paper, confirmation) = (newest(DocType::Order), newest(DocType::OrderConfirmation));
    let notes: Vec<&DocumentIndex> = related.iter().filter(|i| i.doc_type.as_ref().map(|d| d.label) == Some(DocType::DeliveryNote)).collect();
    // What the invoice is held against: the ERP's order where it was imported (the books'
    // own record), else the paper order, else the supplier's confirmation of it.
    let order = match (&erp, paper, confirmation) {
        (Some(record), _, _) => record.order.clone(),
        (None, Some(p), _) => order_of(p),
        (None, None, Some(c)) => order_of(c),
        (None, None, None) if notes.is_empty() => return Ok(None),
        (None, None, None) => Order { number: index.field(Field::OrderReference).unwrap_or_default().to_string(), ..order_of(notes[0]) },
    };
    let mut found = if erp.is_some() || paper.is_some() || confirmation.is_some() { compare_with(index, &order, tolerance_percent) } else { Findings::default() };
    if !notes.is_empty() {
        delivered(index, &notes, &mut found);
    }
    let mut documents: Vec<MatchedDocument> = Vec::new();
    for i in paper.into_iter().chain(confirmation).chain(notes.iter().copied()) {
        let doc_type = i.doc_type.as_ref().map(|d| d.label).unwrap_or(DocType::Other);
        let number = match doc_type {
            DocType::DeliveryNote => i.field(Field::DeliveryNoteReference),
            DocType::Order => i.field(Field::OrderReference),
            _ => i.field(Field::InvoiceNumber),
        };
        documents.push(MatchedDocument { id: i.id.clone(), doc_type, number: number.map(str::to_string) });
    }
    let ways = if notes.is_empty() { 2 } else { 3 };
    let mut with: Vec<String> = Vec::new();
    if let Some(r) = &erp {
        with.push(format!("ERP order revision {}", r.revision));
    }
    for d in &documents {
        let what = match d.doc_type {
            DocType::Order => "paper order",
            DocType::OrderConfirmation => "confirmation",
            DocType::DeliveryNote => "delivery note",
            _ => "document",
        };
        with.push(match &d.number {
            Some(n) if d.doc_type != DocType::Order => format!("{what} {n}"),
            _ => what.to_string(),
        });
    }
    let check = found.check(&format!("order {} ({}-way: {})", order.number, ways, with.join(", ")));
    let links = OrderMatch { order: index.field(Field::OrderReference).unwrap_or(&order.number).to_string(), erp_revision: erp.map(|r| r.revision), documents, ways };
    Ok(Some(Matched { check, links: Some(links) }))
}

/// The archived orders, confirmations and delivery notes that belong to the invoice's order,
/// and the delivery note it names; neither rejected nor replaced, nor the invoice itself.
fn related_documents(index: &DocumentIndex, catalog: &dyn Catalog, archive: &Archive, reference: &str) -> Result<Vec<DocumentIndex>, OrderError> {
    let mut entries = catalog.find(&Query {
        order_ref: Some(reference.to_string()),
        doc_types: vec![DocType::Order, DocType::OrderConfirmation, DocType::DeliveryNote],
        status: Some(Status::Processed),
        unordered: true,
        ..Query::default()
    })?;
    if let Some(note) = reference_key(index.field(Field::DeliveryNoteReference)) {
        entries.extend(catalog.find(&Query { delivery_ref: Some(note), doc_types: vec![DocType::DeliveryNote], status: Some(Status::Processed), unordered: true, ..Query::default() })?);
    }
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    entries.dedup_by(|a, b| a.id == b.id);
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| e.id != index.id.as_str() && !matches!(e.review_state.as_deref(), Some("rejected" | "superseded"))) {
        if let Some(i) = archive.read_index(&e.index_key)? {
            out.push(i);
        }
    }
    Ok(out)
}

/// An archived order or confirmation as the order to match: its supplier, totals and lines.
/// A paper order's VAT ID is left out: printed on the buyer's letterhead, it is the buyer's.
fn order_of(i: &DocumentIndex) -> Order {
    let is_order = i.doc_type.as_ref().map(|d| d.label) == Some(DocType::Order);
    Order {
        number: i.field(Field::OrderReference).unwrap_or_default().to_string(),
        supplier_vat_id: if is_order { None } else { i.field(Field::SellerVatId).map(str::to_string) },
        supplier_name: i.field(Field::SellerName).map(str::to_string),
        date: None,
        currency: i.field(Field::Currency).map(str::to_string),
        net_total: amount(i, Field::NetTotal),
        gross_total: amount(i, Field::GrossTotal),
        lines: i
            .line_items
            .iter()
            .filter_map(|l| {
                Some(OrderLine {
                    item: None,
                    description: l.name.clone(),
                    quantity: l.quantity.as_deref()?.parse().ok()?,
                    unit: l.unit_code.clone(),
                    unit_price: l.net_unit_price.as_deref().and_then(|p| p.parse().ok()),
                    amount: l.net_line_amount.as_deref().and_then(|p| p.parse().ok()),
                })
            })
            .collect(),
    }
}

/// A failing check when the invoice names no order although its supplier's invoices usually
/// do (at least three, and three in four, of their last ten); `None` otherwise.
fn usually_names_an_order(index: &DocumentIndex, catalog: &dyn Catalog) -> Result<Option<Check>, CatalogError> {
    let Some(supplier) = index.field(Field::SellerVatId).map(compact).filter(|v| v.len() >= 8).or_else(|| index.field(Field::SellerName).filter(|n| name_key(n).is_some()).map(str::to_string)) else {
        return Ok(None);
    };
    let recent = catalog.find(&Query { doc_types: vec![DocType::Invoice], seller: Some(supplier), status: Some(Status::Processed), limit: Some(11), ..Query::default() })?;
    let others: Vec<_> = recent.iter().filter(|e| e.id != index.id.as_str()).take(10).collect();
    let named = others.iter().filter(|e| e.order_ref.is_some()).count();
    if others.len() < USUALLY_AT_LEAST || named < USUALLY_AT_LEAST || named * 4 < others.len() * 3 {
        return Ok(None);
    }
    Ok(Some(Check {
        name: CheckName::OrderMatch,
        passed: false,
        message: format!("the invoice names no order, though {named} of this supplier's last {} invoices did: find the order, or approve without one", others.len()),
    }))
}

/// What agrees and what does not, in the reviewer's words.
#[derive(Debug, Default)]
struct Findings {
    agrees: Vec<String>,
    wrong: Vec<String>,
}

impl Findings {
    /// The check `order_match`, its message headed by `head` (`order 4711 (…)`): what does
    /// not agree, or else what does.
    fn check(&self, head: &str) -> Check {
        let passed = self.wrong.is_empty();
        let message = if passed {
            format!("{head}: {} agree{}", if self.agrees.is_empty() { "nothing to compare, nothing that".to_string() } else { self.agrees.join(", ") }, if self.agrees.len() == 1 { "s" } else { "" })
        } else {
            format!("{head}: {}", self.wrong.join("; "))
        };
        Check { name: CheckName::OrderMatch, passed, message }
    }
}

/// The words of a line's description as a set (lower case, letters and digits), for
/// comparing lines printed by different systems or read by OCR.
fn words(s: &str) -> std::collections::BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2).map(str::to_lowercase).collect()
}

/// How alike two descriptions are: the share of the shorter one's words the other has
/// (an invoice often adds the article number or a detail line).
fn alike(a: &str, b: &str) -> f32 {
    let (a, b) = (words(a), words(b));
    let least = a.len().min(b.len());
    if least == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f32 / least as f32
}

/// Descriptions at least this alike are one article.
const ALIKE: f32 = 0.6;

/// Whether two supplier names are one: the same name without legal form, or one within the
/// other ("Müller" and "Bürobedarf Müller GmbH"), or mostly the same words (OCR).
fn same_name(a: &str, b: &str) -> bool {
    match (name_key(a), name_key(b)) {
        (Some(x), Some(y)) if x == y || x.contains(&y) || y.contains(&x) => true,
        _ => alike(a, b) >= 0.75,
    }
}

/// What agrees and what does not between an invoice and its order.
pub fn compare(index: &DocumentIndex, order: &Order, tolerance_percent: Decimal) -> Check {
    compare_with(index, order, tolerance_percent).check(&format!("order {}", order.number))
}

fn compare_with(index: &DocumentIndex, order: &Order, tolerance_percent: Decimal) -> Findings {
    let mut f = Findings::default();
    // The supplier: by VAT ID where both have one, else by name.
    let vat = (index.field(Field::SellerVatId).map(compact), order.supplier_vat_id.as_deref().map(compact));
    let name = (index.field(Field::SellerName), order.supplier_name.as_deref());
    match (vat, name) {
        ((Some(a), Some(b)), _) if !a.is_empty() && !b.is_empty() => {
            if a == b {
                f.agrees.push("supplier".into());
            } else {
                f.wrong.push(format!("the order was placed with {} ({b}), the invoice is from VAT ID {a}", order.supplier_name.as_deref().unwrap_or("another supplier")));
            }
        }
        (_, (Some(a), Some(b))) if name_key(a).is_some() && name_key(b).is_some() => {
            if same_name(a, b) {
                f.agrees.push("supplier".into());
            } else {
                f.wrong.push(format!("the order was placed with {b}, the invoice is from {a}"));
            }
        }
        _ => {}
    }
    if let (Some(theirs), Some(ours)) = (index.field(Field::Currency), order.currency.as_deref()) {
        if !theirs.eq_ignore_ascii_case(ours) {
            f.wrong.push(format!("the invoice is in {theirs}, the order in {ours}"));
        }
    }
    let limit = |d: Decimal| d + d.abs() * tolerance_percent / Decimal::from(100);
    for (field, ordered, what) in [(Field::GrossTotal, order.gross_total, "gross total"), (Field::NetTotal, order.net_total, "net total")] {
        let (Some(invoiced), Some(ordered)) = (amount(index, field), ordered) else { continue };
        if invoiced > limit(ordered) {
            let over = if ordered.is_zero() { String::new() } else { format!(" ({:.1} % above)", ((invoiced - ordered) / ordered * Decimal::from(100)).round_dp(1)) };
            f.wrong.push(format!("{what} {} is more than the order's {}{over}; tolerance {tolerance_percent} %", money(invoiced), money(ordered)));
        } else {
            f.agrees.push(what.into());
        }
    }
    // Line by line, where an invoice line names an ordered article (by article number, else
    // by its description).
    let mut compared = false;
    for line in &index.line_items {
        let Some(q) = line.quantity.as_deref().and_then(|q| q.parse::<Decimal>().ok()) else { continue };
        let by_item = order.lines.iter().find(|o| matches!((&line.line_id, &o.item), (Some(a), Some(b)) if compact(a) == compact(b)));
        let found = by_item.or_else(|| {
            let name = line.name.as_deref()?;
            order.lines.iter().filter_map(|o| Some((o, alike(name, o.description.as_deref()?)))).filter(|(_, s)| *s >= ALIKE).max_by(|a, b| a.1.total_cmp(&b.1)).map(|(o, _)| o)
        });
        if let Some(o) = found {
            compared = true;
            if q > o.quantity {
                f.wrong.push(format!("{} invoiced {q}, ordered {}", line.name.as_deref().or(o.description.as_deref()).unwrap_or("a line"), o.quantity));
            }
        }
    }
    if compared && !f.wrong.iter().any(|w| w.contains(" ordered ")) {
        f.agrees.push("ordered quantities".into());
    }
    f
}

/// Invoiced quantities against what the delivery notes delivered: never more than delivered.
fn delivered(index: &DocumentIndex, notes: &[&DocumentIndex], f: &mut Findings) {
    let delivered: Vec<(&str, Decimal)> = notes.iter().flat_map(|n| n.line_items.iter()).filter_map(|l| Some((l.name.as_deref()?, l.quantity.as_deref()?.parse::<Decimal>().ok()?))).collect();
    if delivered.is_empty() {
        return;
    }
    let before = f.wrong.len();
    let mut compared = false;
    for line in &index.line_items {
        let (Some(name), Some(q)) = (line.name.as_deref(), line.quantity.as_deref().and_then(|q| q.parse::<Decimal>().ok())) else { continue };
        compared = true;
        // Each note's best line for this one, summed over the notes (a partial delivery
        // comes in several).
        let mut total = Decimal::ZERO;
        let mut on_a_note = false;
        for note in notes {
            let best = note
                .line_items
                .iter()
                .filter_map(|l| Some((l, alike(name, l.name.as_deref()?))))
                .filter(|(_, s)| *s >= ALIKE)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .and_then(|(l, _)| l.quantity.as_deref()?.parse::<Decimal>().ok());
            if let Some(d) = best {
                total += d;
                on_a_note = true;
            }
        }
        if !on_a_note {
            f.wrong.push(format!("{name}: invoiced {q}, on no delivery note"));
        } else if q > total {
            f.wrong.push(format!("{name}: invoiced {q}, delivered {total}"));
        }
    }
    if compared && f.wrong.len() == before {
        f.agrees.push("delivered quantities".into());
    }
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

    fn line(name: &str, quantity: &str) -> crate::index::LineItem {
        crate::index::LineItem { line_id: None, name: Some(name.into()), quantity: Some(quantity.into()), unit_code: None, net_unit_price: None, net_line_amount: None, vat_rate: None }
    }

    #[test]
    fn invoiced_quantities_are_held_against_what_the_delivery_notes_delivered() {
        let mut i = invoice("1190.00", "DE123456789");
        i.line_items = vec![line("A-100 Kopierpapier A4, 80 g", "12"), line("Toner schwarz TN-2420", "2")];
        // Two partial deliveries of the paper, printed and read a little differently.
        let mut first = crate::catalog::tests::index("b", DocType::DeliveryNote, "2025-06-20", "Bürobedarf Müller GmbH", 1);
        first.line_items = vec![line("Kopierpapier A4 80g", "5"), line("Toner schwarz TN-2420", "2")];
        let mut second = crate::catalog::tests::index("c", DocType::DeliveryNote, "2025-06-24", "Bürobedarf Müller GmbH", 1);
        second.line_items = vec![line("Kopierpapier A4, 80 g", "7")];
        let mut f = Findings::default();
        delivered(&i, &[&first, &second], &mut f);
        assert!(f.wrong.is_empty() && f.agrees == ["delivered quantities"], "{f:?}");
        // Only the first delivery: 12 billed, 5 delivered; an article on no note at all.
        i.line_items.push(line("Heftklammern 24/6", "10"));
        let mut f = Findings::default();
        delivered(&i, &[&first], &mut f);
        assert_eq!(f.wrong, ["A-100 Kopierpapier A4, 80 g: invoiced 12, delivered 5", "Heftklammern 24/6: invoiced 10, on no delivery note"]);
    }

    #[test]
    fn an_invoice_without_the_order_its_supplier_usually_names_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = crate::catalog::sqlite::SqliteCatalog::open(dir.path().join("c.sqlite")).unwrap();
        let earlier = |short: &str, order: Option<&str>| {
            let mut e = invoice("119.00", "DE123456789");
            e.id = crate::catalog::tests::id(short);
            e.fields.remove(&Field::OrderReference);
            if let Some(o) = order {
                e.fields.insert(Field::OrderReference, FieldValue::read(o.into(), 0.99, None, None, Origin::Model));
            }
            crate::catalog::Entry::of(&e)
        };
        let mut new = invoice("119.00", "DE 123 456 789");
        new.fields.remove(&Field::OrderReference);
        catalog.upsert(&earlier("1", Some("BE-1"))).unwrap();
        catalog.upsert(&earlier("2", Some("BE-2"))).unwrap();
        catalog.upsert(&earlier("3", None)).unwrap();
        assert_eq!(usually_names_an_order(&new, &catalog).unwrap(), None, "two of three is no habit yet");
        catalog.upsert(&earlier("4", Some("BE-4"))).unwrap();
        catalog.upsert(&earlier("5", Some("BE-5"))).unwrap();
        let held = usually_names_an_order(&new, &catalog).unwrap().expect("4 of the last 5 named one");
        assert!(!held.passed && held.message.contains("4 of this supplier's last 5 invoices"), "{}", held.message);
        // Another supplier's invoices say nothing about this one.
        let mut other = new.clone();
        other.fields.insert(Field::SellerVatId, FieldValue::read("DE999999999".into(), 0.99, None, None, Origin::Model));
        other.fields.insert(Field::SellerName, FieldValue::read("Andere AG".into(), 0.99, None, None, Origin::Model));
        assert_eq!(usually_names_an_order(&other, &catalog).unwrap(), None);
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
