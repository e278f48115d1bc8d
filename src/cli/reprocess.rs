//! `mailroom reprocess`: read archived documents again with today's models and rules — from
//! their stored words (no OCR) unless `--ocr` — and write a new revision only where the reading
//! differs, keeping every value a person set (see `reprocess`). On all cores, with a progress
//! bar on a terminal (plain lines elsewhere). `--dry-run` says what would change, per field
//! with examples, and writes nothing. A run is resumable: each document done is checkpointed
//! in the catalog under the run's id (its selection, mode and models), so the same command
//! after Ctrl-C or a crash goes on where it stopped. `--queue` puts the documents on the broker
//! as reprocessing jobs for the worker pool; `mailroom reprocess status` shows every run's
//! progress, across workers.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use rayon::prelude::*;
use serde_json::{json, Value};

use super::export::parse_type;
use super::fail;
use crate::config::{actor, Config};
use crate::index::{DocType, ModelInfo};
use crate::reprocess::{self, Mode};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReprocessArgs {
    #[command(subcommand)]
    pub command: Option<ReprocessCommand>,
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
    /// Only documents in this review state (repeatable): pending, postponed, approved,
    /// rejected, straight_through, superseded.
    #[arg(long = "review", value_parser = parse_review_state)]
    pub review_states: Vec<crate::index::ReviewState>,
    /// Only the documents of a saved list (`[[lists]]` in the pipeline file), by name.
    #[arg(long)]
    pub folder: Option<String>,
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
    /// Write the summary (per field: how many documents change, with examples; per type: how
    /// many are retyped) as JSON to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Put the documents on the broker as reprocessing jobs for the worker pool (production).
    #[arg(long, conflicts_with = "dry_run")]
    pub queue: bool,
    /// Let the new reading replace values a person set or confirmed (else they are kept, the
    /// reading noted beside them). Logged in each audit entry; such documents go to review.
    #[arg(long)]
    pub override_reviewed: bool,
    /// Read every selected document again, even those this run has done (ignore its checkpoint).
    #[arg(long)]
    pub fresh: bool,
    /// Documents read at the same time (default: one per CPU core).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
}

#[derive(Subcommand, Debug)]
pub enum ReprocessCommand {
    /// Every reprocessing run with its progress (selected, done, changed, failed), across workers.
    Status {
        #[arg(long)]
        json: bool,
    },
}

fn parse_review_state(s: &str) -> Result<crate::index::ReviewState, String> {
    use crate::index::ReviewState;
    ReviewState::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("one of: {}", ReviewState::ALL.map(ReviewState::as_str).join(", ")))
}

