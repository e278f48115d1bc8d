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

use crate::index::{Check, DocType, FieldValue, LineItem, ModelInfo, VatBreakdown};
use crate::layout::Page;

/// What the extractor sees: the pages after layout, and what classification decided.
pub struct ReadDocument<'a> {
    pub pages: &'a [Page],
    /// ISO 639-1 code, when known.
    pub language: Option<&'a str>,
    pub doc_type: DocType,
}

#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub fields: BTreeMap<String, FieldValue>,
    pub line_items: Vec<LineItem>,
    pub vat_breakdown: Vec<VatBreakdown>,
    pub checks: Vec<Check>,
    /// Net + VAT = gross held for the chosen totals.
    pub totals_consistent: bool,
}

impl Extraction {
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(|f| f.value.as_str())
    }
}

/// The stage interface for invoice field extraction.
pub trait FieldExtractor: Send + Sync {
    fn model(&self) -> ModelInfo;
    fn extract(&self, doc: &ReadDocument) -> Extraction;
}

/// Fields an accountant must have to book an invoice; a missing or doubtful one sends the
/// document to review.
pub const MANDATORY: [&str; 4] = ["invoice_number", "issue_date", "gross_total", "currency"];

/// Below this confidence a mandatory field is not auto-approved.
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
        ex.line_items = table::line_items(doc.pages, ex.value("net_total"), &ex.vat_breakdown);
        ex.checks = checks::run(&ex);
        ex
    }
}

/// Whether a person has to look at the document before it is booked.
pub fn needs_review(doc_type: DocType, ex: &Extraction) -> bool {
    let booking = matches!(doc_type, DocType::Invoice | DocType::CreditNote);
    if !booking {
        return false;
    }
    let doubtful = MANDATORY.iter().any(|f| ex.fields.get(*f).map(|v| v.confidence < REVIEW_THRESHOLD).unwrap_or(true));
    doubtful || ex.checks.iter().any(|c| !c.passed)
}
