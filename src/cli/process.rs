//! `mailroom process`: documents from files and folders through the pipeline into the archive.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;

use super::{fail, ProcessArgs};
use crate::config::{actor, ArchiveConfig, Config};
use crate::index::{Channel, ErrorKind};
use crate::intake::{files, Received};
use crate::processor::Outcome;

pub fn process(config: &Config, args: ProcessArgs) -> ExitCode {
    if let Some(j) = args.jobs {
        // Only fails if the pool was already built, which cannot happen here.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(j.max(1)).build_global();
    }
    let mut processor = match config.processor(&actor("cli")) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    if let Some(lang) = &args.lang {
        processor.pipeline.ocr.languages = lang.clone();
    }
    if let Some(psm) = args.psm {
        processor.pipeline.ocr.psm = psm;
    }
    let archive_dir = match &config.archive {
        ArchiveConfig::Local { path } => Some(path.clone()),
        ArchiveConfig::S3(_) => None,
    };
    let where_to = processor.archive().store().describe();

    let paths = files::collect(&args.paths, archive_dir.as_deref());
    let started = Instant::now();
    let tally = Mutex::new(Tally::default());
    // Documents run side by side as well as their pages: most letters have one or two
    // pages, and one page at a time would leave the other cores idle. Lines appear in the
    // order documents finish; each one names its document.
    paths.par_iter().for_each(|path| {
        let doc = match files::read(path, Channel::File) {
            Received::Document(mut d) => {
                d.source.split = args.split.clone().map(|mut p| {
                    p.patch_text = args.patch_text.clone();
                    p
                });
                d
            }
            Received::Unreadable { name, message } => {
                eprintln!("mailroom: {name}: {message}");
                tally.lock().unwrap_or_else(|e| e.into_inner()).failed += 1;
                return;
            }
        };
        let t = Instant::now();
        // An e-mail comes with its attachments: each is a document of its own.
        let done = match processor.process_all(&doc, processor.actor()) {
            Ok(d) => d,
            Err(e) => {
                tally.lock().unwrap_or_else(|e| e.into_inner()).failed += 1;
                match e {
                    crate::archive::ArchiveError::Catalog(_) => eprintln!("mailroom: {}: {e}", doc.source.name),
                    e => eprintln!("mailroom: {}: NOT stored: {e}", doc.source.name),
                }
                return;
            }
        };
        let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
        for done in done {
            let outcome = done.outcome;
            let idx = outcome.index();
            let name = if idx.id == doc.sha256 { doc.source.name.clone() } else { format!("{} (in {})", idx.source.name, doc.source.name) };
            match &outcome {
                Outcome::Processed(_) | Outcome::AlreadyArchived(_) if idx.status == crate::index::Status::Split => {
                    let parts = idx.batch.as_ref().map(|b| b.parts.len()).unwrap_or(0);
                    let seps = idx.batch.as_ref().map(|b| b.separators.len()).unwrap_or(0);
                    eprintln!("batch       {name}  {} page(s) split into {parts} document(s), {seps} separator sheet(s)", idx.pages);
                }
                Outcome::Processed(_) => {
                    tally.processed += 1;
                    tally.pages += idx.pages;
                    let label = idx.doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("-");
                    eprintln!("processed   {name}  {} page(s), {}{}  {:.1}s", idx.pages, label, if idx.needs_review { ", needs review" } else { "" }, t.elapsed().as_secs_f32());
                }
                Outcome::AlreadyArchived(_) => {
                    tally.already += 1;
                    eprintln!("archived    {name}  already in the archive as {}", idx.id.short(12));
                }
                Outcome::Quarantined(_) => {
                    tally.quarantined += 1;
                    let e = idx.error.as_ref().expect("a quarantined index has an error");
                    *tally.reasons.entry(e.kind).or_default() += 1;
                    eprintln!("quarantined {name}  {}: {}", e.kind.as_str(), e.message);
                }
            }
            if args.json {
                let mut out = std::io::stdout().lock();
                let _ = serde_json::to_writer(&mut out, idx);
                let _ = out.write_all(b"\n");
                let _ = out.flush();
            }
        }
    });
    let Tally { processed, already, quarantined, failed, pages, reasons } = tally.into_inner().unwrap_or_else(|e| e.into_inner());
    rayon::broadcast(|_| crate::ocr::release_engines());
    let secs = started.elapsed().as_secs_f32();
    eprintln!(
        "\nsummary: {} file(s), {} document(s): {processed} processed ({pages} pages), {already} already archived, {quarantined} quarantined, {failed} failed — {secs:.1}s; archive: {where_to}",
        paths.len(),
        processed + already + quarantined,
    );
    if !reasons.is_empty() {
        let r: Vec<String> = reasons.iter().map(|(k, n)| format!("{} × {n}", k.as_str())).collect();
        eprintln!("quarantine reasons: {}", r.join(", "));
    }
    if failed > 0 {
        ExitCode::from(1)
    } else if quarantined > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// What a run did, for the summary and the exit status.
#[derive(Default)]
struct Tally {
    processed: usize,
    already: usize,
    quarantined: usize,
    failed: usize,
    pages: u32,
    reasons: std::collections::BTreeMap<ErrorKind, usize>,
}
