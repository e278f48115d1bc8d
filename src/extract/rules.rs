//! The rules extractor: label-anchored candidates for every field, then a joint choice of
//! the totals that respects the arithmetic (net + VAT = gross).
//!
//! Each candidate carries a score from how it was found (label on the same line, in the
//! same row, or above it; checksum valid; arithmetic agrees) — the trained extractor
//! replaces these hand-set scores with learned ones over the same candidates.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use regex::Regex;
use rust_decimal::Decimal;

use super::labels;
use super::parse::{find_amounts, find_dates, format_amount};
use super::text::{below, left_of, right_of, TextLine};
use super::{ids, Extraction, ReadDocument};
use crate::index::{FieldValue, VatBreakdown};
use crate::layout::BBox;

#[derive(Debug, Clone)]
struct Cand {
    value: String,
    score: f32,
    page: u32,
    bbox: BBox,
    order: usize,
}

impl Cand {
    fn into_field(self, ocr_conf: f32) -> FieldValue {
        FieldValue { value: self.value, confidence: (self.score * ocr_conf).clamp(0.0, 1.0), page: Some(self.page), bbox: Some(self.bbox) }
    }
}

/// How a value relates to its label.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    SameLine,
    SameRow,
    Below,
}

impl Place {
    fn weight(self) -> f32 {
        match self {
            Place::SameLine => 1.0,
            Place::SameRow => 0.9,
            Place::Below => 0.8,
        }
    }
}

/// Where the value for a label may stand: the rest of its line, lines to its right in
/// the same row, then the lines just below the label.
fn near_label<'a>(lines: &'a [TextLine], line: &'a TextLine, label_end: usize, label_start: usize) -> Vec<(&'a TextLine, usize, Place)> {
    let mut v = vec![(line, label_end, Place::SameLine)];
    for r in right_of(lines, line).into_iter().take(2) {
        v.push((r, 0, Place::SameRow));
    }
    let (x0, x1) = line.x_range(label_start, label_end);
    for b in below(lines, line, x0, x1, 1.5).into_iter().take(2) {
        v.push((b, 0, Place::Below));
    }
    v
}

fn located(line: &TextLine, start: usize, end: usize) -> (BBox, f32) {
    line.locate(start, end)
}

fn invoice_number_token() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"^[\s:#.]*(?:(?i:nr|no|nummer|number|n°)\.?[\s:#]*)?([A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9]|[0-9])").unwrap())
}

fn plausible_number(tok: &str) -> bool {
    let digits = tok.chars().filter(|c| c.is_ascii_digit()).count();
    digits >= 1 && tok.len() >= 2 && tok.len() <= 32 && find_dates(tok, false).is_empty()
}

fn invoice_number(lines: &[TextLine]) -> Option<(Cand, f32)> {
    let mut cands: Vec<(Cand, f32)> = Vec::new();
    for line in lines {
        let top_of_first_page = line.page == 1 && line.bbox[1] < 300.0;
        // (start, end, strength, value only on the same line)
        let mut hits: Vec<(usize, usize, f32, bool)> =
            labels::invoice_number().find_iter(&line.text).filter(|m| !labels::reference_prefix().is_match(&line.text[..m.start()].to_lowercase())).map(|m| (m.start(), m.end(), 1.0, false)).collect();
        if let Some(m) = labels::invoice_type_code_title().find(&line.text) {
            hits.push((m.start(), m.end(), if top_of_first_page { 1.08 } else { 0.9 }, true));
        }
        if let Some(m) = labels::invoice_title().find(&line.text) {
            // A document title with its number ("Avoir AV-2017-0005") heads the first page.
            hits.push((m.start(), m.end(), if top_of_first_page { 1.05 } else { 0.7 }, true));
        }
        for (ls, le, strength, same_line_only) in hits {
            for (target, from, place) in near_label(lines, line, le, ls) {
                if same_line_only && place != Place::SameLine {
                    break;
                }
                let rest = &target.text[from.min(target.text.len())..];
                if let Some(c) = invoice_number_token().captures(rest) {
                    let g = c.get(1).expect("group 1");
                    let tok = g.as_str().trim_end_matches(['.', '-', '/']);
                    if plausible_number(tok) {
                        let (s, e) = (from + g.start(), from + g.start() + tok.len());
                        let (bbox, conf) = located(target, s, e);
                        let page_bonus = if target.page == 1 { 1.0 } else { 0.9 };
                        let score = (0.92 * strength * place.weight() * page_bonus).min(0.99);
                        cands.push((Cand { value: tok.to_string(), score, page: target.page, bbox, order: target.order }, conf));
                        break;
                    }
                }
            }
        }
    }
    best(cands)
}

fn best(mut cands: Vec<(Cand, f32)>) -> Option<(Cand, f32)> {
    // Highest score; among equals, the earliest in the document.
    cands.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then(a.0.order.cmp(&b.0.order)));
    // Agreement between several labelled places raises confidence.
    let first = cands.first()?.clone();
    let agreeing = cands.iter().filter(|c| c.0.value == first.0.value).count();
    let mut chosen = first;
    if agreeing > 1 {
        chosen.0.score = (chosen.0.score + 0.05 * (agreeing - 1) as f32).min(1.0);
    }
    Some(chosen)
}

/// The start of a period right before a label: "vom 06.12.2013 ", "from 1 May 2024 ".
fn period_start() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)\b(?:vom|von|ab|from)\s+[\d./-]{6,10}\s*$").expect("regex"))
}

