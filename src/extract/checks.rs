//! Consistency checks over extracted fields. Each check has a stable name so that the
//! review queue and the ERP can react to it.

use rust_decimal::Decimal;
use std::str::FromStr;

use super::{ids, Extraction};
use crate::index::Check;

fn dec(ex: &Extraction, name: &str) -> Option<Decimal> {
    ex.value(name).and_then(|v| Decimal::from_str(v).ok())
}

pub fn run(ex: &Extraction) -> Vec<Check> {
    let mut out = Vec::new();
    if let (Some(n), Some(v), Some(g)) = (dec(ex, "net_total"), dec(ex, "vat_total"), dec(ex, "gross_total")) {
        let passed = n + v == g;
        out.push(Check {
            name: "totals_consistent".into(),
            passed,
            message: if passed { format!("net {n} + VAT {v} = gross {g}") } else { format!("net {n} + VAT {v} = {} but gross is {g}", n + v) },
        });
    }
    if !ex.vat_breakdown.is_empty() {
        if let Some(v) = dec(ex, "vat_total") {
            let sum: Decimal = ex.vat_breakdown.iter().filter_map(|b| Decimal::from_str(&b.amount).ok()).sum();
            let passed = sum == v;
            out.push(Check {
                name: "vat_breakdown_sum".into(),
                passed,
                message: if passed { format!("VAT breakdown adds up to {v}") } else { format!("VAT breakdown adds up to {sum}, VAT total is {v}") },
            });
        }
    }
    if let Some(iban) = ex.value("iban") {
        let passed = ids::iban_valid(iban);
        out.push(Check { name: "iban_checksum".into(), passed, message: if passed { "IBAN checksum (mod 97) is valid".into() } else { "IBAN checksum (mod 97) fails".into() } });
    }
    if let Some(vat) = ex.value("seller_vat_id") {
        if let Some(passed) = ids::vat_id_checksum_ok(vat) {
            out.push(Check {
                name: "seller_vat_id_checksum".into(),
                passed,
                message: if passed { "VAT ID check digits are valid".into() } else { "VAT ID check digits fail: verify the number".into() },
            });
        }
    }
    if let (Some(issue), Some(due)) = (ex.value("issue_date"), ex.value("due_date")) {
        let passed = due >= issue;
        out.push(Check {
            name: "due_not_before_issue".into(),
            passed,
            message: if passed { "due date is on or after the issue date".into() } else { format!("due date {due} is before the issue date {issue}") },
        });
    }
    out
}
