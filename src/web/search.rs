//! Full-text search in the review UI: `/ui/search?q=…` over every document's text and values,
//! ranked, with the passage that matched; the queue's filters narrow it, and a user finds only
//! the document types they may see.

use std::sync::Arc;

use axum::extract::{Query as QueryParams, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::queue::{filtered, german_date, Params};
use super::{blocking, error_page, layout, Ui, Viewer};
use crate::catalog::{Hit, Query};
use crate::search;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub seller: Option<String>,
}

impl SearchParams {
    /// The queue's filters these stand for (flattening them with serde would refuse numbers).
    fn filters(&self) -> Params {
        Params { doc_type: self.doc_type.clone(), from: self.from.clone(), to: self.to.clone(), seller: self.seller.clone(), ..Params::default() }
    }
}

/// The passage with the words found between `[` `]` made into `<mark>`, everything escaped.
fn marked(passage: &str) -> maud::Markup {
    let mut parts = Vec::new();
    let mut rest = passage;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest.get(open..).and_then(|r| r.find(']')).map(|c| c + open) else { break };
        parts.push((false, rest.get(..open).unwrap_or("")));
        parts.push((true, rest.get(open + 1..close).unwrap_or("")));
        rest = rest.get(close + 1..).unwrap_or("");
    }
    parts.push((false, rest));
    html! { @for (hit, text) in parts { @if hit { mark { (text) } } @else { (text) } } }
}

pub async fn search(State(ui): State<Arc<Ui>>, viewer: Viewer, QueryParams(p): QueryParams<SearchParams>) -> Response {
    let typed = p.q.clone().unwrap_or_default();
    let query = search::Query::parse(&typed);
    let (filter, problems) = filtered(Query { limit: Some(50), ..Query::default() }, &p.filters(), &viewer.user);
    let hits: Vec<Hit> = match (&query, filter) {
        (Some(q), Some(f)) => {
            let (ui2, q2) = (ui.clone(), q.clone());
            match blocking(move || ui2.catalog.search(&q2, &f)).await {
                // A batch part replaced by a corrected split is not what anybody looks for.
                Ok(Ok(h)) => h.into_iter().filter(|h| h.entry.queue != "superseded").collect(),
                Ok(Err(e)) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &format!("The search index cannot be read: {e}")),
                Err(r) => return r,
            }
        }
        _ => Vec::new(),
    };
    let body = html! {
        section.search {
            form.searchbar method="get" action="/ui/search" {
                input #search-q type="search" name="q" value=(typed) placeholder="Müller, \"offene Posten\", RE-2025*, 1.190,00" autofocus;
                select name="type" {
                    option value="" { "any type" }
                    @for d in crate::index::DocType::ALL { @if viewer.user.may_see(Some(d)) { option value=(d.as_str()) selected[p.doc_type.as_deref() == Some(d.as_str())] { (d.as_str()) } } }
                }
                input name="from" placeholder="from (date)" value=(p.from.clone().unwrap_or_default()) size="10";
                input name="to" placeholder="to" value=(p.to.clone().unwrap_or_default()) size="10";
                input name="seller" placeholder="seller" value=(p.seller.clone().unwrap_or_default()) size="14";
                button type="submit" { "Search" }
            }
            @for pr in &problems { p.problem { (pr) } }
            @if query.is_some() {
                p.meta #search-count { (hits.len()) " document(s)" @if hits.len() == 50 { " (the best 50)" } }
            }
            ol.hits #hits {
                @for h in &hits {
                    li data-id=(h.entry.id) {
                        a href=(format!("/ui/documents/{}", h.entry.id)) { strong { (h.entry.source_name) } }
                        " · " (h.entry.doc_type.clone().unwrap_or_else(|| "—".into()))
                        @if let Some(d) = &h.entry.issue_date { " · " (german_date(d)) }
                        @if let Some(s) = &h.entry.seller_name { " · " (s) }
                        @if let Some(g) = &h.entry.gross_total { " · " (g) " " (h.entry.currency.clone().unwrap_or_default()) }
                        " · " span.state { (h.entry.queue) }
                        @if let Some(q) = &query { p.passage { (marked(&search::passage(&h.raw, q, 220))) } }
                    }
                }
            }
        }
    };
    layout("Search", Some(&viewer), body)
}
