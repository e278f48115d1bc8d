//! Retention: how long each document type must be kept (§ 147 AO, GoBD), and until when
//! each archived object is locked.
//!
//! Periods run from the end of the calendar year in which the document was received: an
//! invoice received on 26.06.2025 with an 8-year rule is kept until the end of 31.12.2033.
//! The calendar is Germany's (CET at the turn of the year), so the lock ends at
//! `(Y+N+1)-01-01T00:00:00+01:00`.
//!
//! An original is stored when it arrives, before anyone knows its type, and COMPLIANCE
//! locks can only be extended. So it is first locked for the *shortest* period any rule
//! gives (every document must be kept at least that long) and extended to its own rule once
//! it is classified, and again if a correction gives it a type with a longer rule. A
//! reclassification to a shorter rule never shortens anything: the object then stays
//! locked longer than needed, which the retention report shows.

use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::index::DocType;

/// One rule: these document types are kept this many years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    /// Shown in reports and recorded in the index (`"booking documents (§ 147 Abs. 1 Nr. 4 AO)"`).
    pub name: String,
    pub doc_types: Vec<DocType>,
    pub years: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    pub rules: Vec<RetentionRule>,
}

impl Default for RetentionPolicy {
    /// The German defaults since 2025 (Bürokratieentlastungsgesetz IV): booking documents
    /// 8 years, business letters 6 years; contracts 10 years as the conservative choice.
    fn default() -> Self {
        use DocType::*;
        RetentionPolicy {
            rules: vec![
                RetentionRule { name: "booking documents (§ 147 Abs. 1 Nr. 4 AO)".into(), doc_types: vec![Invoice, CreditNote, Receipt, DeliveryNote], years: 8 },
                RetentionRule { name: "business letters (§ 147 Abs. 1 Nr. 2, 3 AO)".into(), doc_types: vec![Reminder, Order, OrderConfirmation, Quote, Letter, Other], years: 6 },
                RetentionRule { name: "contracts".into(), doc_types: vec![Contract], years: 10 },
            ],
        }
    }
}

/// Which rule applied and until when.
#[derive(Debug, Clone, PartialEq)]
pub struct Retention {
    pub rule: String,
    pub years: u32,
    pub until: DateTime<Utc>,
}

fn germany() -> FixedOffset {
    FixedOffset::east_opt(3600).expect("UTC+1 is a valid offset")
}

impl RetentionPolicy {
    /// Checks the rules make sense: every type covered, no zero periods.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(r) = self.rules.iter().find(|r| r.years == 0) {
            return Err(format!("retention rule '{}' has 0 years", r.name));
        }
        let missing: Vec<&str> = DocType::ALL.iter().filter(|t| !self.rules.iter().any(|r| r.doc_types.contains(t))).map(|t| t.as_str()).collect();
        if !missing.is_empty() {
            return Err(format!("no retention rule covers these document types: {}", missing.join(", ")));
        }
        Ok(())
    }

    /// The rule for a type: the longest of the rules that name it.
    pub fn rule_for(&self, t: DocType) -> Option<&RetentionRule> {
        self.rules.iter().filter(|r| r.doc_types.contains(&t)).max_by_key(|r| r.years)
    }

    /// The retention of a document of type `t` received at `received`. `None` for a
    /// document not classified yet (on arrival, in quarantine): the shortest rule.
    pub fn retention(&self, t: Option<DocType>, received: DateTime<Utc>) -> Retention {
        let rule = match t {
            Some(t) => self.rule_for(t),
            None => self.rules.iter().min_by_key(|r| r.years),
        };
        let (name, years) = match rule {
            Some(r) => (r.name.clone(), r.years),
            // An empty policy keeps documents for the longest period the law knows.
            None => ("default (10 years)".to_string(), 10),
        };
        let rule = if t.is_none() { format!("{name}, until classified") } else { name };
        Retention { rule, years, until: end_of_period(received, years) }
    }

    /// The longest period of any rule: how long the audit trail is kept.
    pub fn longest(&self, received: DateTime<Utc>) -> DateTime<Utc> {
        end_of_period(received, self.rules.iter().map(|r| r.years).max().unwrap_or(10))
    }
}

/// The end of the `years`-th calendar year after the one `received` falls in (German time).
pub fn end_of_period(received: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    let year = received.with_timezone(&germany()).year();
    germany().with_ymd_and_hms(year + years as i32 + 1, 1, 1, 0, 0, 0).single().expect("1 January midnight exists").with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn counts_from_the_end_of_the_year_of_receipt() {
        let p = RetentionPolicy::default();
        p.validate().unwrap();
        let r = p.retention(Some(DocType::Invoice), at("2025-06-26T10:00:00Z"));
        assert_eq!(r.years, 8);
        assert_eq!(r.until, at("2034-01-01T00:00:00+01:00"));
        assert_eq!(p.retention(Some(DocType::Letter), at("2025-06-26T10:00:00Z")).until, at("2032-01-01T00:00:00+01:00"));
        assert_eq!(p.retention(Some(DocType::Contract), at("2025-06-26T10:00:00Z")).until, at("2036-01-01T00:00:00+01:00"));
        // 23:30 UTC on New Year's Eve is already the next year in Germany.
        assert_eq!(p.retention(Some(DocType::Invoice), at("2025-12-31T23:30:00Z")).until, at("2035-01-01T00:00:00+01:00"));
    }

    #[test]
    fn unclassified_documents_get_the_shortest_rule() {
        let p = RetentionPolicy::default();
        let r = p.retention(None, at("2025-03-01T00:00:00Z"));
        assert_eq!(r.years, 6);
        assert!(r.rule.contains("until classified"));
        assert_eq!(p.longest(at("2025-03-01T00:00:00Z")), at("2036-01-01T00:00:00+01:00"));
    }

    #[test]
    fn a_policy_must_cover_every_type() {
        let p = RetentionPolicy { rules: vec![RetentionRule { name: "x".into(), doc_types: vec![DocType::Invoice], years: 8 }] };
        assert!(p.validate().unwrap_err().contains("credit_note"));
    }
}
