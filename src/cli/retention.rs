//! `mailroom retention report|purge`: what has passed its retain-until date, and deleting it —
//! never automatically, never before the date, never under a legal hold, and only with an
//! approval that goes into the audit trail.

use crate::index::DocumentId;
use std::process::ExitCode;

use clap::Subcommand;

use super::{fail, resolve_id};
use crate::archive::RetentionStatus;
use crate::config::{actor, Config};

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// List documents whose retention has ended (with --all: every document and its date).
    Report {
        #[arg(long)]
        all: bool,
        /// JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Delete documents whose retention has ended. Without --approve it only shows what would go.
    Purge {
        /// Who approved and under which reference ("J. Schmidt, Löschfreigabe 2034-01").
        #[arg(long)]
        approve: Option<String>,
        /// Only these documents (default: every expired one).
        #[arg(long = "id")]
        ids: Vec<String>,
    },
}

fn line(s: &RetentionStatus) -> String {
    format!(
        "{}  {:<18} {:<25} {}{}  {}",
        s.id.short(16),
        s.doc_type.map(|t| t.as_str()).unwrap_or("unclassified"),
        s.retain_until.map(|u| u.to_rfc3339()).unwrap_or_else(|| "not locked".into()),
        s.rule.as_deref().unwrap_or("-"),
        if s.legal_hold { "  [LEGAL HOLD]" } else { "" },
        s.name.as_deref().unwrap_or(""),
    )
}

pub fn retention(config: &Config, cmd: RetentionCommand) -> ExitCode {
    let archive = match config.open_archive() {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let all_ids = match archive.document_ids() {
        Ok(ids) => ids,
        Err(e) => return fail(e),
    };
    let statuses = |ids: &[DocumentId]| -> Result<Vec<RetentionStatus>, String> { ids.iter().map(|id| archive.retention_status(id).map_err(|e| e.to_string())).collect() };
    match cmd {
        RetentionCommand::Report { all, json } => {
            let mut list = match statuses(&all_ids) {
                Ok(l) => l,
                Err(e) => return fail(e),
            };
            let total = list.len();
            if !all {
                list.retain(|s| s.expired());
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&list).expect("statuses serialise"));
            } else {
                for s in &list {
                    println!("{}", line(s));
                }
                eprintln!("{} of {total} document(s) {}", list.len(), if all { "listed" } else { "past their retention and not held (purge needs --approve)" });
            }
            ExitCode::SUCCESS
        }
        RetentionCommand::Purge { approve, ids } => {
            let ids = if ids.is_empty() {
                all_ids
            } else {
                match ids.iter().map(|i| resolve_id(&archive, i)).collect::<Result<Vec<_>, _>>() {
                    Ok(v) => v,
                    Err(e) => return fail(e),
                }
            };
            let list = match statuses(&ids) {
                Ok(l) => l,
                Err(e) => return fail(e),
            };
            let (due, kept): (Vec<_>, Vec<_>) = list.into_iter().partition(|s| s.expired());
            for s in &kept {
                eprintln!("kept    {}", line(s));
            }
            let Some(approval) = approve.filter(|a| !a.trim().is_empty()) else {
                for s in &due {
                    println!("would purge {}", line(s));
                }
                eprintln!("{} document(s) could be purged; nothing deleted: give --approve \"<who, reference>\" to delete them", due.len());
                return ExitCode::SUCCESS;
            };
            let catalog = config.open_catalog().ok().flatten();
            let mut failed = 0;
            for s in &due {
                match archive.purge(&s.id, &actor("cli"), &approval) {
                    Ok(n) => {
                        println!("purged  {} ({n} objects)", line(s));
                        if let Some(Err(e)) = catalog.as_ref().map(|c| c.remove(&s.id)) {
                            eprintln!("mailroom: {}: purged, but still in the catalog ({e}); run mailroom catalog rebuild", s.id);
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        eprintln!("mailroom: {}: not purged: {e}", s.id);
                    }
                }
            }
            eprintln!("{} purged, {} kept, {failed} failed", due.len() - failed, kept.len());
            if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}