pub fn reprocess(config: &Config, args: ReprocessArgs) -> ExitCode {
    if let Some(ReprocessCommand::Status { json }) = &args.command {
        return status(config, *json);
    }
    let dated = args.received_from.is_some() || args.received_to.is_some();
    if args.types.is_empty() && !args.model_older && !args.needs_review && args.review_states.is_empty() && args.folder.is_none() && args.ids.is_none() && !dated && args.channel.is_none() && !args.all
    {
        return fail("choose what to read again: --type, --model-older, --needs-review, --review STATE, --folder LIST, --ids FILE, --received-from/--received-to, --channel, or --all");
    }
    if let Some(c) = args.channel.as_deref().filter(|c| !["file", "folder", "email", "amqp", "http"].contains(c)) {
        return fail(format!("unknown channel '{c}': one of file, folder, email, amqp, http"));
    }
    if let Some(j) = args.jobs {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(j.max(1)).build_global();
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
    // A saved list: its documents, as the catalog finds them now.
    let in_folder: Option<std::collections::HashSet<String>> = match &args.folder {
        None => None,
        Some(name) => {
            let Some(def) = crate::lists::find(&config.lists, name) else {
                return fail(format!("no list {name:?} in the pipeline file; there are: {}", config.lists.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")));
            };
            let (Ok(q), Some(c)) = (def.query(), records.catalog.as_ref()) else { return fail("--folder needs the catalog and a valid list") };
            match c.find(&crate::catalog::Query { limit: None, ..q }) {
                Ok(rows) => Some(rows.into_iter().map(|e| e.id).collect()),
                Err(e) => return fail(e),
            }
        }
    };
    let indexes = match records.archive.processed() {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
    let mode = if args.ocr { Mode::Ocr } else { Mode::Words };
    let mut selected = Vec::new();
    for index in indexes {
        let current = match index {
            Ok(i) => i,
            Err(e) => return fail(e),
        };
        if wanted.as_ref().is_some_and(|w| !w.iter().any(|p| current.id.starts_with(p.as_str()))) {
            continue;
        }
        let type_ok = args.types.is_empty() || current.doc_type.as_ref().is_some_and(|d| args.types.contains(&d.label));
        // Read by another classifier or extractor than the shipped one (an e-invoice is read
        // from its XML, by no model: never older).
        let stale = |m: &ModelInfo, s: &ModelInfo| !m.name.starts_with("einvoice") && (m.name != s.name || m.version != s.version);
        let model_ok = !args.model_older || current.models.as_ref().is_some_and(|m| stale(&m.classifier, &shipped.classifier) || stale(&m.extractor, &shipped.extractor));
        let review_ok = !args.needs_review || !current.released() && current.review.as_ref().is_none_or(|r| r.state != crate::index::ReviewState::Rejected);
        let day = current.source.received_at.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let date_ok = args.received_from.is_none_or(|f| day.is_some_and(|d| d >= f)) && args.received_to.is_none_or(|t| day.is_some_and(|d| d <= t));
        let channel_ok = args.channel.as_deref().is_none_or(|c| serde_json::to_value(current.source.channel).ok().and_then(|v| v.as_str().map(|s| s == c)).unwrap_or(false));
        let state_ok = args.review_states.is_empty() || current.review.as_ref().is_some_and(|r| args.review_states.contains(&r.state));
        let folder_ok = in_folder.as_ref().is_none_or(|f| f.contains(current.id.as_str()));
        if type_ok && model_ok && review_ok && date_ok && channel_ok && state_ok && folder_ok {
            selected.push(current);
        }
    }
    // The run: this selection, read this way, by these models. The same command again is the
    // same run, and goes on where it stopped.
    let selection = selection_text(&args, &shipped);
    let run = crate::document::sha256_hex(selection.as_bytes()).get(..16).unwrap_or_default().to_string();
    let catalog = records.catalog.clone();
    let mut skipped = 0;
    if !args.dry_run {
        if let Some(c) = &catalog {
            // Done before (unless --fresh): skipped, and counted in the run's total with what is left.
            let done = if args.fresh {
                Default::default()
            } else {
                match c.reprocess_done(&run) {
                    Ok(done) => done,
                    Err(e) => return fail(e),
                }
            };
            let before = selected.len();
            selected.retain(|i| !done.contains(i.id.as_str()));
            skipped = before - selected.len();
            if let Err(e) = c.reprocess_start(&run, &selection, (done.len() + selected.len()) as u64) {
                return fail(e);
            }
        } else if args.queue {
            return fail("--queue needs the catalog (it records each run's progress)");
        }
    }
    if skipped > 0 {
        eprintln!("reprocess: run {run} goes on: {skipped} document(s) done before are skipped (--fresh reads them again)");
    }
    if args.queue {
        if args.override_reviewed {
            return fail("--override-reviewed is for the command line only: run it without --queue");
        }
        return queue_jobs(config, &run, &selected, args.ocr);
    }
    let total = selected.len();
    let progress = Progress::new(total as u64);
    let summary = Mutex::new(Summary::default());
    let started = Instant::now();
    selected.into_par_iter().for_each(|current| {
        let id = current.id.clone();
        let doc_type = current.doc_type.as_ref().map(|d| d.label);
        let result = reprocess::reprocess_with(&pipeline, &records, current, mode, args.dry_run, args.override_reviewed);
        let mut line = None;
        let outcome = match &result {
            Ok(Some(o)) if !o.changes.is_empty() => "changed",
            Ok(_) => "unchanged",
            Err(reprocess::ReprocessError::Unreadable { .. }) => "failed",
            Err(_) => "error",
        };
        match result {
            Ok(Some(o)) => {
                if args.json {
                    line = Some(json!({"id": o.id, "changes": o.changes, "suggestions": o.suggestions, "revision": o.revised.as_ref().map(|r| &r.index.key), "handed_off": o.revised.as_ref().map(|r| r.handed_off.len()).unwrap_or(0), "dry_run": args.dry_run}).to_string());
                } else if !o.changes.is_empty() {
                    let what: Vec<String> = o.changes.iter().map(|c| c["field"].as_str().unwrap_or("?").to_string()).collect();
                    progress.println(format!(
                        "{} {}  {}{}",
                        if args.dry_run { "would change" } else { "changed     " },
                        id.short(16),
                        what.join(", "),
                        if o.suggestions.is_empty() { String::new() } else { format!("  ({} value(s) a person set kept; readings noted)", o.suggestions.len()) }
                    ));
                }
                summary.lock().unwrap_or_else(|e| e.into_inner()).add(&id, doc_type, &o.changes);
            }
            Ok(None) => {}
            Err(e) => {
                progress.println(format!("mailroom: {e}"));
                summary.lock().unwrap_or_else(|e| e.into_inner()).failed += 1;
            }
        }
        // Checkpointed once durable; a storage error is not: the next run tries it again.
        if !args.dry_run && outcome != "error" {
            if let Some(c) = &catalog {
                if let Err(e) = c.reprocess_mark(&run, &id, outcome) {
                    progress.println(format!("mailroom: {id}: the checkpoint was not written ({e}); the next run reads it again"));
                }
            }
        }
        if let Some(l) = line {
            progress.println_stdout(l);
        }
        progress.inc();
    });
    progress.finish();
    let s = summary.into_inner().unwrap_or_else(|e| e.into_inner());
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "reprocess: run {run}: {total} selected, {} {}, {} failed — {:.1} s, {:.0} documents/s",
        s.changed,
        if args.dry_run { "would change" } else { "changed" },
        s.failed,
        secs,
        total as f64 / secs.max(1e-9)
    );
    let report = s.report(total, args.dry_run, &run);
    for (field, v) in report["fields"].as_object().into_iter().flatten() {
        eprintln!(
            "  {field:<18} {:>6} document(s)  e.g. {}",
            v["documents"],
            v["examples"].as_array().map(|e| e.iter().map(|x| x.as_str().unwrap_or("").to_string()).collect::<Vec<_>>().join("; ")).unwrap_or_default()
        );
    }
    for (t, n) in report["retyped"].as_object().into_iter().flatten() {
        eprintln!("  retyped {t}: {n}");
    }
    if let Some(path) = &args.report {
        if let Err(e) = std::fs::write(path, serde_json::to_vec_pretty(&report).expect("report serialises")) {
            return fail(format!("cannot write {}: {e}", path.display()));
        }
    }
    if s.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The selection, mode and models as one line: what names a run.
fn selection_text(args: &ReprocessArgs, shipped: &crate::index::Models) -> String {
    let mut parts = Vec::new();
    if !args.types.is_empty() {
        parts.push(format!("--type {}", args.types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(",")));
    }
    if args.model_older {
        parts.push("--model-older".into());
    }
    if args.needs_review {
        parts.push("--needs-review".into());
    }
    if !args.review_states.is_empty() {
        parts.push(format!("--review {}", args.review_states.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")));
    }
    if let Some(f) = &args.folder {
        parts.push(format!("--folder {f}"));
    }
    if let Some(p) = &args.ids {
        let ids = std::fs::read(p).map(|b| crate::document::sha256_hex(&b)).unwrap_or_default();
        parts.push(format!("--ids {} (sha256 {})", p.display(), ids.get(..12).unwrap_or_default()));
    }
    if let Some(d) = args.received_from {
        parts.push(format!("--received-from {d}"));
    }
    if let Some(d) = args.received_to {
        parts.push(format!("--received-to {d}"));
    }
    if let Some(c) = &args.channel {
        parts.push(format!("--channel {c}"));
    }
    if args.all {
        parts.push("--all".into());
    }
    if args.ocr {
        parts.push("--ocr".into());
    }
    if args.override_reviewed {
        parts.push("--override-reviewed".into());
    }
    format!("{}; models {} {}, {} {}", parts.join(" "), shipped.classifier.name, shipped.classifier.version, shipped.extractor.name, shipped.extractor.version)
}

/// What a run changed, for the summary and `--report`.
#[derive(Default)]
struct Summary {
    changed: usize,
    failed: usize,
    /// Per field: documents and a few examples.
    fields: BTreeMap<String, (usize, Vec<String>)>,
    /// "from → to": documents retyped.
    retyped: BTreeMap<String, usize>,
}

impl Summary {
    fn add(&mut self, id: &crate::vocab::DocumentId, doc_type: Option<crate::index::DocType>, changes: &[Value]) {
        if changes.is_empty() {
            return;
        }
        self.changed += 1;
        for c in changes {
            let field = c["field"].as_str().unwrap_or("?").to_string();
            let e = self.fields.entry(field.clone()).or_default();
            e.0 += 1;
            if e.1.len() < 3 && !matches!(field.as_str(), "models" | "checks") {
                let show = |v: &Value| match v {
                    Value::Null => "—".to_string(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                e.1.push(format!("{}: {} → {}", id.short(12), show(&c["from"]), show(&c["to"])));
            }
            if field == "doc_type" {
                let from = c["from"].as_str().map(str::to_string).or(doc_type.map(|t| t.as_str().to_string())).unwrap_or_else(|| "—".into());
                *self.retyped.entry(format!("{from} → {}", c["to"].as_str().unwrap_or("—"))).or_default() += 1;
            }
        }
    }

    fn report(&self, selected: usize, dry_run: bool, run: &str) -> Value {
        json!({
            "run": run,
            "dry_run": dry_run,
            "selected": selected,
            "changed": self.changed,
            "failed": self.failed,
            "fields": self.fields.iter().map(|(f, (n, ex))| (f.clone(), json!({"documents": n, "examples": ex}))).collect::<serde_json::Map<String, Value>>(),
            "retyped": self.retyped,
        })
    }
}

/// A progress bar with rate and ETA on a terminal; a plain line every ten seconds elsewhere.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: u64,
    done: std::sync::atomic::AtomicU64,
    started: Instant,
    last_line: Mutex<Instant>,
}

impl Progress {
    fn new(total: u64) -> Progress {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents  {per_sec}  ETA {eta}").expect("template").progress_chars("█▉ "));
            b
        });
        Progress { bar, total, done: 0.into(), started: Instant::now(), last_line: Mutex::new(Instant::now()) }
    }

    fn inc(&self) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        match &self.bar {
            Some(b) => b.inc(1),
            None => {
                let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed() >= Duration::from_secs(10) {
                    *last = Instant::now();
                    let rate = done as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
                    eprintln!("reprocess: {done}/{} documents, {rate:.0}/s, about {:.0} s left", self.total, (self.total - done) as f64 / rate.max(1e-9));
                }
            }
        }
    }

    fn println(&self, line: String) {
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn println_stdout(&self, line: String) {
        match &self.bar {
            Some(b) => b.suspend(|| println!("{line}")),
            None => println!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// `--queue`: a reprocessing job per document on the broker, confirmed one by one.
fn queue_jobs(config: &Config, run: &str, selected: &[crate::index::DocumentIndex], ocr: bool) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let who = actor("cli");
    let topology = crate::queue::Topology::new(&config.broker);
    let result: Result<usize, crate::queue::QueueError> = rt.block_on(async {
        let conn = crate::queue::connect(&config.broker, &who).await?;
        let ch = crate::queue::confirm_channel(&conn).await?;
        topology.declare(&ch).await?;
        for index in selected {
            let job = crate::queue::ReprocessJob { kind: crate::queue::REPROCESS_KIND.into(), id: index.id.clone(), run: run.to_string(), ocr, submitted_by: who.clone() };
            crate::queue::publish_reprocess(&ch, &topology, &job).await?;
        }
        let _ = conn.close(200, "done".into()).await;
        Ok(selected.len())
    });
    match result {
        Ok(n) => {
            eprintln!("reprocess: run {run}: {n} job(s) queued for the workers; follow them with: mailroom reprocess status");
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("{e}; the jobs queued so far are done by the workers, run the same command again for the rest")),
    }
}

/// `mailroom reprocess status`.
fn status(config: &Config, json: bool) -> ExitCode {
    let catalog = match config.open_catalog() {
        Ok(Some(c)) => c,
        Ok(None) => return fail("no catalog configured: runs are recorded in the catalog"),
        Err(e) => return fail(e),
    };
    let runs = match catalog.reprocess_runs() {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&runs).expect("runs serialise"));
        return ExitCode::SUCCESS;
    }
    if runs.is_empty() {
        eprintln!("no reprocessing runs yet");
    }
    for r in runs {
        let done: u64 = r.done.iter().filter(|(k, _)| k.as_str() != "failed").map(|(_, n)| n).sum();
        println!(
            "{}  {}/{} done ({} changed, {} unchanged, {} failed)  started {}{}\n    {}",
            r.run,
            done,
            r.selected,
            r.done.get("changed").copied().unwrap_or(0),
            r.done.get("unchanged").copied().unwrap_or(0),
            r.done.get("failed").copied().unwrap_or(0),
            r.started_at,
            r.last_at.map(|t| format!(", last {t}")).unwrap_or_default(),
            r.selection
        );
    }
    ExitCode::SUCCESS
}
