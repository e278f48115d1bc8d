//! Maps the EN 16931 model onto the `mailroom.document/1` index (fields, line items, VAT breakdown).

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

use super::model::*;
use crate::index::{DocType, FieldValue, LineItem, Origin, VatBreakdown};
use crate::vocab::Field;

/// An amount as the index writes it: dot, exactly two decimals.
pub fn amount2(d: Decimal) -> String {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r.to_string()
}

/// A decimal without trailing zeros (`19.00` → `19`).
pub fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Upper case without any whitespace (IBAN, VAT ID).
pub fn compact_upper(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase()
}

fn fv(v: String) -> FieldValue {
    FieldValue::read(v, 1.0, None, None, Origin::Xml)
}

impl EInvoice {
    /// Document type from the type code (BT-3) and the root element.
    pub fn doc_type(&self) -> DocType {
        if self.syntax == Syntax::UblCreditNote {
            return DocType::CreditNote;
        }
        match self.type_code.as_deref().map(str::trim) {
            Some("381") | Some("261") | Some("81") | Some("83") | Some("262") | Some("296") | Some("308") | Some("396") | Some("420") | Some("458") | Some("532") => DocType::CreditNote,
            Some("220") | Some("230") => DocType::Order,
            Some("231") => DocType::OrderConfirmation,
            _ => DocType::Invoice,
        }
    }

    /// A structured e-invoice in the sense of the German e-invoicing rules (§14 UStG):
    /// every profile but MINIMUM and BASIC WL.
    pub fn is_german_einvoice(&self) -> bool {
        !matches!(self.profile, Profile::Minimum | Profile::BasicWl)
    }

    /// The first IBAN of the payment means, normalised.
    pub fn iban(&self) -> Option<String> {
        self.payment_means.iter().find_map(|p| p.iban.as_deref()).map(compact_upper)
    }

    /// Index fields, confidence 1.0, no page and box; absent values are left out.
    pub fn fields(&self) -> BTreeMap<Field, FieldValue> {
        let mut m = BTreeMap::new();
        let mut put = |k: Field, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                m.insert(k, fv(v));
            }
        };
        put(Field::InvoiceNumber, self.number.clone());
        put(Field::IssueDate, self.issue_date.clone());
        put(Field::DueDate, self.due_date.clone());
        put(Field::DeliveryDate, self.delivery.date.clone());
        put(Field::SellerName, self.seller.name.clone());
        put(Field::SellerAddress, format_address(&self.seller.address));
        put(Field::SellerVatId, self.seller.vat_id.as_deref().map(compact_upper));
        put(Field::SellerTaxNumber, self.seller.tax_number.clone());
        put(Field::BuyerName, self.buyer.name.clone());
        put(Field::BuyerVatId, self.buyer.vat_id.as_deref().map(compact_upper));
        put(Field::Iban, self.iban());
        put(Field::Bic, self.payment_means.iter().find_map(|p| p.bic.as_deref()).map(compact_upper));
        put(Field::Currency, self.currency.clone());
        put(Field::NetTotal, self.totals.tax_exclusive.map(amount2));
        put(Field::VatTotal, self.totals.tax_total.map(amount2));
        put(Field::GrossTotal, self.totals.tax_inclusive.map(amount2));
        put(Field::AmountDue, self.totals.amount_due.map(amount2));
        put(Field::PaymentTerms, self.payment_terms.clone());
        put(Field::OrderReference, self.order_reference.clone());
        m
    }

    /// Invoice lines for the index: the invoice's own lines (nested sub-lines of UBL /
    /// ZUGFeRD 1 EXTENDED stay in the model only; CII EXTENDED sub-lines are lines of their own).
    pub fn line_items(&self) -> Vec<LineItem> {
        let mut out = Vec::new();
        fn walk(l: &Line, out: &mut Vec<LineItem>, top: bool) {
            out.push(LineItem {
                line_id: l.id.clone(),
                name: l.name.clone(),
                quantity: l.quantity.map(plain),
                unit_code: l.unit_code.clone(),
                net_unit_price: l.net_unit_price.map(plain),
                net_line_amount: l.net_amount.map(amount2),
                vat_rate: l.vat_rate.map(plain),
            });
            let _ = top;
        }
        for l in &self.lines {
            walk(l, &mut out, true);
        }
        out
    }

    /// VAT breakdown for the index.
    pub fn vat_breakdown(&self) -> Vec<VatBreakdown> {
        self.vat_breakdown
            .iter()
            .map(|v| VatBreakdown {
                rate: v.rate.map(plain).unwrap_or_else(|| "0".into()),
                base: v.taxable_amount.map(amount2).unwrap_or_default(),
                amount: v.tax_amount.map(amount2).unwrap_or_default(),
            })
            .collect()
    }

    /// The full model as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// What goes under the index's `einvoice` key: syntax, profile, type code, German e-invoice
    /// flag and the full model.
    pub fn index_json(&self) -> serde_json::Value {
        serde_json::json!({
            "syntax": self.syntax,
            "profile": self.profile.as_str(),
            "guideline": self.guideline,
            "type_code": self.type_code,
            "german_einvoice": self.is_german_einvoice(),
            "invoice": self.to_json(),
        })
    }
}

/// `street, extra, post code city, country`.
pub fn format_address(a: &Address) -> Option<String> {
    let mut parts: Vec<String> = a.lines.clone();
    let pc_city = [a.post_code.as_deref(), a.city.as_deref()].iter().flatten().cloned().collect::<Vec<_>>().join(" ");
    if !pc_city.is_empty() {
        parts.push(pc_city);
    }
    if let Some(c) = &a.country {
        parts.push(c.clone());
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(", "))
    }
}
