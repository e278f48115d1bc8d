//! `mailroom split`: batch scans on the command line — a person's correction of where the
//! letters of a batch begin, and the patch sheet to print and put between letters.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{fail, resolve_id};
use crate::config::{actor, Config};
use crate::processor::Outcome;
use crate::vocab::SplitPolicy;

#[derive(Subcommand, Debug)]
pub enum SplitCommand {
    /// Show how a batch scan was split: its parts' pages and why each begins where it does.
    Show {
        /// The batch (or one of its parts).
        id: String,
    },
    /// Correct a batch's split: `--pages 1-3,5,6-9` (each range a document; separator sheets
    /// in none). New parts are read and stored; the parts they replace are superseded.
    Correct(CorrectArgs),
    /// Write a patch sheet (PDF, A4): print it and put it between letters of a stack, then
    /// scan with `--split patch`.
    Sheet {
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The QR code's text (default: the one sources look for).
        #[arg(long, default_value = SplitPolicy::DEFAULT_PATCH_TEXT)]
        text: String,
    },
}

#[derive(Args, Debug)]
pub struct CorrectArgs {
    pub id: String,
    /// Pages of the batch, 1-based, each range one document: `1-3,5,6-9`.
    #[arg(long)]
    pub pages: String,
    /// The batch's revision you looked at (refused if someone changed it since).
    #[arg(long)]
    pub revision: Option<u32>,
    /// Why (recorded in the audit trail).
    #[arg(long)]
    pub reason: String,
}

pub fn split(config: &Config, cmd: SplitCommand) -> ExitCode {
    match cmd {
        SplitCommand::Sheet { out, text } => {
            match crate::split::sheet::pdf(&text).map_err(|e| e.to_string()).and_then(|pdf| std::fs::write(&out, pdf).map_err(|e| format!("cannot write {}: {e}", out.display()))) {
                Ok(()) => {
                    eprintln!("wrote {}: a patch sheet with the QR code {text:?}", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        SplitCommand::Show { id } => show(config, &id),
        SplitCommand::Correct(args) => correct(config, args),
    }
}

/// The batch a document id names: itself, or the batch it is a part of.
fn batch_of(archive: &crate::archive::Archive, given: &str) -> Result<crate::index::DocumentIndex, String> {
    let id = resolve_id(archive, given)?;
    let index = archive.lookup(&id).map_err(|e| e.to_string())?.ok_or_else(|| format!("{id} was never processed"))?;
    if index.batch.is_some() || index.source.split.is_some() {
        return Ok(index);
    }
    match (&index.source.parent, index.source.parent_pages) {
        (Some(parent), Some(_)) => archive.lookup(parent).map_err(|e| e.to_string())?.ok_or_else(|| format!("its batch {parent} is not in the archive")),
        _ => Err(format!("{id} is not a batch scan nor a part of one")),
    }
}

fn show(config: &Config, given: &str) -> ExitCode {
    let archive = match config.open_archive() {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let batch = match batch_of(&archive, given) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    println!("batch {}  {}  {} page(s), revision {}", batch.id, batch.source.name, batch.pages, batch.archive.revision);
    match &batch.batch {
        None => println!("  one document: it was not split"),
        Some(b) => {
            if !b.separators.is_empty() {
                println!("  separator sheets: pages {}", b.separators.iter().map(u32::to_string).collect::<Vec<_>>().join(", "));
            }
            for p in &b.parts {
                let state = archive.lookup(&p.id).ok().flatten().map(|i| crate::catalog::queue_of(&i).to_string()).unwrap_or_else(|| "missing".into());
                let conf = p.confidence.map(|c| format!(" {c:.2}")).unwrap_or_default();
                println!("  pages {:>3}-{:<3} {}  by {:?}{conf}  [{state}]", p.pages[0], p.pages[1], p.id.short(12), p.by);
            }
            if let Some(by) = &b.corrected_by {
                println!("  corrected by {by}");
            }
        }
    }
    ExitCode::SUCCESS
}

fn correct(config: &Config, args: CorrectArgs) -> ExitCode {
    if args.reason.trim().is_empty() {
        return fail("a reason is required (--reason)");
    }
    let who = actor("cli");
    let processor = match config.processor(&who) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let batch = match batch_of(processor.archive(), &args.id) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let separators = batch.batch.as_ref().map(|b| b.separators.clone()).unwrap_or_default();
    let ranges = match crate::split::parse_ranges(&args.pages, batch.pages, &separators) {
        Ok(r) => r,
        Err(e) => return fail(format!("--pages: {e}")),
    };
    match processor.resplit(&batch.id, args.revision, &ranges, Some(args.reason.trim())) {
        Ok(done) => {
            for p in &done.parts {
                let i = p.outcome.index();
                let what = match &p.outcome {
                    Outcome::AlreadyArchived(_) => "kept",
                    Outcome::Processed(_) => "new",
                    Outcome::Quarantined(_) => "quarantined",
                };
                eprintln!("{what:<11} pages {}  {}", i.source.parent_pages.map(|r| format!("{}-{}", r[0], r[1])).unwrap_or_default(), i.id.short(12));
            }
            eprintln!("batch {} is now revision {} ({} part(s))", batch.id.short(12), done.batch.archive.revision, done.parts.len());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
