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

/// An approval step (`[[review.approvals]]`): documents it applies to — of these types,
/// from this gross total up, of these suppliers, assigned to these departments — need, after
/// the accountant's check, further approvals before they go to the ERP: of `approvers`
/// different people in all (four-eyes principle: 2), or, with `approved_by`, of a member of
/// that department (`mailroom user add --department`) — `"assigned"`: of the department the
/// document is assigned to in review. Every step that applies must be given; nobody approves
/// twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    pub name: String,
    #[serde(default = "booking_types")]
    pub doc_types: Vec<DocType>,
    /// From this gross total up (absolute value; `"10000.00"`); default: every amount.
    #[serde(default)]
    pub min_gross: rust_decimal::Decimal,
    /// Only documents of these suppliers: VAT IDs (`DE123456789`) or names (compared without
    /// legal form, case and spacing); empty: every supplier.
    #[serde(default)]
    pub suppliers: Vec<String>,
    /// Only documents assigned to one of these departments or cost centres in review; empty:
    /// whatever the assignment.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Who gives the step: members of this department, or of the document's own
    /// (`"assigned"`); absent: any other person.
    #[serde(default)]
    pub approved_by: Option<String>,
    /// Without `approved_by`: how many different people approve in all, the check included
    /// (2: four eyes). With it: how many of the department's members (default 1).
    #[serde(default = "one")]
    pub approvers: usize,
}

fn booking_types() -> Vec<DocType> {
    vec![DocType::Invoice, DocType::CreditNote]
}

fn one() -> usize {
    1
}

/// `approved_by = "assigned"`: the document's own department approves.
pub const ASSIGNED: &str = "assigned";

/// A department's or cost centre's name as people type it: letters, digits, spaces and
/// `-.&/` — no wildcard of a catalog query can hide in it.
pub fn valid_department(name: &str) -> Result<String, String> {
    let t = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() || t.chars().count() > 40 || !t.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | '&' | '/')) {
        return Err(format!("'{name}' is no department name (letters, digits, spaces and - . & /, at most 40)"));
    }
    Ok(t)
}

fn same_department(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl ApprovalRule {
    /// Whether the rule asks anything of `index`.
    fn applies(&self, index: &DocumentIndex) -> bool {
        let Some(t) = index.doc_type.as_ref().map(|d| d.label) else { return false };
        if !self.doc_types.contains(&t) || (self.approved_by.is_none() && self.approvers < 2) {
            return false;
        }
        let gross = index.field(Field::GrossTotal).and_then(|g| g.parse::<rust_decimal::Decimal>().ok());
        let amount_ok = match gross {
            Some(g) => g.abs() >= self.min_gross,
            // Without an amount only a rule for every amount can tell.
            None => self.min_gross <= rust_decimal::Decimal::ZERO,
        };
        let supplier_ok = self.suppliers.is_empty() || {
            let key = crate::vocab::compact;
            let vat = index.field(Field::SellerVatId).map(key);
            let name = index.field(Field::SellerName).map(key);
            self.suppliers.iter().map(|s| key(s)).any(|s| !s.is_empty() && (vat.as_deref() == Some(s.as_str()) || name.as_deref().is_some_and(|n| n.contains(&s))))
        };
        let department_ok = self.departments.is_empty()
            || index.assignment.as_ref().is_some_and(|a| self.departments.iter().any(|d| [&a.department, &a.cost_centre].into_iter().flatten().any(|x| same_department(x, d))));
        amount_ok && supplier_ok && department_ok
    }
}

/// One approval step of a document as it stands: who gives it, how many, how many so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub rule: String,
    /// The department whose members give it; `None`: any other person; `Some("")`: the
    /// document's department, which nobody has assigned yet.
    pub department: Option<String>,
    pub needed: usize,
    pub given: usize,
}

impl Step {
    pub fn open(&self) -> bool {
        self.given < self.needed
    }

    /// Who it waits for, as the catalog keeps it: the department, or `*` for anyone.
    fn waiting_for(&self) -> String {
        self.department.clone().unwrap_or_else(|| "*".into())
    }
}