fn dates_for(lines: &[TextLine], label: &Regex, month_first: bool, exclude: &[&Regex]) -> Vec<(Cand, f32, NaiveDate)> {
    let mut out = Vec::new();
    for line in lines {
        for m in label.find_iter(&line.text) {
            // "Lieferdatum" must not count as a "Datum" label, etc.
            let lower = line.text.to_lowercase();
            if exclude.iter().any(|x| x.find_iter(&lower).any(|xm| xm.start() <= m.start() && xm.end() >= m.end() - 1)) {
                continue;
            }
            // "vom 06.12.2013 bis zum 06.12.2014": the end of a period, not a deadline.
            if lower[m.start()..].starts_with("bis") && period_start().is_match(&line.text[..m.start()]) {
                continue;
            }
            for (target, from, place) in near_label(lines, line, m.end(), m.start()) {
                let rest = &target.text[from.min(target.text.len())..];
                if let Some(d) = find_dates(rest, month_first).into_iter().next() {
                    // A date far along the line belongs to another label.
                    let distance_penalty = if place == Place::SameLine && d.start > 40 { 0.8 } else { 1.0 };
                    let (bbox, conf) = located(target, from + d.start, from + d.end);
                    out.push((Cand { value: d.date.format("%Y-%m-%d").to_string(), score: 0.9 * place.weight() * distance_penalty, page: target.page, bbox, order: target.order }, conf, d.date));
                    break;
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
struct AmountCand {
    value: Decimal,
    page: u32,
    bbox: BBox,
    conf: f32,
    order: usize,
    /// Label strength per role: gross, net, vat, due.
    roles: [f32; 4],
    currency: Option<&'static str>,
    /// The line mentions a VAT rate ("19 %").
    rate: Option<Decimal>,
}

const GROSS: usize = 0;
const NET: usize = 1;
const VAT: usize = 2;
const DUE: usize = 3;

fn rate_in(text: &str) -> Option<Decimal> {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"(\d{1,2}(?:[.,]\d{1,2})?)\s?%").unwrap());
    re.captures(text).and_then(|c| super::parse::parse_amount(&c[1]))
}

fn amount_candidates(lines: &[TextLine]) -> Vec<AmountCand> {
    let mut out = Vec::new();
    for line in lines {
        let mut amounts = find_amounts(&line.text);
        // An amount alone in its cell that OCR broke ("1 6,39"): the joined value as well.
        if let Some(a) = super::parse::split_cell_amount(&line.text) {
            amounts.push(a);
        }
        if amounts.is_empty() {
            continue;
        }
        // The label text: this line left of the amount, or the lines left of it in its row.
        let row_left: String = left_of(lines, line).iter().rev().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ");
        for a in &amounts {
            let label_text = format!("{} {}", row_left, &line.text[..a.start]);
            if labels::carry_over().is_match(&label_text) || labels::not_a_total().is_match(&line.text[..a.start]) {
                continue;
            }
            let strength = |re: &Regex| -> f32 {
                match re.find_iter(&label_text).last() {
                    Some(m) => {
                        // Closer labels count more.
                        let dist = label_text.len() - m.end();
                        if dist < 40 {
                            1.0
                        } else {
                            0.8
                        }
                    }
                    None => 0.0,
                }
            };
            let due = strength(labels::amount_due());
            let mut roles = [strength(labels::gross_total()).max(0.6 * due), strength(labels::net_total()), strength(labels::vat_total()), due];
            // "Summe netto" is net, not gross: the more specific label wins.
            if roles[NET] > 0.0 || roles[VAT] > 0.0 {
                let explicit_gross = explicit_gross().is_match(&label_text);
                if !explicit_gross {
                    roles[GROSS] = 0.0;
                }
            }
            if roles[NET] > 0.0 && roles[VAT] > 0.0 {
                // "Netto 100,00 MwSt 19,00" on one line: the nearer label decides.
                let n = labels::net_total().find_iter(&label_text).last().map(|m| m.end()).unwrap_or(0);
                let v = labels::vat_total().find_iter(&label_text).last().map(|m| m.end()).unwrap_or(0);
                if n > v {
                    roles[VAT] = 0.0
                } else {
                    roles[NET] = 0.0
                }
            }
            let (bbox, conf) = line.locate(a.start, a.end);
            out.push(AmountCand { value: a.value, page: line.page, bbox, conf, order: line.order, roles, currency: a.currency, rate: rate_in(&line.text[..a.start]) });
        }
    }
    out
}

fn explicit_gross() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)(brutto|gesamtbetrag|rechnungsbetrag|zu zahlen|zahlbetrag|amount due|grand total|ttc|incl)").expect("regex"))
}

struct Totals {
    net: Option<(AmountCand, f32)>,
    vat: Option<(AmountCand, f32)>,
    gross: Option<(AmountCand, f32)>,
    due: Option<(AmountCand, f32)>,
    consistent: bool,
}

const VAT_RATES: [&str; 12] = ["0.19", "0.07", "0.20", "0.10", "0.055", "0.21", "0.16", "0.05", "0.081", "0.077", "0.25", "0.00"];

fn plausible_vat(net: Decimal, vat: Decimal) -> bool {
    if net <= Decimal::ZERO {
        return vat == Decimal::ZERO || net < Decimal::ZERO;
    }
    let r = vat / net;
    // Single rates, or a mix between the reduced and the standard rate.
    VAT_RATES.iter().any(|s| (r - s.parse::<Decimal>().expect("rate")).abs() < Decimal::new(2, 3)) || (r > Decimal::new(5, 2) && r < Decimal::new(26, 2))
}

fn choose_totals(amounts: &[AmountCand]) -> Totals {
    let by = |role: usize| -> Vec<&AmountCand> { amounts.iter().filter(|a| a.roles[role] > 0.0).collect() };
    let (grosses, nets, vats) = (by(GROSS), by(NET), by(VAT));
    // 1. A labelled triple that adds up. Later triples win ties: totals blocks come last.
    let mut best: Option<(f32, &AmountCand, &AmountCand, &AmountCand)> = None;
    for g in &grosses {
        for n in &nets {
            for v in &vats {
                // VAT is a share of the net amount: never more than it (credit notes: in size).
                if n.value + v.value == g.value && n.page == g.page && v.page == g.page && v.value.abs() <= n.value.abs() {
                    let s = g.roles[GROSS] + n.roles[NET] + v.roles[VAT] + 0.001 * g.order as f32;
                    if best.as_ref().map(|b| s > b.0).unwrap_or(true) {
                        best = Some((s, *n, *v, *g));
                    }
                }
            }
        }
    }
    // 2. A labelled gross with any two amounts that add up to it at a plausible VAT rate.
    if best.is_none() {
        for g in &grosses {
            for n in amounts.iter().filter(|a| a.page == g.page && a.order <= g.order) {
                for v in amounts.iter().filter(|a| a.page == g.page && a.order <= g.order) {
                    if std::ptr::eq(n, v) || n.value + v.value != g.value || !plausible_vat(n.value, v.value) || v.value.abs() > n.value.abs() {
                        continue;
                    }
                    // Nothing adds to itself: a zero VAT takes a net printed and labelled as such
                    // ("Gesamtbetrag 230,48" + "Abschläge 0,00" is no triple).
                    if std::ptr::eq(n, *g) || (v.value.is_zero() && n.roles[NET] <= 0.0) {
                        continue;
                    }
                    let s = g.roles[GROSS] + 0.5 * (n.roles[NET] + v.roles[VAT]) + 0.001 * g.order as f32;
                    if best.as_ref().map(|b| s > b.0).unwrap_or(true) {
                        best = Some((s, n, v, *g));
                    }
                }
            }
        }
    }
    // 3. No labelled gross adds up, but a labelled net and VAT do add up to an amount printed
    //    on the page ("Due payable: 571.04").
    if best.is_none() {
        for n in &nets {
            for v in &vats {
                if !plausible_vat(n.value, v.value) || v.value.abs() > n.value.abs() {
                    continue;
                }
                for g in amounts.iter().filter(|a| a.page == n.page && a.value == n.value + v.value && a.order >= n.order.max(v.order)) {
                    let s = 0.5 + n.roles[NET] + v.roles[VAT] + 0.5 * g.roles[DUE] + 0.001 * g.order as f32;
                    if best.as_ref().map(|b| s > b.0).unwrap_or(true) {
                        best = Some((s, *n, *v, g));
                    }
                }
            }
        }
    }
    let due = amounts.iter().filter(|a| a.roles[DUE] > 0.0).max_by(|a, b| a.roles[DUE].total_cmp(&b.roles[DUE]).then(a.order.cmp(&b.order))).cloned();
    if let Some((_, n, v, g)) = best {
        let due = due.map(|d| {
            let agrees = d.value == g.value;
            (d, if agrees { 0.95 } else { 0.7 })
        });
        return Totals { net: Some((n.clone(), 0.95)), vat: Some((v.clone(), 0.95)), gross: Some((g.clone(), 0.97)), due, consistent: true };
    }
    // 3. No arithmetic agreement: the strongest labels, last in the document.
    let pick = |v: &[&AmountCand], role: usize| v.iter().max_by(|a, b| a.roles[role].total_cmp(&b.roles[role]).then(a.order.cmp(&b.order))).map(|a| (*a).clone());
    let gross = pick(&grosses, GROSS).map(|g| (g, 0.6));
    // Without VAT (small businesses, § 19 UStG) the net total is the gross total.
    Totals { net: pick(&nets, NET).map(|a| (a, 0.5)), vat: pick(&vats, VAT).map(|a| (a, 0.5)), gross, due: due.map(|d| (d, 0.6)), consistent: false }
}

fn amount_field(c: (AmountCand, f32)) -> FieldValue {
    let (a, score) = c;
    FieldValue { value: format_amount(a.value), confidence: (score * a.conf).clamp(0.0, 1.0), page: Some(a.page), bbox: Some(a.bbox) }
}

fn vat_breakdown(amounts: &[AmountCand]) -> Vec<VatBreakdown> {
    // Lines with a rate and two amounts where amount = base × rate.
    let mut out: Vec<VatBreakdown> = Vec::new();
    // Grouped by visual row, not by text line: a rate's label and its amounts often sit in
    // separate columns ("zzgl. 19 % USt auf 1.227,00 €" … "233,13 €").
    let mut by_row: Vec<Vec<&AmountCand>> = Vec::new();
    let mut sorted: Vec<&AmountCand> = amounts.iter().collect();
    let cy = |a: &AmountCand| (a.bbox[1] + a.bbox[3]) / 2.0;
    sorted.sort_by(|a, b| a.page.cmp(&b.page).then(cy(a).total_cmp(&cy(b))));
    for a in sorted {
        match by_row.last_mut() {
            Some(row) if row[0].page == a.page && (row.iter().any(|r| r.order == a.order) || (cy(row[0]) - cy(a)).abs() < 0.5 * (row[0].bbox[3] - row[0].bbox[1]).max(a.bbox[3] - a.bbox[1])) => {
                row.push(a)
            }
            _ => by_row.push(vec![a]),
        }
    }
    for group in &by_row {
        let Some(rate) = group.iter().find_map(|a| a.rate) else { continue };
        for base in group {
            for tax in group {
                if std::ptr::eq(*base, *tax) {
                    continue;
                }
                let expect = (base.value * rate / Decimal::from(100)).round_dp(2);
                if expect == tax.value && tax.value != Decimal::ZERO {
                    let entry = VatBreakdown { rate: format_amount(rate), base: format_amount(base.value), amount: format_amount(tax.value) };
                    if !out.contains(&entry) {
                        out.push(entry);
                    }
                }
            }
        }
    }
    out
}

fn first_id(lines: &[TextLine], finder: fn(&str) -> Vec<(String, usize, usize)>, label: &Regex, require_label: bool) -> Vec<(Cand, f32, bool)> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for (value, s, e) in finder(&line.text) {
            // A label in a label column to the left of a value that starts its line.
            let row_label = if s <= 2 { left_of(lines, line).first().map(|l| l.text.as_str()).filter(|t| label.is_match(t)) } else { None };
            let labelled = label.is_match(&line.text[..s])
                || (i > 0 && lines[i - 1].page == line.page && label.is_match(&lines[i - 1].text) && find_amounts(&lines[i - 1].text).is_empty())
                || row_label.is_some();
            if require_label && !labelled {
                continue;
            }
            let (bbox, conf) = line.locate(s, e);
            let buyer = labels::buyer_marker().is_match(&line.text[..s]) || row_label.is_some_and(|t| labels::buyer_marker().is_match(t));
            out.push((Cand { value, score: if labelled { 0.95 } else { 0.8 }, page: line.page, bbox, order: line.order }, conf, buyer));
        }
    }
    out
}

