//! Dates beside their labels (issue, due, delivery), never the start of a service period.

use super::*;

/// The start of a period right before a label: "vom 06.12.2013 ", "from 1 May 2024 ".
pub(super) fn period_start() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)\b(?:vom|von|ab|from)\s+[\d./-]{6,10}\s*$").expect("regex"))
}

#[allow(clippy::string_slice)] // offsets come from matches on the same line
pub(super) fn dates_for(lines: &[TextLine], label: &Regex, month_first: bool, exclude: &[&Regex]) -> Vec<(Cand, f32, NaiveDate)> {
    let mut out = Vec::new();
    for line in lines {
        for m in label.find_iter(&line.text) {
            // "Lieferdatum" must not count as a "Datum" label, etc.
            let lower = line.text.to_lowercase();
            if exclude.iter().any(|x| x.find_iter(&lower).any(|xm| xm.start() <= m.start() && xm.end() >= m.end() - 1)) {
                continue;
            }
            // "vom 06.12.2013 bis zum 06.12.2014": the end of a period, not a deadline.
            if line.text.get(m.start()..).is_some_and(|r| r.to_lowercase().starts_with("bis")) && period_start().is_match(&line.text[..m.start()]) {
                continue;
            }
            for (target, from, place) in near_label(lines, line, m.end(), m.start()) {
                let Some(rest) = target.text.get(from.min(target.text.len())..) else { continue };
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
