//! The document index, `mailroom.document/1`: the one record every downstream consumer
//! (ERP handoff, review queue, evaluations) reads. Its JSON shape is a public contract,
//! documented in `README.md` and `schema/mailroom.document-1.schema.json`; change it only
//! by introducing a new schema version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::vocab::{CheckName, DocumentId, Field, MediaType, Separator, SplitPolicy};

pub const SCHEMA: &str = "mailroom.document/1";

/// Where a document came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A file or folder given on the command line.
    File,
    /// A watched hot folder (scanner output).
    Folder,
    /// An e-mail attachment.
    Email,
    /// A message on the AMQP queue.
    Amqp,
    /// An HTTP upload.
    Http,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub channel: Channel,
    /// The file name as received (never a full local path: paths can carry personal data).
    pub name: String,
    pub media_type: MediaType,
    pub size: u64,
    /// RFC 3339.
    pub received_at: String,
    /// The id of the document this one came inside (the e-mail of an attachment); absent
    /// for documents that arrived on their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<DocumentId>,
    /// A part of a batch scan: its pages in the batch (`parent`), first and last, 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_pages: Option<[u32; 2]>,
    /// A batch scan: how its source asked for it to be split into documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<SplitPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Processed,
    Quarantined,
    /// A batch scan split into documents of their own (`batch` lists them): a container,
    /// never reviewed or handed off itself.
    Split,
}

/// Why a document was quarantined. Machine-readable; the message says what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Zero bytes.
    Empty,
    /// Not a PDF, PNG, JPEG, TIFF or e-invoice XML.
    UnsupportedFormat,
    /// Recognised format, but the file is damaged or truncated.
    Corrupt,
    /// A PDF that needs a user password to open.
    Encrypted,
    /// Larger than the configured file size or page count limit.
    TooLarge,
    /// An image whose decoded size would exceed the memory limit.
    DecompressionBomb,
    /// XML with a DTD, external entities, entity expansion or absurd nesting.
    HostileXml,
    /// The document could be opened but no page could be read.
    Unreadable,
    /// A bug or an environment problem (missing OCR language data, …).
    Internal,
}

impl Channel {
    pub const ALL: [Channel; 5] = [Channel::File, Channel::Folder, Channel::Email, Channel::Amqp, Channel::Http];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::File => "file",
            Channel::Folder => "folder",
            Channel::Email => "email",
            Channel::Amqp => "amqp",
            Channel::Http => "http",
        }
    }
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::Empty,
        ErrorKind::UnsupportedFormat,
        ErrorKind::Corrupt,
        ErrorKind::Encrypted,
        ErrorKind::TooLarge,
        ErrorKind::DecompressionBomb,
        ErrorKind::HostileXml,
        ErrorKind::Unreadable,
        ErrorKind::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Empty => "empty",
            ErrorKind::UnsupportedFormat => "unsupported_format",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Encrypted => "encrypted",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::DecompressionBomb => "decompression_bomb",
            ErrorKind::HostileXml => "hostile_xml",
            ErrorKind::Unreadable => "unreadable",
            ErrorKind::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexError {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// Image pages read by OCR (an image file or an image-only PDF).
    Scan,
    /// A born-digital PDF read from its text layer.
    PdfText,
    /// A PDF with an embedded CII invoice (ZUGFeRD 1/2, Factur-X).
    Zugferd,
    /// A standalone CII XML.
    XrechnungCii,
    /// A standalone UBL XML.
    XrechnungUbl,
    /// An e-mail, read from its text (or HTML) body.
    Email,
}

impl SourceFormat {
    pub const ALL: [SourceFormat; 6] = [SourceFormat::Scan, SourceFormat::PdfText, SourceFormat::Zugferd, SourceFormat::XrechnungCii, SourceFormat::XrechnungUbl, SourceFormat::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Scan => "scan",
            SourceFormat::PdfText => "pdf_text",
            SourceFormat::Zugferd => "zugferd",
            SourceFormat::XrechnungCii => "xrechnung_cii",
            SourceFormat::XrechnungUbl => "xrechnung_ubl",
            SourceFormat::Email => "email",
        }
    }
}

/// Document types, the closed set every classifier must choose from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    Invoice,
    CreditNote,
    Reminder,
    Order,
    OrderConfirmation,
    DeliveryNote,
    Quote,
    Contract,
    Receipt,
    Letter,
    Other,
}

impl DocType {
    pub const ALL: [DocType; 11] = [
        DocType::Invoice,
        DocType::CreditNote,
        DocType::Reminder,
        DocType::Order,
        DocType::OrderConfirmation,
        DocType::DeliveryNote,
        DocType::Quote,
        DocType::Contract,
        DocType::Receipt,
        DocType::Letter,
        DocType::Other,
    ];

