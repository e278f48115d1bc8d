//! The EN 16931 semantic model shared by all syntaxes (CII D16B, ZUGFeRD 1.0, UBL 2.1).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// XML syntax of an e-invoice, recognised from root element and namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    /// UN/CEFACT CII D16B (ZUGFeRD 2.x, Factur-X, XRechnung CII, Order-X).
    Cii,
    /// ZUGFeRD 1.0 `CrossIndustryDocument`.
    Zugferd1,
    /// UBL 2.1 `Invoice`.
    UblInvoice,
    /// UBL 2.1 `CreditNote`.
    UblCreditNote,
}

/// Profile from the specification identifier (BT-24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Minimum,
    BasicWl,
    Basic,
    /// EN 16931 (COMFORT in ZUGFeRD 1).
    En16931,
    Extended,
    Xrechnung,
    Unknown,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Minimum => "MINIMUM",
            Profile::BasicWl => "BASIC WL",
            Profile::Basic => "BASIC",
            Profile::En16931 => "EN16931",
            Profile::Extended => "EXTENDED",
            Profile::Xrechnung => "XRECHNUNG",
            Profile::Unknown => "UNKNOWN",
        }
    }

    /// Profile from the guideline identifier (BT-24).
    pub fn from_guideline(id: &str) -> Profile {
        let l = id.to_ascii_lowercase();
        if l.contains("xrechnung") {
            Profile::Xrechnung
        } else if l.contains("minimum") {
            Profile::Minimum
        } else if l.contains("basicwl") || l.contains("basic-wl") || l.contains("basic wl") {
            Profile::BasicWl
        } else if l.contains("extended") {
            Profile::Extended
        } else if l.contains("basic") {
            Profile::Basic
        } else if l.contains("comfort") || l.contains("en16931") {
            Profile::En16931
        } else {
            Profile::Unknown
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Address {
    /// Address lines in order (street, additional street, third line).
    pub lines: Vec<String>,
    pub post_code: Option<String>,
    pub city: Option<String>,
    pub subdivision: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Party {
    pub name: Option<String>,
    pub trading_name: Option<String>,
    /// Party identifiers (global ids, GLN, …).
    pub ids: Vec<String>,
    pub address: Address,
    /// VAT identifier (BT-31/BT-48), as written.
    pub vat_id: Option<String>,
    /// Tax registration / local tax number (BT-32), as written.
    pub tax_number: Option<String>,
    /// Legal registration identifier (BT-30/BT-47).
    pub legal_id: Option<String>,
    pub electronic_address: Option<String>,
    /// Scheme of the electronic address (EAS code, e.g. `EM`, `9930`).
    pub electronic_address_scheme: Option<String>,
    pub contact: Contact,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Delivery {
    pub date: Option<String>,
    pub party_name: Option<String>,
    pub location_id: Option<String>,
    pub address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PaymentMeans {
    pub code: Option<String>,
    /// Payee account (BT-84).
    pub iban: Option<String>,
    /// A non-IBAN payee account identifier (CII `ProprietaryID`, BT-84).
    pub account_id: Option<String>,
    /// Debited account of a direct debit (BT-91), the buyer's.
    pub debtor_iban: Option<String>,
    pub bic: Option<String>,
    pub account_name: Option<String>,
    pub mandate_reference: Option<String>,
    pub creditor_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AllowanceCharge {
    /// true = charge, false = allowance.
    pub is_charge: bool,
    pub amount: Option<Decimal>,
    pub base_amount: Option<Decimal>,
    pub percent: Option<Decimal>,
    pub reason: Option<String>,
    pub reason_code: Option<String>,
    pub vat_category: Option<String>,
    pub vat_rate: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VatSubtotal {
    pub category: Option<String>,
    pub rate: Option<Decimal>,
    pub taxable_amount: Option<Decimal>,
    pub tax_amount: Option<Decimal>,
    pub exemption_reason: Option<String>,
    pub exemption_reason_code: Option<String>,
}

/// Document totals BT-106 … BT-115.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Totals {
    pub line_total: Option<Decimal>,
    pub allowance_total: Option<Decimal>,
    pub charge_total: Option<Decimal>,
    pub tax_exclusive: Option<Decimal>,
    pub tax_total: Option<Decimal>,
    /// BT-111, the VAT total in accounting currency when that differs.
    pub tax_total_accounting: Option<Decimal>,
    pub tax_inclusive: Option<Decimal>,
    pub prepaid: Option<Decimal>,
    pub rounding: Option<Decimal>,
    pub amount_due: Option<Decimal>,
    /// How many VAT total amounts carry the invoice currency (for BR-CO-15).
    #[serde(default)]
    pub tax_total_in_currency: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Line {
    pub id: Option<String>,
    /// EXTENDED: the id of the parent line (CII `ParentLineID`).
    pub parent_id: Option<String>,
    /// EXTENDED: line status reason (DETAIL, GROUP, INFORMATION).
    pub status_reason: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub seller_item_id: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_code: Option<String>,
    pub net_unit_price: Option<Decimal>,
    pub price_base_quantity: Option<Decimal>,
    pub net_amount: Option<Decimal>,
    pub vat_category: Option<String>,
    pub vat_rate: Option<Decimal>,
    /// Sub-lines nested in this line (ZUGFeRD 1 EXTENDED `IncludedSubordinateTradeLineItem`,
    /// UBL `SubInvoiceLine`).
    pub children: Vec<Line>,
}

/// A document embedded in the invoice XML (BG-24 with BT-125).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Attachment {
    pub id: Option<String>,
    pub description: Option<String>,
    pub filename: Option<String>,
    pub mime_type: Option<String>,
    /// Decoded bytes; absent when the reference carries no embedded object (only a URI).
    /// In JSON a base64 string, as in the XML (an array of numbers would bloat the index
    /// fourfold and make it slow to write).
    #[serde(skip_serializing_if = "Option::is_none", default, with = "base64_bytes")]
    pub content: Option<Vec<u8>>,
    pub uri: Option<String>,
    /// Document type code (BT-122 qualifier, 916 = supporting document) when given.
    pub type_code: Option<String>,
}

/// One e-invoice in the EN 16931 model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EInvoice {
    pub syntax: Syntax,
    /// BT-24 as written.
    pub guideline: Option<String>,
    pub profile: Profile,
    pub number: Option<String>,
    pub type_code: Option<String>,
    pub issue_date: Option<String>,
    pub currency: Option<String>,
    pub tax_currency: Option<String>,
    pub due_date: Option<String>,
    /// Invoicing period (BG-14) start and end, `YYYY-MM-DD`.
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub payment_terms: Option<String>,
    pub notes: Vec<String>,
    pub preceding_invoice: Option<String>,
    pub buyer_reference: Option<String>,
    pub order_reference: Option<String>,
    pub contract_reference: Option<String>,
    pub payment_reference: Option<String>,
    pub seller: Party,
    pub buyer: Party,
    pub payee: Option<Party>,
    pub delivery: Delivery,
    pub payment_means: Vec<PaymentMeans>,
    pub allowances_charges: Vec<AllowanceCharge>,
    pub vat_breakdown: Vec<VatSubtotal>,
    pub totals: Totals,
    pub lines: Vec<Line>,
    pub attachments: Vec<Attachment>,
}

/// Serde for optional bytes as a standard base64 string; reading also takes the array of
/// numbers that indexes written before 0.1 carried.
mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(b)),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        Text(String),
        Bytes(Vec<u8>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        match Option::<Form>::deserialize(d)? {
            None => Ok(None),
            Some(Form::Bytes(b)) => Ok(Some(b)),
            Some(Form::Text(t)) => base64::engine::general_purpose::STANDARD.decode(t.as_bytes()).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod attachment_json {
    use super::Attachment;

    #[test]
    fn content_is_base64_in_json_and_reads_back() {
        let a = Attachment { filename: Some("a.pdf".into()), content: Some(b"%PDF-1.7 hello".to_vec()), ..Default::default() };
        let j = serde_json::to_value(&a).unwrap();
        assert_eq!(j["content"], "JVBERi0xLjcgaGVsbG8=");
        let back: Attachment = serde_json::from_value(j).unwrap();
        assert_eq!(back, a);
        let old: Attachment = serde_json::from_value(serde_json::json!({"content": [1, 2, 3]})).unwrap();
        assert_eq!(old.content, Some(vec![1, 2, 3]));
        let none: Attachment = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(none.content, None);
    }
}
