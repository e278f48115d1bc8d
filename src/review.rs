//! Review: whether a document may go to the ERP, and a person's decision on it.
//!
//! Every processed document gets a [`Review`] when it is archived: `pending` when something in
//! it asks for a person (a missing or doubtful mandatory value, a failing check, a doubtful
//! type), else `straight_through` — if the pipeline file allows it (`[review]
//! straight_through`, on by default), `pending` otherwise. Only a released document (approved
//! or straight through) is handed to the ERP; the processor's `Recorder` asks
//! [`DocumentIndex::released`] before every handoff, on every path. A person's decision
//! ([`decide`]) is a new index revision with its audit entry, written by the `Recorder` like
//! every other change.

use serde::{Deserialize, Serialize};
use serde_json::json;

use std::collections::BTreeMap;

use crate::extract::{checks, parse, Extraction};
use crate::index::{Approval, Check, DocType, DocumentIndex, FieldValue, Review, ReviewState, Status, VatBreakdown};
use crate::vocab::{CheckName, Field, FieldKind};

/// `[review]` in the pipeline file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewPolicy {
    /// Documents that need no review go to the ERP without a person (`straight_through`).
    /// Off: every processed document waits for a person's approval.
    pub straight_through: bool,
    /// `[[review.approvals]]`: documents that need more than one person's approval.
    pub approvals: Vec<ApprovalRule>,
    /// How far an invoice's amounts may lie above those of the order it names before its
    /// check `order_match` fails (percent; `"2"`). Quantities get no tolerance.
    pub order_tolerance_percent: rust_decimal::Decimal,
}

/// An approval step: documents of these types from this gross total up need `approvers`
/// different people's approval before they go to the ERP (four-eyes principle).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    pub name: String,
    #[serde(default = "booking_types")]
    pub doc_types: Vec<DocType>,
    /// From this gross total up (absolute value; `"10000.00"`).
    pub min_gross: rust_decimal::Decimal,
    /// How many different people approve (2: four eyes).
    pub approvers: usize,
}

fn booking_types() -> Vec<DocType> {
    vec![DocType::Invoice, DocType::CreditNote]
}

impl ReviewPolicy {
    /// The approval rule that asks most of this document, if any applies.
    pub fn rule_for(&self, index: &DocumentIndex) -> Option<&ApprovalRule> {
        let t = index.doc_type.as_ref()?.label;
        let gross: rust_decimal::Decimal = index.field(Field::GrossTotal)?.parse().ok()?;
        self.approvals.iter().filter(|r| r.doc_types.contains(&t) && gross.abs() >= r.min_gross && r.approvers > 1).max_by_key(|r| r.approvers)
    }
}

impl Default for ReviewPolicy {
    /// On: a document only skips review when every mandatory value is confident and every
    /// check passes (measured: 0 wrong among the 215 mandatory values released that way on
    /// the held-out scans, models/MODEL_CARD.md), and a person's time belongs to the others.
    fn default() -> Self {
        ReviewPolicy { straight_through: true, approvals: Vec::new(), order_tolerance_percent: rust_decimal::Decimal::from(2) }
    }
}

/// The review a document gets when it is archived.
pub fn on_arrival(index: &DocumentIndex, policy: &ReviewPolicy) -> Option<Review> {
    if index.status != Status::Processed {
        return None;
    }
    // An approval step is never skipped by straight-through release.
    let state = if index.needs_review || !policy.straight_through || policy.rule_for(index).is_some() { ReviewState::Pending } else { ReviewState::StraightThrough };
    Some(Review { state, by: None, at: None, reason: None, approvals: Vec::new() })
}

/// What a person decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Checked: release it to the ERP.
    Approve,
    /// Never to the ERP (a duplicate, not ours, spam); a reason is required.
    Reject,
    /// Put aside, still held; a reason is required.
    Postpone,
}

impl Decision {
    pub fn state(self) -> ReviewState {
        match self {
            Decision::Approve => ReviewState::Approved,
            Decision::Reject => ReviewState::Rejected,
            Decision::Postpone => ReviewState::Postponed,
        }
    }
}