    /// The type named `name` (its JSON spelling, `credit_note`).
    pub fn from_name(name: &str) -> Option<DocType> {
        DocType::ALL.into_iter().find(|d| d.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Invoice => "invoice",
            DocType::CreditNote => "credit_note",
            DocType::Reminder => "reminder",
            DocType::Order => "order",
            DocType::OrderConfirmation => "order_confirmation",
            DocType::DeliveryNote => "delivery_note",
            DocType::Quote => "quote",
            DocType::Contract => "contract",
            DocType::Receipt => "receipt",
            DocType::Letter => "letter",
            DocType::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocTypeResult {
    pub label: DocType,
    pub confidence: f32,
}

/// One extracted value with where it was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    /// Normalised: dates `YYYY-MM-DD`, amounts `"1234.56"`, IBAN/VAT ID upper case without spaces.
    pub value: String,
    pub confidence: f32,
    /// 1-based page; null for values read from XML.
    pub page: Option<u32>,
    /// `[x0, y0, x1, y1]` in PDF points, origin top-left of the upright page; null for XML values.
    pub bbox: Option<[f32; 4]>,
    /// Where the value came from, so that later steps tell a person's value from a read one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Provenance>,
}

impl FieldValue {
    /// A value read from the document (XML, rules, model, computed), not tied to a person.
    pub fn read(value: String, confidence: f32, page: Option<u32>, bbox: Option<[f32; 4]>, from: Origin) -> FieldValue {
        FieldValue { value, confidence, page, bbox, source: Some(Provenance { from, by: None, confirmed_by: None }) }
    }

    /// A value a person set or confirmed: certain, and not tied to a place on the page.
    pub fn by_person(value: String, who: &str) -> FieldValue {
        FieldValue { value, confidence: 1.0, page: None, bbox: None, source: Some(Provenance { from: Origin::Person, by: Some(who.to_string()), confirmed_by: None }) }
    }

    /// Set by a person (their own value, not a confirmed reading).
    pub fn from_person(&self) -> bool {
        self.source.as_ref().is_some_and(|s| s.from == Origin::Person)
    }

    /// Set or confirmed by a person: a value later readings must not replace.
    pub fn vouched_for(&self) -> bool {
        self.source.as_ref().is_some_and(|s| s.from == Origin::Person || s.confirmed_by.is_some())
    }
}

/// What produced a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The e-invoice's XML.
    Xml,
    /// The rules extractor.
    Rules,
    /// The trained extractor.
    Model,
    /// Computed from other values (a total from the two others).
    Computed,
    /// A person (`by` names them).
    Person,
}

impl Origin {
    pub const ALL: [Origin; 5] = [Origin::Xml, Origin::Rules, Origin::Model, Origin::Computed, Origin::Person];

    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Xml => "xml",
            Origin::Rules => "rules",
            Origin::Model => "model",
            Origin::Computed => "computed",
            Origin::Person => "person",
        }
    }
}

/// A field value's origin, and the person for a person's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub from: Origin,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The person who confirmed a read value by approving the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LineItem {
    pub line_id: Option<String>,
    pub name: Option<String>,
    pub quantity: Option<String>,
    pub unit_code: Option<String>,
    pub net_unit_price: Option<String>,
    pub net_line_amount: Option<String>,
    pub vat_rate: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VatBreakdown {
    pub rate: String,
    pub base: String,
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// A stable id, e.g. `totals_consistent`, `iban_checksum` or an EN 16931 rule id `BR-CO-15`.
    pub name: CheckName,
    pub passed: bool,
    pub message: String,
}

/// Where each artefact of a document lies: object keys, which in the embedded archive are
/// paths relative to the archive folder.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArchiveRefs {
    pub original: Option<String>,
    pub pdfa: Option<String>,
    pub words: Option<String>,
    /// This index revision's own key.
    pub index: Option<String>,
    /// E-invoice XML (the legal original of an e-invoice) and attachments embedded in it; for
    /// an e-mail, the originals of its attachments (documents of their own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// 1 for the index written when the document was processed; each correction or
    /// reclassification writes the next one beside it. 0 before the document is stored.
    #[serde(default)]
    pub revision: u32,
    /// RFC 3339: until when the document's objects are locked (COMPLIANCE retention).
    #[serde(default)]
    pub retain_until: Option<String>,
    /// The retention rule that gave that date.
    #[serde(default)]
    pub retention_rule: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Models {
    pub classifier: ModelInfo,
    pub extractor: ModelInfo,
}

