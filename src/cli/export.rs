//! `mailroom export`: EN 16931 CII XML of archived invoices and credit notes, scanned ones
//! included, so the ERP imports one format. XRechnung 3.0 where every value the XRechnung
//! rules demand is known, plain EN 16931 otherwise; a document missing a required value is
//! not exported (never an invented value) and the reason is printed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;
use serde_json::json;

use super::fail;
use crate::audit::{Event, EventKind};
use crate::catalog::Query;
use crate::config::{actor, Config};
use crate::handoff::en16931_xml;
use crate::index::{DocType, DocumentIndex, Field, Status};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Documents by id (SHA-256; a unique prefix of 12 or more characters is enough).
    #[arg(long = "id")]
    pub ids: Vec<String>,
    /// First issue date to include (YYYY-MM-DD); documents without one count by their receipt date.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last issue date to include (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Document types to export (default: invoice and credit_note).
    #[arg(long = "type", value_parser = parse_type)]
    pub types: Vec<DocType>,
    /// Folder to write `<id>.xml` files into; without it, the XML of a single document goes to stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub(super) fn parse_type(s: &str) -> Result<DocType, String> {
    DocType::from_name(s).ok_or_else(|| format!("unknown type '{s}'; one of: {}", DocType::ALL.map(|t| t.as_str()).join(", ")))
}

/// The date a document counts by: its issue date, else the day it was received.
fn document_date(idx: &DocumentIndex) -> Option<NaiveDate> {
    idx.field(Field::IssueDate).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).or_else(|| chrono::DateTime::parse_from_rfc3339(&idx.source.received_at).ok().map(|d| d.date_naive()))
}

pub fn export(config: &Config, args: ExportArgs) -> ExitCode {
    let archive = match config.open_archive() {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let types = if args.types.is_empty() { vec![DocType::Invoice, DocType::CreditNote] } else { args.types.clone() };
    // Candidates: from the catalog when there is one (fast), else every document in the
    // archive; the index itself is always read from the archive.
    let candidates: Vec<String> = match config.open_catalog() {
        Ok(Some(catalog)) if args.ids.is_empty() => {
            let q = Query { doc_types: types.clone(), from: args.from, to: args.to, status: Some(Status::Processed), ..Default::default() };
            match catalog.find(&q) {
                Ok(entries) => entries.into_iter().map(|e| e.id).collect(),
                Err(e) => return fail(e),
            }
        }
        Ok(_) => match archive.document_ids() {
            Ok(ids) => ids.into_iter().map(String::from).collect(),
            Err(e) => return fail(e),
        },
        Err(e) => return fail(e),
    };
    let wanted = |id: &str| args.ids.is_empty() || args.ids.iter().any(|w| (w.len() >= 12 && id.starts_with(w.as_str())) || id == w);
    let mut selected = Vec::new();
    for id in candidates.iter().filter(|id| wanted(id)) {
        match archive.lookup(id) {
            // Only what is released to the ERP: a document held for review is not exported.
            Ok(Some(idx)) if idx.released() => {
                let t = idx.doc_type.as_ref().map(|d| d.label);
                let date = document_date(&idx);
                let in_range = args.from.map(|f| date.map(|d| d >= f).unwrap_or(false)).unwrap_or(true) && args.to.map(|t| date.map(|d| d <= t).unwrap_or(false)).unwrap_or(true);
                if t.map(|t| types.contains(&t)).unwrap_or(false) && in_range {
                    selected.push(idx);
                }
            }
            Ok(_) => {}
            Err(e) => return fail(e),
        }
    }
    selected.sort_by(|a, b| a.id.cmp(&b.id));
    for w in &args.ids {
        if !selected.iter().any(|i| i.id.starts_with(w.as_str())) {
            eprintln!("mailroom: {w}: no released document of the selected types with this id (one held for review is exported once approved)");
        }
    }
    if selected.is_empty() {
        return fail("nothing to export");
    }
    if args.out.is_none() && selected.len() > 1 {
        return fail(format!("{} documents selected: give --out DIR to write one file each (stdout takes one document)", selected.len()));
    }
    if let Some(dir) = &args.out {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return fail(format!("cannot create {}: {e}", dir.display()));
        }
    }
    let (mut written, mut refused) = (Vec::new(), 0usize);
    for idx in &selected {
        match en16931_xml(idx) {
            Ok(xml) => {
                let ok = match &args.out {
                    Some(dir) => {
                        let path = dir.join(format!("{}.xml", idx.id));
                        std::fs::write(&path, xml.as_bytes()).map(|_| eprintln!("exported    {}  {}", idx.id.short(12), path.display())).map_err(|e| format!("{}: {e}", path.display()))
                    }
                    None => std::io::stdout().write_all(xml.as_bytes()).map_err(|e| e.to_string()),
                };
                match ok {
                    Ok(()) => written.push(idx.id.clone()),
                    Err(e) => return fail(e),
                }
            }
            Err(e) => {
                refused += 1;
                eprintln!("not exported {}  {}: {e}", idx.id.short(12), idx.source.name);
            }
        }
    }
    if !written.is_empty() {
        let target = args.out.as_ref().map(|d| d.display().to_string()).unwrap_or_else(|| "stdout".into());
        let event = Event::new(EventKind::Exported, None).details(json!({"format": "en16931-cii", "documents": written, "target": target}));
        if let Err(e) = archive.audit().append(&actor("cli"), event) {
            return fail(format!("exported, but the audit trail could not record it: {e}"));
        }
    }
    eprintln!("{} exported, {refused} not exportable", written.len());
    if refused > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