/// A legal form ("GmbH", "& Co. KG", "a.G.", "Ltd."), with its closing dot.
pub(crate) fn company_suffix() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)\b(?:ug\s*\(\s*haftungsbeschr\p{L}*\s*\)?|gmbh|ag|kg|ug|ohg|gbr|mbh|ltd|limited|inc|llc|sas|sarl|plc|kgaa|se|co|a\.\s?g|e\.\s?[kvg]|s\.a|b\.v|s\.a\.r\.l)(?:\b\.?|$|\s)")
            .unwrap()
    })
}

/// A party's name as it is spelt: whitespace collapsed and the legal forms in their one
/// spelling, which OCR and typists vary ("e.K" → "e.K.", "Co.KG" → "Co. KG",
/// "UG (haftungsbeschrankt)" → "UG (haftungsbeschränkt)").
pub fn canonical_name(raw: &str) -> String {
    static R: std::sync::OnceLock<[(Regex, &str); 4]> = std::sync::OnceLock::new();
    let forms = R.get_or_init(|| {
        [
            (Regex::new(r"(?i)\bUG\s*\(\s*haftungsbeschr\p{L}*\s*\)?").expect("regex"), "UG (haftungsbeschränkt)"),
            (Regex::new(r"\bCo\.\s*KG\b").expect("regex"), "Co. KG"),
            (Regex::new(r"\be\.\s?K\b\.?").expect("regex"), "e.K."),
            (Regex::new(r"\be\.\s?V\b\.?").expect("regex"), "e.V."),
        ]
    });
    static CLOSING: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    // The signer's company under the closing formula ("Kind regards" / "Gebr. Thomas e.K."):
    // the formula is no part of the name.
    let closing = CLOSING.get_or_init(|| {
        Regex::new(r"(?i)^(?:mit\s+freundlichen\s+gr(?:ü|ue|u)(?:ß|ss)en|freundliche\s+gr(?:ü|ue|u)(?:ß|ss)e|(?:kind|best|warm)\s+regards|yours\s+(?:sincerely|faithfully))[,.]?\s+").expect("regex")
    });
    // A lone dot or colon is a speck OCR read ("Druckerei Engel . GmbH", "Elektroanlagen
    // Schmidt : UG"); no name has punctuation standing alone between its words.
    let speck = |w: &str| w.chars().all(|c| matches!(c, '.' | ':' | ',' | ';' | '\'' | '`' | '·'));
    let joined = raw.split_whitespace().filter(|w| !speck(w)).collect::<Vec<_>>().join(" ");
    let mut v = closing.replace(&joined, "").into_owned();
    for (re, spelling) in forms {
        v = re.replace_all(&v, *spelling).into_owned();
    }
    // Legal forms spelt without a dot keep none at the end of a name ("Gebr. Braun GmbH.").
    static DOTLESS: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let dotless = DOTLESS.get_or_init(|| Regex::new(r"\b(GmbH|AG|KG|OHG|GbR|UG|SE|SARL|SAS|LLC|PLC|KGaA)\.$").expect("regex"));
    dotless.replace(&v, "$1").into_owned()
}

