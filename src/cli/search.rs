//! `mailroom search QUERY`: full-text search over every document's text and values, through
//! the catalog (SQLite FTS5 embedded, PostgreSQL in production): best first, with the passage.

use std::process::ExitCode;

use clap::Args;

use super::export::parse_type;
use super::fail;
use crate::catalog::Query;
use crate::config::Config;
use crate::index::DocType;

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Words (all must match), "a phrase", a prefix*: `Muller "offene Posten" RE-2025*`.
    #[arg(required = true)]
    pub query: Vec<String>,
    /// Only documents of this type (repeatable).
    #[arg(long = "type", value_parser = parse_type)]
    pub types: Vec<DocType>,
    /// Issued (else received) on or after / on or before this day.
    #[arg(long)]
    pub from: Option<chrono::NaiveDate>,
    #[arg(long)]
    pub to: Option<chrono::NaiveDate>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// One JSON object per hit.
    #[arg(long)]
    pub json: bool,
}

pub fn search(config: &Config, args: SearchArgs) -> ExitCode {
    let text = args.query.join(" ");
    let Some(q) = crate::search::Query::parse(&text) else { return fail(format!("nothing to search for in {text:?}")) };
    let catalog = match config.open_catalog() {
        Ok(Some(c)) => c,
        Ok(None) => return fail("no catalog is configured: search needs it"),
        Err(e) => return fail(e),
    };
    let filter = Query { doc_types: args.types, from: args.from, to: args.to, limit: Some(args.limit.clamp(1, 1000)), ..Query::default() };
    let hits = match catalog.search(&q, &filter) {
        // A batch part replaced by a corrected split is not what anybody looks for.
        Ok(h) => h.into_iter().filter(|h| h.entry.queue != "superseded").collect::<Vec<_>>(),
        Err(e) => return fail(e),
    };
    for h in &hits {
        let passage = crate::search::passage(&h.raw, &q, 160);
        if args.json {
            println!("{}", serde_json::json!({"id": h.entry.id, "rank": h.rank, "name": h.entry.source_name, "doc_type": h.entry.doc_type, "passage": passage}));
        } else {
            println!("{}  {:<14} {}\n    {passage}", h.entry.id.get(..16).unwrap_or(&h.entry.id), h.entry.doc_type.as_deref().unwrap_or("-"), h.entry.source_name);
        }
    }
    eprintln!("{} document(s) — {}", hits.len(), catalog.describe());
    if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
