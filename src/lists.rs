//! Lists and virtual folders: named, typed filters over the catalog defined in the pipeline
//! file (`[[lists]]`) — "Invoices 2026", "Contracts ending this year" — shown in the review
//! UI and by `mailroom list --folder NAME`. The filters are the catalog's own query fields,
//! so a list means the same on SQLite and PostgreSQL; no SQL in the configuration.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::{Direction, Query, SortKey};
use crate::index::{DocType, ReviewState};

/// One `[[lists]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListDef {
    /// Shown in the UI and given to `--folder`; a `/` groups lists ("Rechnungen / 2026").
    pub name: String,
    #[serde(default)]
    pub doc_types: Vec<String>,
    /// Issue date (else the day of receipt) from / to, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "day")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "day")]
    pub to: Option<NaiveDate>,
    /// Due on or before this day.
    #[serde(default, deserialize_with = "day")]
    pub due_by: Option<NaiveDate>,
    /// Part of the seller's name or VAT ID.
    #[serde(default)]
    pub seller: Option<String>,
    /// Review states (`pending`, `approved`, `straight_through`, …).
    #[serde(default)]
    pub review: Vec<String>,
    #[serde(default)]
    pub min_gross: Option<rust_decimal::Decimal>,
    #[serde(default)]
    pub max_gross: Option<rust_decimal::Decimal>,
    /// Only documents not marked paid.
    #[serde(default)]
    pub unsettled: bool,
    /// `received` (default), `due` or `amount`.
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub descending: bool,
}

/// A day as TOML writes it (`2026-01-01`) or as a string (`"2026-01-01"`).
fn day<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Day {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Option::<Day>::deserialize(d)? {
        None => return Ok(None),
        Some(Day::Text(t)) => t,
        Some(Day::Toml(t)) => t.to_string(),
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map(Some).map_err(|_| serde::de::Error::custom(format!("{text:?} is not a day (YYYY-MM-DD)")))
}

impl ListDef {
    /// The list as a catalog query (checked when the configuration is loaded).
    pub fn query(&self) -> Result<Query, String> {
        let doc_types = self.doc_types.iter().map(|t| DocType::from_name(t).ok_or_else(|| format!("list {:?}: unknown document type {t:?}", self.name))).collect::<Result<Vec<_>, _>>()?;
        let review_states = self
            .review
            .iter()
            .map(|r| ReviewState::ALL.into_iter().find(|s| s.as_str() == r).ok_or_else(|| format!("list {:?}: unknown review state {r:?}", self.name)))
            .collect::<Result<Vec<_>, _>>()?;
        let key = match self.sort.as_deref() {
            None | Some("received") => SortKey::Received,
            Some("due") => SortKey::Due,
            Some("amount") => SortKey::Amount,
            Some(other) => return Err(format!("list {:?}: sort by received, due or amount, not {other:?}", self.name)),
        };
        if self.name.trim().is_empty() {
            return Err("a list needs a name".into());
        }
        Ok(Query {
            doc_types,
            review_states,
            from: self.from,
            to: self.to,
            due_by: self.due_by,
            seller: self.seller.clone(),
            min_gross: self.min_gross,
            max_gross: self.max_gross,
            unsettled: self.unsettled,
            status: Some(crate::index::Status::Processed),
            sort: Some((key, if self.descending { Direction::Descending } else { Direction::Ascending })),
            ..Query::default()
        })
    }
}

/// The list named `name` (case-insensitive).
pub fn find<'a>(lists: &'a [ListDef], name: &str) -> Option<&'a ListDef> {
    lists.iter().find(|l| l.name.eq_ignore_ascii_case(name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_typed_and_checked() {
        let l: ListDef = toml::from_str("name = \"Rechnungen / 2026\"\ndoc_types = [\"invoice\"]\nfrom = 2026-01-01\nreview = [\"approved\"]\nsort = \"amount\"\ndescending = true\n").unwrap();
        let q = l.query().unwrap();
        assert_eq!(q.doc_types, vec![DocType::Invoice]);
        assert_eq!(q.sort, Some((SortKey::Amount, Direction::Descending)));
        let quoted: ListDef = toml::from_str("name = \"y\"\nfrom = \"2026-02-01\"\n").unwrap();
        assert_eq!(quoted.from, NaiveDate::from_ymd_opt(2026, 2, 1));
        assert_eq!(l.from, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert!(toml::from_str::<ListDef>("name = \"z\"\nfrom = \"1.2.2026\"\n").is_err());
        let bad: ListDef = toml::from_str("name = \"x\"\ndoc_types = [\"invoyce\"]\n").unwrap();
        assert!(bad.query().unwrap_err().contains("invoyce"));
        assert!(toml::from_str::<ListDef>("name = \"x\"\nsql = \"DROP TABLE documents\"\n").is_err(), "no SQL, no unknown keys");
    }
}
