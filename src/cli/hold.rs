//! `mailroom hold set|release <id> --reason …`: a legal hold keeps every object of a document
//! (original, artefacts, index revisions, quarantine records) whatever its retention.

use std::process::ExitCode;

use clap::Subcommand;

use super::{fail, resolve_id};
use crate::config::{actor, Config};

#[derive(Subcommand, Debug)]
pub enum HoldCommand {
    /// Set a legal hold.
    Set {
        id: String,
        /// Why (case number, tax audit …); recorded in the audit trail.
        #[arg(long)]
        reason: String,
    },
    /// Release a legal hold.
    Release {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

pub fn hold(config: &Config, cmd: HoldCommand) -> ExitCode {
    let archive = match config.open_archive() {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let (id, on, reason) = match cmd {
        HoldCommand::Set { id, reason } => (id, true, reason),
        HoldCommand::Release { id, reason } => (id, false, reason),
    };
    if reason.trim().is_empty() {
        return fail("a reason is required (--reason)");
    }
    let id = match resolve_id(&archive, &id) {
        Ok(id) => id,
        Err(e) => return fail(e),
    };
    match archive.legal_hold(&id, on, &actor("cli"), &reason) {
        Ok(n) => {
            eprintln!("legal hold {} on {n} object(s) of {id}", if on { "set" } else { "released" });
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