impl ReviewPolicy {
    /// The approval rules that apply to this document.
    pub fn rules_for(&self, index: &DocumentIndex) -> Vec<&ApprovalRule> {
        self.approvals.iter().filter(|r| r.applies(index)).collect()
    }

    /// The document's approval steps with what has been given; empty when no rule applies.
    pub fn steps(&self, index: &DocumentIndex) -> Vec<Step> {
        let approvals = index.review.as_ref().map(|r| r.approvals.as_slice()).unwrap_or_default();
        self.rules_for(index)
            .into_iter()
            .map(|r| match &r.approved_by {
                None => Step { rule: r.name.clone(), department: None, needed: r.approvers, given: approvals.len() },
                Some(d) => {
                    let department = if d == ASSIGNED { index.assignment.as_ref().and_then(|a| a.department.clone()).unwrap_or_default() } else { d.clone() };
                    Step { rule: r.name.clone(), department: Some(department), needed: r.approvers.max(1), given: approvals.iter().filter(|a| a.step.as_deref() == Some(r.name.as_str())).count() }
                }
            })
            .collect()
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
    let state = if index.needs_review || !policy.straight_through || !policy.rules_for(index).is_empty() { ReviewState::Pending } else { ReviewState::StraightThrough };
    Some(Review { state, by: None, at: None, reason: None, approvals: Vec::new(), waiting_for: Vec::new() })
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
    /// An approver of an approval step says no (goods not received, not ordered): back to the
    /// accountant's queue, the approvals given so far void; a reason is required.
    Refuse,
}

impl Decision {
    pub fn state(self) -> ReviewState {
        match self {
            Decision::Approve => ReviewState::Approved,
            Decision::Reject => ReviewState::Rejected,
            Decision::Postpone => ReviewState::Postponed,
            Decision::Refuse => ReviewState::Pending,
        }
    }
}

/// Who decides: a person's name and the departments they belong to.
#[derive(Debug, Clone, Copy)]
pub struct Decider<'a> {
    pub name: &'a str,
    pub departments: &'a [String],
}

