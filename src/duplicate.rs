//! Duplicate invoices: the same invoice sent twice — by post and by e-mail, or a reminder with
//! the invoice attached again — has other bytes, so it is a document of its own; it must not be
//! paid twice. A new invoice or credit note that matches an archived one of the same type
//!
//! - on supplier, invoice number and gross total, or
//! - (when it has no number) on supplier and gross total, issued within a few days,
//!
//! gets the failing check `possible_duplicate` naming the other document, and so waits for a
//! person (`review`): approving it is the person's word that it is no duplicate.
//!
//! The supplier is matched by any of its identities — VAT ID, IBAN, or its name without legal
//! form, punctuation and case — never by the exact string. The first match is claimed in the
//! catalog under a unique key before the document is handed off, so of two workers (or two
//! attachments of one e-mail) reading the same invoice at once, only one passes.

use chrono::NaiveDate;

use crate::catalog::{Catalog, CatalogError, Entry, Query};
use crate::index::{Check, CheckName, DocType, DocumentIndex, Field, Status};

/// Days between issue dates within which two invoices without numbers but with the same
/// supplier and amount count as the same one.
pub const DATE_WINDOW_DAYS: i64 = 5;

/// Who issued the invoice, in every form it can be recognised by.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Supplier {
    vat_id: Option<String>,
    iban: Option<String>,
    name: Option<String>,
}

pub(crate) use crate::vocab::compact;

/// A company name without its legal form, punctuation, spacing and case: "Müller GmbH & Co. KG"
/// and "MÜLLER GMBH & CO KG" are one.
pub(crate) fn name_key(v: &str) -> Option<String> {
    const FORMS: [&str; 24] =
        ["GMBH", "MBH", "AG", "KG", "UG", "OHG", "GBR", "KGAA", "SE", "CO", "EK", "EKFM", "EV", "SARL", "SAS", "SA", "LTD", "LIMITED", "INC", "LLC", "PLC", "CORP", "BV", "HAFTUNGSBESCHRÄNKT"];
    let words: Vec<String> = v.split(|c: char| c.is_whitespace() || c == '&' || c == '+' || c == ',').map(compact).filter(|w| !w.is_empty() && !FORMS.contains(&w.as_str())).collect();
    let key = words.concat();
    (key.chars().count() >= 3).then_some(key)
}

impl Supplier {
    fn of_index(i: &DocumentIndex) -> Supplier {
        Supplier {
            vat_id: i.field(Field::SellerVatId).map(compact).filter(|v| !v.is_empty()),
            iban: i.field(Field::Iban).map(compact).filter(|v| !v.is_empty()),
            name: i.field(Field::SellerName).and_then(name_key),
        }
    }

    fn of_entry(e: &Entry) -> Supplier {
        Supplier {
            vat_id: e.seller_vat_id.as_deref().map(compact).filter(|v| !v.is_empty()),
            iban: e.iban.as_deref().map(compact).filter(|v| !v.is_empty()),
            name: e.seller_name.as_deref().and_then(name_key),
        }
    }

    /// The same supplier by any identity both carry.
    fn same(&self, other: &Supplier) -> bool {
        let eq = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a == b);
        eq(&self.vat_id, &other.vat_id) || eq(&self.iban, &other.iban) || eq(&self.name, &other.name)
    }

    /// One claim key per identity.
    fn keys(&self) -> Vec<String> {
        [("vat", &self.vat_id), ("iban", &self.iban), ("name", &self.name)].into_iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}:{v}"))).collect()
    }
}

fn date(v: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v?, "%Y-%m-%d").ok()
}

