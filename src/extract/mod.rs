//! Extract: the invoice fields of a read document, with a confidence and a place for each,
//! and the consistency checks that tell the reviewer whether to trust them.
//!
//! [`FieldExtractor`] is the stage interface; [`RulesExtractor`] is the first
//! implementation (label-anchored patterns and arithmetic). The trained extractor
//! implements the same trait over the same candidates.

pub mod candidates;
pub mod checks;
pub mod form;
pub mod ids;
pub mod labels;
pub mod parse;
pub mod rules;
pub mod table;
pub mod text;

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::index::{Check, DocType, DocTypeResult, FieldValue, LineItem, ModelInfo, VatBreakdown};
use crate::layout::Page;
use crate::vocab::Field;

/// What the extractor sees: the pages after layout, and what classification decided.
pub struct ReadDocument<'a> {
    pub pages: &'a [Page],
    /// ISO 639-1 code, when known.
    pub language: Option<&'a str>,
    pub doc_type: DocType,
    /// The word lists, for the checks that need words (a name OCR read without an umlaut);
    /// `None`: those checks are not made.
    pub words: Option<&'a crate::ocr::lexicon::Lexicon>,
}

#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub fields: BTreeMap<Field, FieldValue>,
    pub line_items: Vec<LineItem>,
    pub vat_breakdown: Vec<VatBreakdown>,
    pub checks: Vec<Check>,
    /// Net + VAT = gross held for the chosen totals.
    pub totals_consistent: bool,
}

impl Extraction {
    pub fn value(&self, field: Field) -> Option<&str> {
        self.fields.get(&field).map(|f| f.value.as_str())
    }
}

/// The stage interface for invoice field extraction.
pub trait FieldExtractor: Send + Sync {
    fn model(&self) -> ModelInfo;
    fn extract(&self, doc: &ReadDocument) -> Extraction;
}

/// Below this confidence a mandatory field, or the document type, is not auto-approved (on the
/// held-out scans, types classified below 0.8 were right 5 times in 9, above it always).
pub const REVIEW_THRESHOLD: f32 = 0.8;

/// The rules-only extractor.
#[derive(Debug, Default, Clone)]
pub struct RulesExtractor;

impl FieldExtractor for RulesExtractor {
    fn model(&self) -> ModelInfo {
        ModelInfo { name: "rules".into(), version: env!("CARGO_PKG_VERSION").into() }
    }

    fn extract(&self, doc: &ReadDocument) -> Extraction {
        let lines = text::lines(doc.pages);
        let mut ex = rules::extract(doc, &lines);
        finish(doc, &mut ex);
        ex
    }
}

/// The end of every extraction, once its fields are chosen: the item table (checked against
/// the net total chosen), a credit note's signs, the consistency checks.
pub fn finish(doc: &ReadDocument, ex: &mut Extraction) {
    // A delivery note prints quantities without prices: its lines are what was delivered.
    ex.line_items = if doc.doc_type == DocType::DeliveryNote { table::delivered_items(doc.pages) } else { table::line_items(doc.pages, ex.value(Field::NetTotal), &ex.vat_breakdown) };
    credit_note_signs(doc.doc_type, ex);
    ex.checks = checks::run(ex);
    doubt_failed_identifiers(ex);
    restore_lost_umlauts(doc, ex);
}

/// A party's name OCR read with a word that is no word, but is one with an umlaut
/// ("Sanitar" for "Sanitär", "Lowenzahn" for "Löwenzahn"): OCR dropped the dots, however
/// sure it was. The umlaut is put back, and the name is still checked: at most this, below
/// the review threshold.
const LOST_UMLAUT_CONFIDENCE: f32 = 0.6;

fn restore_lost_umlauts(doc: &ReadDocument, ex: &mut Extraction) {
    let Some(lexicon) = doc.words else { return };
    static WORD: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let word = WORD.get_or_init(|| regex::Regex::new(r"\p{Alphabetic}+").expect("regex"));
    for f in [Field::SellerName, Field::BuyerName] {
        let Some(v) = ex.fields.get_mut(&f) else { continue };
        // Only what OCR read: a text layer prints the name as it is spelt.
        let read_by_ocr = v.page.and_then(|n| doc.pages.get((n as usize).saturating_sub(1))).is_some_and(|p| p.source == crate::layout::TextSource::Ocr);
        if !read_by_ocr {
            continue;
        }
        let restored = word.replace_all(&v.value, |w: &regex::Captures| lexicon.umlaut_restored(&w[0]).unwrap_or_else(|| w[0].to_string()));
        // A restored word always differs from the word read.
        if restored != v.value {
            v.value = restored.into_owned();
            v.confidence = v.confidence.min(LOST_UMLAUT_CONFIDENCE);
        }
    }
}

/// An identifier whose own check fails (checksum, shape) is doubtful, however sure the
/// reading: at most 0.5, below the review threshold, so the reviewer sees it marked.
fn doubt_failed_identifiers(ex: &mut Extraction) {
    use crate::index::CheckName;
    let failed: Vec<Field> = ex
        .checks
        .iter()
        .filter(|c| !c.passed)
        .flat_map(|c| match c.name {
            CheckName::IbanChecksum => vec![Field::Iban],
            CheckName::SellerVatIdChecksum => vec![Field::SellerVatId],
            CheckName::IdentifierShape => checks::misshapen(ex).map(|(f, _)| f).collect(),
            _ => vec![],
        })
        .collect();
    for f in failed {
        if let Some(v) = ex.fields.get_mut(&f) {
            v.confidence = v.confidence.min(0.5);
        }
    }
}