impl<'a> Decider<'a> {
    /// Someone in no department (the command line, the API).
    pub fn named(name: &'a str) -> Decider<'a> {
        Decider { name, departments: &[] }
    }

    fn member_of(&self, department: &str) -> bool {
        self.departments.iter().any(|d| same_department(d, department))
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
    #[error("the approval step '{rule}' is given by the document's department: assign one first")]
    NoDepartment { rule: String },
    #[error("it waits for an approval of {waiting}; {by} is not in that department")]
    NotYourStep { by: String, waiting: String },
    #[error("nothing to refuse: it waits for no approval step")]
    NoStep,
}

/// Applies a person's decision to the current index: the new review state, who and when.
/// Returns the audit details of the change (what it was, what it is, why). An approval also
/// marks the document as reviewed (`needs_review` false), as a correction does, and each read
/// value as confirmed by the person (`source.confirmed_by`). Where approval steps apply, the
/// first approval is the accountant's check, each later one fills a step the person may give,
/// and the document is approved once every step is given.
pub fn decide(index: &mut DocumentIndex, decision: Decision, who: Decider, reason: Option<&str>, policy: &ReviewPolicy) -> Result<serde_json::Value, ReviewError> {
    let by = who.name;
    if index.status != Status::Processed {
        return Err(ReviewError::NotProcessed { id: index.id.to_string() });
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match decision {
        Decision::Reject if reason.is_none() => return Err(ReviewError::ReasonRequired("reject")),
        Decision::Postpone if reason.is_none() => return Err(ReviewError::ReasonRequired("postpone")),
        Decision::Refuse if reason.is_none() => return Err(ReviewError::ReasonRequired("refuse")),
        _ => {}
    }
    let from = index.review.as_ref().map(|r| r.state);
    let now = chrono::Utc::now().to_rfc3339();
    let mut approvals = index.review.as_ref().map(|r| r.approvals.clone()).unwrap_or_default();
    let steps = policy.steps(index);
    if decision == Decision::Refuse {
        // Only someone a step waits for refuses it.
        let open: Vec<&Step> = steps.iter().filter(|s| s.open()).collect();
        if approvals.is_empty() || open.is_empty() {
            return Err(ReviewError::NoStep);
        }
        if !open.iter().any(|s| s.department.as_deref().is_none_or(|d| who.member_of(d))) || approvals.iter().any(|a| a.by == by) {
            return Err(ReviewError::NotYourStep { by: by.into(), waiting: waiting_words(&open) });
        }
        let voided: Vec<String> = approvals.iter().map(|a| a.by.clone()).collect();
        index.review = Some(Review {
            state: ReviewState::Pending,
            by: Some(by.to_string()),
            at: Some(now),
            reason: reason.map(|r| format!("refused by {by}: {r}")),
            approvals: Vec::new(),
            waiting_for: Vec::new(),
        });
        return Ok(json!({"review": {"from": from.map(ReviewState::as_str), "to": "pending"}, "reason": reason, "reviewed": false, "approval": {"refused_by": by, "voided": voided}}));
    }
    let stepped = decision == Decision::Approve && !steps.is_empty();
    let to = if stepped {
        if let Some(first) = approvals.iter().find(|a| a.by == by) {
            let rule = steps.iter().find(|s| s.open()).map(|s| s.rule.clone()).unwrap_or_default();
            return Err(ReviewError::SamePerson { by: first.by.clone(), rule });
        }
        if let Some(s) = steps.iter().find(|s| s.department.as_deref() == Some("")) {
            return Err(ReviewError::NoDepartment { rule: s.rule.clone() });
        }
        let step = if approvals.is_empty() {
            // The accountant's check comes first, whoever else must approve.
            None
        } else {
            let open: Vec<&Step> = steps.iter().filter(|s| s.open()).collect();
            match open.iter().find(|s| s.department.as_deref().is_some_and(|d| who.member_of(d))) {
                Some(s) => Some(s.rule.clone()),
                None if open.iter().any(|s| s.department.is_none()) => None,
                None => return Err(ReviewError::NotYourStep { by: by.into(), waiting: waiting_words(&open) }),
            }
        };
        approvals.push(Approval { by: by.to_string(), at: now.clone(), step });
        let review = Review {
            approvals: approvals.clone(),
            ..index.review.clone().unwrap_or(Review { state: ReviewState::Pending, by: None, at: None, reason: None, approvals: Vec::new(), waiting_for: Vec::new() })
        };
        let after = policy.steps(&DocumentIndex { review: Some(review), ..index.clone() });
        if after.iter().any(Step::open) {
            ReviewState::Pending
        } else {
            ReviewState::Approved
        }
    } else {
        decision.state()
    };
    // Deciding what is decided already changes nothing; approving a document released
    // straight through is a person's confirmation and is recorded.
    if from == Some(to) && !stepped {
        return Err(ReviewError::AlreadyDecided { id: index.id.to_string(), state: to.as_str() });
    }
    if !stepped && decision != Decision::Postpone {
        approvals.clear();
    }
    index.review = Some(Review { state: to, by: Some(by.to_string()), at: Some(now), reason: reason.map(str::to_string), approvals: approvals.clone(), waiting_for: Vec::new() });
    let after = policy.steps(index);
    if to == ReviewState::Pending && !approvals.is_empty() {
        if let Some(r) = index.review.as_mut() {
            r.waiting_for = after.iter().filter(|s| s.open()).map(Step::waiting_for).collect();
            r.waiting_for.sort();
            r.waiting_for.dedup();
        }
    }
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
    if stepped {
        details["approval"] = json!({
            "by": approvals.iter().map(|a| a.by.as_str()).collect::<Vec<_>>(),
            "step": approvals.last().and_then(|a| a.step.clone()),
            "steps": after.iter().map(|s| json!({"rule": s.rule, "department": s.department, "given": s.given, "needed": s.needed})).collect::<Vec<_>>(),
        });
    }
    Ok(details)
}

/// Open steps in words: `a member of Lager` or `another person`.
fn waiting_words(open: &[&Step]) -> String {
    open.iter()
        .map(|s| match &s.department {
            Some(d) if !d.is_empty() => format!("a member of {d} ('{}')", s.rule),
            _ => format!("another person ('{}')", s.rule),
        })
        .collect::<Vec<_>>()
        .join(" or ")
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
        assert_eq!(decide(&mut i, Decision::Reject, Decider::named("anna"), None, &ReviewPolicy::default()), Err(ReviewError::ReasonRequired("reject")));
        decide(&mut i, Decision::Postpone, Decider::named("anna"), Some("Lieferschein fehlt"), &ReviewPolicy::default()).unwrap();
        assert!(!i.released());
        let details = decide(&mut i, Decision::Approve, Decider::named("anna"), None, &ReviewPolicy::default()).unwrap();
        assert!(i.released() && !i.needs_review);
        assert_eq!(details["review"]["from"], "postponed");
        assert_eq!(i.review.as_ref().unwrap().by.as_deref(), Some("anna"));
        assert!(matches!(decide(&mut i, Decision::Approve, Decider::named("ben"), None, &ReviewPolicy::default()), Err(ReviewError::AlreadyDecided { .. })));
        decide(&mut i, Decision::Reject, Decider::named("ben"), Some("doppelt"), &ReviewPolicy::default()).unwrap();
        assert!(!i.released());
    }

    #[test]
    fn above_the_threshold_two_different_people_approve() {
        let policy = ReviewPolicy { approvals: vec![ApprovalRule { name: "four eyes from 10,000".into(), min_gross: "10000".parse().unwrap(), ..rule(2) }], ..ReviewPolicy::default() };
        let mut i = index(false);
        i.fields.insert(Field::GrossTotal, FieldValue::read("11900.00".into(), 0.99, None, None, crate::index::Origin::Model));
        i.review = on_arrival(&i, &policy);
        assert_eq!(i.review.as_ref().unwrap().state, ReviewState::Pending, "never straight through under an approval step");
        let first = decide(&mut i, Decision::Approve, Decider::named("anna"), None, &policy).unwrap();
        assert!(!i.released(), "one approval of two");
        assert_eq!(first["approval"]["steps"][0]["given"], 1);
        assert_eq!(decide(&mut i, Decision::Approve, Decider::named("anna"), None, &policy), Err(ReviewError::SamePerson { by: "anna".into(), rule: "four eyes from 10,000".into() }));
        decide(&mut i, Decision::Approve, Decider::named("ben"), None, &policy).unwrap();
        assert!(i.released());
        let names: Vec<&str> = i.review.as_ref().unwrap().approvals.iter().map(|a| a.by.as_str()).collect();
        assert_eq!(names, ["anna", "ben"]);
        // Below the threshold one approval is enough.
        let mut small = index(false);
        small.fields.insert(Field::GrossTotal, FieldValue::read("119.00".into(), 0.99, None, None, crate::index::Origin::Model));
        small.review = on_arrival(&small, &policy);
        assert_eq!(small.review.as_ref().unwrap().state, ReviewState::StraightThrough);
    }

    fn rule(approvers: usize) -> ApprovalRule {
        ApprovalRule { name: String::new(), doc_types: booking_types(), min_gross: rust_decimal::Decimal::ZERO, suppliers: Vec::new(), departments: Vec::new(), approved_by: None, approvers }
    }

    fn assigned(i: &mut DocumentIndex, department: &str) {
        i.assignment = Some(crate::index::Assignment { department: Some(department.into()), cost_centre: None, by: "anna".into(), at: "2026-01-01T00:00:00Z".into() });
    }

    #[test]
    fn department_steps_wait_for_a_member_of_the_department_and_can_be_refused() {
        let policy = ReviewPolicy {
            approvals: vec![
                ApprovalRule { name: "Wareneingang".into(), approved_by: Some(ASSIGNED.into()), ..rule(1) },
                ApprovalRule { name: "IT-Einkauf".into(), suppliers: vec!["Cloud Systems".into()], approved_by: Some("IT".into()), ..rule(1) },
                ApprovalRule { name: "four eyes from 10,000".into(), min_gross: "10000".parse().unwrap(), ..rule(2) },
            ],
            ..ReviewPolicy::default()
        };
        let lager = ["Lager".to_string()];
        let dora = Decider { name: "dora", departments: &lager };
        let mut i = index(false);
        i.fields.insert(Field::GrossTotal, FieldValue::read("119.00".into(), 0.99, None, None, crate::index::Origin::Model));
        i.fields.insert(Field::SellerName, FieldValue::read("Müller GmbH".into(), 0.99, None, None, crate::index::Origin::Model));
        i.review = on_arrival(&i, &policy);
        assert_eq!(i.review.as_ref().unwrap().state, ReviewState::Pending, "a department step applies: never straight through");
        assert_eq!(policy.steps(&i).len(), 1, "only the step for every invoice: not IT's supplier, below 10,000");
        // The accountant cannot check it before it is assigned to a department.
        assert_eq!(decide(&mut i, Decision::Approve, Decider::named("anna"), None, &policy), Err(ReviewError::NoDepartment { rule: "Wareneingang".into() }));
        assigned(&mut i, "lager");
        decide(&mut i, Decision::Approve, Decider::named("anna"), None, &policy).unwrap();
        assert!(!i.released());
        assert_eq!(i.review.as_ref().unwrap().waiting_for, ["lager"]);
        // Somebody outside the department cannot give it; a member can refuse it, with a reason.
        assert!(matches!(decide(&mut i, Decision::Approve, Decider::named("ben"), None, &policy), Err(ReviewError::NotYourStep { .. })));
        assert_eq!(decide(&mut i, Decision::Refuse, dora, None, &policy), Err(ReviewError::ReasonRequired("refuse")));
        let refused = decide(&mut i, Decision::Refuse, dora, Some("Ware nicht angekommen"), &policy).unwrap();
        assert_eq!(refused["approval"]["voided"][0], "anna");
        let r = i.review.as_ref().unwrap();
        assert!(r.state == ReviewState::Pending && r.approvals.is_empty() && r.reason.as_deref() == Some("refused by dora: Ware nicht angekommen"));
        // Checked again, then given by the department: released, the chain naming both.
        decide(&mut i, Decision::Approve, Decider::named("anna"), None, &policy).unwrap();
        let given = decide(&mut i, Decision::Approve, dora, None, &policy).unwrap();
        assert!(i.released(), "{given}");
        let chain: Vec<(&str, Option<&str>)> = i.review.as_ref().unwrap().approvals.iter().map(|a| (a.by.as_str(), a.step.as_deref())).collect();
        assert_eq!(chain, [("anna", None), ("dora", Some("Wareneingang"))]);
        // IT's supplier above 10,000: three steps; the department member's approval counts
        // towards the four eyes as well.
        let it = ["IT".to_string()];
        let mut big = index(false);
        big.fields.insert(Field::GrossTotal, FieldValue::read("11900.00".into(), 0.99, None, None, crate::index::Origin::Model));
        big.fields.insert(Field::SellerName, FieldValue::read("Cloud Systems GmbH".into(), 0.99, None, None, crate::index::Origin::Model));
        assigned(&mut big, "Lager");
        big.review = on_arrival(&big, &policy);
        assert_eq!(policy.steps(&big).len(), 3);
        decide(&mut big, Decision::Approve, Decider::named("anna"), None, &policy).unwrap();
        decide(&mut big, Decision::Approve, Decider { name: "ida", departments: &it }, None, &policy).unwrap();
        assert!(!big.released());
        assert_eq!(big.review.as_ref().unwrap().waiting_for, ["Lager"]);
        decide(&mut big, Decision::Approve, dora, None, &policy).unwrap();
        assert!(big.released());
    }

    #[test]
    fn department_names_are_checked_where_they_are_typed() {
        assert_eq!(valid_department("  Lager   Nord ").unwrap(), "Lager Nord");
        assert_eq!(valid_department("F&E / Labor-2").unwrap(), "F&E / Labor-2");
        assert!(valid_department("50%").is_err());
        assert!(valid_department("a_b").is_err());
        assert!(valid_department("").is_err());
    }

    #[test]
    fn an_index_from_before_review_is_released_unless_it_needs_review() {
        assert!(index(false).released());
        assert!(!index(true).released());
    }
}
