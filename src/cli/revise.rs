//! `mailroom revise <id> --set field=value … [--type TYPE] --reason …`: a person corrects an
//! archived document. The old index stays; a new revision is written beside it, the change
//! (who, what from, what to, why) goes into the audit trail, the ERP gets the corrected
//! entry, and the corrections are what `train` learns from later.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::{fail, resolve_id};
use crate::config::{actor, Config};
use crate::index::{DocType, DocTypeResult, Field, FieldValue};

#[derive(Args, Debug)]
pub struct ReviseArgs {
    pub id: String,
    /// `field=value` (normalised: dates YYYY-MM-DD, amounts 1234.56); `field=` removes the value.
    #[arg(long = "set")]
    pub set: Vec<String>,
    /// The corrected document type.
    #[arg(long = "type")]
    pub doc_type: Option<String>,
    /// Why (recorded in the audit trail).
    #[arg(long)]
    pub reason: String,
}

pub fn revise(config: &Config, args: ReviseArgs) -> ExitCode {
    let archive = match config.open_archive() {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let id = match resolve_id(&archive, &args.id) {
        Ok(id) => id,
        Err(e) => return fail(e),
    };
    let mut index = match archive.lookup(&id) {
        Ok(Some(i)) => i,
        Ok(None) => return fail(format!("{id} was never processed (see mailroom quarantine list)")),
        Err(e) => return fail(e),
    };
    let who = actor("cli");
    let mut changes = Vec::new();
    for s in &args.set {
        let Some((field, value)) = s.split_once('=') else { return fail(format!("--set {s}: expected field=value")) };
        let field: Field = match field.parse() {
            Ok(f) => f,
            Err(e) => return fail(e),
        };
        let from = index.field(field).map(str::to_string);
        if value.is_empty() {
            index.fields.remove(&field);
        } else {
            // A person's value: certain, and not tied to a place on the page.
            index.fields.insert(field, FieldValue::by_person(value.to_string(), &who));
        }
        changes.push(json!({"field": field, "from": from, "to": (!value.is_empty()).then_some(value)}));
    }
    if let Some(t) = &args.doc_type {
        let Some(t) = DocType::from_name(t) else { return fail(format!("unknown type '{t}'")) };
        let from = index.doc_type.as_ref().map(|d| d.label);
        index.doc_type = Some(DocTypeResult { label: t, confidence: 1.0 });
        changes.push(json!({"field": "doc_type", "from": from, "to": t}));
    }
    if changes.is_empty() {
        return fail("nothing to change: give --set field=value or --type");
    }
    if args.reason.trim().is_empty() {
        return fail("a reason is required (--reason)");
    }
    // A document a person has looked at and corrected is reviewed; its checks are those of
    // the corrected values.
    index.needs_review = false;
    crate::review::recheck(&mut index);
    // Approvals given so far were for other values: an approval step starts again.
    if let Some(r) = index.review.as_mut() {
        r.approvals.clear();
    }
    let records = match config.recorder(&who) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let revised = match records.revise(&mut index, json!({"changes": changes, "reason": args.reason, "reviewed": true})) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    eprintln!("revision {} written: {}", index.archive.revision, revised.index.key);
    ExitCode::SUCCESS
}
