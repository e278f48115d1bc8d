//! Invoice numbers, order references and labelled identifiers (VAT IDs, tax numbers, IBANs, BICs).

use super::*;

pub(super) fn invoice_number_token() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"^[\s:#.]*(?:(?i:nr|no|nummer|number|n°)\.?[\s:#]*)?([A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9]|[0-9])").unwrap())
}

pub(super) fn plausible_number(tok: &str) -> bool {
    let digits = tok.chars().filter(|c| c.is_ascii_digit()).count();
    digits >= 1 && tok.len() >= 2 && tok.len() <= 32 && find_dates(tok, false).is_empty()
}

#[allow(clippy::string_slice)] // offsets come from matches on the same line
pub(super) fn invoice_number(lines: &[TextLine]) -> Option<(Cand, f32)> {
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
                let Some(rest) = target.text.get(from.min(target.text.len())..) else { continue };
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

#[allow(clippy::string_slice)] // offsets come from matches on the same line
pub(super) fn first_id(lines: &[TextLine], finder: fn(&str) -> Vec<(String, usize, usize)>, label: &Regex, require_label: bool) -> Vec<(Cand, f32, bool)> {
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

/// The buyer's order number beside its label (`Bestell-Nr.`, `Ihre Bestellung`, `PO number`):
/// on an order its own number, elsewhere the order the document belongs to.
pub(super) fn order_reference(lines: &[TextLine]) -> Option<(Cand, f32)> {
    reference(lines, labels::order_reference())
}

/// The delivery note's number beside its label (`Lieferschein-Nr.`, `Delivery note no.`): on
/// a delivery note its own number, on an invoice the delivery it bills.
pub(super) fn delivery_note_reference(lines: &[TextLine]) -> Option<(Cand, f32)> {
    reference(lines, labels::delivery_note_reference())
}

fn reference(lines: &[TextLine], label: &regex::Regex) -> Option<(Cand, f32)> {
    let mut cands = Vec::new();
    for line in lines {
        for m in label.find_iter(&line.text) {
            for (target, from, place) in near_label(lines, line, m.end(), m.start()) {
                let Some(rest) = target.text.get(from.min(target.text.len())..) else { continue };
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
