//! Candidates: every value on the pages that could fill a field — dates, amounts, IBANs,
//! VAT IDs, number-like tokens (invoice numbers) and name-like lines (parties) — with
//! where it stands. The rules pick among them with hand-set scores; the trained extractor
//! ([`crate::models::fields`]) scores each one per field with a learned model.

use regex::Regex;
use rust_decimal::Decimal;

use super::form::FormName;
use super::ids;
use super::parse::{find_amounts, find_dates, format_amount};
use super::text::TextLine;
use crate::layout::BBox;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An identifier-like token with a digit (invoice numbers).
    Number,
    Date,
    Amount,
    Iban,
    VatId,
    /// A line or line segment that may name a party.
    Name,
}

#[derive(Debug, Clone)]
pub struct Candidate {
    pub kind: Kind,
    /// Normalised like the index: `YYYY-MM-DD`, `1234.56`, IBAN/VAT ID without spaces.
    pub value: String,
    pub amount: Option<Decimal>,
    /// Whether a currency sign or code is printed with the amount.
    pub currency: bool,
    /// Index into the document's lines, and the byte range in the line's text.
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub page: u32,
    pub bbox: BBox,
    /// OCR's confidence in its least sure word.
    pub conf: f32,
}

fn number_token() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"[A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9]").expect("regex"))
}

/// A number label glued to the number after it ("Nr.123", "No.4410", "N°.77"), with the
/// number's first character (an ASCII one, so the label ends one byte before the match).
fn glued_label() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"^(?i:nr|no|num|nummer|number|n°)\.(?:[A-Za-z0-9])").expect("regex"))
}

/// A number printed as a letter prefix, a space and digits ("RE 91361", "GS 67643").
fn spaced_number() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"\b[A-Z]{1,4} \d{3,12}\b").expect("regex"))
}

/// The start of an IBAN at the end of a line ("IBAN DE41 7605"): its rest may be the next
/// line of the row, where a skewed scan's line finder broke it.
fn iban_head() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"\b[A-Z]{2}[0-9OILSBZG]{2}(?: ?[0-9A-Z]{1,4})*\s*$").expect("regex"))
}

fn name_separators() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"\s*(?:[·|•●∙]|\s-\s|,\s)\s*").expect("regex"))
}

fn salutation() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    // A salutation before a name, or the closing formula before the signer's company.
    R.get_or_init(|| {
        Regex::new(r"(?i)^(?:herrn?|frau|firma|an|to|mr\.?|mrs\.?|ms\.?|mit\s+freundlichen\s+gr(?:ü|ue|u)(?:ß|ss)en,?|freundliche\s+gr(?:ü|ue|u)(?:ß|ss)e,?|(?:kind|best|warm)\s+regards,?|yours\s+(?:sincerely|faithfully),?)\s+").expect("regex")
    })
}

