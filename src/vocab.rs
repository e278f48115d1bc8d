//! The vocabulary every stage speaks: the index [`Field`]s, the [`DocumentId`], the
//! [`CheckName`]s and the [`MediaType`]. One place, so that a field added here reaches the index, the CSV row,
//! the JSON Schema and the evaluation without a second list to keep in step.
//!
//! Everything here is a plain value type with no dependency on the rest of the crate; the
//! JSON spelling of each is the one the index contract (`mailroom.document/1`) has always used.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One value the index may carry under `fields`.
///
/// The JSON key is the snake-case name (`gross_total`). Ordered by that name, so that a
/// `BTreeMap<Field, _>` serialises its keys in the same (alphabetical) order as the
/// string-keyed map the contract was first written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    InvoiceNumber,
    IssueDate,
    DueDate,
    DeliveryDate,
    SellerName,
    SellerAddress,
    SellerVatId,
    SellerTaxNumber,
    BuyerName,
    BuyerVatId,
    Iban,
    Bic,
    Currency,
    NetTotal,
    VatTotal,
    GrossTotal,
    AmountDue,
    PaymentTerms,
    OrderReference,
    DeliveryNoteReference,
}

/// What kind of value a field holds, and so how it is written and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A decimal with a dot and its printed decimals: `"1234.56"`.
    Amount,
    /// `YYYY-MM-DD`.
    Date,
    /// An identifier (IBAN, VAT ID, number): upper case, no spaces, where it has a standard form.
    Id,
    /// Free text (names, addresses, terms).
    Text,
}

/// Where a field stands in the CSV row (`handoff::csv`), whose column order is a contract:
/// integrators map by position, so new columns only ever go at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvColumn {
    /// Not in the CSV row.
    None,
    /// Among the fields, after `needs_review`, in vocabulary order (the original columns).
    WithTheFields,
    /// After the last original column (`archive_pdfa`), in vocabulary order: every field
    /// added to the vocabulary later goes here.
    Appended,
}

impl Field {
    /// Every field, in the order the README documents them.
    pub const ALL: [Field; 20] = [
        Field::InvoiceNumber,
        Field::IssueDate,
        Field::DueDate,
        Field::DeliveryDate,
        Field::SellerName,
        Field::SellerAddress,
        Field::SellerVatId,
        Field::SellerTaxNumber,
        Field::BuyerName,
        Field::BuyerVatId,
        Field::Iban,
        Field::Bic,
        Field::Currency,
        Field::NetTotal,
        Field::VatTotal,
        Field::GrossTotal,
        Field::AmountDue,
        Field::PaymentTerms,
        Field::OrderReference,
        Field::DeliveryNoteReference,
    ];

