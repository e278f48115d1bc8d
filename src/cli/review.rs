//! `mailroom review list|approve|reject|postpone`: the review queue on the command line. A
//! document held for review reaches the ERP only when a person approves it; every decision is a
//! new index revision with an audit entry naming the person (see `review` and
//! `processor::Recorder::decide`).

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::{fail, resolve_id};
use crate::config::{actor, Config};
use crate::index::{DocumentIndex, ReviewState};
use crate::review::Decision;

#[derive(Subcommand, Debug)]
pub enum ReviewCommand {
    /// Documents waiting for a person (pending, then postponed), oldest first.
    List {
        /// Also the postponed ones.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Checked: release the document to the ERP (its outbox entry is written now).
    Approve(DecideArgs),
    /// Never to the ERP (a duplicate, not ours); needs --reason.
    Reject(DecideArgs),
    /// Put aside, still held; needs --reason.
    Postpone(DecideArgs),
}

#[derive(clap::Args, Debug)]
pub struct DecideArgs {
    /// The document id, or a unique prefix of 8 or more hex digits.
    pub id: String,
    /// Why (recorded in the index and the audit trail).
    #[arg(long)]
    pub reason: Option<String>,
    /// The revision you looked at: refused when the document changed since.
    #[arg(long)]
    pub revision: Option<u32>,
}

fn held(index: &DocumentIndex, postponed_too: bool) -> bool {
    !index.released()
        && match index.review.as_ref().map(|r| r.state) {
            Some(ReviewState::Pending) | None => true,
            Some(ReviewState::Postponed) => postponed_too,
            Some(_) => false,
        }
}

pub fn review(config: &Config, cmd: ReviewCommand) -> ExitCode {
    let (args, decision) = match cmd {
        ReviewCommand::List { all, json } => return list(config, all, json),
        ReviewCommand::Approve(a) => (a, Decision::Approve),
        ReviewCommand::Reject(a) => (a, Decision::Reject),
        ReviewCommand::Postpone(a) => (a, Decision::Postpone),
    };
    let records = match config.recorder(&actor("cli")) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let id = match resolve_id(&records.archive, &args.id) {
        Ok(id) => id,
        Err(e) => return fail(e),
    };
    match records.decide(&id, args.revision, decision, args.reason.as_deref(), &[]) {
        Ok((index, revised)) => {
            let state = index.review.as_ref().map(|r| r.state.as_str()).unwrap_or("-");
            eprintln!(
                "{state} {}  revision {}{}",
                id.short(16),
                index.archive.revision,
                if revised.handed_off.is_empty() { String::new() } else { format!(", {} outbox object(s) written", revised.handed_off.len()) }
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn list(config: &Config, all: bool, json: bool) -> ExitCode {
    let archive = match config.open_archive() {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let indexes = match archive.processed() {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
    let mut waiting = Vec::new();
    for index in indexes {
        match index {
            Ok(i) if held(&i, all) => waiting.push(i),
            Ok(_) => {}
            Err(e) => return fail(e),
        }
    }
    // Oldest first: pending before postponed, then by time of receipt.
    waiting.sort_by(|a, b| {
        let postponed = |i: &DocumentIndex| i.review.as_ref().is_some_and(|r| r.state == ReviewState::Postponed);
        (postponed(a), &a.source.received_at).cmp(&(postponed(b), &b.source.received_at))
    });
    if json {
        let list: Vec<_> = waiting
            .iter()
            .map(|i| {
                let failing: Vec<&str> = i.checks.iter().filter(|c| !c.passed).map(|c| c.name.as_str()).collect();
                json!({"id": i.id, "revision": i.archive.revision, "name": i.source.name, "received_at": i.source.received_at, "doc_type": i.doc_type, "review": i.review, "failing_checks": failing})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list).expect("JSON values serialise"));
    } else {
        for i in &waiting {
            let state = i.review.as_ref().map(|r| r.state.as_str()).unwrap_or("pending");
            let failing: Vec<&str> = i.checks.iter().filter(|c| !c.passed).map(|c| c.name.as_str()).collect();
            println!(
                "{}  r{}  {:<9} {:<12} {}  {}{}",
                i.id.short(16),
                i.archive.revision,
                state,
                i.doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("-"),
                i.source.received_at,
                i.source.name,
                if failing.is_empty() { String::new() } else { format!("  [failing: {}]", failing.join(", ")) }
            );
        }
        eprintln!("{} document(s) waiting for review", waiting.len());
    }
    ExitCode::SUCCESS
}
