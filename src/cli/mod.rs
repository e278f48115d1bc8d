//! The command line. Parsing with clap; each subcommand is a small module over the library.
//!
//! Every command reads the same pipeline configuration (`--config`, or the embedded defaults)
//! so that `process`, `worker`, `export`, `verify` and the rest always see one archive.

mod check;
mod dead_letters;
mod due;
mod eval;
mod explain;
mod export;
mod fetch_mail;
mod hold;
mod list;
mod orders;
mod process;
mod quarantine;
mod queue;
mod reprocess;
mod resubmission;
mod retention;
mod review;
mod revise;
mod search;
mod serve;
mod split;
mod stats;
mod submit;
mod train;
mod user;
mod verify;
mod watch;
mod worker;

use crate::index::DocumentId;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{ArchiveConfig, Config};

#[derive(Parser, Debug)]
#[command(name = "mailroom", version, about = "Reads, classifies, extracts and archives incoming business mail")]
pub struct Cli {
    /// Pipeline configuration (TOML, see pipelines/). Without it: embedded mode, a local archive.
    #[arg(long, global = true, env = "MAILROOM_CONFIG")]
    pub config: Option<PathBuf>,
    /// Use this local archive folder instead of the configured archive.
    #[arg(long, global = true, env = "MAILROOM_ARCHIVE")]
    pub archive: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Process documents (PDF, PNG, JPEG, TIFF, e-invoice XML, e-mail) into the archive and print a summary.
    Process(ProcessArgs),
    /// Check that this installation is ready: OCR languages, pdfium, archive, catalog, broker.
    Check {
        /// Also check the broker (always done for an S3 archive).
        #[arg(long)]
        broker: bool,
    },
    /// Find documents by type, date, review state or text (through the SQL catalog).
    List(list::ListArgs),
    /// Full-text search over every document's text and values, best first, with the passage.
    Search(search::SearchArgs),
    /// What falls due within the lead time or is overdue, not settled; --announce publishes document.due once each.
    Due(due::DueArgs),
    /// Mark a document paid or settled: it leaves the due list (a new revision, audited).
    Settle(due::SettleArgs),
    /// Resubmissions (Wiedervorlage): put a document on a date for a person, list what comes up, mark it done.
    #[command(subcommand)]
    Resubmission(resubmission::ResubmissionCommand),
    /// The SQL catalog: rebuild it from the archive.
    #[command(subcommand)]
    Catalog(list::CatalogCommand),
    /// Evaluate extraction and classification on documents with `<name>.gt.json` ground truth.
    Eval(EvalArgs),
    /// Show why the trained extractor read a document's fields as it did: each field's best candidates.
    Explain(explain::ExplainArgs),
    /// Write EN 16931 CII XML (XRechnung 3.0 where complete) of archived invoices for the ERP.
    Export(export::ExportArgs),
    /// Recompute every object's hash and the audit chain; report tampering, missing objects and gaps.
    Verify(verify::VerifyArgs),
    /// Retention: what has passed its retain-until date, and purging it with an approval.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// Legal hold: keep a document whatever its retention (litigation, tax audit).
    #[command(subcommand)]
    Hold(hold::HoldCommand),
    /// Quarantined documents: list them with their reasons, retry them after a fix.
    #[command(subcommand)]
    Quarantine(quarantine::QuarantineCommand),
    /// Correct fields or the document type of an archived document (writes a new index revision).
    Revise(revise::ReviseArgs),
    /// The review queue on the command line: what waits for a person; approve (release to the ERP), reject, postpone.
    #[command(subcommand)]
    Review(review::ReviewCommand),
    /// How much a person still has to do: the automation rate, and per field how often reviewers changed what was read.
    Stats(stats::StatsArgs),
    /// Read archived documents again with today's models (from their stored words; --ocr from the original), keeping what a person set.
    Reprocess(reprocess::ReprocessArgs),
    /// Store documents in the archive and queue them for the workers (production).
    Submit(submit::SubmitArgs),
    /// Process queued documents until SIGTERM (production; run as many as you like).
    Worker(worker::WorkerArgs),
    /// Jobs that failed for good: list them with their reasons, put them back after a fix.
    #[command(subcommand, name = "dead-letters")]
    DeadLetters(dead_letters::DeadLetterCommand),
    /// Orders from the ERP: import its exports (JSON, CSV), show one; invoices naming them get the check order_match.
    #[command(subcommand)]
    Orders(orders::OrdersCommand),
    /// The job queue on the broker: `migrate` brings one left by an older mailroom to a quorum queue with a delivery limit.
    #[command(subcommand)]
    Queue(queue::QueueCommand),
    /// Fetch the configured IMAP mailboxes ([[intake.imap]]): each new message stored once, then moved, flagged or deleted.
    #[command(name = "fetch-mail")]
    FetchMail(fetch_mail::FetchMailArgs),
    /// Watch a scanner's hot folder: take in each finished file, move it away once stored.
    Watch(watch::WatchArgs),
    /// Accept uploads over HTTP (POST /documents, bearer tokens; loopback by default) and serve the review UI at /ui.
    Serve(serve::ServeArgs),
    /// Batch scans: how one was split, a person's correction of it, the patch sheet to print.
    #[command(subcommand)]
    Split(split::SplitCommand),
    /// Users of the review UI: add, list, disable, enable, set a password; the security log.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Train the classifier, first-page detector and field extractor on the generated corpus
    /// (and reviewed corrections); writes models/*.json and models/MODEL_CARD.md.
    Train(train::TrainArgs),
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Folder with documents and their `.gt.json` files.
    pub dir: PathBuf,
    /// Print the report as JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// List every mismatch on stderr (the rules' own as "✗ rules …").
    #[arg(long)]
    pub verbose: bool,
    /// Keep read pages (OCR) in this folder and reuse them: a second run does no OCR.
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Only the configured pipeline, without the rules-only comparison.
    #[arg(long)]
    pub no_baseline: bool,
    /// Count only values the document visibly prints: skip the fields a `.gt.json` lists
    /// under `_not_printed` (scripts/make-scans.py finds them in the born-digital PDF's
    /// text) or `_not_legible` (the corpus generator measures what a scan's degradation erased).
    #[arg(long, alias = "printed-only")]
    pub visible_only: bool,
    /// Of a receipt set with key files (`receipts-sroie`), only this split: `holdout` (the
    /// fixed quarter never looked at or tuned on — what is reported) or `dev`.
    #[arg(long)]
    pub split: Option<crate::training::receipts::Split>,
}