/// Whether `index` is an earlier-archived document's duplicate; `None` when there is nothing
/// to compare (not an invoice or credit note, no gross total, no supplier). Claims the
/// document's keys in the catalog, so it is called once per document, before the handoff.
pub fn check(index: &DocumentIndex, catalog: &dyn Catalog) -> Result<Option<Check>, CatalogError> {
    let Some(doc_type) = index.doc_type.as_ref().map(|d| d.label).filter(|t| matches!(t, DocType::Invoice | DocType::CreditNote)) else { return Ok(None) };
    if index.status != Status::Processed {
        return Ok(None);
    }
    let Some(gross) = index.field(Field::GrossTotal) else { return Ok(None) };
    let supplier = Supplier::of_index(index);
    if supplier.keys().is_empty() {
        return Ok(None);
    }
    let number = index.field(Field::InvoiceNumber).map(compact).filter(|n| !n.is_empty());
    let issued = date(index.field(Field::IssueDate));
    let id = index.id.as_str();

    // Concurrency first: the unique claims decide between two readings of the same invoice at
    // the same moment. With a number: one key per supplier identity. Without one: a key for
    // each day of the window around the issue date, so that two such invoices within the
    // window share at least one day — whoever claims it first holds it, and the other is
    // flagged (both may be, never neither).
    let mut other: Option<String> = None;
    let mut keys: Vec<String> = Vec::new();
    for key in supplier.keys() {
        match (&number, issued) {
            (Some(n), _) => keys.push(format!("{}|{key}|{n}|{gross}", doc_type.as_str())),
            (None, Some(day)) => {
                for off in -DATE_WINDOW_DAYS..=DATE_WINDOW_DAYS {
                    let d = day + chrono::Duration::days(off);
                    keys.push(format!("{}|{key}|no-number|{gross}|{}", doc_type.as_str(), d.format("%Y-%m-%d")));
                }
            }
            (None, None) => {}
        }
    }
    if let Some(holder) = catalog.claim_all(&keys, id)?.into_iter().find(|h| h != id) {
        other = Some(holder);
    }
    // Then what is archived already: the same amount from the same supplier, with the same
    // number, or without numbers within a few days.
    if other.is_none() {
        let same_amount = catalog.find(&Query { doc_types: vec![doc_type], status: Some(Status::Processed), gross_total: Some(gross.to_string()), unordered: true, ..Default::default() })?;
        other = same_amount
            .iter()
            .filter(|e| e.id != id && Supplier::of_entry(e).same(&supplier))
            .find(|e| {
                let theirs = e.invoice_number.as_deref().map(compact).filter(|n| !n.is_empty());
                match (&number, &theirs) {
                    (Some(a), Some(b)) => a == b,
                    (None, None) => matches!((issued, date(e.issue_date.as_deref())), (Some(a), Some(b)) if (a - b).num_days().abs() <= DATE_WINDOW_DAYS),
                    _ => false,
                }
            })
            .map(|e| e.id.clone());
    }
    Ok(Some(match other {
        Some(other) => Check {
            name: CheckName::PossibleDuplicate,
            passed: false,
            message: format!(
                "possibly the same {} as document {other}: same supplier, {}gross {gross}; approve it only if it is not a duplicate",
                doc_type.as_str().replace('_', " "),
                number.as_ref().map(|n| format!("number {n}, ")).unwrap_or_else(|| "no number, issued within a few days, ".into())
            ),
        },
        None => Check { name: CheckName::PossibleDuplicate, passed: true, message: "no archived invoice with the same supplier, number and gross total".into() },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppliers_match_by_any_identity_not_by_exact_strings() {
        let a = Supplier { vat_id: Some(compact("DE 123 456 789")), iban: None, name: name_key("Müller GmbH & Co. KG") };
        let b = Supplier { vat_id: None, iban: Some("DE02120300000000202051".into()), name: name_key("MÜLLER GMBH & CO KG") };
        assert!(a.same(&b), "the name without legal form and case");
        let c = Supplier { vat_id: Some("DE123456789".into()), iban: None, name: name_key("Schmidt AG") };
        assert!(a.same(&c), "the VAT ID without spaces");
        let d = Supplier { vat_id: Some("DE999999999".into()), iban: None, name: name_key("Schmidt AG") };
        assert!(!a.same(&d));
        assert_eq!(name_key("GmbH"), None, "a legal form alone is no name");
    }

    fn invoice(id: &str, number: Option<&str>, issued: &str) -> DocumentIndex {
        use crate::index::{Channel, DocTypeResult, FieldValue, Origin, Source};
        let source = Source {
            channel: Channel::File,
            name: "r.pdf".into(),
            media_type: crate::vocab::MediaType::Pdf,
            size: 1,
            received_at: "2026-01-01T00:00:00Z".into(),
            parent: None,
            parent_pages: None,
            split: None,
        };
        let mut i = DocumentIndex::processed(crate::vocab::DocumentId::of(id.as_bytes()), source);
        i.doc_type = Some(DocTypeResult { label: DocType::Invoice, confidence: 0.99 });
        let v = |s: &str| FieldValue::read(s.into(), 0.99, None, None, Origin::Model);
        i.fields.insert(Field::SellerName, v("Müller Bürobedarf GmbH"));
        i.fields.insert(Field::GrossTotal, v("119.00"));
        i.fields.insert(Field::IssueDate, v(issued));
        if let Some(n) = number {
            i.fields.insert(Field::InvoiceNumber, v(n));
        }
        i
    }

    #[test]
    fn two_invoices_without_numbers_read_at_the_same_moment_are_not_both_passed() {
        // Neither is in the catalog yet (both are being read at once): the claims decide.
        let dir = tempfile::tempdir().unwrap();
        let c = crate::catalog::sqlite::SqliteCatalog::open(dir.path().join("c.sqlite")).unwrap();
        let first = check(&invoice("a", None, "2026-03-10"), &c).unwrap().unwrap();
        assert!(first.passed, "{first:?}");
        let second = check(&invoice("b", None, "2026-03-13"), &c).unwrap().unwrap();
        assert!(!second.passed, "three days apart, same supplier and amount: {second:?}");
        let far = check(&invoice("c", None, "2026-04-20"), &c).unwrap().unwrap();
        assert!(far.passed, "weeks apart: another invoice");
        assert!(check(&invoice("a", None, "2026-03-10"), &c).unwrap().unwrap().passed, "the same document read again is no duplicate of itself");
        let numbered = check(&invoice("d", Some("RE-7"), "2026-03-11"), &c).unwrap().unwrap();
        assert!(numbered.passed, "a numbered invoice is matched by its number");
    }
}