/// Whether `above` is the first half of a name whose legal form stands on the next line
/// `line` ("MVM Musterhafter" / "Versicherungsverein Musterstadt a.G."): directly above,
/// left-aligned, short, without digits, a label or a legal form of its own.
pub(crate) fn name_continues(above: &TextLine, line: &TextLine) -> bool {
    name_continues_within(above, line, 3, line.height())
}

fn name_continues_within(above: &TextLine, line: &TextLine, max_words: usize, h: f32) -> bool {
    let t = above.text.trim();
    above.page == line.page
        && above.bbox[3] <= line.bbox[1] + 0.3 * h
        && line.bbox[1] - above.bbox[3] < 0.8 * h
        && (above.bbox[0] - line.bbox[0]).abs() < 1.5 * h
        && t.split_whitespace().count() <= max_words
        && t.chars().any(char::is_alphabetic)
        && !t.chars().any(|c| c.is_ascii_digit() || c == ':' || c == '@')
        && !company_suffix().is_match(t)
        && super::form::heading(t).is_none()
}

/// The name printed over `above` and `line`, its legal form on the second line ("MVM
/// Musterhafter" / "Versicherungsverein Musterstadt a.G."), when they are such a pair.
/// A second line that is the legal form alone ("Jäger Facility Services Regensburg" /
/// "GmbH & Co. KG") leaves no doubt whose it is: the first may be longer.
pub(crate) fn two_line_name(above: &TextLine, line: &TextLine) -> Option<String> {
    let form_only = legal_form_alone(&line.text);
    let max_words = if form_only { 6 } else { 3 };
    // A legal form alone, often in smaller print ("GmbH & Co. KG"), stands a little further
    // off than its own height: the spacing then goes by the name's line.
    let h = if form_only { line.height().max(above.height()) } else { line.height() };
    (company_suffix().is_match(&line.text) && name_continues_within(above, line, max_words, h))
        .then(|| format!("{} {}", above.text.trim(), line.text.trim()).split_whitespace().collect::<Vec<_>>().join(" "))
}

fn name_with_line_above(lines: &[&TextLine], at: usize, name: &str) -> String {
    let l = lines[at];
    match at.checked_sub(1).map(|k| lines[k]) {
        Some(p) if l.text.trim_start().starts_with(name) && name_continues(p, l) => format!("{} {name}", p.text.trim()),
        _ => name.to_string(),
    }
}

fn postcode_city() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"\b(?:D-|DE-|A-|CH-)?\d{4,5}\s+\p{Lu}[\p{L}\-. ]+").unwrap())
}

/// A line that is only the salutation of the address below it ("Herrn", "Firma", "To").
fn salutation_alone() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)^(herrn?|frau|firma|an|to|mr\.?|mrs\.?|ms\.?)$").expect("regex"))
}

/// Whether a line may be a party's name: no e-mail or web address, fewer digits than letters,
/// no heading over an address ("Adresse de livraison", "Käufer").
fn could_be_a_name(t: &str) -> bool {
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    !t.contains('@') && !t.to_lowercase().contains("http") && !t.to_lowercase().contains("www.") && digits < letters && !no_party_name(t)
}

/// A line that is only a legal form ("GmbH & Co. KG" under the name it belongs to).
fn legal_form_alone(t: &str) -> bool {
    company_suffix().is_match(t) && company_suffix().replace_all(t, "").chars().all(|c| !c.is_alphanumeric())
}

