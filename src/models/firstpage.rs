//! The first-page detector: splits a batch scan (several letters scanned in one go) into
//! documents by deciding for each page whether a new document starts on it. A binary
//! logistic model over the page's own cues (a page number "Seite 1 von 2" or "Seite 2",
//! title words near the top, an address in the window, a carried-over total at the top)
//! and the previous page's end (a closing formula, a total, "Übertrag" at the bottom).

use regex::Regex;

use super::{token, Features, LinearModel};
use crate::layout::Page;

pub const DIM: usize = 2048;

fn page_number() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)\b(?:seite|page|blatt|s\.)\s*(\d{1,3})(?:\s*(?:von|of|/)\s*(\d{1,3}))?").expect("regex"))
}

fn carry() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)(übertrag|carried forward|subtotal b/f|zwischensumme|fortsetzung|continued)").expect("regex"))
}

fn closing() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)(mit freundlichen grüßen|freundliche grüße|kind regards|sincerely|best regards|gesamtbetrag|rechnungsbetrag|zu zahlen|amount due|grand total|unterschrift|signature)")
            .expect("regex")
    })
}

fn postcode_city() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"\b(?:D-|DE-|A-|CH-)?\d{4,5}\s+\p{Lu}[\p{L}\-. ]+").expect("regex"))
}

/// Lines of a page with their vertical position as a fraction of the page height.
fn lines(p: &Page) -> Vec<(f32, String)> {
    p.lines.iter().map(|l| (((l.bbox[1] + l.bbox[3]) / 2.0) / p.height.max(1.0), p.line_text(l))).collect()
}

/// The features of `page`, after `previous` (None for the first page of a batch).
pub fn features(page: &Page, previous: Option<&Page>) -> Features {
    let mut f = Features::new(DIM);
    f.flag("bias");
    let ls = lines(page);
    for (y, text) in &ls {
        for c in page_number().captures_iter(text) {
            let n: u32 = c[1].parse().unwrap_or(0);
            let of = c.get(2).is_some();
            f.flag(match (n, of) {
                (1, true) => "pn:1_of",
                (1, false) => "pn:1",
                (_, true) => "pn:n_of",
                _ => "pn:n",
            });
        }
        if *y < 0.4 {
            for w in text.split_whitespace().take(6) {
                let t = token(w);
                if t.len() > 2 {
                    f.add(&format!("top:{t}"), 0.5);
                }
            }
            if postcode_city().is_match(text) {
                f.flag("top:postcode");
            }
        }
        if *y < 0.25 && carry().is_match(text) {
            f.flag("top:carry");
        }
        if *y > 0.8 && carry().is_match(text) {
            f.flag("bottom:carry");
        }
    }
    if ls.first().is_some_and(|(y, _)| *y > 0.15) {
        f.flag("top:blank");
    }
    f.flag(&format!("lines{}", (ls.len() / 10).min(5)));
    match previous {
        None => f.flag("prev:none"),
        Some(prev) => {
            let pl = lines(prev);
            for (y, text) in &pl {
                if *y > 0.6 {
                    if closing().is_match(text) {
                        f.flag("prev:closing");
                    }
                    if carry().is_match(text) {
                        f.flag("prev:carry");
                    }
                }
                for c in page_number().captures_iter(text) {
                    let n: u32 = c[1].parse().unwrap_or(0);
                    if let Some(of) = c.get(2).and_then(|m| m.as_str().parse::<u32>().ok()) {
                        f.flag(if n >= of { "prev:last_of" } else { "prev:not_last_of" });
                    }
                }
            }
            if (prev.width - page.width).abs() > 5.0 || (prev.height - page.height).abs() > 5.0 {
                f.flag("prev:other_size");
            }
        }
    }
    f
}

pub struct FirstPageDetector {
    pub model: LinearModel,
}

impl FirstPageDetector {
    pub fn shipped() -> Option<Self> {
        super::shipped::firstpage().map(|model| FirstPageDetector { model })
    }

    /// The probability that each page starts a new document (the first is always 1).
    pub fn starts(&self, pages: &[Page]) -> Vec<f32> {
        pages.iter().enumerate().map(|(i, p)| if i == 0 { 1.0 } else { self.model.probability(&features(p, Some(&pages[i - 1]))) }).collect()
    }

    /// Splits a batch into documents: the ranges of pages of each.
    pub fn split(&self, pages: &[Page]) -> Vec<std::ops::Range<usize>> {
        let starts = self.starts(pages);
        let mut out = Vec::new();
        let mut begin = 0;
        for (i, p) in starts.iter().enumerate().skip(1) {
            if *p >= 0.5 {
                out.push(begin..i);
                begin = i;
            }
        }
        if !pages.is_empty() {
            out.push(begin..pages.len());
        }
        out
    }
}