/// Why a decision cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("{id} is quarantined, not processed: retry it first (mailroom quarantine retry)")]
    NotProcessed { id: String },
    #[error("{id} is {state} already")]
    AlreadyDecided { id: String, state: &'static str },
    #[error("a reason is required to {0} a document")]
    ReasonRequired(&'static str),
    #[error("{by} approved it already; '{rule}' needs another person's approval")]
    SamePerson { by: String, rule: String },
}

/// Applies a person's decision to the current index: the new review state, who and when.
/// Returns the audit details of the change (what it was, what it is, why). An approval also
/// marks the document as reviewed (`needs_review` false), as a correction does, and each read
/// value as confirmed by the person (`source.confirmed_by`).
pub fn decide(index: &mut DocumentIndex, decision: Decision, by: &str, reason: Option<&str>, policy: &ReviewPolicy) -> Result<serde_json::Value, ReviewError> {
    if index.status != Status::Processed {
        return Err(ReviewError::NotProcessed { id: index.id.to_string() });
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match decision {
        Decision::Reject if reason.is_none() => return Err(ReviewError::ReasonRequired("reject")),
        Decision::Postpone if reason.is_none() => return Err(ReviewError::ReasonRequired("postpone")),
        _ => {}
    }
    let from = index.review.as_ref().map(|r| r.state);
    let now = chrono::Utc::now().to_rfc3339();
    // An approval step: each approval is one person's, and the document is approved only
    // once enough different people have given theirs.
    let rule = if decision == Decision::Approve { policy.rule_for(index).cloned() } else { None };
    let mut approvals = index.review.as_ref().map(|r| r.approvals.clone()).unwrap_or_default();
    let to = match &rule {
        Some(rule) => {
            if approvals.iter().any(|a| a.by == by) {
                return Err(ReviewError::SamePerson { by: by.to_string(), rule: rule.name.clone() });
            }
            approvals.push(Approval { by: by.to_string(), at: now.clone() });
            if approvals.len() >= rule.approvers {
                ReviewState::Approved
            } else {
                ReviewState::Pending
            }
        }
        None => decision.state(),
    };
    // Deciding what is decided already changes nothing; approving a document released
    // straight through is a person's confirmation and is recorded.
    if from == Some(to) && rule.is_none() {
        return Err(ReviewError::AlreadyDecided { id: index.id.to_string(), state: to.as_str() });
    }
    if rule.is_none() && decision != Decision::Postpone {
        approvals.clear();
    }
    index.review = Some(Review { state: to, by: Some(by.to_string()), at: Some(now), reason: reason.map(str::to_string), approvals: approvals.clone() });
    if to == ReviewState::Approved {
        index.needs_review = false;
        // Every value read is now one a person vouched for: later readings do not replace it.
        for v in index.fields.values_mut() {
            if let Some(s) = v.source.as_mut().filter(|s| s.from != crate::index::Origin::Person) {
                s.confirmed_by = Some(by.to_string());
            }
        }
    }
    let mut details = json!({"review": {"from": from.map(ReviewState::as_str), "to": to.as_str()}, "reason": reason, "reviewed": to == ReviewState::Approved});
    if let Some(rule) = &rule {
        details["approval"] = json!({"rule": rule.name, "given": approvals.len(), "needed": rule.approvers, "by": approvals.iter().map(|a| a.by.as_str()).collect::<Vec<_>>()});
    }
    Ok(details)
}

/// A value a person typed or picked off the page, in the index's form: amounts `1234.56`
/// (from `1.234,56 €`, `1,234.56`, `EUR 12,50`), dates `YYYY-MM-DD` (from `26.06.2025`,
/// `26. Juni 2025`, `2025-06-26`), identifiers upper case without spaces, currencies as ISO
/// codes (`€` → `EUR`). The error says what was expected.
pub fn normalise(field: Field, text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty".into());
    }
    match field.kind() {
        FieldKind::Amount => {
            let number: String = t.chars().filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | ' ' | '\'' | '’')).collect();
            let negative = number.trim().starts_with('-') || t.ends_with('-');
            let digits = number.replace('-', "");
            match parse::parse_amount(digits.trim()) {
                Some(v) if digits.chars().any(|c| c.is_ascii_digit()) => Ok(parse::format_amount(if negative { -v } else { v })),
                _ => Err(format!("'{t}' is not an amount (e.g. 1.234,56)")),
            }
        }
        FieldKind::Date => {
            if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                return Ok(d.format("%Y-%m-%d").to_string());
            }
            match parse::find_dates(t, false).first() {
                Some(m) => Ok(m.date.format("%Y-%m-%d").to_string()),
                None => Err(format!("'{t}' is not a date (e.g. 26.06.2025)")),
            }
        }
        FieldKind::Id if field == Field::Currency => {
            let code = match t {
                "€" => "EUR".to_string(),
                "$" => "USD".to_string(),
                "£" => "GBP".to_string(),
                "Fr." | "SFr." => "CHF".to_string(),
                other => other.to_uppercase(),
            };
            if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
                Ok(code)
            } else {
                Err(format!("'{t}' is not a currency code (e.g. EUR)"))
            }
        }
        FieldKind::Id if field.value_pattern().is_some() || field == Field::Bic => {
            let v: String = t.chars().filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/')).collect::<String>().to_uppercase();
            if v.chars().all(|c| c.is_ascii_alphanumeric()) {
                Ok(v)
            } else {
                Err(format!("'{t}' has characters an identifier of this kind cannot have"))
            }
        }
        FieldKind::Id | FieldKind::Text => Ok(t.split_whitespace().collect::<Vec<_>>().join(" ")),
    }
}