/// A heading over an address ("Adresse de livraison", "Käufer:"), its street or country
/// line, a contact person's line ("z. Hd. Frau Lorenz"), a field label or a legal form
/// alone: nobody's name.
pub(crate) fn no_party_name(t: &str) -> bool {
    use super::labels::{address_heading, contact_person, country_line, label_line, street_line};
    [address_heading(), country_line(), contact_person(), label_line(), street_line()].iter().any(|r| r.is_match(t)) || super::form::heading(t).is_some() || legal_form_alone(t)
}

/// Seller and buyer names from the letter's layout (DIN 5008): the recipient's address
/// stands in the window at the top left, with the sender's one-line return address just
/// above it; the sender's name also heads the letter.
/// Issuer (letterhead, return line) and addressee (address window) by position, or seller
/// and buyer by a form's headings; the last value says whether a form named either.
#[allow(clippy::type_complexity)]
fn parties(lines: &[TextLine]) -> (Option<(Cand, f32)>, Option<(Cand, f32)>, Option<(Cand, f32)>, bool) {
    let first: Vec<&TextLine> = lines.iter().filter(|l| l.page == 1).collect();
    let mut seller: Option<(Cand, f32)> = None;
    let mut buyer: Option<(Cand, f32)> = None;
    let mut seller_address: Option<(Cand, f32)> = None;
    // A form names the parties under their headings ("Verkäufer" / "Name: …").
    for n in super::form::party_names(lines) {
        let cand = Some((Cand { value: n.value.clone(), score: 0.9, page: n.page, bbox: n.bbox, order: lines[n.lines[0]].order }, n.conf));
        match n.party {
            super::form::Party::Seller => seller = cand,
            super::form::Party::Buyer => buyer = cand,
        }
    }
    let from_form = seller.is_some() || buyer.is_some();
    // Return-address line: several parts separated by · | • or " - ", one of them a postcode + city.
    for l in &first {
        if l.bbox[1] > 330.0 || seller.is_some() {
            continue;
        }
        // OCR reads a small separator dot as "e" or "©" now and then ("Bei Spiel GmbH e Ecke12 © 12345 …").
        let parts: Vec<&str> = l.text.split(['·', '|', '•', '●', '∙', '©']).flat_map(|p| p.split(" - ")).flat_map(|p| p.split(" e ")).map(str::trim).filter(|p| !p.is_empty()).collect();
        if parts.len() >= 3 && parts.iter().any(|p| postcode_city().is_match(p)) {
            let name = parts[0].trim_matches([',', ' ']).to_string();
            let (bbox, conf) = l.locate(0, parts[0].len().min(l.text.len()));
            seller = Some((Cand { value: name, score: 0.8, page: 1, bbox, order: l.order }, conf));
            let addr = parts[1..].join(", ");
            seller_address = Some((Cand { value: addr, score: 0.7, page: 1, bbox: l.bbox, order: l.order }, conf));
            // The recipient is the first line below it.
            let (x0, x1) = (l.bbox[0], l.bbox[2]);
            for b in below(lines, l, x0, x1, 3.0) {
                let t = b.text.trim();
                if t.is_empty() || salutation_alone().is_match(t) {
                    continue;
                }
                // The sender's contact line under its return address is nobody's name.
                if !could_be_a_name(t) {
                    break;
                }
                let (bbox, conf) = b.locate(0, b.text.len());
                buyer = Some((Cand { value: t.to_string(), score: 0.75, page: 1, bbox, order: b.order }, conf));
                break;
            }
            break;
        }
    }
    // Otherwise: the address block left of centre in the window area with a postcode line.
    if buyer.is_none() {
        let window: Vec<&&TextLine> = first.iter().filter(|l| l.bbox[1] > 90.0 && l.bbox[1] < 330.0 && l.bbox[0] < 300.0).collect();
        if let Some(pc) = window.iter().position(|l| postcode_city().is_match(&l.text)) {
            // The name is 1–3 lines above the postcode line.
            let start = pc.saturating_sub(3);
            for l in &window[start..pc] {
                let t = l.text.trim();
                if t.len() < 3 || salutation_alone().is_match(t) || t.chars().filter(|c| c.is_ascii_digit()).count() > 3 || no_party_name(t) {
                    continue;
                }
                let (bbox, conf) = l.locate(0, l.text.len());
                buyer = Some((Cand { value: t.to_string(), score: 0.6, page: 1, bbox, order: l.order }, conf));
                break;
            }
        }
    }
    if seller.is_none() {
        // A company name in the letterhead, or in the footer.
        let buyer_text = buyer.as_ref().map(|b| b.0.value.clone()).unwrap_or_default();
        let head = first.iter().filter(|l| l.bbox[1] < 200.0).chain(first.iter().filter(|l| l.bbox[1] >= 700.0));
        let head: Vec<&TextLine> = head.copied().collect();
        for (k, l) in head.iter().enumerate() {
            // The last legal form on the line: "Grundbesitz GmbH & Co." ends after "Co.".
            if let Some(m) = company_suffix().find_iter(&l.text).last() {
                let name = l.text[..m.end()].trim();
                let name = name.rsplit(['·', '|', ',']).next().unwrap_or(name).trim();
                if name.len() >= 4 && name != buyer_text && !buyer_text.contains(name) {
                    let name = name_with_line_above(&head, k, name);
                    let (bbox, conf) = l.locate(0, m.end());
                    seller = Some((Cand { value: name, score: 0.6, page: 1, bbox, order: l.order }, conf));
                    break;
                }
            }
        }
    }
    (seller, buyer, seller_address, from_form)
}

fn currency(amounts: &[AmountCand], lines: &[TextLine]) -> Option<(Cand, f32)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for a in amounts {
        if let Some(c) = a.currency {
            *counts.entry(c).or_default() += 1;
        }
    }
    if counts.is_empty() {
        // A currency code or sign anywhere, e.g. in a table header "Betrag (EUR)".
        static CODE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let re = CODE.get_or_init(|| Regex::new(r"(?:\b(EUR|USD|CHF|GBP)\b|(€))").expect("regex"));
        for l in lines {
            if let Some(c) = re.captures(&l.text) {
                let code = if c.get(2).is_some() { "EUR" } else { c.get(1).map(|m| m.as_str()).unwrap_or("EUR") };
                let m = c.get(0).expect("match");
                let (bbox, conf) = l.locate(m.start(), m.end());
                return Some((Cand { value: code.to_string(), score: 0.85, page: l.page, bbox, order: l.order }, conf));
            }
        }
        return None;
    }
    let (code, _) = counts.iter().max_by_key(|(_, n)| **n)?;
    let a = amounts.iter().find(|a| a.currency == Some(code))?;
    Some((Cand { value: code.to_string(), score: 0.95, page: a.page, bbox: a.bbox, order: a.order }, 1.0))
}