/// The index record of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentIndex {
    pub schema: String,
    /// SHA-256 hex of the original bytes.
    pub id: DocumentId,
    pub source: Source,
    pub status: Status,
    pub error: Option<IndexError>,
    pub source_format: Option<SourceFormat>,
    pub pages: u32,
    /// ISO 639-1 code of the main language (`de`, `en`, …), null when unknown.
    pub language: Option<String>,
    pub doc_type: Option<DocTypeResult>,
    pub fields: BTreeMap<Field, FieldValue>,
    pub line_items: Vec<LineItem>,
    pub vat_breakdown: Vec<VatBreakdown>,
    pub checks: Vec<Check>,
    pub needs_review: bool,
    pub einvoice: Option<serde_json::Value>,
    pub archive: ArchiveRefs,
    pub models: Option<Models>,
    /// Whether the document may go to the ERP, and who released or held it. Absent on
    /// quarantine records and on indexes written before review existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// A batch scan (`status: split`): the documents it was split into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<Batch>,
    /// Paid or otherwise settled (a person, or the ERP through the API): off the due list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<Settled>,
    /// What an invoice was matched with: its order, confirmation and delivery notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_match: Option<OrderMatch>,
    /// The department and cost centre a person assigned the document to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
}

/// Who marked a document paid or settled, when, and with what reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settled {
    pub by: String,
    /// RFC 3339.
    pub at: String,
    /// The payment's or booking's reference (`Zahlung 2026-03-14 / Buchung 4711`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// How a batch scan was split: its parts, in page order, and the separator sheets between.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub parts: Vec<BatchPart>,
    /// Pages that were separator sheets (1-based); they belong to no part.
    #[serde(default)]
    pub separators: Vec<u32>,
    /// Who corrected the split last (absent while it is as mailroom made it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_by: Option<String>,
}

/// One document made of a batch's pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPart {
    pub id: DocumentId,
    /// First and last page in the batch, 1-based.
    pub pages: [u32; 2],
    /// Why a new document starts at its first page.
    pub by: PartStart,
    /// The first-page detector's probability that its first page starts a letter, where it
    /// decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

/// Why a part of a batch begins where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartStart {
    /// The batch's first page.
    Start,
    /// After a blank separator sheet.
    Blank,
    /// After a patch sheet (QR code).
    Patch,
    /// The first-page detector saw a new letter begin.
    FirstPage,
    /// A person set the boundary.
    Person,
}

/// Where a document stands with its review: held for a person, or released to the ERP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Waiting for a person to check it.
    Pending,
    /// A person put it aside (waiting for an answer, a delivery, …); still held.
    Postponed,
    /// A person checked it and released it.
    Approved,
    /// A person decided it must never go to the ERP.
    Rejected,
    /// Released without a person: nothing in it asked for review, and `[review]
    /// straight_through` allows that.
    StraightThrough,
    /// A part of a batch scan replaced when a person corrected the split: its pages are in
    /// other parts now. Never to the ERP, out of the queue.
    Superseded,
}

impl ReviewState {
    pub const ALL: [ReviewState; 6] = [ReviewState::Pending, ReviewState::Postponed, ReviewState::Approved, ReviewState::Rejected, ReviewState::StraightThrough, ReviewState::Superseded];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Pending => "pending",
            ReviewState::Postponed => "postponed",
            ReviewState::Approved => "approved",
            ReviewState::Rejected => "rejected",
            ReviewState::StraightThrough => "straight_through",
            ReviewState::Superseded => "superseded",
        }
    }

    /// May go to the ERP.
    pub fn released(self) -> bool {
        matches!(self, ReviewState::Approved | ReviewState::StraightThrough)
    }
}

/// The review of a document: its state, and who decided it, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub state: ReviewState,
    /// Who decided (absent while pending and for straight-through documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// RFC 3339: when the state was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Why it was rejected, postponed or superseded, or a note on the approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The approvals given so far, in order, where an approval rule asks for more than one
    /// (`[[review.approvals]]`): each a different person. Absent when one approval is enough.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
    /// Whose approval the document waits for after the first: the departments of the open
    /// approval steps, `*` where any other reviewer may give it. Empty when nobody's is
    /// pending (not yet checked, or released).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waiting_for: Vec<String>,
}

/// One person's approval of a document that needs several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub by: String,
    /// RFC 3339.
    pub at: String,
    /// The approval step (`[[review.approvals]]` rule) a department's member gave it for;
    /// absent for the accountant's check and for approvals that count people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

/// The department and cost centre a document is assigned to, set in review: approval steps
/// may depend on them (`[[review.approvals]] departments`, `approved_by = "assigned"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_centre: Option<String>,
    pub by: String,
    /// RFC 3339.
    pub at: String,
}