/// All candidates of a document. `heights` gives each page's height (for the name zones).
/// `form_names`: the parties' names a form prints ([`super::form::Form`]), offered whole.
#[allow(clippy::string_slice)] // offsets come from regex matches on the same text
pub fn candidates(lines: &[TextLine], heights: &[f32], month_first: bool, form_names: &[FormName]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut push = |kind: Kind, value: String, amount: Option<Decimal>, currency: bool, s: usize, e: usize| {
            let (bbox, conf) = line.locate(s, e);
            out.push(Candidate { kind, value, amount, currency, line: i, start: s, end: e, page: line.page, bbox, conf });
        };
        let dates = find_dates(&line.text, month_first);
        for d in &dates {
            push(Kind::Date, d.date.format("%Y-%m-%d").to_string(), None, false, d.start, d.end);
        }
        let amounts = find_amounts(&line.text);
        for a in &amounts {
            // Dates are no amounts ("12.05" inside "12.05.2025" is filtered by the parser).
            push(Kind::Amount, format_amount(a.value), Some(a.value), a.currency.is_some(), a.start, a.end);
        }
        // An amount alone in its cell that OCR broke ("1 6,39"): the joined value too.
        if let Some(a) = super::parse::split_cell_amount(&line.text) {
            push(Kind::Amount, format_amount(a.value), Some(a.value), a.currency.is_some(), a.start, a.end);
        }
        let mut split_ibans = Vec::new();
        let ibans = ids::find_ibans(&line.text);
        for (v, s, e) in &ibans {
            push(Kind::Iban, v.clone(), None, false, *s, *e);
        }
        if ibans.is_empty() {
            if let Some(head) = iban_head().find(&line.text) {
                if let Some(rest) = super::text::right_of(lines, line).first() {
                    let joined = format!("{} {}", &line.text[head.start()..], rest.text);
                    for (v, s, e) in ids::find_ibans(&joined) {
                        if s == 0 && e > head.len() {
                            let (b, conf) = line.locate(head.start(), line.text.len());
                            let bbox = [b[0], b[1].min(rest.bbox[1]), rest.bbox[2].max(b[2]), b[3].max(rest.bbox[3])];
                            split_ibans.push(Candidate { kind: Kind::Iban, value: v, amount: None, currency: false, line: i, start: head.start(), end: line.text.len(), page: line.page, bbox, conf });
                        }
                    }
                }
            }
        }
        for (v, s, e) in ids::find_vat_ids(&line.text) {
            push(Kind::VatId, v, None, false, s, e);
        }
        if line.page == 1 {
            for m in number_token().find_iter(&line.text) {
                // A label glued to its number ("Nr.123", "No.KLMN4410") is no part of it.
                let glued = glued_label().find(m.as_str()).map_or(0, |g| g.end() - 1);
                let (start, tok) = (m.start() + glued, &m.as_str()[glued..]);
                let digits = tok.chars().filter(|c| c.is_ascii_digit()).count();
                let is_date = find_dates(tok, false).iter().any(|d| d.end - d.start + 2 >= tok.len());
                if digits == 0 || tok.len() > 32 || is_date {
                    continue;
                }
                // A money amount is no number ("1.234,56").
                if amounts.iter().any(|a| a.start <= start && a.end >= m.end()) {
                    continue;
                }
                push(Kind::Number, tok.to_string(), None, false, start, m.end());
            }
            for m in spaced_number().find_iter(&line.text) {
                push(Kind::Number, m.as_str().to_string(), None, false, m.start(), m.end());
            }
            let h = heights.first().copied().unwrap_or(842.0);
            let y = line.bbox[1];
            if (y < 0.45 * h || y > 0.8 * h) && line.text.chars().any(char::is_alphabetic) {
                let mut seen: Vec<String> = Vec::new();
                let beside_contact_label = super::text::left_of(lines, line).first().is_some_and(|l| super::labels::contact_person().is_match(&l.text));
                let mut name = |s: usize, e: usize, out: &mut Vec<Candidate>| {
                    let raw = line.text[s..e].trim();
                    let (off, raw) = match salutation().find(raw) {
                        Some(m) => (m.end(), &raw[m.end()..]),
                        None => (0, raw),
                    };
                    let v = super::rules::canonical_name(raw);
                    // A section's heading ("Käufer", "Adresse de livraison"), a country, a
                    // contact person or a label names no party; nor does the value beside a
                    // contact label ("Ansprechpartner" | "Sven Peters").
                    let heading = super::rules::no_party_name(&v) || (s == 0 && beside_contact_label);
                    if v.chars().filter(|c| c.is_alphabetic()).count() < 3 || v.len() > 80 || seen.contains(&v) || heading {
                        return;
                    }
                    seen.push(v.clone());
                    let (bbox, conf) = line.locate(s + off, e);
                    out.push(Candidate { kind: Kind::Name, value: v, amount: None, currency: false, line: i, start: s + off, end: e, page: 1, bbox, conf });
                };
                name(0, line.text.len(), &mut out);
                // A name that runs into its address ("Bei Spiel GmbH e Ecke 12 e 12345 …" where
                // OCR read the separator as a letter): cut after the first legal form.
                if let Some(m) = super::rules::company_suffix().find(&line.text) {
                    // "GmbH & Co. KG" is one legal form: the cut goes after its last part.
                    let mut end = m.end();
                    while let Some(n) = super::rules::company_suffix().find_at(&line.text, end) {
                        if !line.text[end..n.start()].chars().all(|c| c.is_whitespace() || c == '&' || c == '.') {
                            break;
                        }
                        end = n.end();
                    }
                    if end + 3 < line.text.len() {
                        name(0, end, &mut out);
                    }
                }
                let mut from = 0;
                for sep in name_separators().find_iter(&line.text) {
                    name(from, sep.start(), &mut out);
                    from = sep.end();
                }
                if from > 0 {
                    name(from, line.text.len(), &mut out);
                }
            }
        }
        out.extend(split_ibans);
    }
    name_blocks(lines, form_names, &mut out);
    out
}

