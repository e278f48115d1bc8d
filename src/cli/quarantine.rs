//! `mailroom quarantine list|retry`: documents that could not be processed, with their
//! reasons, and sending them through again once the cause is fixed (a missing language
//! pack installed, a limit raised, a bug fixed).

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::{fail, resolve_id};
use crate::config::{actor, Config};
use crate::document::Document;
use crate::index::DocumentId;
use crate::processor::Outcome;

#[derive(Subcommand, Debug)]
pub enum QuarantineCommand {
    /// Documents in quarantine that have not been processed since, with the reason.
    List {
        /// Also those that were processed after a retry.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Process quarantined documents again (by id, or every one still in quarantine).
    Retry {
        ids: Vec<String>,
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
}

pub fn quarantine(config: &Config, cmd: QuarantineCommand) -> ExitCode {
    let archive = match config.open_archive() {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let ids = match archive.quarantine_ids() {
        Ok(ids) => ids,
        Err(e) => return fail(e),
    };
    // (id, record, processed since)
    let mut entries = Vec::new();
    for id in ids {
        match (archive.quarantined(&id), archive.lookup(&id)) {
            (Ok(Some(record)), Ok(current)) => entries.push((id, record, current.is_some())),
            (Err(e), _) | (_, Err(e)) => return fail(e),
            _ => {}
        }
    }
    match cmd {
        QuarantineCommand::List { all, json } => {
            entries.retain(|(_, _, done)| all || !done);
            if json {
                let list: Vec<_> = entries.iter().map(|(_, r, done)| json!({"record": r, "processed_since": done})).collect();
                println!("{}", serde_json::to_string_pretty(&list).expect("records serialise"));
            } else {
                for (id, r, done) in &entries {
                    let e = r.error.as_ref();
                    println!(
                        "{}  {:<18} {}  {}{}",
                        id.short(16),
                        e.map(|e| e.kind.as_str()).unwrap_or("-"),
                        r.source.name,
                        e.map(|e| e.message.as_str()).unwrap_or(""),
                        if *done { "  [processed since]" } else { "" }
                    );
                }
                eprintln!("{} document(s) in quarantine", entries.len());
            }
            ExitCode::SUCCESS
        }
        QuarantineCommand::Retry { ids, all } => {
            if ids.is_empty() && !all {
                return fail("name the documents to retry, or --all");
            }
            let wanted: Vec<DocumentId> = match ids.iter().map(|i| resolve_id(&archive, i)).collect::<Result<_, _>>() {
                Ok(v) => v,
                Err(e) => return fail(e),
            };
            let processor = match config.processor(&actor("cli")) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let mut still = 0;
            for (id, record, done) in entries.into_iter().filter(|(id, _, done)| if all { !done } else { wanted.contains(id) }) {
                if done {
                    eprintln!("{}: already processed", id.short(16));
                    continue;
                }
                let bytes = match archive.original(&id) {
                    Ok(Some((_, b))) => b,
                    Ok(None) => {
                        eprintln!("mailroom: {id}: the original is missing from the archive (run mailroom verify)");
                        still += 1;
                        continue;
                    }
                    Err(e) => return fail(e),
                };
                let doc = Document::restored(bytes, record.source.clone());
                let previous = record.error.as_ref().map(|e| e.kind.as_str()).unwrap_or("-");
                if let Err(e) = processor.records.retrying(&id, previous) {
                    return fail(e);
                }
                match processor.run(&doc) {
                    Ok(p) => match p.outcome {
                        Outcome::Quarantined(i) => {
                            still += 1;
                            eprintln!("quarantined {}  {}", id.short(16), i.error.map(|e| format!("{}: {}", e.kind.as_str(), e.message)).unwrap_or_default());
                        }
                        other => eprintln!("{:<11} {}  {}", other.label(), id.short(16), other.index().doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("")),
                    },
                    Err(e) => return fail(e),
                }
            }
            if still > 0 {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}