    /// The JSON key.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::InvoiceNumber => "invoice_number",
            Field::IssueDate => "issue_date",
            Field::DueDate => "due_date",
            Field::DeliveryDate => "delivery_date",
            Field::SellerName => "seller_name",
            Field::SellerAddress => "seller_address",
            Field::SellerVatId => "seller_vat_id",
            Field::SellerTaxNumber => "seller_tax_number",
            Field::BuyerName => "buyer_name",
            Field::BuyerVatId => "buyer_vat_id",
            Field::Iban => "iban",
            Field::Bic => "bic",
            Field::Currency => "currency",
            Field::NetTotal => "net_total",
            Field::VatTotal => "vat_total",
            Field::GrossTotal => "gross_total",
            Field::AmountDue => "amount_due",
            Field::PaymentTerms => "payment_terms",
            Field::OrderReference => "order_reference",
            Field::DeliveryNoteReference => "delivery_note_reference",
        }
    }

    pub fn kind(self) -> FieldKind {
        use Field::*;
        match self {
            NetTotal | VatTotal | GrossTotal | AmountDue => FieldKind::Amount,
            IssueDate | DueDate | DeliveryDate => FieldKind::Date,
            InvoiceNumber | SellerVatId | SellerTaxNumber | BuyerVatId | Iban | Bic | Currency | OrderReference | DeliveryNoteReference => FieldKind::Id,
            SellerName | SellerAddress | BuyerName | PaymentTerms => FieldKind::Text,
        }
    }

    /// The pattern every value of the field matches, as the JSON Schema states it; `None`
    /// for free text and identifiers without one standard form.
    pub fn value_pattern(self) -> Option<&'static str> {
        match self {
            Field::Iban | Field::SellerVatId | Field::BuyerVatId => Some("^[A-Z0-9]+$"),
            Field::Currency => Some("^[A-Z]{3}$"),
            f if f.kind() == FieldKind::Date => Some(r"^\d{4}-\d{2}-\d{2}$"),
            f if f.kind() == FieldKind::Amount => Some(r"^-?\d+\.\d{2}$"),
            _ => None,
        }
    }

    /// Must be present and confident on a booking document, else it goes to review.
    pub fn mandatory(self) -> bool {
        matches!(self, Field::InvoiceNumber | Field::IssueDate | Field::GrossTotal | Field::Currency)
    }

    /// Read by a trained model (`models::fields`), not only by the rules.
    pub fn model_reads(self) -> bool {
        use Field::*;
        matches!(self, InvoiceNumber | IssueDate | DueDate | NetTotal | VatTotal | GrossTotal | AmountDue | Iban | SellerVatId | SellerName | BuyerName)
    }

    /// Measured by `mailroom eval` against ground truth.
    pub fn evaluated(self) -> bool {
        self.model_reads() || self == Field::Currency
    }

    pub fn csv_column(self) -> CsvColumn {
        match self {
            Field::SellerAddress => CsvColumn::None,
            Field::DeliveryNoteReference => CsvColumn::Appended,
            _ => CsvColumn::WithTheFields,
        }
    }

    /// A value as comparisons see it (evaluation, the extractor's training labels): amounts
    /// as decimals (`1190.0` = `1190.00`), IBANs and VAT IDs without spaces in upper case,
    /// party names in lower case without a leading salutation; anything else trimmed.
    pub fn comparable(self, v: &str) -> String {
        let v = v.trim();
        match self {
            Field::NetTotal | Field::VatTotal | Field::GrossTotal | Field::AmountDue => rust_decimal::Decimal::from_str(v).map(|d| d.normalize().to_string()).unwrap_or_else(|_| v.to_string()),
            Field::Iban | Field::SellerVatId | Field::BuyerVatId => v.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase(),
            Field::SellerName | Field::BuyerName => {
                let words: Vec<&str> = v.split_whitespace().collect();
                // "Herrn Max Mustermann": the salutation addresses the person, it is no part of the name.
                let salutation = ["herr", "herrn", "frau", "firma", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "m.", "mme"];
                let skip = usize::from(words.len() > 1 && salutation.contains(&words[0].to_lowercase().as_str()));
                words.iter().skip(skip).copied().collect::<Vec<_>>().join(" ").to_lowercase()
            }
            _ => v.to_string(),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no field of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown field '{0}'; one of: {known}", known = Field::ALL.map(Field::as_str).join(", "))]
pub struct UnknownField(pub String);

impl FromStr for Field {
    type Err = UnknownField;
    fn from_str(s: &str) -> Result<Field, UnknownField> {
        Field::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| UnknownField(s.to_string()))
    }
}

impl PartialOrd for Field {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Field {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An identifier as a key: letters and digits only, upper case — `DE 123 456 789` and
/// `de123456789` are one VAT ID, `be-2025/0042` and `BE 2025 0042` one order number.
pub fn compact(v: &str) -> String {
    v.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// A document's id: the SHA-256 of its original bytes, 64 lower-case hex digits. Parsed
/// where an id enters (an index read back, a broker message, a path, a file name), and a
/// type from there on, so that nothing downstream slices or trusts a raw string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(String);

/// Not a document id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{shown}' is not a document id (64 lower-case hex digits, the SHA-256 of the original)")]
pub struct BadDocumentId {
    /// What was given, cut to 80 characters (on a character boundary) for the message.
    pub shown: String,
}

impl DocumentId {
    /// The id of `bytes`.
    pub fn of(bytes: &[u8]) -> DocumentId {
        use sha2::{Digest, Sha256};
        DocumentId(hex::encode(Sha256::digest(bytes)))
    }

    pub fn parse(s: &str) -> Result<DocumentId, BadDocumentId> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(DocumentId(s.to_string()))
        } else {
            Err(BadDocumentId { shown: s.chars().take(80).collect() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first `n` hex digits, for log lines and short listings.
    #[allow(clippy::string_slice)] // a document id is 64 hex digits
    pub fn short(&self, n: usize) -> &str {
        // ASCII by construction: any byte index is a character boundary.
        &self.0[..n.min(self.0.len())]
    }
}

impl std::ops::Deref for DocumentId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for DocumentId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for DocumentId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DocumentId {
    type Err = BadDocumentId;
    fn from_str(s: &str) -> Result<DocumentId, BadDocumentId> {
        DocumentId::parse(s)
    }
}

impl PartialEq<str> for DocumentId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for DocumentId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for DocumentId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl From<DocumentId> for String {
    fn from(id: DocumentId) -> String {
        id.0
    }
}

impl Serialize for DocumentId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DocumentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DocumentId, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        DocumentId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The stable id of a check in an index's `checks`. mailroom's own checks are named here;
/// an e-invoice's EN 16931 business rules (`BR-CO-15`) and its other checks keep the names
/// their module gives them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckName {
    /// net + VAT = gross.
    TotalsConsistent,
    /// The VAT breakdown adds up to the VAT total.
    VatBreakdownSum,
    /// The IBAN's mod-97 checksum.
    IbanChecksum,
    /// The seller's VAT ID's check digit.
    SellerVatIdChecksum,
    /// The due date is not before the issue date.
    DueNotBeforeIssue,
    /// A BIC or tax number read as printed in a shape such identifiers do not have.
    IdentifierShape,
    /// A total not printed, computed from the two others.
    TotalDerived,
    /// An e-mail whose attachment is the invoice: the e-mail is its cover letter.
    EmailCoverLetter,
    /// An e-mail attachment mailroom cannot read as a document.
    EmailAttachments,
    /// The same invoice as an archived one (supplier, number, gross).
    PossibleDuplicate,
    /// An invoice against the order it names (imported from the ERP): supplier, currency,
    /// amounts and quantities within the tolerance.
    OrderMatch,
    /// A part of a batch scan whose first page the first-page detector chose without
    /// confidence: the split may be wrong.
    BatchSplit,
    /// Any other name: EN 16931 rules and e-invoice checks.
    Other(String),
}

impl CheckName {
    const OWN: [CheckName; 12] = [
        CheckName::TotalsConsistent,
        CheckName::VatBreakdownSum,
        CheckName::IbanChecksum,
        CheckName::SellerVatIdChecksum,
        CheckName::DueNotBeforeIssue,
        CheckName::IdentifierShape,
        CheckName::TotalDerived,
        CheckName::EmailCoverLetter,
        CheckName::EmailAttachments,
        CheckName::PossibleDuplicate,
        CheckName::OrderMatch,
        CheckName::BatchSplit,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            CheckName::TotalsConsistent => "totals_consistent",
            CheckName::VatBreakdownSum => "vat_breakdown_sum",
            CheckName::IbanChecksum => "iban_checksum",
            CheckName::SellerVatIdChecksum => "seller_vat_id_checksum",
            CheckName::DueNotBeforeIssue => "due_not_before_issue",
            CheckName::IdentifierShape => "identifier_shape",
            CheckName::TotalDerived => "total_derived",
            CheckName::EmailCoverLetter => "email_cover_letter",
            CheckName::EmailAttachments => "email_attachments",
            CheckName::PossibleDuplicate => "possible_duplicate",
            CheckName::OrderMatch => "order_match",
            CheckName::BatchSplit => "batch_split",
            CheckName::Other(s) => s,
        }
    }

    /// The name read back: one of mailroom's own, or kept as given.
    pub fn parse(s: &str) -> CheckName {
        CheckName::OWN.into_iter().find(|c| c.as_str() == s).unwrap_or_else(|| CheckName::Other(s.to_string()))
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for CheckName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&str> for CheckName {
    fn from(s: &str) -> CheckName {
        CheckName::parse(s)
    }
}

impl Serialize for CheckName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CheckName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CheckName, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Ok(CheckName::parse(&s))
    }
}

/// What the bytes are, judged by their content (magic numbers), never by the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    Xml,
    /// An e-mail (RFC 5322 / MIME, an `.eml` file): recognised by its header block.
    Email,
    Unknown,
}

impl MediaType {
    /// Every media type, in the order the JSON Schema lists them.
    pub const ALL: [MediaType; 7] = [MediaType::Pdf, MediaType::Png, MediaType::Jpeg, MediaType::Tiff, MediaType::Xml, MediaType::Email, MediaType::Unknown];

    /// File name extension for an original of this type.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Png => "png",
            MediaType::Jpeg => "jpg",
            MediaType::Tiff => "tif",
            MediaType::Xml => "xml",
            MediaType::Email => "eml",
            MediaType::Unknown => "bin",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Tiff => "image/tiff",
            MediaType::Xml => "application/xml",
            MediaType::Email => "message/rfc822",
            MediaType::Unknown => "application/octet-stream",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, MediaType::Png | MediaType::Jpeg | MediaType::Tiff)
    }

    /// The type a MIME string names (as [`MediaType::mime`] writes it).
    pub fn from_mime(s: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|m| m.mime() == s)
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mime())
    }
}

