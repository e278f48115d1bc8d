//! `mailroom list` and `mailroom catalog rebuild`: finding documents through the SQL catalog,
//! and rebuilding the catalog from the archive (after a restore, or to move to PostgreSQL).

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{export::parse_type, fail};
use crate::catalog::{Entry, Query};
use crate::config::Config;
use crate::index::{DocType, ReviewState, Status};

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only these types (repeatable).
    #[arg(long = "type", value_parser = parse_type)]
    pub types: Vec<DocType>,
    /// Issue date from (YYYY-MM-DD; documents without one count by their receipt date).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Only documents waiting for review.
    #[arg(long)]
    pub needs_review: bool,
    /// Only quarantined documents.
    #[arg(long)]
    pub quarantined: bool,
    /// Only documents in this review state: pending, postponed, approved, rejected, straight_through.
    #[arg(long, value_parser = parse_review_state)]
    pub review: Option<ReviewState>,
    /// Text in the invoice number, seller or buyer name or file name.
    #[arg(long)]
    pub search: Option<String>,
    /// Only documents naming this order number (the paper order itself, its confirmation,
    /// delivery notes and invoices): the order match's documents together.
    #[arg(long)]
    pub order: Option<String>,
    /// Only documents naming this delivery note number (the note itself and its invoices).
    #[arg(long)]
    pub delivery_note: Option<String>,
    /// Only documents with a failing check (a possible duplicate, an order mismatch, …).
    #[arg(long)]
    pub failing: bool,
    /// Only documents in this tab of the review queue: review, approval (waiting for a further
    /// approver), postponed, approved, rejected, quarantined.
    #[arg(long)]
    pub queue: Option<String>,
    /// A list (virtual folder) of the pipeline file's `[[lists]]`, by name; the other
    /// filters narrow it.
    #[arg(long)]
    pub folder: Option<String>,
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

fn parse_review_state(s: &str) -> Result<ReviewState, String> {
    ReviewState::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("one of: {}", ReviewState::ALL.map(ReviewState::as_str).join(", ")))
}

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// Rebuild the catalog from the archive (every document's current index or quarantine record).
    Rebuild,
}

pub fn list(config: &Config, args: ListArgs) -> ExitCode {
    let catalog = match config.open_catalog() {
        Ok(Some(c)) => c,
        Ok(None) => return fail("no catalog is configured ([catalog] kind = \"none\"); use `mailroom retention report --all` to walk the archive"),
        Err(e) => return fail(e),
    };
    let base = match &args.folder {
        None => Query::default(),
        Some(name) => match crate::lists::find(&config.lists, name).map(|l| l.query()) {
            Some(Ok(q)) => q,
            Some(Err(e)) => return fail(e),
            None => return fail(format!("no list {name:?} in the pipeline file; there are: {}", config.lists.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", "))),
        },
    };
    let narrow = |given: Vec<DocType>, base: &[DocType]| if given.is_empty() { base.to_vec() } else { given };
    let q = Query {
        doc_types: narrow(args.types, &base.doc_types),
        from: args.from.or(base.from),
        to: args.to.or(base.to),
        status: if args.quarantined { Some(Status::Quarantined) } else { base.status },
        needs_review: args.needs_review.then_some(true),
        text: args.search,
        gross_total: None,
        review_states: if args.review.is_some() { args.review.into_iter().collect() } else { base.review_states.clone() },
        order_ref: args.order.as_deref().and_then(|o| crate::catalog::reference_key(Some(o))).or(base.order_ref.clone()),
        delivery_ref: args.delivery_note.as_deref().and_then(|d| crate::catalog::reference_key(Some(d))).or(base.delivery_ref.clone()),
        failing: if args.failing { Some(true) } else { base.failing },
        queue: args.queue.or(base.queue.clone()),
        limit: Some(args.limit),
        ..base
    };
    let entries = match catalog.find(&q) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&entries).expect("entries serialise"));
    } else {
        for e in &entries {
            println!("{}", line(e));
        }
        eprintln!("{} document(s) — {}", entries.len(), catalog.describe());
    }
    ExitCode::SUCCESS
}

