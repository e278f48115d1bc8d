//! The trained document-type classifier: multinomial logistic regression over hashed words
//! and word pairs of page 1's heading (its first lines) and of the body, a few layout cues,
//! and the keyword classifier's scores. Its confidence is the softmax probability of the
//! chosen type.

use super::{token, Features, LinearModel};
use crate::classify::{keyword_scores, title_types, Classifier};
use crate::extract::parse::find_amounts;
use crate::index::{DocType, DocTypeResult, ModelInfo};
use crate::layout::{Line, Page};

pub const DIM: usize = 4096;

/// Lines of page 1 that count as its heading.
const HEADING_LINES: usize = 25;

/// The features of a document (its first pages).
pub fn features(pages: &[Page]) -> Features {
    let mut f = Features::new(DIM);
    let Some(first) = pages.first() else { return f };
    let mut n = 0;
    let mut prev = String::new();
    for b in &first.blocks {
        for &l in &b.lines {
            if n >= HEADING_LINES {
                break;
            }
            n += 1;
            let text = first.line_text(&first.lines[l]);
            for w in text.split_whitespace() {
                let t = token(w);
                if t.is_empty() {
                    continue;
                }
                f.flag(&format!("h:{t}"));
                if !prev.is_empty() {
                    f.flag(&format!("hb:{prev}_{t}"));
                }
                prev = t;
            }
        }
    }
    let mut prev = String::new();
    for p in pages.iter().take(2) {
        for w in &p.words {
            let t = token(&w.text);
            if t.is_empty() {
                continue;
            }
            f.add(&format!("b:{t}"), 0.5);
            if !prev.is_empty() {
                f.add(&format!("bb:{prev}_{t}"), 0.3);
            }
            prev = t;
        }
    }
    f.normalise();
    // Layout cues and the keyword scores, outside the normalisation.
    title_features(first, &mut f);
    let amounts: usize = first.lines.iter().map(|l| find_amounts(&first.line_text(l)).len()).sum();
    f.flag(&format!(
        "amounts{}",
        match amounts {
            0 => 0,
            1..=3 => 1,
            4..=10 => 2,
            _ => 3,
        }
    ));
    f.flag(&format!("pages{}", pages.len().min(4)));
    booking_cues(pages, &mut f);
    if first.width < 300.0 {
        f.flag("narrow");
    }
    if narrow_print(first) {
        f.flag("narrow_print");
    }
    let scores = keyword_scores(pages);
    let max = scores.iter().map(|s| s.1).fold(0.0, f32::max);
    for (t, s) in &scores {
        if max > 0.0 {
            f.add(&format!("kw:{}", t.as_str()), s / max);
            if *s == max {
                f.flag(&format!("kwtop:{}", t.as_str()));
            }
        }
    }
    f
}

/// What a booking document has whatever its wording: a line that labels an amount as the
/// total, the VAT or the amount due, and a bank account to pay to. A premium invoice whose
/// subject names only the contract ("Sachversicherungsvertrag Nr. …") and whose prose reads
/// like a letter still has its "Rechnungsbetrag 1.163,40 €".
fn booking_cues(pages: &[Page], f: &mut Features) {
    use crate::extract::labels;
    let mut cues = [false; 4];
    for p in pages.iter().take(2) {
        for l in &p.lines {
            let text = p.line_text(l);
            cues[3] |= labels::iban().is_match(&text);
            if find_amounts(&text).is_empty() {
                continue;
            }
            cues[0] |= labels::gross_total().is_match(&text) && !labels::not_a_total().is_match(&text);
            cues[1] |= labels::vat_total().is_match(&text);
            cues[2] |= labels::amount_due().is_match(&text);
        }
    }
    for (on, name) in cues.into_iter().zip(["cue:total_line", "cue:vat_line", "cue:due_line", "cue:iban"]) {
        if on {
            f.flag(name);
        }
    }
}