/// Whether the document's sender is the buyer: an order comes from the buyer's letterhead
/// and goes to the supplier's address. Where the page names the parties only by position
/// (letterhead, address window), the seller is then the addressee.
pub fn issuer_is_buyer(doc_type: DocType) -> bool {
    doc_type == DocType::Order
}

/// The party field that holds the issuer's (`seller_name`) or the addressee's
/// (`buyer_name`) name on a document of `doc_type`: the same field, or the other one on an order.
pub fn role_field(field: Field, doc_type: DocType) -> Field {
    match (field, issuer_is_buyer(doc_type)) {
        (Field::SellerName, true) => Field::BuyerName,
        (Field::BuyerName, true) => Field::SellerName,
        (f, _) => f,
    }
}

/// A decimal string without its minus sign.
fn unsigned(v: &str) -> String {
    v.strip_prefix('-').unwrap_or(v).to_string()
}

/// A credit note's amounts as EN 16931 and the ERP take them: positive, the document type
/// saying which way the money goes. A credit note printed with minus signs ("Gutschrift
/// -218,48", a Stornorechnung) is read as printed and turned here as a whole — totals, VAT
/// breakdown, line quantities and amounts — or it would be booked as a negative credit,
/// that is a debit. Every amount loses its minus, not only the totals': OCR sometimes reads
/// a minus as a quote ("14,99 €), and the totals must still add up.
pub fn credit_note_signs(doc_type: DocType, ex: &mut Extraction) {
    if doc_type != DocType::CreditNote {
        return;
    }
    // Any of the totals: OCR may have lost the minus of one of them.
    let printed_negative = [Field::GrossTotal, Field::NetTotal, Field::VatTotal].into_iter().filter_map(|f| ex.value(f).and_then(|v| Decimal::from_str(v).ok())).any(|d| d < Decimal::ZERO);
    if !printed_negative {
        return;
    }
    for f in [Field::NetTotal, Field::VatTotal, Field::GrossTotal, Field::AmountDue] {
        if let Some(v) = ex.fields.get_mut(&f) {
            v.value = unsigned(&v.value);
        }
    }
    for b in &mut ex.vat_breakdown {
        b.base = unsigned(&b.base);
        b.amount = unsigned(&b.amount);
    }
    for item in &mut ex.line_items {
        for v in [&mut item.quantity, &mut item.net_line_amount].into_iter().flatten() {
            *v = unsigned(v);
        }
    }
}

/// Whether a person has to look at the document before it goes to the ERP: its type is
/// doubtful (an invoice typed `letter` at low confidence must not slip past as a letter), or
/// it is a booking document (invoice, credit note, receipt) with a mandatory value missing
/// or doubtful or a failing check.
pub fn needs_review(doc_type: &DocTypeResult, ex: &Extraction) -> bool {
    if doc_type.confidence < REVIEW_THRESHOLD {
        return true;
    }
    let booking = matches!(doc_type.label, DocType::Invoice | DocType::CreditNote | DocType::Receipt);
    if !booking {
        return false;
    }
    // Fields an accountant must have to book an invoice: a missing or doubtful one sends the document to review.
    let doubtful = Field::ALL.into_iter().filter(|f| f.mandatory()).any(|f| ex.fields.get(&f).map(|v| v.confidence < REVIEW_THRESHOLD).unwrap_or(true));
    doubtful || ex.checks.iter().any(|c| !c.passed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{FieldValue, LineItem, VatBreakdown};

    fn extraction(gross: &str, net: &str, vat: &str) -> Extraction {
        let mut ex = Extraction::default();
        for (f, v) in [(Field::GrossTotal, gross), (Field::NetTotal, net), (Field::VatTotal, vat), (Field::AmountDue, gross)] {
            ex.fields.insert(f, FieldValue { value: v.into(), confidence: 0.9, page: Some(1), bbox: None, source: None });
        }
        ex.vat_breakdown = vec![VatBreakdown { rate: "7.00".into(), base: net.into(), amount: vat.into() }];
        ex.line_items = vec![LineItem {
            line_id: Some("1".into()),
            name: Some("Brot".into()),
            quantity: Some("-2.0000".into()),
            unit_code: None,
            net_unit_price: Some("109.24".into()),
            net_line_amount: Some(net.into()),
            vat_rate: Some("7.00".into()),
        }];
        ex
    }

    #[test]
    fn a_credit_note_printed_negative_is_indexed_positive_and_an_invoice_keeps_its_sign() {
        let mut ex = extraction("-233.47", "-218.48", "-14.99");
        credit_note_signs(DocType::CreditNote, &mut ex);
        assert_eq!([ex.value(Field::GrossTotal), ex.value(Field::NetTotal), ex.value(Field::VatTotal), ex.value(Field::AmountDue)], [Some("233.47"), Some("218.48"), Some("14.99"), Some("233.47")]);
        assert_eq!((ex.vat_breakdown[0].base.as_str(), ex.vat_breakdown[0].amount.as_str(), ex.vat_breakdown[0].rate.as_str()), ("218.48", "14.99", "7.00"));
        assert_eq!(ex.line_items[0].quantity.as_deref(), Some("2.0000"));
        assert_eq!(ex.line_items[0].net_unit_price.as_deref(), Some("109.24"), "unit prices stay positive");
        // A corrected invoice printed negative is a negative invoice (UNTDID 384): as printed.
        let mut ex = extraction("-8.79", "-7.67", "-1.12");
        credit_note_signs(DocType::Invoice, &mut ex);
        assert_eq!(ex.value(Field::GrossTotal), Some("-8.79"));
        // A credit note printed positive stays so.
        let mut ex = extraction("233.47", "218.48", "14.99");
        credit_note_signs(DocType::CreditNote, &mut ex);
        assert_eq!(ex.value(Field::GrossTotal), Some("233.47"));
    }
}
