//! DATEV booking batch ("EXTF" Buchungsstapel, format 700, category 21, version 13) for one
//! incoming invoice or credit note, as DATEV Rechnungswesen and most German accounting
//! software import it: Windows-1252, `;`-separated, CRLF, a 31-field header line, the column
//! names, and one booking row per VAT rate.
//!
//! The bookings are proposals (not "festgeschrieben"): expense account debit against the
//! creditor account, the gross amount per VAT rate with the matching input-tax key (9 for
//! 19 %, 8 for 7 %); a credit note books the other way round. Accounts, consultant and
//! client numbers come from the configuration; the defaults are DATEV's demo client.

use chrono::{Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::index::{DocType, DocumentIndex};
use crate::vocab::Field;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatevConfig {
    /// Beraternummer.
    pub consultant: u32,
    /// Mandantennummer.
    pub client: u32,
    /// First month of the fiscal year (1 = January).
    pub fiscal_year_start_month: u32,
    /// Sachkontenlänge.
    pub account_length: u32,
    /// Kontenrahmen: `"03"` (SKR03) or `"04"` (SKR04).
    pub chart: String,
    /// Kreditorenkonto the supplier invoices are booked against.
    pub creditor_account: u32,
    /// Aufwandskonto (not an automatic VAT account: the tax key sets the input tax).
    pub expense_account: u32,
}

impl Default for DatevConfig {
    fn default() -> Self {
        DatevConfig { consultant: 29098, client: 55003, fiscal_year_start_month: 1, account_length: 4, chart: "03".into(), creditor_account: 70000, expense_account: 4980 }
    }
}

/// The standard columns, in DATEV's order, up to the first document info (the remaining ones
/// may be left off): the approval chain goes there as `Freigabe`.
pub const COLUMNS: [&str; 22] = [
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
    "Postensperre",
    "Diverse Adressnummer",
    "Geschäftspartnerbank",
    "Sachverhalt",
    "Zinssperre",
    "Beleglink",
    "Beleginfo - Art 1",
    "Beleginfo - Inhalt 1",
];

fn quoted(s: &str, max: usize) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).take(max).collect();
    format!("\"{clean}\"")
}

/// Belegfeld 1 allows letters, digits and `$ & % * + - /`, at most 36 characters.
fn document_number(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric() || "$&%*+-/".contains(*c)).take(36).collect()
}

fn amount(d: Decimal) -> String {
    format!("{:.2}", d.abs().round_dp(2)).replace('.', ",")
}

/// The input-tax key for a rate, when it is one DATEV has a standard key for.
fn tax_key(rate: Decimal) -> Option<&'static str> {
    if rate == Decimal::from(19) {
        Some("9")
    } else if rate == Decimal::from(7) {
        Some("8")
    } else {
        None
    }
}

fn dec(s: &str) -> Option<Decimal> {
    s.parse().ok()
}