/// Words printed large in the upper part of page 1: the title ("RECHNUNG", "Bestellung",
/// "Gutschrift") says what a document is, whatever the layout around it. A line's size is
/// the median height of its words (a skewed scan makes line boxes tall, not words).
fn title_features(first: &Page, f: &mut Features) {
    let word_height = |i: &usize| first.words[*i].height();
    let mut heights: Vec<f32> = first.words.iter().map(|w| w.height()).filter(|h| *h > 0.0).collect();
    if heights.is_empty() {
        return;
    }
    heights.sort_by(f32::total_cmp);
    let median = heights[heights.len() / 2];
    let size = |l: &Line| {
        let mut h: Vec<f32> = l.words.iter().map(word_height).collect();
        h.sort_by(f32::total_cmp);
        h.get(h.len() / 2).copied().unwrap_or(0.0)
    };
    // Short lines in the upper 60 %, printed at least 1.4 times the usual size; not a label
    // ("Bestellung:" beside an order number is no title).
    let label = |l: &&Line| l.words.first().is_some_and(|&w| first.words[w].text.ends_with(':'));
    let titles: Vec<(&Line, f32)> =
        first.lines.iter().filter(|l| l.bbox[1] < first.height * 0.6 && l.words.len() <= 6).filter(|l| !label(l)).map(|l| (l, size(l))).filter(|(_, s)| *s >= 1.4 * median).collect();
    let tallest = titles.iter().map(|t| t.1).fold(0.0, f32::max);
    for (l, s) in &titles {
        let text = first.line_text(l);
        for t in title_types(&text) {
            f.flag(&format!("tkw:{}", t.as_str()));
            if *s >= tallest {
                f.flag(&format!("ttkw:{}", t.as_str()));
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct TrainedClassifier {
    model: LinearModel,
    /// [`super::weights_version`] of the model.
    version: String,
}

/// Fewer words than this (of two letters or digits or more) is no evidence for any type.
pub const MIN_EVIDENCE_WORDS: usize = 4;

/// The type confidence of a document without evidence: well below the review threshold.
pub const NO_EVIDENCE_CONFIDENCE: f32 = 0.2;

/// Words that can carry meaning: two or more letters or digits.
fn evidence_words(pages: &[Page]) -> usize {
    pages.iter().flat_map(|p| &p.words).filter(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2).count()
}

impl TrainedClassifier {
    pub fn new(model: LinearModel) -> Self {
        let version = super::weights_version(&model.version, std::slice::from_ref(&model));
        TrainedClassifier { model, version }
    }

    pub fn shipped() -> Option<Self> {
        super::shipped::doctype().map(Self::new)
    }

    /// Probability per type, in the model's class order.
    pub fn probabilities(&self, pages: &[Page]) -> Vec<(DocType, f32)> {
        let p = self.model.probabilities(&features(pages));
        self.model.classes.iter().zip(p).filter_map(|(c, p)| DocType::from_name(c).map(|t| (t, p))).collect()
    }
}

impl Classifier for TrainedClassifier {
    fn model(&self) -> ModelInfo {
        ModelInfo { name: "doctype-logistic".into(), version: self.version.clone() }
    }

    fn classify(&self, pages: &[Page]) -> DocTypeResult {
        if pages.is_empty() {
            return DocTypeResult { label: DocType::Other, confidence: 0.0 };
        }
        // No evidence (a blank page, scanner noise): the model's pick would be a guess with a
        // confident number on it. `other`, below the review threshold, so a person looks.
        if evidence_words(pages) < MIN_EVIDENCE_WORDS {
            return DocTypeResult { label: DocType::Other, confidence: NO_EVIDENCE_CONFIDENCE };
        }
        let best = self.probabilities(pages).into_iter().max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((label, confidence)) => DocTypeResult { label, confidence },
            None => DocTypeResult { label: DocType::Other, confidence: 0.0 },
        }
    }
}

/// Whether the words of a page stand in one tall, narrow column — a till receipt scanned or
/// photographed on a larger sheet (the page itself is not narrow then): the box around them
/// at least 1.8 times as tall as wide and under 60 % of the page's width, with at least ten
/// lines. A letter or invoice prints across the page.
fn narrow_print(page: &Page) -> bool {
    if page.lines.len() < 10 {
        return false;
    }
    let Some(b) = page.lines.iter().map(|l| l.bbox).reduce(crate::layout::union) else { return false };
    let (w, h) = (b[2] - b[0], b[3] - b[1]);
    w > 0.0 && h >= 1.8 * w && w < 0.6 * page.width
}
