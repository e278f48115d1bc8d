//! Key–value forms: documents that print their data as a column of labels ("Name:",
//! "Anschrift:", "USt-IdNr.:") beside a column of values, grouped under section headings
//! ("Verkäufer", "Käufer/Leistungsempfänger"). E-invoice viewers render ZUGFeRD and
//! XRechnung this way, and so do many insurers and utilities.
//!
//! A value may span several lines and is not always level with its label (a two-line name
//! is centred on it), so each value line belongs to the label in the label column whose
//! vertical centre is nearest. The section tells whose name a "Name:" is: a letter names
//! both parties the same way.

use regex::Regex;
use std::sync::OnceLock;

use super::text::TextLine;
use crate::layout::BBox;

/// Whose section of a form a line is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Seller,
    Buyer,
}

// A heading is the party word alone, perhaps with a second one ("Käufer/Leistungsempfänger")
// or a remark in brackets, and a colon: never a name such as "Lieferant GmbH".
fn seller_heading() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)^(?:verk[äa]ufer(?:in)?|lieferant(?:in)?|rechnungs(?:er|aus)?steller(?:in)?|leistungserbringer(?:in)?|auftragnehmer(?:in)?|absender|seller|supplier|vendor|vendeur|fournisseur)(?:\s*/\s*\p{L}+)?(?:\s*\([^)]*\))?\s*:?$").expect("regex")
    })
}

fn buyer_heading() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)^(?:k[äa]ufer(?:in)?|rechnungsempf[äa]nger(?:in)?|leistungsempf[äa]nger(?:in)?|auftraggeber(?:in)?|kunde|buyer|customer|bill\s*to|invoice\s*to|acheteur|client)(?:\s*/\s*\p{L}+)?(?:\s*\([^)]*\))?\s*:?$").expect("regex")
    })
}

fn name_label() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)^(name|firma|firmenname|company|company\s*name|raison\s*sociale|nom)\s*:\s*(.*)$").expect("regex"))
}

fn identifier_line() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)^(?:GLN|ILN|EAN|DUNS|Lief(?:eranten)?[-\s]?Nr\.?|Kunden[-\s]?Nr\.?|Customer\s+No\.?)\s*:?\s*[0-9][0-9\s]*$").expect("regex"))
}

fn salutation() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)^(?:herrn?|frau|firma|mr\.?|mrs\.?|ms\.?)\s+").expect("regex"))
}

/// The party a section heading announces, if the line is one.
pub fn heading(text: &str) -> Option<Party> {
    let t = text.trim();
    if t.split_whitespace().count() > 4 {
        return None;
    }
    if seller_heading().is_match(t) {
        Some(Party::Seller)
    } else if buyer_heading().is_match(t) {
        Some(Party::Buyer)
    } else {
        None
    }
}

fn centre(l: &TextLine) -> f32 {
    (l.bbox[1] + l.bbox[3]) / 2.0
}

/// Whether a line has a value beside it on its visual row (a label's value column).
fn has_value_right(lines: &[TextLine], l: &TextLine) -> bool {
    value_right(lines, l).next().is_some()
}

/// The lines to the right of `l` on its visual row.
fn value_right<'a>(lines: &'a [TextLine], l: &'a TextLine) -> impl Iterator<Item = (usize, &'a TextLine)> {
    let h = l.height();
    lines.iter().enumerate().filter(move |(_, o)| o.page == l.page && o.order != l.order && o.bbox[0] > l.bbox[2] && (centre(o) - centre(l)).abs() < 0.6 * h.max(o.height()))
}

