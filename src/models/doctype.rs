//! The trained document-type classifier: multinomial logistic regression over hashed words
//! and word pairs of page 1's heading (its first lines) and of the body, a few layout cues,
//! and the keyword classifier's scores. Its confidence is the softmax probability of the
//! chosen type.

use super::{token, Features, LinearModel};
use crate::classify::{keyword_scores, Classifier};
use crate::extract::parse::find_amounts;
use crate::index::{DocType, DocTypeResult, ModelInfo};
use crate::layout::Page;

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
    let amounts: usize = first.lines.iter().map(|l| find_amounts(&first.line_text(l)).len()).sum();
    f.flag(&format!("amounts{}", match amounts {
        0 => 0,
        1..=3 => 1,
        4..=10 => 2,
        _ => 3,
    }));
    f.flag(&format!("pages{}", pages.len().min(4)));
    if first.width < 300.0 {
        f.flag("narrow");
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

#[derive(Debug, Clone)]
pub struct TrainedClassifier {
    model: LinearModel,
}

impl TrainedClassifier {
    pub fn new(model: LinearModel) -> Self {
        TrainedClassifier { model }
    }

    pub fn shipped() -> Option<Self> {
        super::shipped::doctype().map(Self::new)
    }

    /// Probability per type, in the model's class order.
    pub fn probabilities(&self, pages: &[Page]) -> Vec<(DocType, f32)> {
        let p = self.model.probabilities(&features(pages));
        self.model.classes.iter().zip(p).filter_map(|(c, p)| label(c).map(|t| (t, p))).collect()
    }
}

/// The type named `s` (`invoice`, `credit_note`, …).
pub fn label(s: &str) -> Option<DocType> {
    DocType::ALL.iter().copied().find(|t| t.as_str() == s)
}

impl Classifier for TrainedClassifier {
    fn model(&self) -> ModelInfo {
        ModelInfo { name: "doctype-logistic".into(), version: self.model.version.clone() }
    }

    fn classify(&self, pages: &[Page]) -> DocTypeResult {
        if pages.is_empty() {
            return DocTypeResult { label: DocType::Other, confidence: 0.0 };
        }
        let best = self.probabilities(pages).into_iter().max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((label, confidence)) => DocTypeResult { label, confidence },
            None => DocTypeResult { label: DocType::Other, confidence: 0.0 },
        }
    }
}
