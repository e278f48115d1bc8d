//! The CSV row of a document for ERPs and spreadsheets: a header line and one data line, UTF-8,
//! RFC 4180 quoting, columns always in the order of [`columns`] (documented in the README —
//! integrators map by position). Amounts keep the dot as decimal separator so that the value
//! is the same as in the index; dates are `YYYY-MM-DD`.

use crate::index::DocumentIndex;

use crate::vocab::{CsvColumn, Field};

/// The columns before the fields.
const HEAD: [&str; 7] = ["id", "revision", "received_at", "source_name", "doc_type", "doc_type_confidence", "needs_review"];
/// The columns after the original fields.
const TAIL: [&str; 3] = ["source_format", "archive_original", "archive_pdfa"];

/// The columns added after the first release, in the order they were added: fields added to
/// the vocabulary later ([`CsvColumn::Appended`]) and later document columns. A new one goes
/// at the end of this list, never in between.
const APPENDED: [Column; 4] = [Column::Field(Field::DeliveryNoteReference), Column::Document("approved_by"), Column::Document("department"), Column::Document("cost_centre")];

/// One column of the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// A column about the document (`id`, `revision`, …).
    Document(&'static str),
    Field(Field),
}

impl Column {
    pub fn name(self) -> &'static str {
        match self {
            Column::Document(n) => n,
            Column::Field(f) => f.as_str(),
        }
    }
}

/// The column order: the document's head columns, the original fields, the tail columns,
/// then every column added later ([`APPENDED`]). Integrators map by position, so columns
/// are only ever appended.
pub fn columns() -> Vec<Column> {
    let fields = |place: CsvColumn| Field::ALL.into_iter().filter(move |f| f.csv_column() == place).map(Column::Field);
    HEAD.into_iter().map(Column::Document).chain(fields(CsvColumn::WithTheFields)).chain(TAIL.into_iter().map(Column::Document)).chain(APPENDED).collect()
}

/// The approval chain in one cell: `ui:anna; ui:dora (Wareneingang)`.
pub fn approval_chain(index: &DocumentIndex) -> String {
    let approvals = index.review.as_ref().map(|r| r.approvals.as_slice()).unwrap_or_default();
    if approvals.is_empty() {
        // One approval: the person who approved it (none when it went straight through).
        return index.review.as_ref().filter(|r| r.state == crate::index::ReviewState::Approved).and_then(|r| r.by.clone()).unwrap_or_default();
    }
    approvals
        .iter()
        .map(|a| match &a.step {
            Some(step) => format!("{} ({step})", a.by),
            None => a.by.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One column's value for an index.
fn cell(index: &DocumentIndex, column: Column) -> String {
    let s = |v: Option<&str>| v.unwrap_or("").to_string();
    match column {
        Column::Field(f) => s(index.field(f)),
        Column::Document("id") => index.id.to_string(),
        Column::Document("revision") => index.archive.revision.to_string(),
        Column::Document("received_at") => index.source.received_at.clone(),
        Column::Document("source_name") => index.source.name.clone(),
        Column::Document("doc_type") => s(index.doc_type.as_ref().map(|d| d.label.as_str())),
        Column::Document("doc_type_confidence") => index.doc_type.as_ref().map(|d| format!("{:.3}", d.confidence)).unwrap_or_default(),
        Column::Document("needs_review") => index.needs_review.to_string(),
        Column::Document("source_format") => index.source_format.map(|f| f.as_str().to_string()).unwrap_or_default(),
        Column::Document("archive_original") => s(index.archive.original.as_deref()),
        Column::Document("archive_pdfa") => s(index.archive.pdfa.as_deref()),
        Column::Document("approved_by") => approval_chain(index),
        Column::Document("department") => s(index.assignment.as_ref().and_then(|a| a.department.as_deref())),
        Column::Document("cost_centre") => s(index.assignment.as_ref().and_then(|a| a.cost_centre.as_deref())),
        Column::Document(other) => unreachable!("a head or tail column without a value: {other}"),
    }
}

/// Header and data line.
pub fn document_csv(index: &DocumentIndex, delimiter: char) -> Vec<u8> {
    let columns = columns();
    let mut w = ::csv::WriterBuilder::new().delimiter(delimiter as u8).from_writer(Vec::new());
    let row: Vec<String> = columns.iter().map(|c| cell(index, *c)).collect();
    // Writing to a Vec cannot fail.
    let _ = w.write_record(columns.iter().map(|c| c.name()));
    let _ = w.write_record(&row);
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Channel, DocType, DocTypeResult, ErrorKind, FieldValue, Source, Status};

    #[test]
    fn one_row_in_the_documented_order_with_quoting() {
        let source = Source {
            channel: Channel::File,
            name: "Rechnung; Müller.pdf".into(),
            media_type: crate::vocab::MediaType::Pdf,
            size: 3,
            received_at: "2025-06-26T10:00:00Z".into(),
            parent: None,
            parent_pages: None,
            split: None,
        };
        let mut idx = DocumentIndex::quarantined(crate::vocab::DocumentId::of(b"ab"), source, ErrorKind::Internal, String::new());
        idx.status = Status::Processed;
        idx.doc_type = Some(DocTypeResult { label: DocType::Invoice, confidence: 0.97 });
        idx.fields.insert(Field::GrossTotal, FieldValue { value: "1234.56".into(), confidence: 1.0, page: None, bbox: None, source: None });
        let text = String::from_utf8(document_csv(&idx, ';')).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap().split(';').count(), columns().len());
        let mut r = ::csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(&row[3], "Rechnung; Müller.pdf");
        assert_eq!(&row[4], "invoice");
        assert_eq!(&row[21], "1234.56");
    }

    #[test]
    fn every_field_added_later_is_appended_and_the_original_columns_stay_where_they_were() {
        let names: Vec<&str> = columns().iter().map(|c| c.name()).collect();
        for f in Field::ALL.into_iter().filter(|f| f.csv_column() == CsvColumn::Appended) {
            assert!(APPENDED.contains(&Column::Field(f)), "{f} is appended to the vocabulary: add it at the end of APPENDED");
        }
        // The first release's 28 columns, as integrators mapped them.
        assert_eq!(names[..28].join(","), "id,revision,received_at,source_name,doc_type,doc_type_confidence,needs_review,invoice_number,issue_date,due_date,delivery_date,seller_name,seller_vat_id,seller_tax_number,buyer_name,buyer_vat_id,iban,bic,currency,net_total,vat_total,gross_total,amount_due,payment_terms,order_reference,source_format,archive_original,archive_pdfa");
        assert_eq!(names[28..].join(","), "delivery_note_reference,approved_by,department,cost_centre");
    }

    #[test]
    fn the_header_starts_with_the_documented_columns() {
        // The published order (README, "ERP handoff"): changing it breaks every integration;
        // fields added to the vocabulary later come after these.
        let header = "id;revision;received_at;source_name;doc_type;doc_type_confidence;needs_review;invoice_number;issue_date;due_date;delivery_date;seller_name;seller_vat_id;seller_tax_number;buyer_name;buyer_vat_id;iban;bic;currency;net_total;vat_total;gross_total;amount_due;payment_terms;order_reference;source_format;archive_original;archive_pdfa";
        let names: Vec<&str> = columns().iter().map(|c| c.name()).collect();
        assert_eq!(names[..28].join(";"), header);
    }
}
