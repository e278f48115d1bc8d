//! `mailroom reprocess`: read archived documents again with today's models and rules — from
//! their stored words (no OCR) unless `--ocr` — and write a new revision only where the reading
//! differs, keeping every value a person set (see `reprocess`). `--dry-run` shows what would
//! change and writes nothing; a run stopped halfway is started again with the same selection
//! (what is done no longer differs, and is skipped).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::export::parse_type;
use super::fail;
use crate::config::{actor, Config};
use crate::index::{DocType, ModelInfo};
use crate::reprocess::{self, Mode};

#[derive(Args, Debug)]
pub struct ReprocessArgs {
    /// Only documents of this type (repeatable).
    #[arg(long = "type", value_parser = parse_type)]
    pub types: Vec<DocType>,
    /// Only documents whose current reading came from another classifier or extractor than
    /// the shipped ones (their version names the weights).
    #[arg(long)]
    pub model_older: bool,
    /// Only documents waiting for review (pending or postponed).
    #[arg(long)]
    pub needs_review: bool,
    /// Only these documents: a file with one id or id prefix (8+ hex digits) per line.
    #[arg(long)]
    pub ids: Option<PathBuf>,
    /// Only documents received on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub received_from: Option<chrono::NaiveDate>,
    /// Only documents received on or before this day (YYYY-MM-DD).
    #[arg(long)]
    pub received_to: Option<chrono::NaiveDate>,
    /// Only documents that came through this channel (file, folder, email, amqp, http).
    #[arg(long)]
    pub channel: Option<String>,
    /// Every processed document (when no other selection is given). Quarantined documents are
    /// read again with `mailroom quarantine retry`.
    #[arg(long)]
    pub all: bool,
    /// Read the originals again, OCR included (new OCR settings or languages).
    #[arg(long)]
    pub ocr: bool,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// One JSON object per document on standard output.
    #[arg(long)]
    pub json: bool,
}

pub fn reprocess(config: &Config, args: ReprocessArgs) -> ExitCode {
    let dated = args.received_from.is_some() || args.received_to.is_some();
    if args.types.is_empty() && !args.model_older && !args.needs_review && args.ids.is_none() && !dated && args.channel.is_none() && !args.all {
        return fail("choose what to read again: --type, --model-older, --needs-review, --ids FILE, --received-from/--received-to, --channel, or --all");
    }
    if let Some(c) = args.channel.as_deref().filter(|c| !["file", "folder", "email", "amqp", "http"].contains(c)) {
        return fail(format!("unknown channel '{c}': one of file, folder, email, amqp, http"));
    }
    let records = match config.recorder(&actor("cli")) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let pipeline = config.pipeline();
    let shipped = pipeline.models();
    let wanted: Option<Vec<String>> = match &args.ids {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(text.lines().map(|l| l.trim().to_lowercase()).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()),
            Err(e) => return fail(format!("{}: {e}", path.display())),
        },
        None => None,
    };
    if let Some(w) = &wanted {
        if let Some(bad) = w.iter().find(|p| p.len() < 8 || !p.chars().all(|c| c.is_ascii_hexdigit())) {
            return fail(format!("'{bad}' in {} is no document id or prefix (8 or more hex digits)", args.ids.as_ref().map(|p| p.display().to_string()).unwrap_or_default()));
        }
    }
    let indexes = match records.archive.processed() {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
    let mode = if args.ocr { Mode::Ocr } else { Mode::Words };
    let (mut selected, mut changed, mut failed) = (0, 0, 0);
    for index in indexes {
        let current = match index {
            Ok(i) => i,
            Err(e) => return fail(e),
        };
        if wanted.as_ref().is_some_and(|w| !w.iter().any(|p| current.id.starts_with(p.as_str()))) {
            continue;
        }
        let id = current.id.clone();
        let type_ok = args.types.is_empty() || current.doc_type.as_ref().is_some_and(|d| args.types.contains(&d.label));
        // Read by another classifier or extractor than the shipped one (an e-invoice is read
        // from its XML, by no model: never older).
        let stale = |m: &ModelInfo, s: &ModelInfo| !m.name.starts_with("einvoice") && (m.name != s.name || m.version != s.version);
        let model_ok = !args.model_older || current.models.as_ref().is_some_and(|m| stale(&m.classifier, &shipped.classifier) || stale(&m.extractor, &shipped.extractor));
        let review_ok = !args.needs_review || !current.released() && current.review.as_ref().is_none_or(|r| r.state != crate::index::ReviewState::Rejected);
        let day = current.source.received_at.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let date_ok = args.received_from.is_none_or(|f| day.is_some_and(|d| d >= f)) && args.received_to.is_none_or(|t| day.is_some_and(|d| d <= t));
        let channel_ok = args.channel.as_deref().is_none_or(|c| serde_json::to_value(current.source.channel).ok().and_then(|v| v.as_str().map(|s| s == c)).unwrap_or(false));
        if !(type_ok && model_ok && review_ok && date_ok && channel_ok) {
            continue;
        }
        selected += 1;
        match reprocess::reprocess(&pipeline, &records, current, mode, args.dry_run) {
            Ok(Some(o)) => {
                if !o.changes.is_empty() {
                    changed += 1;
                }
                if args.json {
                    println!("{}", json!({"id": o.id, "changes": o.changes, "suggestions": o.suggestions, "revision": o.revised.as_ref().map(|r| &r.index.key), "dry_run": args.dry_run}));
                } else if !o.changes.is_empty() {
                    let what: Vec<String> = o.changes.iter().map(|c| c["field"].as_str().unwrap_or("?").to_string()).collect();
                    eprintln!(
                        "{} {}  {}{}",
                        if args.dry_run { "would change" } else { "changed     " },
                        id.short(16),
                        what.join(", "),
                        if o.suggestions.is_empty() { String::new() } else { format!("  ({} value(s) a person set kept; readings noted)", o.suggestions.len()) }
                    );
                }
            }
            Ok(None) => {}
            Err(e) => {
                failed += 1;
                eprintln!("mailroom: {e}");
            }
        }
    }
    eprintln!("reprocess: {selected} selected, {changed} {}, {failed} failed", if args.dry_run { "would change" } else { "changed" });
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