/// Per line: the party section it stands in. A section starts at a heading and ends at
/// the next heading of another kind in the heading's column — a line with no value beside
/// it that ends in a colon ("Steuerbevollmächtigter des Verkäufers:") or stands apart
/// after a gap ("Bemerkungen") — at a page break, or after a gap of five line heights.
/// Sections may stand side by side ("Lieferant" | "Käufer" on one row, as ERP printouts
/// have them): a line belongs to the open section whose heading is the nearest to its left.
pub fn sections(lines: &[TextLine]) -> Vec<Option<Party>> {
    struct Open {
        party: Party,
        page: u32,
        x: f32,
        bottom: f32,
        h: f32,
    }
    let mut out = vec![None; lines.len()];
    let mut by_y: Vec<usize> = (0..lines.len()).collect();
    by_y.sort_by(|&a, &b| (lines[a].page, lines[a].bbox[1]).partial_cmp(&(lines[b].page, lines[b].bbox[1])).unwrap_or(std::cmp::Ordering::Equal));
    let mut open: Vec<Open> = Vec::new();
    for &i in &by_y {
        let l = &lines[i];
        open.retain(|o| o.page == l.page);
        if let Some(party) = heading(&l.text) {
            // A heading replaces the section in its own column only.
            let h = l.height();
            open.retain(|o| (o.x - l.bbox[0]).abs() >= 2.0 * h.max(o.h));
            open.push(Open { party, page: l.page, x: l.bbox[0], bottom: l.bbox[3], h });
            out[i] = Some(party);
            continue;
        }
        let Some(k) = open.iter().enumerate().filter(|(_, o)| o.x <= l.bbox[0] + 2.0 * o.h).max_by(|a, b| a.1.x.total_cmp(&b.1.x)).map(|(k, _)| k) else { continue };
        let o = &open[k];
        let t = l.text.trim();
        let gap = l.bbox[1] - o.bottom;
        let in_column = (l.bbox[0] - o.x).abs() < 2.0 * o.h;
        let other_heading = in_column
            && !name_label().is_match(t)
            && !has_value_right(lines, l)
            && (t.ends_with(':') || (gap > 1.5 * o.h && t.split_whitespace().count() <= 2 && !t.chars().any(|c| c.is_ascii_digit())));
        if gap > 5.0 * o.h || other_heading {
            open.remove(k);
            continue;
        }
        out[i] = Some(o.party);
        open[k].bottom = open[k].bottom.max(l.bbox[3]);
    }
    out
}

/// A party's name read from a form: the value of the "Name:" label in its section.
#[derive(Debug, Clone)]
pub struct FormName {
    pub party: Party,
    pub value: String,
    /// The value's lines (indexes into the document's lines), top to bottom.
    pub lines: Vec<usize>,
    pub page: u32,
    pub bbox: BBox,
    pub conf: f32,
}

/// What a document's form says about its parties, read once for all who need it.
#[derive(Debug, Clone, Default)]
pub struct Form {
    /// Per line: the party section it stands in ([`sections`]).
    pub sections: Vec<Option<Party>>,
    /// The parties' names, seller's first ([`party_names`]).
    pub names: Vec<FormName>,
}

impl Form {
    pub fn read(lines: &[TextLine]) -> Form {
        let sections = sections(lines);
        let names = names_in_sections(lines, &sections);
        Form { sections, names }
    }
}

/// The names of the parties as a form prints them, seller's first.
pub fn party_names(lines: &[TextLine]) -> Vec<FormName> {
    Form::read(lines).names
}

fn names_in_sections(lines: &[TextLine], secs: &[Option<Party>]) -> Vec<FormName> {
    let mut out: Vec<FormName> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(party) = secs[i] else { continue };
        if out.iter().any(|n| n.party == party) {
            continue;
        }
        let Some(c) = name_label().captures(l.text.trim()) else { continue };
        let rest = c.get(2).map(|m| m.as_str().trim()).unwrap_or("");
        let found = if !rest.is_empty() {
            let start = l.text.len() - l.text.trim_start().len() + c.get(2).map(|m| m.start()).unwrap_or(0);
            let (bbox, conf) = l.locate(start, l.text.len());
            Some((rest.to_string(), vec![i], bbox, conf))
        } else {
            value_lines(lines, secs, i).map(|v| {
                let text = v.iter().map(|&k| lines[k].text.trim()).collect::<Vec<_>>().join(" ");
                let mut bbox = lines[v[0]].bbox;
                let mut conf: f32 = 1.0;
                for &k in &v {
                    let b = lines[k].bbox;
                    bbox = [bbox[0].min(b[0]), bbox[1].min(b[1]), bbox[2].max(b[2]), bbox[3].max(b[3])];
                    conf = conf.min(lines[k].locate(0, lines[k].text.len()).1);
                }
                (text, v.clone(), bbox, conf)
            })
        };
        let Some((text, value_lines, bbox, conf)) = found else { continue };
        let value = salutation().replace(&text, "").split_whitespace().collect::<Vec<_>>().join(" ");
        if value.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
            out.push(FormName { party, value, lines: value_lines, page: l.page, bbox, conf });
        }
    }
    // Without a "Name:" label, the first line under the heading that is no label names the
    // party ("Rechnungsersteller" / "Lieferant GmbH"; "Verkäufer:" / "Nummer : 123" / "Rohstoff AG").
    for l in lines {
        let Some(party) = heading(&l.text) else { continue };
        if out.iter().any(|n| n.party == party) {
            continue;
        }
        let h = l.height();
        let mut below: Vec<(usize, &TextLine)> =
            lines.iter().enumerate().filter(|(_, o)| o.page == l.page && o.bbox[1] >= l.bbox[3] - 0.3 * h && o.bbox[1] - l.bbox[3] < 4.0 * h && (o.bbox[0] - l.bbox[0]).abs() < 2.0 * h).collect();
        below.sort_by(|a, b| a.1.bbox[1].total_cmp(&b.1.bbox[1]));
        for (k, n) in below.into_iter().take(3) {
            let t = n.text.trim();
            let only_salutation = salutation().is_match(&format!("{t} ")) && t.split_whitespace().count() == 1;
            // A label has its value beside it in its own section; the line beside it may
            // also be the other party's, in a section side by side.
            let label = t.contains(':') || value_right(lines, n).any(|(j, _)| secs[j] == secs[k]);
            if only_salutation || label {
                continue;
            }
            // A party's identifier above its name ("GLN 4304171000002", "Kunden-Nr. 009420").
            if identifier_line().is_match(t) {
                continue;
            }
            if heading(t).is_some() || t.chars().filter(|c| c.is_alphabetic()).count() < 3 || t.chars().filter(|c| c.is_ascii_digit()).count() > 2 {
                break;
            }
            let (mut bbox, conf) = n.locate(0, n.text.len());
            let mut text = t.to_string();
            let mut value_lines = vec![k];
            // A name whose legal form stands on the next line.
            if let Some((next, joined)) = lines.get(k + 1).and_then(|next| super::rules::two_line_name(n, next).map(|j| (next, j))) {
                text = joined;
                value_lines.push(k + 1);
                bbox = [bbox[0].min(next.bbox[0]), bbox[1], bbox[2].max(next.bbox[2]), next.bbox[3]];
            }
            let value = salutation().replace(&text, "").split_whitespace().collect::<Vec<_>>().join(" ");
            out.push(FormName { party, value, lines: value_lines, page: n.page, bbox, conf });
            break;
        }
    }
    out.sort_by_key(|n| n.party != Party::Seller);
    out
}

