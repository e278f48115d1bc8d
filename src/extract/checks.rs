//! Consistency checks over extracted fields. Each check has a stable name so that the
//! review queue and the ERP can react to it.

use rust_decimal::Decimal;
use std::str::FromStr;

use super::{ids, Extraction};
use crate::index::{Check, CheckName};
use crate::vocab::Field;

fn dec(ex: &Extraction, name: Field) -> Option<Decimal> {
    ex.value(name).and_then(|v| Decimal::from_str(v).ok())
}

/// An identifier field, the rule its shape must follow, and its name in a check's message.
type Shaped = (Field, fn(&str) -> bool, &'static str);

/// The identifiers the `identifier_shape` check judges.
const SHAPED: [Shaped; 2] = [(Field::Bic, ids::bic_shape_ok, "BIC"), (Field::SellerTaxNumber, ids::tax_number_shape_ok, "tax number")];

/// The fields of `ex` that `identifier_shape` fails: read, in a shape their rule rejects.
pub(super) fn misshapen(ex: &Extraction) -> impl Iterator<Item = (Field, &'static str)> + '_ {
    SHAPED.into_iter().filter(|(f, ok, _)| ex.value(*f).is_some_and(|v| !ok(v))).map(|(f, _, what)| (f, what))
}

pub fn run(ex: &Extraction) -> Vec<Check> {
    let mut out = Vec::new();
    if let (Some(n), Some(v), Some(g)) = (dec(ex, Field::NetTotal), dec(ex, Field::VatTotal), dec(ex, Field::GrossTotal)) {
        let passed = n + v == g;
        out.push(Check {
            name: CheckName::TotalsConsistent,
            passed,
            message: if passed { format!("net {n} + VAT {v} = gross {g}") } else { format!("net {n} + VAT {v} = {} but gross is {g}", n + v) },
        });
    }
    if !ex.vat_breakdown.is_empty() {
        if let Some(v) = dec(ex, Field::VatTotal) {
            let sum: Decimal = ex.vat_breakdown.iter().filter_map(|b| Decimal::from_str(&b.amount).ok()).sum();
            let passed = sum == v;
            out.push(Check {
                name: CheckName::VatBreakdownSum,
                passed,
                message: if passed { format!("VAT breakdown adds up to {v}") } else { format!("VAT breakdown adds up to {sum}, VAT total is {v}") },
            });
        }
    }
    if let Some(iban) = ex.value(Field::Iban) {
        let passed = ids::iban_valid(iban);
        out.push(Check { name: CheckName::IbanChecksum, passed, message: if passed { "IBAN checksum (mod 97) is valid".into() } else { "IBAN checksum (mod 97) fails".into() } });
    }
    if let Some(vat) = ex.value(Field::SellerVatId) {
        if !ids::vat_id_shape_ok(vat) {
            out.push(Check { name: CheckName::SellerVatIdChecksum, passed: false, message: format!("{vat} is not the shape of a VAT ID of its country: verify the number") });
        } else if let Some(passed) = ids::vat_id_checksum_ok(vat) {
            out.push(Check {
                name: CheckName::SellerVatIdChecksum,
                passed,
                message: if passed { "VAT ID check digits are valid".into() } else { "VAT ID check digits fail: verify the number".into() },
            });
        }
    }
    // Identifiers read as printed beside their labels in a shape their rule does not allow.
    let misshapen: Vec<String> = misshapen(ex).map(|(f, what)| format!("{what} {}", ex.value(f).unwrap_or_default())).collect();
    if !misshapen.is_empty() {
        out.push(Check { name: CheckName::IdentifierShape, passed: false, message: format!("{} not in the shape of such identifiers: verify as printed", misshapen.join(", ")) });
    }
    if let (Some(issue), Some(due)) = (ex.value(Field::IssueDate), ex.value(Field::DueDate)) {
        let passed = due >= issue;
        out.push(Check {
            name: CheckName::DueNotBeforeIssue,
            passed,
            message: if passed { "due date is on or after the issue date".into() } else { format!("due date {due} is before the issue date {issue}") },
        });
    }
    out
}
