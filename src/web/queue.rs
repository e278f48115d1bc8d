//! The queue: tabs with counts (to review, postponed, approved, rejected, quarantined),
//! filters, sort and pages — all through the catalog's indexed columns, so that it answers as
//! fast with 100,000 documents as with ten.

use std::sync::Arc;

use axum::extract::{Query as QueryParams, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;

use super::{blocking, error_page, layout, Ui, Viewer};
use crate::catalog::{Approver, Direction, Entry, Query, SortKey};
use crate::extract::parse::german_amount;
use crate::index::{DocType, Status};
use crate::people::User;

/// Rows on one page of the queue.
pub const PAGE_SIZE: usize = 50;

/// A tab of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    ToReview,
    /// Approved by one person, waiting for another (an approval step).
    Approval,
    Postponed,
    Approved,
    Rejected,
    Quarantined,
}

impl Tab {
    pub const ALL: [Tab; 6] = [Tab::ToReview, Tab::Approval, Tab::Postponed, Tab::Approved, Tab::Rejected, Tab::Quarantined];

    pub fn slug(self) -> &'static str {
        match self {
            Tab::ToReview => "review",
            Tab::Approval => "approval",
            Tab::Postponed => "postponed",
            Tab::Approved => "approved",
            Tab::Rejected => "rejected",
            Tab::Quarantined => "quarantined",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Tab::ToReview => "To review",
            Tab::Approval => "My approvals",
            Tab::Postponed => "Postponed",
            Tab::Approved => "Approved",
            Tab::Rejected => "Rejected",
            Tab::Quarantined => "Quarantined",
        }
    }

    fn parse(s: Option<&str>) -> Tab {
        Tab::ALL.into_iter().find(|t| Some(t.slug()) == s).unwrap_or(Tab::ToReview)
    }

    /// The catalog's name of the tab (`Entry::queue`).
    fn queue(self) -> &'static str {
        match self {
            Tab::ToReview => "review",
            // Released: by a person, or straight through.
            other => other.slug(),
        }
    }

    /// The catalog query of the tab, before filters.
    fn query(self) -> Query {
        Query { queue: Some(self.queue().to_string()), status: (self == Tab::Quarantined).then_some(Status::Quarantined), ..Query::default() }
    }
}

/// The queue's address parameters, as typed into its filter form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Params {
    pub tab: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub seller: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub channel: Option<String>,
    pub failing: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<usize>,
}

/// `q` bounded by the types `user` may see: a filter can only narrow them. `None`: nothing
/// they may see can match (quarantined documents have no type yet: only users who may see
/// every type see them). The queue, search, lists and the API all bound their queries so.
pub fn within_types(mut q: Query, user: &User) -> Option<Query> {
    if let Some(allowed) = &user.doc_types {
        q.doc_types = if q.doc_types.is_empty() { allowed.clone() } else { q.doc_types.iter().copied().filter(|d| allowed.contains(d)).collect() };
        if q.doc_types.is_empty() || q.status == Some(Status::Quarantined) {
            return None;
        }
    }
    Some(q)
}