/// Whether a VAT ID or IBAN (by its country prefix) belongs to a country that pays in euro
/// (the euro area as of 2026, Bulgaria included; Greek VAT IDs start with EL).
fn euro_area(id: &str) -> bool {
    const EURO: [&str; 22] = ["AT", "BE", "BG", "CY", "DE", "EE", "EL", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT", "SI", "SK"];
    id.get(..2).is_some_and(|cc| EURO.contains(&cc))
}

fn labelled_line(lines: &[TextLine], label: &Regex) -> Option<(Cand, f32)> {
    let l = lines.iter().find(|l| label.is_match(&l.text))?;
    let (bbox, conf) = l.locate(0, l.text.len());
    Some((Cand { value: l.text.chars().take(200).collect(), score: 0.7, page: l.page, bbox, order: l.order }, conf))
}

fn order_reference(lines: &[TextLine]) -> Option<(Cand, f32)> {
    let mut cands = Vec::new();
    for line in lines {
        for m in labels::order_reference().find_iter(&line.text) {
            for (target, from, place) in near_label(lines, line, m.end(), m.start()) {
                let rest = &target.text[from.min(target.text.len())..];
                if let Some(c) = invoice_number_token().captures(rest) {
                    let g = c.get(1).expect("group 1");
                    if plausible_number(g.as_str()) {
                        let (bbox, conf) = target.locate(from + g.start(), from + g.end());
                        cands.push((Cand { value: g.as_str().to_string(), score: 0.85 * place.weight(), page: target.page, bbox, order: target.order }, conf));
                        break;
                    }
                }
            }
        }
    }
    best(cands)
}

/// Whether the document's numeric slash dates are month first: as its own dates or payment
/// terms show ([`super::parse::slash_dates_month_first`]); where they do not, on English pages in
/// US dollars.
pub fn month_first(doc: &ReadDocument, lines: &[TextLine]) -> bool {
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    super::parse::slash_dates_month_first(&texts).unwrap_or_else(|| doc.language == Some("en") && lines.iter().any(|l| l.text.contains("USD") || l.text.contains('$')))
}

/// Runs every rule over the document's lines.
pub fn extract(doc: &ReadDocument, lines: &[TextLine]) -> Extraction {
    let month_first = month_first(doc, lines);
    let mut fields: BTreeMap<String, FieldValue> = BTreeMap::new();
    let mut put = |name: &str, c: Option<(Cand, f32)>| {
        if let Some((cand, conf)) = c {
            fields.insert(name.to_string(), cand.into_field(conf));
        }
    };

    put("invoice_number", invoice_number(lines));

    let not_issue: Vec<&Regex> = vec![labels::due_date(), labels::delivery_date()];
    let issue = dates_for(lines, labels::issue_date(), month_first, &not_issue);
    let due = dates_for(lines, labels::due_date(), month_first, &[]);
    let delivery = dates_for(lines, labels::delivery_date(), month_first, &[]);
    let pick_date = |v: Vec<(Cand, f32, NaiveDate)>| best(v.into_iter().map(|(c, f, _)| (c, f)).collect());
    let mut issue_date = pick_date(issue);
    if issue_date.is_none() {
        // No label: the first date in the top part of page 1 (the letter's date line).
        'outer: for l in lines.iter().filter(|l| l.page == 1 && l.bbox[1] < 400.0) {
            if let Some(d) = find_dates(&l.text, month_first).into_iter().next() {
                let (bbox, conf) = l.locate(d.start, d.end);
                issue_date = Some((Cand { value: d.date.format("%Y-%m-%d").to_string(), score: 0.55, page: 1, bbox, order: l.order }, conf));
                break 'outer;
            }
        }
    }
    put("issue_date", issue_date);
    put("due_date", pick_date(due));
    put("delivery_date", pick_date(delivery));

    let amounts = amount_candidates(lines);
    let totals = choose_totals(&amounts);
    if let Some(g) = totals.gross.clone() {
        fields.insert("gross_total".into(), amount_field(g));
    }
    if let Some(n) = totals.net.clone() {
        fields.insert("net_total".into(), amount_field(n));
    }
    if let Some(v) = totals.vat.clone() {
        fields.insert("vat_total".into(), amount_field(v));
    }
    match totals.due.clone() {
        Some(d) => {
            fields.insert("amount_due".into(), amount_field(d));
        }
        // Without a separate amount due, the gross total is due — unless the letter speaks of
        // prepayments, deductions or instalments, which a reviewer must read.
        None if totals.consistent && !lines.iter().any(|l| labels::prepaid().is_match(&l.text)) => {
            if let Some(mut g) = totals.gross.clone() {
                g.1 *= 0.9;
                fields.insert("amount_due".into(), amount_field(g));
            }
        }
        None => {}
    }
    let mut put = |name: &str, c: Option<(Cand, f32)>| {
        if let Some((cand, conf)) = c {
            fields.insert(name.to_string(), cand.into_field(conf));
        }
    };
    let printed_currency = currency(&amounts, lines);

    let mut ibans = first_id(lines, ids::find_ibans, labels::iban(), false);
    if ibans.is_empty() {
        // A printed IBAN whose checksum fails is still what the letter says; it is taken
        // after a bank label only, doubtful, and the iban_checksum check fails for review.
        ibans = first_id(lines, ids::find_unchecked_ibans, labels::bank_account(), true);
        for (c, _, _) in &mut ibans {
            c.score = 0.4;
        }
    }
    let iban = ibans.iter().max_by(|a, b| a.0.score.total_cmp(&b.0.score).then(b.0.order.cmp(&a.0.order))).map(|(c, f, _)| (c.clone(), *f));
    put("iban", iban.clone());
    let bics = first_id(lines, ids::find_bics, labels::bic(), true);
    put("bic", bics.into_iter().next().map(|(c, f, _)| (c, f)));

    let vat_ids = first_id(lines, ids::find_vat_ids, labels::vat_id(), false);
    let seller_vat = vat_ids.iter().find(|(_, _, buyer)| !buyer).map(|(c, f, _)| (c.clone(), *f));
    let buyer_vat = vat_ids.iter().find(|(c, _, buyer)| *buyer && Some(&c.value) != seller_vat.as_ref().map(|s| &s.0.value)).map(|(c, f, _)| (c.clone(), *f));
    // No currency printed (a receipt whose totals carry no sign): a seller in the euro area
    // bills in euro. Taken doubtful, so the invoice goes to review with the ID marked.
    let assumed_currency = || {
        let (c, f) = seller_vat.clone().or_else(|| iban.clone())?;
        euro_area(&c.value).then(|| (Cand { value: "EUR".into(), score: 0.5, ..c }, f))
    };
    put("currency", printed_currency.or_else(assumed_currency));
    put("seller_vat_id", seller_vat);
    put("buyer_vat_id", buyer_vat);
    let tax_numbers = first_id(lines, ids::find_tax_numbers, labels::tax_number(), true);
    put("seller_tax_number", tax_numbers.into_iter().next().map(|(c, f, _)| (c, f)));

    let (seller, buyer, seller_address, from_form) = parties(lines);
    let canonical = |p: Option<(Cand, f32)>| {
        p.map(|(mut c, f)| {
            c.value = canonical_name(&c.value);
            (c, f)
        })
    };
    let (seller, buyer) = (canonical(seller), canonical(buyer));
    if super::issuer_is_buyer(doc.doc_type) && !from_form {
        // An order: the letterhead is the buyer's, the address window the supplier's.
        put("seller_name", buyer);
        put("buyer_name", seller);
    } else {
        put("seller_name", seller);
        put("buyer_name", buyer);
        put("seller_address", seller_address);
    }
    put("payment_terms", labelled_line(lines, labels::payment_terms()));
    put("order_reference", order_reference(lines));

    let vat_breakdown = vat_breakdown(&amounts);
    Extraction { fields, line_items: Vec::new(), vat_breakdown, checks: Vec::new(), totals_consistent: totals.consistent }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::DocType;
    use crate::layout::test_page;

    /// What the rules read on one page of (x, y, text) cells, words 7.5 pt high.
    fn read(cells: &[(f32, f32, &str)]) -> Extraction {
        let pages = [test_page(cells, 7.5)];
        let doc = ReadDocument { pages: &pages, language: Some("de"), doc_type: DocType::Invoice };
        extract(&doc, &super::super::text::lines(&pages))
    }

    #[test]
    fn a_return_line_whose_separators_ocr_read_as_letters_still_names_both_parties() {
        // Mustang's samples: "Bei Spiel GmbH • Ecke 12 • 12345 Stadthausen • Germany" read
        // with "e" and "©" for the dots; the recipient stands under it.
        let ex = read(&[(83.0, 157.0, "Bei Spiel GmbH e Ecke12 © 12345 Stadthausen e Germany"), (71.0, 171.0, "Theodor Est"), (72.0, 195.0, "Bahnstr 42"), (71.0, 224.0, "88802 Spielkreis")]);
        assert_eq!((ex.value("seller_name"), ex.value("buyer_name")), (Some("Bei Spiel GmbH"), Some("Theodor Est")));
    }

    #[test]
    fn a_receipt_without_a_currency_is_in_euro_when_its_seller_is_in_the_euro_area() {
        // A generated Dutch receipt: no € or EUR anywhere on the page.
        let receipt = |vat_line: &'static str| {
            read(&[(60.0, 60.0, "de Boer Bistro B.V."), (60.0, 72.0, "Stationsplein 106"), (60.0, 84.0, vat_line), (60.0, 120.0, "Dish of the day 10 x 9,70 97,00"), (60.0, 140.0, "TOTAL 106,46")])
        };
        let ex = receipt("VAT number NL874021477B02");
        let currency = ex.fields.get("currency").expect("EUR assumed");
        assert_eq!(currency.value, "EUR");
        assert!(currency.confidence < crate::extract::REVIEW_THRESHOLD, "assumed, so reviewed: {}", currency.confidence);
        assert!(currency.bbox.is_some_and(|b| b[1] > 80.0 && b[1] < 90.0), "the VAT ID is the evidence: {:?}", currency.bbox);
        // A Swiss seller may bill in francs or in euro: nothing is assumed.
        assert_eq!(receipt("UID CHE-419.613.477 MWST").value("currency"), None);
        // A printed currency is taken as printed, and trusted.
        let ex = read(&[(60.0, 84.0, "VAT number NL874021477B02"), (60.0, 140.0, "TOTAL 106,46 CHF")]);
        assert_eq!(ex.value("currency"), Some("CHF"));
        assert!(ex.fields["currency"].confidence >= crate::extract::REVIEW_THRESHOLD);
    }

    #[test]
    fn the_contact_person_under_the_company_is_not_the_buyer() {
        // A generated credit memo's window: the "Attn." line was read as the buyer.
        let ex = read(&[
            (60.0, 168.0, "Brown & Murphy Ltd · 189 Mill Lane · Leeds LS1 4AP"),
            (60.0, 185.0, "Weiß Lagerlogistik Lübeck GmbH"),
            (60.0, 198.0, "Attn. Klaus Schröder"),
            (60.0, 211.0, "Hauptstraße 116a"),
            (60.0, 224.0, "78462 Konstanz"),
        ]);
        assert_eq!(ex.value("buyer_name"), Some("Weiß Lagerlogistik Lübeck GmbH"));
        let ex = read(&[(60.0, 150.0, "z. Hd. Frau Laura Lorenz"), (60.0, 163.0, "Lessingstraße 93"), (60.0, 176.0, "66111 Saarbrücken")]);
        assert_ne!(ex.value("buyer_name"), Some("z. Hd. Frau Laura Lorenz"));
    }

    #[test]
    fn a_legal_form_in_small_print_under_the_name_completes_it() {
        // A generated contract's letterhead as OCR read it: the legal form's line is smaller
        // and stands a little further off than its own height.
        use crate::layout::{test_word as word, Page, TextSource};
        let words = vec![
            word("Jäger", 451.4, 87.8, 472.0, 94.7),
            word("Facility", 474.0, 87.8, 501.0, 94.7),
            word("Services", 504.0, 87.8, 536.0, 94.7),
            word("Regensburg", 539.0, 87.8, 583.2, 94.7),
            word("GmbH", 452.2, 99.4, 474.0, 104.8),
            word("&", 477.0, 99.4, 482.0, 104.8),
            word("Co.", 486.0, 99.4, 497.0, 104.8),
            word("KG", 500.0, 99.4, 510.1, 104.8),
        ];
        let pages = [Page::from_words(1, 595.0, 842.0, TextSource::Ocr, 0, words)];
        let lines = super::super::text::lines(&pages);
        assert_eq!(two_line_name(&lines[0], &lines[1]).as_deref(), Some("Jäger Facility Services Regensburg GmbH & Co. KG"));
        // The legal form alone names nobody.
        assert!(no_party_name("GmbH & Co. KG") && !no_party_name("Prisma GmbH & Co. KG"));
        // A form's heading over the name is no part of it.
        let pages = [test_page(&[(60.0, 100.0, "Rechnungsersteller"), (60.0, 108.0, "Lieferant GmbH")], 7.0)];
        let lines = super::super::text::lines(&pages);
        assert_eq!(two_line_name(&lines[0], &lines[1]), None);
    }

    #[test]
    fn legal_forms_have_one_spelling() {
        assert_eq!(canonical_name("Gebr. Martin  e.K"), "Gebr. Martin e.K.");
        assert_eq!(canonical_name("Prisma GmbH & Co.KG"), "Prisma GmbH & Co. KG");
        assert_eq!(canonical_name("Gebr. Stein UG (haftungsbeschrankt)"), "Gebr. Stein UG (haftungsbeschränkt)");
        assert_eq!(canonical_name("Beck & Wagner UG (haftungsbeschrank"), "Beck & Wagner UG (haftungsbeschränkt)", "OCR cut it off");
        assert_eq!(canonical_name("Musterverein e. V."), "Musterverein e.V.");
        assert_eq!(canonical_name("Weber e.Kfz-Technik"), "Weber e.Kfz-Technik");
        assert_eq!(canonical_name("Kind regards Gebr. Thomas e.K."), "Gebr. Thomas e.K.");
        assert_eq!(canonical_name("Druckerei Engel . GmbH"), "Druckerei Engel GmbH");
        assert_eq!(canonical_name("Elektroanlagen Schmidt : UG (haftungsbeschrankt)"), "Elektroanlagen Schmidt UG (haftungsbeschränkt)");
        assert_eq!(canonical_name("Müller - Bau GmbH"), "Müller - Bau GmbH");
        assert_eq!(canonical_name("Gebr. Braun GmbH."), "Gebr. Braun GmbH");
        assert_eq!(canonical_name("Global Supplies Ltd."), "Global Supplies Ltd.", "Ltd. is spelt with its dot");
        assert_eq!(canonical_name("Prisma GmbH & Co. KG."), "Prisma GmbH & Co. KG");
    }

    #[test]
    fn an_ocr_split_vat_amount_completes_the_totals_and_a_zero_is_no_vat_of_the_gross_itself() {
        // The FeRD data sheet's totals, labels in one column and amounts in another; OCR
        // broke 16,39 into "1 6,39". Before, the gross plus "Abschläge 0,00" made the triple.
        let cells = [
            (213.0, 270.0, "Gesamtbetrag der Zuschläge"),
            (520.0, 271.0, "0,00"),
            (213.0, 300.0, "Gesamtbetrag der Abschläge"),
            (520.0, 301.0, "0,00"),
            (213.0, 330.0, "Rechnungssumme ohne USt."),
            (512.0, 331.0, "214,09"),
            (213.0, 360.0, "Steuerbetrag"),
            (517.0, 361.0, "1 6,39"),
            (213.0, 391.0, "Bruttosumme"),
            (512.0, 391.0, "230,48"),
        ];
        let ex = read(&cells);
        assert_eq!((ex.value("net_total"), ex.value("vat_total"), ex.value("gross_total")), (Some("214.09"), Some("16.39"), Some("230.48")));
        // Without the VAT line, a gross alone is not net + 0.
        let ex = read(&[(213.0, 300.0, "Gesamtbetrag der Abschläge"), (520.0, 301.0, "0,00"), (213.0, 391.0, "Bruttosumme"), (512.0, 391.0, "230,48")]);
        assert_ne!(ex.value("vat_total"), Some("0.00"), "{:?}", ex.fields);
    }

    #[test]
    fn an_iban_beside_its_label_in_a_label_column_is_read_even_with_a_failing_checksum() {
        // The FeRD data sheets: labels in one column, ": value" in the next.
        let cells = [
            (50.0, 100.0, "Rechnung Nr. 471102 vom 13.11.2019"),
            (50.0, 663.0, "Kontoname"),
            (118.0, 663.0, ": Global Supplies Financial Services"),
            (51.0, 675.0, "IBAN"),
            (118.0, 675.0, ": DE12 1234 4321 9876 00"),
        ];
        let lines = super::super::text::lines(&[test_page(&cells, 7.5)]);
        assert!(lines.iter().any(|l| l.text.trim() == "IBAN"), "the label is a line of its own: {:?}", lines.iter().map(|l| &l.text).collect::<Vec<_>>());
        let ex = read(&cells);
        let iban = ex.fields.get("iban").expect("the printed IBAN is kept");
        assert_eq!(iban.value, "DE1212344321987600");
        assert!(iban.confidence < 0.5, "a failing checksum is doubtful: {}", iban.confidence);
        // Without the label, a number of that shape is no IBAN.
        assert!(!read(&[(50.0, 100.0, "Rechnung Nr. 471102"), (118.0, 675.0, ": DE12 1234 4321 9876 00")]).fields.contains_key("iban"));
    }

    #[test]
    fn the_end_of_a_period_is_no_due_date() {
        let ex = read(&[(50.0, 100.0, "Rechnung Nr. 471102 vom 24.01.2014"), (50.0, 140.0, "Beitrag für den Zeitraum vom 06.12.2013 bis zum 06.12.2014"), (50.0, 180.0, "Zahlbar bis 06.02.2014")]);
        assert_eq!(ex.value("due_date"), Some("2014-02-06"));
        assert_eq!(ex.value("issue_date"), Some("2014-01-24"));
    }
}