impl DocumentIndex {
    /// The record of a processed document before anything was read into it: every index is
    /// assembled from this one, its stages filling what they read.
    pub fn processed(id: DocumentId, source: Source) -> Self {
        DocumentIndex {
            schema: SCHEMA.to_string(),
            id,
            source,
            status: Status::Processed,
            error: None,
            source_format: None,
            pages: 0,
            language: None,
            doc_type: None,
            fields: BTreeMap::new(),
            line_items: Vec::new(),
            vat_breakdown: Vec::new(),
            checks: Vec::new(),
            needs_review: false,
            einvoice: None,
            archive: ArchiveRefs::default(),
            models: None,
            review: None,
            batch: None,
            settled: None,
            order_match: None,
            assignment: None,
        }
    }

    /// The record of a document that could not be processed.
    pub fn quarantined(id: DocumentId, source: Source, kind: ErrorKind, message: String) -> Self {
        DocumentIndex { status: Status::Quarantined, error: Some(IndexError { kind, message }), needs_review: true, ..DocumentIndex::processed(id, source) }
    }

    /// May go to the ERP: processed, and approved by a person or released straight through.
    /// An index from before review existed is released unless it needs review.
    pub fn released(&self) -> bool {
        self.status == Status::Processed
            && match &self.review {
                Some(r) => r.state.released(),
                None => !self.needs_review,
            }
    }

    pub fn field(&self, field: Field) -> Option<&str> {
        self.fields.get(&field).map(|f| f.value.as_str())
    }
}

/// An order placed with a supplier, as the ERP knows it: what an invoice that names it
/// (`order_reference`) is matched against. Imported with `mailroom orders import` (JSON or
/// CSV) and stored in the archive under `orders/` as objects of their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// The order number as the ERP prints it (`BE-2025-0042`): the buyer's own number, so one
    /// order whatever the supplier.
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_vat_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<chrono::NaiveDate>,
    /// ISO 4217; the invoice's currency must be the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_total: Option<rust_decimal::Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_total: Option<rust_decimal::Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<OrderLine>,
}

/// One line of an [`Order`]: what was ordered, how many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    /// The supplier's or the buyer's article number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub quantity: rust_decimal::Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<rust_decimal::Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<rust_decimal::Decimal>,
}

/// An [`Order`] as stored in the archive (`orders/<key>/<revision>.json`, `mailroom.order/1`):
/// a new revision when an import changes it, none when it is the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub schema: String,
    pub revision: u32,
    /// RFC 3339.
    pub imported_at: String,
    pub imported_by: String,
    /// The file it was imported from (its name only).
    pub from: String,
    pub order: Order,
}

/// What an invoice was matched with (Bestellabgleich): the order it names — imported from
/// the ERP or archived as paper —, and the archived order confirmation and delivery notes
/// that name the same order or the delivery note the invoice names. The check
/// `order_match` says what agrees; this says with what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderMatch {
    /// The order number as the invoice names it.
    pub order: String,
    /// The revision of the ERP's order matched, where the order was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erp_revision: Option<u32>,
    /// The archived documents matched, in the order order, confirmation, delivery notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<MatchedDocument>,
    /// `2`: invoice and order; `3`: and what was delivered (a delivery note).
    pub ways: u8,
}

/// One archived document an invoice was matched with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchedDocument {
    pub id: DocumentId,
    pub doc_type: DocType,
    /// Its own number, where it prints one (the delivery note's, the confirmation's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

/// One resubmission as stored beside its document (`resubmission-<n>.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resubmission {
    pub document: String,
    /// Its number among the document's resubmissions (1, 2, …).
    pub n: u32,
    /// The day it comes up.
    pub on: chrono::NaiveDate,
    /// Whose list it comes up on (a user name); `None`: everyone's who may see the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub note: String,
    pub by: String,
    /// RFC 3339.
    pub at: String,
    /// When and by whom it was marked done (from its `-done` record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<Done>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Done {
    pub by: String,
    pub at: String,
}

/// A stamp on a page (`stamp-<n>.json` beside the document): an annotation placed at a box in
/// PDF points (origin top-left, like a field's), never inside the original or the PDF/A.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamp {
    pub n: u32,
    /// One of `[stamps] kinds` ("Eingegangen", "Gebucht", …).
    pub kind: String,
    /// What is written on it besides the kind (a cost centre, a comment).
    #[serde(default)]
    pub text: String,
    /// 1-based.
    pub page: u32,
    pub bbox: [f32; 4],
    pub by: String,
    /// RFC 3339.
    pub at: String,
}