/// The filters of `p` applied to a query, limited to what `user` may see (`None`: nothing
/// they may see can match). Returns the problems with what was typed (shown above the table;
/// that filter is left out).
pub fn filtered(mut q: Query, p: &Params, user: &User) -> (Option<Query>, Vec<String>) {
    let mut problems = Vec::new();
    let blank = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(t) = blank(&p.doc_type) {
        match DocType::from_name(&t) {
            Some(d) => q.doc_types = vec![d],
            None => problems.push(format!("unknown document type '{t}'")),
        }
    }
    let Some(mut q) = within_types(q, user) else { return (None, problems) };
    q.seller = blank(&p.seller);
    q.channel = blank(&p.channel);
    let date = |s: &Option<String>, problems: &mut Vec<String>| {
        blank(s).and_then(|d| match NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok().or_else(|| NaiveDate::parse_from_str(&d, "%d.%m.%Y").ok()) {
            Some(d) => Some(d),
            None => {
                problems.push(format!("'{d}' is not a date (YYYY-MM-DD or DD.MM.YYYY)"));
                None
            }
        })
    };
    q.from = date(&p.from, &mut problems);
    q.to = date(&p.to, &mut problems);
    let amount = |s: &Option<String>, problems: &mut Vec<String>| {
        blank(s).and_then(|a| match crate::extract::parse::parse_amount(&a) {
            Some(v) => Some(v),
            None => {
                problems.push(format!("'{a}' is not an amount"));
                None
            }
        })
    };
    q.min_gross = amount(&p.min, &mut problems);
    q.max_gross = amount(&p.max, &mut problems);
    q.failing = match p.failing.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let key = match p.sort.as_deref() {
        Some("due") => SortKey::Due,
        Some("amount") => SortKey::Amount,
        _ => SortKey::Received,
    };
    // Oldest first by default: the longest waiting is reviewed first.
    let dir = if p.dir.as_deref() == Some("desc") { Direction::Descending } else { Direction::Ascending };
    q.sort = Some((key, dir));
    (Some(q), problems)
}

/// The document a reviewer sees next: the oldest one waiting for review that they may see.
pub fn next_to_review(ui: &Ui, user: &User, after: &str) -> Option<String> {
    let (mut q, _) = filtered(Tab::ToReview.query(), &Params::default(), user);
    let q = q.as_mut()?;
    q.limit = Some(2);
    let found = ui.catalog.find(q).ok()?;
    found.into_iter().map(|e| e.id).find(|id| id != after)
}

struct Listing {
    tab: Tab,
    counts: Vec<(Tab, u64)>,
    rows: Vec<Entry>,
    total: u64,
    problems: Vec<String>,
}

fn list(ui: &Ui, user: &User, p: &Params) -> Result<Listing, String> {
    let tab = Tab::parse(p.tab.as_deref());
    // Every tab's count in one grouped scan, with the same filters.
    let per_queue = match filtered(Query::default(), p, user).0 {
        Some(q) => ui.catalog.count_by_queue(&q).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let mut counts: Vec<(Tab, u64)> = Tab::ALL.into_iter().map(|t| (t, per_queue.iter().find(|(q, _)| q == t.queue()).map(|(_, n)| *n).unwrap_or(0))).collect();
    // The approval tab is each approver's own: what waits for them, not what they approved.
    let approvals = |q: Query| Query { approvable_by: Some(Approver { actor: format!("ui:{}", user.name), departments: user.departments.clone() }), ..q };
    if let Some(q) = filtered(Tab::Approval.query(), p, user).0 {
        let mine = ui.catalog.count(&Query { sort: None, ..approvals(q) }).map_err(|e| e.to_string())?;
        counts.iter_mut().filter(|(t, _)| *t == Tab::Approval).for_each(|(_, n)| *n = mine);
    }
    let (q, problems) = filtered(tab.query(), p, user);
    let q = if tab == Tab::Approval { q.map(approvals) } else { q };
    let rows = match q {
        Some(mut q) => {
            q.limit = Some(PAGE_SIZE);
            q.offset = p.page.unwrap_or(0) * PAGE_SIZE;
            ui.catalog.find(&q).map_err(|e| e.to_string())?
        }
        None => Vec::new(),
    };
    let total = counts.iter().find(|(t, _)| *t == tab).map(|(_, n)| *n).unwrap_or(0);
    Ok(Listing { tab, counts, rows, total, problems })
}

/// The address of the queue with `p` changed by `f`.
fn link(p: &Params, f: impl FnOnce(&mut Params)) -> String {
    let mut p = p.clone();
    f(&mut p);
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut add = |k: &'static str, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            pairs.push((k, v.to_string()));
        }
    };
    add("tab", &p.tab);
    add("type", &p.doc_type);
    add("seller", &p.seller);
    add("from", &p.from);
    add("to", &p.to);
    add("min", &p.min);
    add("max", &p.max);
    add("channel", &p.channel);
    add("failing", &p.failing);
    add("sort", &p.sort);
    add("dir", &p.dir);
    if let Some(n) = p.page.filter(|n| *n > 0) {
        pairs.push(("page", n.to_string()));
    }
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    if q.is_empty() {
        "/ui".into()
    } else {
        format!("/ui?{}", q.join("&"))
    }
}