fn line(e: &Entry) -> String {
    let what = match e.status {
        Status::Quarantined => format!("QUARANTINED {}", e.error_kind.as_deref().unwrap_or("")),
        Status::Processed => e.doc_type.clone().unwrap_or_default(),
        Status::Split => "BATCH (split)".to_string(),
    };
    format!(
        "{}  {:<18} {:<10} {:<20} {:>12} {:<3} {:<28} {}{}",
        e.id.get(..16).unwrap_or(&e.id),
        what,
        e.issue_date.as_deref().unwrap_or(e.received_at.get(..10).unwrap_or(&e.received_at)),
        e.invoice_number.as_deref().unwrap_or("-"),
        e.gross_total.as_deref().unwrap_or("-"),
        e.currency.as_deref().unwrap_or(""),
        e.seller_name.as_deref().unwrap_or("-").chars().take(28).collect::<String>(),
        e.source_name,
        match e.review_state.as_deref() {
            Some(state @ ("pending" | "postponed" | "rejected")) => format!("  [{state}]"),
            _ if e.needs_review && e.status == Status::Processed => "  [review]".to_string(),
            _ => String::new(),
        }
    )
}

pub fn catalog(config: &Config, cmd: CatalogCommand) -> ExitCode {
    let CatalogCommand::Rebuild = cmd;
    let (archive, catalog) = match (config.open_archive(), config.open_catalog()) {
        (Ok(a), Ok(Some(c))) => (a, c),
        (_, Ok(None)) => return fail("no catalog is configured"),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let ids = match archive.document_ids() {
        Ok(ids) => ids,
        Err(e) => return fail(e),
    };
    let (mut n, mut failed) = (0usize, 0usize);
    for id in &ids {
        let index = match archive.lookup(id) {
            Ok(Some(i)) => Some(i),
            Ok(None) => archive.quarantined(id).unwrap_or(None),
            Err(e) => {
                eprintln!("mailroom: {id}: {e}");
                failed += 1;
                continue;
            }
        };
        // An original without index or record: received, not processed yet (queued).
        let Some(index) = index else { continue };
        let searchable = || -> Result<(), String> {
            if index.status == crate::index::Status::Quarantined {
                return Ok(());
            }
            let text = crate::processor::search_text(&archive, &index, None).map_err(|e| e.to_string())?;
            catalog.index_text(&index.id, &text).map_err(|e| e.to_string())?;
            // Resubmissions live beside the document: the lists come back with it.
            for r in crate::resubmit::all_of(&archive, &index.id).map_err(|e| e.to_string())? {
                catalog.resubmission_put(&r).map_err(|e| e.to_string())?;
            }
            Ok(())
        };
        match catalog.upsert(&Entry::of(&index)).map_err(|e| e.to_string()).and_then(|()| searchable()) {
            Ok(()) => n += 1,
            Err(e) => {
                eprintln!("mailroom: {id}: {e}");
                failed += 1;
            }
        }
    }
    // Orders imported from the ERP: their newest revisions.
    let orders = match crate::orders::all(&archive) {
        Ok(all) => all.iter().filter(|r| catalog.order_put(&crate::orders::number_key(&r.order.number), r).map_err(|e| eprintln!("mailroom: order {}: {e}", r.order.number)).is_ok()).count(),
        Err(e) => {
            eprintln!("mailroom: orders: {e}");
            failed += 1;
            0
        }
    };
    if let Err(e) = catalog.analyse() {
        eprintln!("mailroom: the catalog's statistics could not be refreshed ({e}); lookups may be slow until the database does it");
    }
    eprintln!("catalog rebuilt: {n} of {} document(s) and {orders} order(s) in {}, {failed} failed", ids.len(), catalog.describe());
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