#[derive(Args, Debug)]
pub struct ProcessArgs {
    /// Files or folders (folders are walked recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print one index JSON object per document per line on stdout, and nothing else there.
    #[arg(long)]
    pub json: bool,
    /// Pages and documents read in parallel (default: one per CPU core).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Tesseract languages (default: the configuration's, deu+eng).
    #[arg(long)]
    pub lang: Option<String>,
    /// Tesseract page segmentation mode (default: the configuration's, 3).
    #[arg(long)]
    pub psm: Option<u32>,
    /// Each file is a batch scan of several letters: split it at `blank` sheets, `patch`
    /// sheets (QR code) and/or where the `first-page` detector sees a letter begin.
    #[arg(long, value_parser = crate::vocab::SplitPolicy::parse_list)]
    pub split: Option<crate::vocab::SplitPolicy>,
    /// The text of a patch sheet's QR code (with --split patch).
    #[arg(long, default_value = crate::vocab::SplitPolicy::DEFAULT_PATCH_TEXT)]
    pub patch_text: String,
}

/// The configuration every command works with.
fn load_config(cli: &Cli) -> Result<Config, String> {
    let mut config = Config::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
    if let Some(path) = &cli.archive {
        config.archive = ArchiveConfig::Local { path: path.clone() };
    }
    Ok(config)
}

/// A full document id from an id or a unique prefix of at least 8 characters.
fn resolve_id(archive: &crate::archive::Archive, given: &str) -> Result<DocumentId, String> {
    let given = given.trim().to_lowercase();
    if given.len() < 8 || !given.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("'{given}' is not a document id (64 hex digits, or a unique prefix of 8 or more)"));
    }
    let ids = archive.document_ids().map_err(|e| e.to_string())?;
    let matching: Vec<&DocumentId> = ids.iter().filter(|id| id.starts_with(&given)).collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!("no document {given} in the archive")),
        many => Err(format!("{given} is ambiguous: {} documents start with it", many.len())),
    }
}

/// Writes a report to standard output. A reader that stopped reading (`| head`) is no
/// error worth a panic: the rest of the report is simply not written.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => eprintln!("mailroom: cannot write the report: {e}"),
        Ok(()) => {}
    }
}

/// Prints `mailroom: <message>` and returns exit code 1.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("mailroom: {message}");
    ExitCode::from(1)
}

pub fn run(cli: Cli) -> ExitCode {
    let config = match load_config(&cli) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    match cli.command {
        Command::Process(args) => process::process(&config, args),
        Command::List(args) => list::list(&config, args),
        Command::Search(args) => search::search(&config, args),
        Command::Due(args) => due::due(&config, args),
        Command::Settle(args) => due::settle(&config, args),
        Command::Resubmission(cmd) => resubmission::resubmission(&config, cmd),
        Command::Check { broker } => check::check(&config, broker),
        Command::Catalog(cmd) => list::catalog(&config, cmd),
        Command::Eval(args) => eval::eval(&config, args),
        Command::Explain(args) => explain::explain(&config, args),
        Command::Export(args) => export::export(&config, args),
        Command::Verify(args) => verify::verify(&config, args),
        Command::Retention(cmd) => retention::retention(&config, cmd),
        Command::Hold(cmd) => hold::hold(&config, cmd),
        Command::Quarantine(cmd) => quarantine::quarantine(&config, cmd),
        Command::Revise(args) => revise::revise(&config, args),
        Command::Review(cmd) => review::review(&config, cmd),
        Command::Reprocess(args) => reprocess::reprocess(&config, args),
        Command::Stats(args) => stats::stats(&config, args),
        Command::Submit(args) => submit::submit(&config, args),
        Command::Worker(args) => worker::worker(&config, args),
        Command::DeadLetters(cmd) => dead_letters::dead_letters(&config, cmd),
        Command::Queue(cmd) => queue::queue(&config, cmd),
        Command::Orders(cmd) => orders::orders(&config, cmd),
        Command::Watch(args) => watch::watch(&config, args),
        Command::FetchMail(args) => fetch_mail::fetch_mail(&config, args),
        Command::Serve(args) => serve::serve(&config, args),
        Command::User(cmd) => user::user(&config, cmd),
        Command::Split(cmd) => split::split(&config, cmd),
        Command::Train(args) => train::train(args),
    }
}