/// The batch for one document, or why none can be written.
pub fn booking_batch(index: &DocumentIndex, cfg: &DatevConfig) -> Result<Vec<u8>, String> {
    let issue = index.field(Field::IssueDate).ok_or("the issue date is unknown")?;
    let issue = NaiveDate::parse_from_str(issue, "%Y-%m-%d").map_err(|_| format!("the issue date {issue} is not a date"))?;
    let gross = index.field(Field::GrossTotal).and_then(dec).ok_or("the gross total is unknown")?;
    let currency = index.field(Field::Currency).unwrap_or("EUR");
    let credit = index.doc_type.as_ref().map(|d| d.label == DocType::CreditNote).unwrap_or(false) ^ (gross < Decimal::ZERO);

    // Gross per VAT rate from the breakdown when it adds up, else one row for the total.
    let mut rows: Vec<(Decimal, Option<&'static str>)> = Vec::new();
    let parts: Option<Vec<(Decimal, Decimal, Decimal)>> = index.vat_breakdown.iter().map(|b| Some((dec(&b.rate)?, dec(&b.base)?, dec(&b.amount)?))).collect();
    if let Some(parts) = parts.filter(|p| !p.is_empty()) {
        let sum: Decimal = parts.iter().map(|(_, b, a)| b + a).sum();
        if sum.abs() == gross.abs() {
            rows = parts.iter().map(|(r, b, a)| (b + a, tax_key(*r))).collect();
        }
    }
    if rows.is_empty() {
        let rate = match (index.field(Field::NetTotal).and_then(dec), index.field(Field::VatTotal).and_then(dec)) {
            (Some(n), Some(v)) if n != Decimal::ZERO => Some((v / n * Decimal::from(100)).round_dp(0)),
            _ => None,
        };
        rows.push((gross, rate.and_then(tax_key)));
    }

    let fy_year = if issue.month() >= cfg.fiscal_year_start_month { issue.year() } else { issue.year() - 1 };
    let fy_start = NaiveDate::from_ymd_opt(fy_year, cfg.fiscal_year_start_month.clamp(1, 12), 1).ok_or("invalid fiscal year start")?;
    let number = document_number(index.field(Field::InvoiceNumber).unwrap_or(""));
    let label = format!("mailroom {number}");
    let header = [
        "\"EXTF\"".to_string(),
        "700".into(),
        "21".into(),
        "\"Buchungsstapel\"".into(),
        "13".into(),
        Utc::now().format("%Y%m%d%H%M%S%3f").to_string(),
        String::new(),
        "\"MR\"".into(),
        "\"mailroom\"".into(),
        "\"\"".into(),
        cfg.consultant.to_string(),
        cfg.client.to_string(),
        fy_start.format("%Y%m%d").to_string(),
        cfg.account_length.to_string(),
        issue.format("%Y%m%d").to_string(),
        issue.format("%Y%m%d").to_string(),
        quoted(&label, 30),
        "\"\"".into(),
        "1".into(),
        "0".into(),
        "0".into(),
        quoted(currency, 3),
        String::new(),
        "\"\"".into(),
        String::new(),
        String::new(),
        quoted(&cfg.chart, 2),
        String::new(),
        String::new(),
        "\"\"".into(),
        "\"\"".into(),
    ];
    let mut text = header.join(";");
    text.push_str("\r\n");
    text.push_str(&COLUMNS.join(";"));
    text.push_str("\r\n");
    let due = index.field(Field::DueDate).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).map(|d| d.format("%d%m%y").to_string()).unwrap_or_default();
    let seller = index.field(Field::SellerName).unwrap_or("");
    let chain = super::csv::approval_chain(index);
    for (gross_part, key) in rows {
        let row = [
            amount(gross_part),
            quoted(if credit { "H" } else { "S" }, 1),
            quoted(currency, 3),
            String::new(),
            String::new(),
            String::new(),
            cfg.expense_account.to_string(),
            cfg.creditor_account.to_string(),
            quoted(key.unwrap_or(""), 4),
            issue.format("%d%m").to_string(),
            quoted(&number, 36),
            quoted(&due, 12),
            String::new(),
            quoted(seller, 60),
            String::new(),
            "\"\"".into(),
            String::new(),
            String::new(),
            String::new(),
            "\"\"".into(),
            quoted(if chain.is_empty() { "" } else { "Freigabe" }, 20),
            quoted(&chain, 210),
        ];
        text.push_str(&row.join(";"));
        text.push_str("\r\n");
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    Ok(bytes.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Channel, DocTypeResult, ErrorKind, FieldValue, Source, Status, VatBreakdown};

    fn index(fields: &[(&str, &str)], breakdown: &[(&str, &str, &str)]) -> DocumentIndex {
        let source = Source {
            channel: Channel::File,
            name: "x.pdf".into(),
            media_type: crate::vocab::MediaType::Pdf,
            size: 1,
            received_at: "2025-06-26T10:00:00Z".into(),
            parent: None,
            parent_pages: None,
            split: None,
        };
        let mut i = DocumentIndex::quarantined(crate::vocab::DocumentId::of(b"id"), source, ErrorKind::Internal, String::new());
        i.status = Status::Processed;
        i.doc_type = Some(DocTypeResult { label: DocType::Invoice, confidence: 1.0 });
        for (k, v) in fields {
            i.fields.insert(k.parse().unwrap(), FieldValue { value: v.to_string(), confidence: 1.0, page: None, bbox: None, source: None });
        }
        i.vat_breakdown = breakdown.iter().map(|(r, b, a)| VatBreakdown { rate: r.to_string(), base: b.to_string(), amount: a.to_string() }).collect();
        i
    }

    #[test]
    fn one_row_per_vat_rate_with_german_numbers_and_cp1252() {
        let i = index(
            &[("issue_date", "2025-06-26"), ("gross_total", "1226.00"), ("invoice_number", "RE-2025/17"), ("seller_name", "Müller GmbH"), ("due_date", "2025-07-10")],
            &[("19", "1000.00", "190.00"), ("7", "33.64", "2.36")],
        );
        let bytes = booking_batch(&i, &DatevConfig::default()).unwrap();
        let (text, _, bad) = encoding_rs::WINDOWS_1252.decode(&bytes);
        assert!(!bad);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("\"EXTF\";700;21;\"Buchungsstapel\";13;"));
        assert_eq!(lines[0].split(';').count(), 31);
        assert!(lines[0].contains(";29098;55003;20250101;4;20250626;20250626;"));
        assert_eq!(lines[1].split(';').count(), COLUMNS.len());
        assert_eq!(lines[2], "1190,00;\"S\";\"EUR\";;;;4980;70000;\"9\";2606;\"RE-2025/17\";\"100725\";;\"Müller GmbH\";;\"\";;;;\"\";\"\";\"\"");
        assert!(lines[3].starts_with("36,00;\"S\""));
        assert!(lines[3].contains(";\"8\";"));
        assert!(bytes.contains(&0xFC), "ü is one byte in Windows-1252");
    }

    #[test]
    fn the_approval_chain_goes_into_the_document_info() {
        let mut i = index(&[("issue_date", "2025-06-26"), ("gross_total", "119.00")], &[]);
        i.review = Some(crate::index::Review {
            state: crate::index::ReviewState::Approved,
            by: Some("ui:dora".into()),
            at: None,
            reason: None,
            approvals: vec![
                crate::index::Approval { by: "ui:anna".into(), at: "2026-01-01T00:00:00Z".into(), step: None },
                crate::index::Approval { by: "ui:dora".into(), at: "2026-01-01T00:10:00Z".into(), step: Some("Wareneingang".into()) },
            ],
            waiting_for: Vec::new(),
        });
        let text = String::from_utf8_lossy(&booking_batch(&i, &DatevConfig::default()).unwrap()).into_owned();
        assert!(text.lines().nth(2).unwrap().ends_with(";\"Freigabe\";\"ui:anna; ui:dora (Wareneingang)\""), "{text}");
    }

    #[test]
    fn credit_notes_book_the_other_way_and_missing_values_are_refused() {
        let mut i = index(&[("issue_date", "2025-06-26"), ("gross_total", "119.00"), ("net_total", "100.00"), ("vat_total", "19.00")], &[]);
        i.doc_type = Some(DocTypeResult { label: DocType::CreditNote, confidence: 1.0 });
        let text = String::from_utf8_lossy(&booking_batch(&i, &DatevConfig::default()).unwrap()).into_owned();
        assert!(text.contains("119,00;\"H\";\"EUR\";;;;4980;70000;\"9\";"));
        let none = index(&[("gross_total", "1.00")], &[]);
        assert!(booking_batch(&none, &DatevConfig::default()).unwrap_err().contains("issue date"));
    }
}