/// In the index as its MIME string (`application/pdf`).
impl Serialize for MediaType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.mime())
    }
}

impl<'de> Deserialize<'de> for MediaType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MediaType, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        MediaType::from_mime(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown media type '{s}'")))
    }
}

/// A kind of separator sheet between the letters of a batch scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Separator {
    /// A blank sheet (little ink). Not for duplex scanners, whose blank backs are no separators.
    Blank,
    /// A patch sheet: a QR code with the configured text (`mailroom separator-sheet` prints one).
    Patch,
}

/// How a source's batch scans (one scan, many letters) are split into documents. Travels
/// with the document (`source.split`), so a worker splits as the source asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitPolicy {
    /// Which separator sheets count; they are kept in the batch, not in any part.
    #[serde(default)]
    pub separators: Vec<Separator>,
    /// The text of a patch sheet's QR code.
    #[serde(default = "SplitPolicy::default_patch_text")]
    pub patch_text: String,
    /// Also split where the trained first-page detector sees a new letter begin.
    #[serde(default)]
    pub first_page: bool,
}

/// A split setting that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown split setting {0:?}: use blank, patch and first-page, separated by commas")]
pub struct BadSplit(pub String);

impl SplitPolicy {
    pub const DEFAULT_PATCH_TEXT: &'static str = "MAILROOM-SEPARATOR";