/// Names that span lines: the value of a form's "Name:" label, and a letterhead name whose
/// legal form stands on its second line. The candidate sits on its first line.
#[allow(clippy::string_slice)] // offsets come from regex matches on the same text
fn name_blocks(lines: &[TextLine], form_names: &[FormName], out: &mut Vec<Candidate>) {
    let push = |value: String, line: usize, bbox: crate::layout::BBox, conf: f32, out: &mut Vec<Candidate>| {
        let value = super::rules::canonical_name(&value);
        if !out.iter().any(|c| c.kind == Kind::Name && c.value == value) {
            let end = lines[line].text.len();
            out.push(Candidate { kind: Kind::Name, value, amount: None, currency: false, line, start: 0, end, page: lines[line].page, bbox, conf });
        }
    };
    for n in form_names {
        push(n.value.clone(), n.lines[0], n.bbox, n.conf, out);
    }
    for i in 1..lines.len() {
        let (above, line) = (&lines[i - 1], &lines[i]);
        if line.page != 1 {
            continue;
        }
        let Some(value) = super::rules::two_line_name(above, line) else { continue };
        if value.len() <= 80 {
            let b = [above.bbox[0].min(line.bbox[0]), above.bbox[1], above.bbox[2].max(line.bbox[2]), line.bbox[3]];
            push(value, i - 1, b, line.locate(0, line.text.len()).1, out);
        }
    }
    // A name whose legal form OCR put in a line of its own beside it on the row
    // ("Mayer Tank & Wasch Ravensburg" | "GmbH": letter-spaced letterheads).
    for (i, line) in lines.iter().enumerate().filter(|(_, l)| l.page == 1) {
        let Some(next) = super::text::right_of(lines, line).first().copied() else { continue };
        let form = next.text.trim();
        let whole = super::rules::company_suffix().find(form).is_some_and(|m| m.start() == 0 && form[m.end()..].trim().is_empty());
        let gap = next.bbox[0] - line.bbox[2];
        if whole && gap < 4.0 * line.height() && line.text.chars().any(char::is_alphabetic) && super::rules::company_suffix().find(&line.text).is_none() {
            let value = format!("{} {form}", line.text.trim());
            if value.len() <= 80 {
                let b = [line.bbox[0], line.bbox[1].min(next.bbox[1]), next.bbox[2], line.bbox[3].max(next.bbox[3])];
                push(value, i, b, line.locate(0, line.text.len()).1, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_persons_and_labels_are_no_name_candidates() {
        let pages = [crate::layout::test_page(
            &[
                (74.0, 140.0, "Rechnungs-Nr."),
                (179.0, 140.0, "A-59/2023"),
                (74.0, 199.0, "Ansprechpartner"),
                (179.0, 199.0, "Sven Peters"),
                (334.0, 159.0, "Schröder & Söhne GmbH"),
                (334.0, 172.0, "z. Hd. Frau Anna Berg"),
                (334.0, 179.0, "Hauptstraße 116a"),
                (334.0, 186.0, "85354 Freising"),
            ],
            7.5,
        )];
        let lines = crate::extract::text::lines(&pages);
        let names: Vec<String> = candidates(&lines, &[842.0], false, &[]).into_iter().filter(|c| c.kind == Kind::Name).map(|c| c.value).collect();
        assert!(names.iter().any(|n| n == "Schröder & Söhne GmbH"), "{names:?}");
        for not in ["Sven Peters", "Ansprechpartner", "z. Hd. Frau Anna Berg", "Frau Anna Berg", "Anna Berg", "Hauptstraße 116a"] {
            assert!(!names.iter().any(|n| n == not), "{not} in {names:?}");
        }
    }

    #[test]
    fn a_name_running_into_its_address_is_cut_after_its_whole_legal_form() {
        let pages = [crate::layout::test_page(&[(66.0, 161.0, "Großmann Elektroanlagen GmbH & Co. KG - Talstraße 89 64283 Darmstadt")], 7.5)];
        let lines = crate::extract::text::lines(&pages);
        let names: Vec<String> = candidates(&lines, &[842.0], false, &[]).into_iter().filter(|c| c.kind == Kind::Name).map(|c| c.value).collect();
        assert!(names.iter().any(|n| n == "Großmann Elektroanlagen GmbH & Co. KG"), "{names:?}");
        assert!(!names.iter().any(|n| n == "Großmann Elektroanlagen GmbH"), "{names:?}");
    }
}
