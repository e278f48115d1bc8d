//! The CSV row of a document for ERPs and spreadsheets: a header line and one data line, UTF-8,
//! RFC 4180 quoting, columns always in the order of [`COLUMNS`] (documented in the README —
//! integrators map by position). Amounts keep the dot as decimal separator so that the value
//! is the same as in the index; dates are `YYYY-MM-DD`.

use crate::index::DocumentIndex;

/// The column order. Append new columns at the end only.
pub const COLUMNS: [&str; 28] = [
    "id",
    "revision",
    "received_at",
    "source_name",
    "doc_type",
    "doc_type_confidence",
    "needs_review",
    "invoice_number",
    "issue_date",
    "due_date",
    "delivery_date",
    "seller_name",
    "seller_vat_id",
    "seller_tax_number",
    "buyer_name",
    "buyer_vat_id",
    "iban",
    "bic",
    "currency",
    "net_total",
    "vat_total",
    "gross_total",
    "amount_due",
    "payment_terms",
    "order_reference",
    "source_format",
    "archive_original",
    "archive_pdfa",
];

/// One column's value for an index.
fn cell(index: &DocumentIndex, column: &str) -> String {
    let s = |v: Option<&str>| v.unwrap_or("").to_string();
    match column {
        "id" => index.id.clone(),
        "revision" => index.archive.revision.to_string(),
        "received_at" => index.source.received_at.clone(),
        "source_name" => index.source.name.clone(),
        "doc_type" => s(index.doc_type.as_ref().map(|d| d.label.as_str())),
        "doc_type_confidence" => index.doc_type.as_ref().map(|d| format!("{:.3}", d.confidence)).unwrap_or_default(),
        "needs_review" => index.needs_review.to_string(),
        "source_format" => index.source_format.map(|f| serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()).unwrap_or_default(),
        "archive_original" => s(index.archive.original.as_deref()),
        "archive_pdfa" => s(index.archive.pdfa.as_deref()),
        field => s(index.field(field)),
    }
}

/// Header and data line.
pub fn document_csv(index: &DocumentIndex, delimiter: char) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new().delimiter(delimiter as u8).from_writer(Vec::new());
    let row: Vec<String> = COLUMNS.iter().map(|c| cell(index, c)).collect();
    // Writing to a Vec cannot fail.
    let _ = w.write_record(COLUMNS);
    let _ = w.write_record(&row);
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Channel, DocType, DocTypeResult, ErrorKind, FieldValue, Source, Status};

    #[test]
    fn one_row_in_the_documented_order_with_quoting() {
        let source = Source { channel: Channel::File, name: "Rechnung; Müller.pdf".into(), media_type: "application/pdf".into(), size: 3, received_at: "2025-06-26T10:00:00Z".into(), parent: None };
        let mut idx = DocumentIndex::quarantined("ab".into(), source, ErrorKind::Internal, String::new());
        idx.status = Status::Processed;
        idx.doc_type = Some(DocTypeResult { label: DocType::Invoice, confidence: 0.97 });
        idx.fields.insert("gross_total".into(), FieldValue { value: "1234.56".into(), confidence: 1.0, page: None, bbox: None });
        let text = String::from_utf8(document_csv(&idx, ';')).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap().split(';').count(), COLUMNS.len());
        let mut r = ::csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(&row[3], "Rechnung; Müller.pdf");
        assert_eq!(&row[4], "invoice");
        assert_eq!(&row[21], "1234.56");
    }
}