/// `2025-06-26` as `26.06.2025`.
pub fn german_date(v: &str) -> String {
    NaiveDate::parse_from_str(v.get(..10).unwrap_or(v), "%Y-%m-%d").map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_else(|_| v.to_string())
}

pub async fn queue(State(ui): State<Arc<Ui>>, viewer: Viewer, QueryParams(p): QueryParams<Params>) -> Response {
    let (ui2, user, p2) = (ui.clone(), viewer.user.clone(), p.clone());
    let listing = match blocking(move || list(&ui2, &user, &p2)).await {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &format!("The catalog cannot be read: {e}")),
        Err(r) => return r,
    };
    let page = p.page.unwrap_or(0);
    let pages = listing.total.div_ceil(PAGE_SIZE as u64).max(1);
    let sort = p.sort.clone().unwrap_or_else(|| "received".into());
    let sort_link = |key: &str| {
        let desc = sort == key && p.dir.as_deref() != Some("desc");
        link(&p, |q| {
            q.sort = Some(key.to_string());
            q.dir = desc.then(|| "desc".to_string());
            q.page = None;
        })
    };
    let body = html! {
        nav.tabs {
            @for (t, n) in &listing.counts {
                a.tab.active[*t == listing.tab] href=(link(&p, |q| { q.tab = Some(t.slug().into()); q.page = None; })) data-tab=(t.slug()) {
                    (t.title()) " " span.count { (n) }
                }
            }
        }
        form.filters method="get" action="/ui" {
            input type="hidden" name="tab" value=(listing.tab.slug());
            label { "Type " select name="type" {
                option value="" { "any" }
                @for d in DocType::ALL {
                    @if viewer.user.may_see(Some(d)) {
                        option value=(d.as_str()) selected[p.doc_type.as_deref() == Some(d.as_str())] { (d.as_str()) }
                    }
                }
            } }
            label { "Seller " input name="seller" value=(p.seller.clone().unwrap_or_default()) placeholder="name or VAT ID"; }
            label { "Date " input name="from" value=(p.from.clone().unwrap_or_default()) placeholder="from" size="10"; " – " input name="to" value=(p.to.clone().unwrap_or_default()) placeholder="to" size="10"; }
            label { "Gross " input name="min" value=(p.min.clone().unwrap_or_default()) placeholder="min" size="8"; " – " input name="max" value=(p.max.clone().unwrap_or_default()) placeholder="max" size="8"; }
            label { "Channel " select name="channel" {
                option value="" { "any" }
                @for c in ["file", "folder", "email", "http", "queue"] { option value=(c) selected[p.channel.as_deref() == Some(c)] { (c) } }
            } }
            label { "Failing check " select name="failing" {
                option value="" { "any" }
                option value="yes" selected[p.failing.as_deref() == Some("yes")] { "yes" }
                option value="no" selected[p.failing.as_deref() == Some("no")] { "no" }
            } }
            button type="submit" { "Filter" }
            a href=(link(&Params { tab: p.tab.clone(), ..Params::default() }, |_| {})) { "Clear" }
        }
        @for problem in &listing.problems { p.error role="alert" { "Filter left out: " (problem) } }
        @if listing.rows.is_empty() {
            p.empty { "Nothing here." @if listing.tab == Tab::ToReview { " Everything is reviewed." } }
        } @else {
            table.queue #queue {
                thead { tr {
                    th { a href=(sort_link("received")) { "Received" } }
                    th { "Type" } th { "Seller" } th { "Number" } th { "Issued" }
                    th { a href=(sort_link("due")) { "Due" } }
                    th.num { a href=(sort_link("amount")) { "Gross" } }
                    th { "Checks" } th { "Channel" } th { "State" }
                } }
                tbody {
                    @for e in &listing.rows {
                        tr data-href=(format!("/ui/documents/{}?tab={}", e.id, listing.tab.slug())) {
                            td { a href=(format!("/ui/documents/{}?tab={}", e.id, listing.tab.slug())) { (german_date(&e.received_at)) " " (e.received_at.get(11..16).unwrap_or("")) } }
                            td { (e.doc_type.clone().unwrap_or_else(|| "—".into())) }
                            td { (e.seller_name.clone().unwrap_or_default()) }
                            td { (e.invoice_number.clone().unwrap_or_default()) }
                            td { (e.issue_date.as_deref().map(german_date).unwrap_or_default()) }
                            td { (e.due_date.as_deref().map(german_date).unwrap_or_default()) }
                            td.num { (e.gross_total.as_deref().map(german_amount).unwrap_or_default()) " " (e.currency.clone().unwrap_or_default()) }
                            td { @if e.failing_checks > 0 { span.bad { (e.failing_checks) " failing" } } @else if e.status == Status::Quarantined { span.bad { (e.error_kind.clone().unwrap_or_default()) } } @else { span.ok { "ok" } } }
                            td { (e.channel) }
                            td { (e.review_state.clone().unwrap_or_else(|| "quarantined".into())) }
                        }
                    }
                }
            }
            nav.pager {
                @if page > 0 { a href=(link(&p, |q| q.page = Some(page - 1))) { "← Newer page" } }
                span { "Page " (page + 1) " of " (pages) " · " (listing.total) " documents" }
                @if ((page + 1) as u64) < pages { a href=(link(&p, |q| q.page = Some(page + 1))) { "Next page →" } }
            }
            p.keys { "Keys: j/k move, Enter opens, ? help" }
        }
    };
    layout("Queue", Some(&viewer), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::Role;

    fn user(types: Option<Vec<DocType>>) -> User {
        User { name: "anna".into(), role: Role::Reviewer, doc_types: types, disabled: false, created_at: String::new(), departments: Vec::new() }
    }

    #[test]
    fn filters_narrow_and_never_widen_what_a_user_may_see() {
        let p = Params { doc_type: Some("contract".into()), min: Some("1.000,00".into()), from: Some("bald".into()), ..Params::default() };
        let (q, problems) = filtered(Tab::ToReview.query(), &p, &user(None));
        let q = q.unwrap();
        assert_eq!(q.doc_types, vec![DocType::Contract]);
        assert_eq!(q.min_gross, Some("1000".parse().unwrap()));
        assert_eq!(problems.len(), 1, "the date is refused, the rest applies");
        assert!(filtered(Tab::ToReview.query(), &p, &user(Some(vec![DocType::Invoice]))).0.is_none(), "a filter for a type one may not see finds nothing");
        assert!(filtered(Tab::Quarantined.query(), &Params::default(), &user(Some(vec![DocType::Invoice]))).0.is_none(), "nor does the untyped quarantine");
        let (q, _) = filtered(Tab::ToReview.query(), &Params::default(), &user(Some(vec![DocType::Invoice, DocType::Receipt])));
        assert_eq!(q.unwrap().doc_types, vec![DocType::Invoice, DocType::Receipt]);
    }

    #[test]
    fn amounts_and_dates_are_shown_the_german_way() {
        assert_eq!(german_amount("1234567.80"), "1.234.567,80");
        assert_eq!(german_amount("-12.00"), "-12,00");
        assert_eq!(german_date("2025-06-26T10:00:00Z"), "26.06.2025");
    }
}