/// The consistency checks over a set of values (net + VAT = gross, the VAT breakdown, IBAN and
/// VAT ID check digits, due after issue), by the code the pipeline runs: the review UI shows
/// them live as a person changes values.
pub fn checks_of(fields: &BTreeMap<Field, FieldValue>, vat_breakdown: &[VatBreakdown]) -> Vec<Check> {
    let ex = Extraction { fields: fields.clone(), vat_breakdown: vat_breakdown.to_vec(), ..Extraction::default() };
    checks::run(&ex)
}

/// The checks of `index` recomputed after a change: those [`checks_of`] computes are replaced,
/// the others (EN 16931 rules from the XML, a possible duplicate) stay as they were.
pub fn recheck(index: &mut DocumentIndex) {
    let fresh = checks_of(&index.fields, &index.vat_breakdown);
    let own = [CheckName::TotalsConsistent, CheckName::VatBreakdownSum, CheckName::IbanChecksum, CheckName::SellerVatIdChecksum, CheckName::DueNotBeforeIssue];
    index.checks.retain(|c| !own.contains(&c.name));
    index.checks.extend(fresh);
}

/// The fields a failing check is about, so that the review UI can mark them.
pub fn fields_of_check(name: &CheckName) -> &'static [Field] {
    match name {
        CheckName::TotalsConsistent | CheckName::TotalDerived => &[Field::NetTotal, Field::VatTotal, Field::GrossTotal],
        CheckName::VatBreakdownSum => &[Field::VatTotal],
        CheckName::IbanChecksum => &[Field::Iban],
        CheckName::SellerVatIdChecksum => &[Field::SellerVatId],
        CheckName::DueNotBeforeIssue => &[Field::IssueDate, Field::DueDate],
        CheckName::PossibleDuplicate => &[Field::InvoiceNumber, Field::SellerName, Field::GrossTotal],
        CheckName::OrderMatch => &[Field::OrderReference, Field::GrossTotal],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Channel, DocType, DocTypeResult, Source};

    #[test]
    fn what_a_person_types_is_normalised_or_refused() {
        assert_eq!(normalise(Field::GrossTotal, "1.234,56 €").unwrap(), "1234.56");
        assert_eq!(normalise(Field::GrossTotal, "EUR 1,234.5").unwrap(), "1234.50");
        assert_eq!(normalise(Field::NetTotal, "-12,00").unwrap(), "-12.00");
        assert!(normalise(Field::GrossTotal, "Summe").is_err());
        assert_eq!(normalise(Field::IssueDate, "26.06.2025").unwrap(), "2025-06-26");
        assert_eq!(normalise(Field::DueDate, "2025-07-10").unwrap(), "2025-07-10");
        assert!(normalise(Field::DueDate, "bald").is_err());
        assert_eq!(normalise(Field::Iban, "DE89 3704 0044 0532 0130 00").unwrap(), "DE89370400440532013000");
        assert_eq!(normalise(Field::Currency, "€").unwrap(), "EUR");
        assert_eq!(normalise(Field::SellerName, "  Müller   GmbH ").unwrap(), "Müller GmbH");
        assert_eq!(normalise(Field::InvoiceNumber, "RE-2025/001").unwrap(), "RE-2025/001");
    }

    #[test]
    fn checks_are_recomputed_and_the_others_kept() {
        let mut i = index(true);
        let v = |s: &str| FieldValue::read(s.into(), 0.9, None, None, crate::index::Origin::Model);
        i.fields.insert(Field::NetTotal, v("100.00"));
        i.fields.insert(Field::VatTotal, v("19.00"));
        i.fields.insert(Field::GrossTotal, v("191.00"));
        i.checks.push(Check { name: CheckName::Other("BR-CO-15".into()), passed: false, message: "from the XML".into() });
        recheck(&mut i);
        assert!(i.checks.iter().any(|c| c.name == CheckName::TotalsConsistent && !c.passed));
        i.fields.insert(Field::GrossTotal, v("119.00"));
        recheck(&mut i);
        assert!(i.checks.iter().any(|c| c.name == CheckName::TotalsConsistent && c.passed));
        assert_eq!(i.checks.iter().filter(|c| c.name == CheckName::TotalsConsistent).count(), 1);
        assert!(i.checks.iter().any(|c| c.name == CheckName::Other("BR-CO-15".into())), "checks from elsewhere stay");
    }
    use crate::vocab::{DocumentId, MediaType};

    fn index(needs_review: bool) -> DocumentIndex {
        let source =
            Source { channel: Channel::File, name: "r.pdf".into(), media_type: MediaType::Pdf, size: 1, received_at: "2026-01-01T00:00:00Z".into(), parent: None, parent_pages: None, split: None };
        let mut i = DocumentIndex::processed(DocumentId::of(b"r"), source);
        i.doc_type = Some(DocTypeResult { label: DocType::Invoice, confidence: 0.99 });
        i.needs_review = needs_review;
        i
    }

    #[test]
    fn only_documents_that_need_nothing_go_straight_through_and_only_when_allowed() {
        let on = ReviewPolicy::default();
        let off = ReviewPolicy { straight_through: false, ..ReviewPolicy::default() };
        assert_eq!(on_arrival(&index(false), &on).unwrap().state, ReviewState::StraightThrough);
        assert_eq!(on_arrival(&index(true), &on).unwrap().state, ReviewState::Pending);
        assert_eq!(on_arrival(&index(false), &off).unwrap().state, ReviewState::Pending);
        let mut q = index(false);
        q.status = Status::Quarantined;
        assert!(on_arrival(&q, &on).is_none());
    }

    #[test]
    fn decisions_release_or_hold_and_say_who() {
        let mut i = index(true);
        i.review = on_arrival(&i, &ReviewPolicy::default());
        assert!(!i.released());
        assert_eq!(decide(&mut i, Decision::Reject, "anna", None, &ReviewPolicy::default()), Err(ReviewError::ReasonRequired("reject")));
        decide(&mut i, Decision::Postpone, "anna", Some("Lieferschein fehlt"), &ReviewPolicy::default()).unwrap();
        assert!(!i.released());
        let details = decide(&mut i, Decision::Approve, "anna", None, &ReviewPolicy::default()).unwrap();
        assert!(i.released() && !i.needs_review);
        assert_eq!(details["review"]["from"], "postponed");
        assert_eq!(i.review.as_ref().unwrap().by.as_deref(), Some("anna"));
        assert!(matches!(decide(&mut i, Decision::Approve, "ben", None, &ReviewPolicy::default()), Err(ReviewError::AlreadyDecided { .. })));
        decide(&mut i, Decision::Reject, "ben", Some("doppelt"), &ReviewPolicy::default()).unwrap();
        assert!(!i.released());
    }

    #[test]
    fn above_the_threshold_two_different_people_approve() {
        let policy = ReviewPolicy {
            approvals: vec![ApprovalRule { name: "four eyes from 10,000".into(), doc_types: booking_types(), min_gross: "10000".parse().unwrap(), approvers: 2 }],
            ..ReviewPolicy::default()
        };
        let mut i = index(false);
        i.fields.insert(Field::GrossTotal, FieldValue::read("11900.00".into(), 0.99, None, None, crate::index::Origin::Model));
        i.review = on_arrival(&i, &policy);
        assert_eq!(i.review.as_ref().unwrap().state, ReviewState::Pending, "never straight through under an approval step");
        let first = decide(&mut i, Decision::Approve, "anna", None, &policy).unwrap();
        assert!(!i.released(), "one approval of two");
        assert_eq!(first["approval"]["given"], 1);
        assert_eq!(decide(&mut i, Decision::Approve, "anna", None, &policy), Err(ReviewError::SamePerson { by: "anna".into(), rule: "four eyes from 10,000".into() }));
        decide(&mut i, Decision::Approve, "ben", None, &policy).unwrap();
        assert!(i.released());
        let names: Vec<&str> = i.review.as_ref().unwrap().approvals.iter().map(|a| a.by.as_str()).collect();
        assert_eq!(names, ["anna", "ben"]);
        // Below the threshold one approval is enough.
        let mut small = index(false);
        small.fields.insert(Field::GrossTotal, FieldValue::read("119.00".into(), 0.99, None, None, crate::index::Origin::Model));
        small.review = on_arrival(&small, &policy);
        assert_eq!(small.review.as_ref().unwrap().state, ReviewState::StraightThrough);
    }

    #[test]
    fn an_index_from_before_review_is_released_unless_it_needs_review() {
        assert!(index(false).released());
        assert!(!index(true).released());
    }
}