/// The lines right of the label `label` that belong to it: in the same section, to the
/// right of the label column, nearer to this label's centre than to any other label's.
fn value_lines(lines: &[TextLine], secs: &[Option<Party>], label: usize) -> Option<Vec<usize>> {
    let l = &lines[label];
    let h = l.height();
    let cy = centre(l);
    let column: Vec<&TextLine> = lines.iter().filter(|o| o.page == l.page && (o.bbox[0] - l.bbox[0]).abs() < 2.0 * h && o.bbox[2] < l.bbox[2] + 20.0 * h).collect();
    let mut v: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(k, o)| o.page == l.page && secs[*k] == secs[label] && o.bbox[0] > l.bbox[2] + 0.5 * h && (centre(o) - cy).abs() < 2.5 * h)
        .filter(|(_, o)| {
            let d = (centre(o) - cy).abs();
            !column.iter().any(|c| c.order != l.order && (centre(c) - centre(o)).abs() < d)
        })
        .map(|(k, _)| k)
        .collect();
    v.sort_by(|&a, &b| lines[a].bbox[1].total_cmp(&lines[b].bbox[1]));
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{Line, Page, Word};

    /// A page of (x, y, text) lines, one word per line for simplicity of layout.
    fn page(items: &[(f32, f32, &str)]) -> Vec<TextLine> {
        let mut words = Vec::new();
        let mut lines = Vec::new();
        let mut blocks = Vec::new();
        for (x, y, t) in items {
            let w = 5.0 * t.chars().count() as f32;
            let idx = words.len();
            words.push(Word { text: t.to_string(), bbox: [*x, *y, x + w, y + 8.0], confidence: 0.95 });
            lines.push(Line { words: vec![idx], bbox: [*x, *y, x + w, y + 8.0] });
            blocks.push(crate::layout::Block { lines: vec![lines.len() - 1], bbox: [*x, *y, x + w, y + 8.0] });
        }
        let p = Page { number: 1, width: 595.0, height: 842.0, source: crate::layout::TextSource::Ocr, rotation: 0, words, lines, blocks };
        super::super::text::lines(&[p])
    }

    #[test]
    fn reads_both_parties_and_a_two_line_name_centred_on_its_label() {
        let lines = page(&[
            (70.0, 160.0, "Verkäufer"),
            (70.0, 180.0, "Nummer:"),
            (260.0, 180.0, "549910"),
            (260.0, 198.0, "MVM Musterhafter"),
            (260.0, 210.0, "Versicherungsverein Musterstadt a.G."),
            (70.0, 204.0, "Name:"),
            (70.0, 238.0, "Anschrift:"),
            (260.0, 238.0, "Musterstr. 12"),
            (70.0, 330.0, "Käufer/Leistungsempfänger"),
            (260.0, 345.0, "Herrn"),
            (260.0, 357.0, "Max Mustermann"),
            (70.0, 357.0, "Name:"),
            (70.0, 387.0, "Anschrift:"),
            (70.0, 440.0, "Bemerkungen"),
            (70.0, 460.0, "Name:"),
            (260.0, 460.0, "Nicht gemeint GmbH"),
        ]);
        let names = party_names(&lines);
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(names[0].party, Party::Seller);
        assert_eq!(names[0].value, "MVM Musterhafter Versicherungsverein Musterstadt a.G.");
        assert_eq!(names[1].party, Party::Buyer);
        assert_eq!(names[1].value, "Max Mustermann");
    }

    #[test]
    fn a_name_on_the_label_line_and_no_section_without_a_heading() {
        let lines = page(&[(70.0, 100.0, "Lieferant"), (70.0, 115.0, "Name: Lieferant GmbH")]);
        let names = party_names(&lines);
        assert_eq!(names.len(), 1);
        assert_eq!(names[0].value, "Lieferant GmbH");
        // "Name:" in a letter without a party heading names nobody.
        let lines = page(&[(70.0, 100.0, "Ansprechpartner"), (70.0, 115.0, "Name: Frau Schmidt")]);
        assert!(party_names(&lines).is_empty());
    }

    #[test]
    fn the_line_under_a_heading_without_name_label() {
        let lines = page(&[(40.0, 40.0, "Rechnungsersteller"), (50.0, 54.0, "Lieferant GmbH"), (50.0, 68.0, "Lieferantenstraße 20")]);
        let names = party_names(&lines);
        assert_eq!(names.len(), 1, "{names:?}");
        assert_eq!((names[0].party, names[0].value.as_str()), (Party::Seller, "Lieferant GmbH"));
        // Labels under the heading are skipped: "Nummer" has its value beside it.
        let lines = page(&[(50.0, 330.0, "Verkäufer:"), (50.0, 343.0, "Nummer"), (136.0, 343.0, ": 12345676"), (50.0, 354.0, "Rohstoff AG Salzgitter")]);
        assert_eq!(party_names(&lines)[0].value, "Rohstoff AG Salzgitter");
        // A name over two lines, its legal form on the second (the FeRD insurer samples).
        let lines = page(&[(49.0, 309.0, "Verkäufer:"), (49.0, 331.0, "MVM Musterhafter"), (49.0, 342.0, "Versicherungsverein Musterstadt a.G."), (50.0, 365.0, "Musterstr. 12")]);
        assert_eq!(party_names(&lines)[0].value, "MVM Musterhafter Versicherungsverein Musterstadt a.G.");
        // A party's GLN above its name is skipped.
        let lines = page(&[(210.0, 64.0, "Käufer"), (211.0, 73.0, "GLN 4304171000002"), (210.0, 82.0, "MUSTER-KUNDE GMBH")]);
        assert_eq!(party_names(&lines)[0].value, "MUSTER-KUNDE GMBH");
        // A name is no heading.
        assert_eq!(heading("Lieferant GmbH"), None);
        assert_eq!(heading("Käufer/Leistungsempfänger"), Some(Party::Buyer));
    }

    #[test]
    fn sections_side_by_side_each_keep_their_column() {
        // An ERP printout: supplier and buyer in two columns under headings on one row.
        let lines = page(&[
            (40.0, 64.0, "Lieferant"),
            (210.0, 64.0, "Käufer"),
            (40.0, 82.0, "KOSTENLIEFERANT GMBH"),
            (210.0, 82.0, "MUSTER-KUNDE GMBH"),
            (40.0, 96.0, "BAHNHOFSTRASSE 99"),
            (211.0, 96.0, "KUNDENWEG 88"),
        ]);
        let secs = sections(&lines);
        let party = |text: &str| secs[lines.iter().position(|l| l.text == text).expect("line")];
        assert_eq!(party("KOSTENLIEFERANT GMBH"), Some(Party::Seller));
        assert_eq!(party("BAHNHOFSTRASSE 99"), Some(Party::Seller));
        assert_eq!(party("MUSTER-KUNDE GMBH"), Some(Party::Buyer));
        assert_eq!(party("KUNDENWEG 88"), Some(Party::Buyer));
        let names = party_names(&lines);
        assert_eq!(names.iter().map(|n| (n.party, n.value.as_str())).collect::<Vec<_>>(), vec![(Party::Seller, "KOSTENLIEFERANT GMBH"), (Party::Buyer, "MUSTER-KUNDE GMBH")]);
    }
}