    fn default_patch_text() -> String {
        Self::DEFAULT_PATCH_TEXT.to_string()
    }

    /// `blank,patch,first-page` as given on a command line or an upload's query.
    pub fn parse_list(s: &str) -> Result<SplitPolicy, BadSplit> {
        let mut p = SplitPolicy { separators: Vec::new(), patch_text: Self::default_patch_text(), first_page: false };
        for part in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "blank" => p.separators.push(Separator::Blank),
                "patch" | "qr" => p.separators.push(Separator::Patch),
                "first-page" | "first_page" | "firstpage" => p.first_page = true,
                _ => return Err(BadSplit(part.to_string())),
            }
        }
        p.separators.dedup();
        if p.separators.is_empty() && !p.first_page {
            return Err(BadSplit(s.to_string()));
        }
        Ok(p)
    }

    pub fn uses(&self, s: Separator) -> bool {
        self.separators.contains(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_and_order_by_name() {
        for f in Field::ALL {
            assert_eq!(f.as_str().parse::<Field>().unwrap(), f);
            assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{}\"", f.as_str()));
        }
        let mut sorted = Field::ALL.to_vec();
        sorted.sort();
        let names: Vec<&str> = sorted.iter().map(|f| f.as_str()).collect();
        let mut by_name: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
        by_name.sort();
        assert_eq!(names, by_name, "a BTreeMap<Field, _> must serialise like the string-keyed map");
        assert!("gross".parse::<Field>().unwrap_err().to_string().contains("gross_total"));
    }

    #[test]
    fn document_ids_are_64_lower_case_hex() {
        let id = DocumentId::of(b"x");
        assert_eq!(DocumentId::parse(id.as_str()).unwrap(), id);
        for bad in ["abc", "", &id.to_uppercase(), &format!("{id}0"), &format!("{}g", &id.as_str()[..63]), "ä".repeat(32).as_str()] {
            assert!(DocumentId::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<DocumentId>("\"abc\"").is_err());
        assert_eq!(id.short(12).len(), 12);
    }

    #[test]
    fn check_names_keep_their_spelling() {
        for s in ["totals_consistent", "BR-CO-15", "hybrid_gross_total_visible"] {
            let c = CheckName::parse(s);
            assert_eq!(c.as_str(), s);
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(CheckName::parse("iban_checksum"), CheckName::IbanChecksum);
    }
}
