//! ERP handoff: for each processed document (and each later index revision), an outbox
//! entry under `handoff/` that an ERP connector picks up, in the formats its route asks for.
//!
//! ```text
//! handoff/<yyyy-mm-dd>/<id>-r0001.jsonl       the index, one JSON object on one line
//! handoff/<yyyy-mm-dd>/<id>-r0001.csv         one row, columns in the order of csv::COLUMNS
//! handoff/<yyyy-mm-dd>/<id>-r0001.datev.csv   DATEV booking batch (EXTF Buchungsstapel), invoices and credit notes
//! handoff/<yyyy-mm-dd>/<id>-r0001.xml         EN 16931 CII invoice, when every required value is known
//! ```
//! The date is the day the entry was written (UTC), so a connector polls one folder a day.
//! Entries are immutable objects like everything else; a correction writes `-r0002`. The
//! worker also publishes a `document.processed` event on AMQP that names these keys.
//!
//! After the entries, a manifest `documents/<id>/handoff/r0001.json` lists them: its presence
//! says the handoff of that revision is complete, so a document whose processing was cut off
//! between archiving and handoff gets its outbox entry when it comes again.

pub mod csv;
pub mod datev;

use std::collections::BTreeMap;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::archive::{Archive, ArchiveError};
use crate::audit::{Event, EventKind, ObjectRef};
use crate::einvoice::{self, EInvoice};
use crate::index::{DocType, DocumentIndex, Status};

/// The formats an entry can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Jsonl,
    Csv,
    Datev,
    En16931,
}

/// Which formats go to the ERP for which document type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HandoffConfig {
    pub enabled: bool,
    /// Field separator of the CSV row (`;` is what German spreadsheet and ERP imports expect).
    pub csv_delimiter: char,
    /// Formats per document type; a type not listed gets `default_route`.
    pub routes: BTreeMap<DocType, Vec<Format>>,
    pub default_route: Vec<Format>,
    pub datev: datev::DatevConfig,
}

impl Default for HandoffConfig {
    fn default() -> Self {
        let booking = vec![Format::Jsonl, Format::Csv, Format::Datev, Format::En16931];
        HandoffConfig {
            enabled: true,
            csv_delimiter: ';',
            routes: BTreeMap::from([(DocType::Invoice, booking.clone()), (DocType::CreditNote, booking)]),
            default_route: vec![Format::Jsonl, Format::Csv],
            datev: datev::DatevConfig::default(),
        }
    }
}

pub use crate::archive::OUTBOX_PREFIX as PREFIX;

#[derive(Clone)]
pub struct Handoff {
    pub config: HandoffConfig,
}

/// The e-invoice model behind an index, when it came from XML.
pub fn einvoice_of(index: &DocumentIndex) -> Option<EInvoice> {
    index.einvoice.as_ref().and_then(|e| e.get("invoice")).and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The EN 16931 CII of an index: the e-invoice's own model when there is one, else built
/// from the extracted fields (never invented: missing values make it fail).
pub fn en16931_xml(index: &DocumentIndex) -> Result<String, einvoice::ExportError> {
    einvoice::export::index_to_cii(index, einvoice_of(index).as_ref())
}

impl Handoff {
    pub fn new(config: HandoffConfig) -> Handoff {
        Handoff { config }
    }

    pub fn route(&self, t: Option<DocType>) -> &[Format] {
        t.and_then(|t| self.config.routes.get(&t)).map(Vec::as_slice).unwrap_or(&self.config.default_route)
    }

    /// The outbox files of one index revision: (key, bytes). Formats that do not apply (a
    /// DATEV batch for a letter, an EN 16931 XML with required values missing) are left out
    /// and the reason returned beside.
    pub fn entries(&self, index: &DocumentIndex) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        if !self.config.enabled || index.status != Status::Processed {
            return (out, skipped);
        }
        let day = Utc::now().format("%Y-%m-%d");
        let base = format!("{PREFIX}{day}/{}-r{:04}", index.id, index.archive.revision.max(1));
        let booking = matches!(index.doc_type.as_ref().map(|d| d.label), Some(DocType::Invoice | DocType::CreditNote));
        for format in self.route(index.doc_type.as_ref().map(|d| d.label)) {
            match format {
                Format::Jsonl => {
                    let mut line = serde_json::to_vec(index).expect("the index always serialises");
                    line.push(b'\n');
                    out.push((format!("{base}.jsonl"), line));
                }
                Format::Csv => out.push((format!("{base}.csv"), csv::document_csv(index, self.config.csv_delimiter))),
                Format::Datev if booking => match datev::booking_batch(index, &self.config.datev) {
                    Ok(bytes) => out.push((format!("{base}.datev.csv"), bytes)),
                    Err(why) => skipped.push(format!("datev: {why}")),
                },
                Format::En16931 if booking => match en16931_xml(index) {
                    Ok(xml) => out.push((format!("{base}.xml"), xml.into_bytes())),
                    Err(e) => skipped.push(format!("en16931: {e}")),
                },
                Format::Datev | Format::En16931 => {}
            }
        }
        (out, skipped)
    }

    /// Whether the outbox entry of the index's revision was completely written.
    pub fn is_done(&self, index: &DocumentIndex, archive: &Archive) -> Result<bool, ArchiveError> {
        Ok(archive.store().head(&manifest_key(index))?.is_some())
    }

    /// Writes the outbox entry of `index` and logs it. Returns the objects written.
    pub fn hand_off(&self, index: &DocumentIndex, archive: &Archive, actor: &str) -> Result<Vec<ObjectRef>, ArchiveError> {
        let (mut entries, skipped) = self.entries(index);
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let manifest = json!({"revision": index.archive.revision, "entries": entries.iter().map(|(k, _)| k).collect::<Vec<_>>(), "skipped": skipped});
        entries.push((manifest_key(index), serde_json::to_vec_pretty(&manifest).expect("JSON values serialise")));
        let received = chrono::DateTime::parse_from_rfc3339(&index.source.received_at).map(|d| d.with_timezone(&Utc)).unwrap_or_else(|_| Utc::now());
        // The outbox is kept as long as the document it describes.
        let until = archive.retention_policy().retention(index.doc_type.as_ref().map(|d| d.label), received).until;
        let objects: Vec<ObjectRef> = entries.iter().map(|(k, b)| ObjectRef::of(k, b)).collect();
        archive.audit().append(actor, Event::new(EventKind::HandedOff, Some(&index.id)).objects(objects.clone()).details(json!({"revision": index.archive.revision, "skipped": skipped})))?;
        // The manifest is last: its presence means everything before it is there.
        for (key, bytes) in &entries {
            archive.store().put_new(key, bytes, Some(until))?;
        }
        Ok(objects)
    }
}

fn manifest_key(index: &DocumentIndex) -> String {
    format!("documents/{}/handoff/r{:04}.json", index.id, index.archive.revision.max(1))
}
