//! `mailroom resubmission`: put a document on a date for a person (Wiedervorlage), list what
//! comes up, mark it done.

use std::process::ExitCode;

use clap::Subcommand;

use super::{fail, resolve_id};
use crate::config::{actor, Config};

#[derive(Subcommand, Debug)]
pub enum ResubmissionCommand {
    /// Put a document on a date, with a note, for a user (default: everyone who may see it).
    Add {
        id: String,
        /// The day it comes up (YYYY-MM-DD).
        #[arg(long)]
        on: chrono::NaiveDate,
        /// Whose list (a user name).
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        note: String,
    },
    /// What comes up on or before a day (default: today), for a user or everyone.
    List {
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Mark resubmission N of a document done.
    Done { id: String, n: u32 },
}

pub fn resubmission(config: &Config, cmd: ResubmissionCommand) -> ExitCode {
    let records = match config.recorder(&actor("cli")) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    match cmd {
        ResubmissionCommand::Add { id, on, to, note } => {
            let id = match resolve_id(&records.archive, &id) {
                Ok(id) => id,
                Err(e) => return fail(e),
            };
            match crate::resubmit::add(&records, &id, on, to.as_deref(), &note) {
                Ok(r) => {
                    eprintln!("resubmission {} of {}: on {}{}", r.n, id.short(12), r.on, r.to.map(|t| format!(" for {t}")).unwrap_or_default());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        ResubmissionCommand::Done { id, n } => {
            let id = match resolve_id(&records.archive, &id) {
                Ok(id) => id,
                Err(e) => return fail(e),
            };
            match crate::resubmit::done(&records, &id, n) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        ResubmissionCommand::List { on, to, json } => {
            let Some(catalog) = records.catalog.as_ref() else { return fail("no catalog is configured: the lists need it") };
            let day = on.unwrap_or_else(|| chrono::Utc::now().date_naive());
            match crate::resubmit::due(catalog.as_ref(), day, to.as_deref()) {
                Ok(list) => {
                    for r in &list {
                        if json {
                            println!("{}", serde_json::to_string(r).expect("serialises"));
                        } else {
                            println!("{}  {} #{}  {}  {}", r.on, r.document.get(..16).unwrap_or(&r.document), r.n, r.to.as_deref().unwrap_or("everyone"), r.note);
                        }
                    }
                    eprintln!("{} resubmission(s) open on or before {day}", list.len());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}
