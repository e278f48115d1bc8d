//! Trained models: the document-type classifier, the first-page detector and the invoice
//! field extractor, trained with linfa (logistic regression) on the generated corpus.
//!
//! Each model is a linear model over hashed sparse features ([`Features`]): training
//! ([`train`]) uses linfa-logistic on dense ndarray matrices; inference is a sparse dot
//! product here, with no linfa at run time, so a page costs microseconds on top of OCR.
//! The weights are small JSON files in `models/` ([`LinearModel`]), compiled into the
//! binary ([`shipped`]); when a file is missing or does not parse, the pipeline keeps the
//! keyword classifier and the rules extractor.

pub mod decide;
pub mod doctype;
pub mod fields;
pub mod firstpage;
pub mod lexicon;

use serde::{Deserialize, Serialize};

/// A linear model over hashed features: one weight row per class (one row for a binary
/// model, whose score is the probability of the positive class).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearModel {
    pub name: String,
    pub version: String,
    /// Number of hash buckets.
    pub dim: usize,
    pub classes: Vec<String>,
    /// `classes.len()` rows (1 for a binary model) of `dim` weights.
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
}

/// A model version that identifies its weights: the trained version and the first 12 hex
/// digits of the SHA-256 of the models as stored (`1+3fa9c2e1b7d0`). A retrained model gets a
/// new one even when nobody raised the version, so `mailroom reprocess --model-older` finds
/// what an earlier model read.
#[allow(clippy::string_slice)] // hex digits are ASCII
pub fn weights_version(version: &str, models: &[LinearModel]) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(models).expect("models serialise");
    format!("{version}+{}", &hex::encode(Sha256::digest(&json))[..12])
}

impl LinearModel {
    fn raw(&self, row: usize, x: &Features) -> f32 {
        let w = &self.weights[row];
        self.bias[row] + x.items.iter().map(|&(i, v)| w[i as usize % self.dim] * v).sum::<f32>()
    }

    /// Probability of the positive class of a binary model.
    pub fn probability(&self, x: &Features) -> f32 {
        sigmoid(self.raw(0, x))
    }

    /// Softmax over the classes of a multinomial model.
    pub fn probabilities(&self, x: &Features) -> Vec<f32> {
        let raw: Vec<f32> = (0..self.weights.len()).map(|r| self.raw(r, x)).collect();
        softmax(&raw)
    }

    /// Rounds weights to 5 significant decimals so the JSON stays small.
    pub fn rounded(mut self) -> Self {
        for row in &mut self.weights {
            for w in row.iter_mut() {
                *w = (*w * 1e5).round() / 1e5;
            }
        }
        self
    }
}

pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

pub fn softmax(raw: &[f32]) -> Vec<f32> {
    let max = raw.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = raw.iter().map(|r| (r - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// A sparse feature vector: named features hashed into `dim` buckets (FNV-1a).
#[derive(Debug, Clone)]
pub struct Features {
    pub dim: usize,
    pub items: Vec<(u32, f32)>,
}

impl Features {
    pub fn new(dim: usize) -> Self {
        Features { dim, items: Vec::with_capacity(64) }
    }

    pub fn add(&mut self, name: &str, value: f32) {
        if value != 0.0 {
            self.items.push(((fnv(name) % self.dim as u64) as u32, value));
        }
    }

    pub fn flag(&mut self, name: &str) {
        self.add(name, 1.0);
    }

    /// Scales the hashed text features so that long documents do not dominate.
    pub fn normalise(&mut self) {
        let norm = self.items.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut self.items {
                *v /= norm;
            }
        }
    }
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// A word reduced to what generalises: lower case, digits as `0`, umlauts and accents
/// folded (OCR loses them now and then: "Falligkeit"), punctuation dropped at the ends.
/// Empty for words with no letter or digit.
pub fn token(word: &str) -> String {
    let mut out = String::new();
    for c in word.trim_matches(|c: char| !c.is_alphanumeric()).chars().flat_map(char::to_lowercase) {
        match c {
            '0'..='9' => out.push('0'),
            'ä' | 'à' | 'á' | 'â' => out.push('a'),
            'ö' | 'ó' | 'ô' => out.push('o'),
            'ü' | 'ú' | 'û' => out.push('u'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'ç' => out.push('c'),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

/// The models compiled into the binary from `models/`.
pub mod shipped {
    use super::LinearModel;

    pub const DOCTYPE: &str = include_str!("../../models/doctype-v1.json");
    pub const FIRSTPAGE: &str = include_str!("../../models/firstpage-v1.json");
    pub const FIELDS: &str = include_str!("../../models/fields-v1.json");

    pub fn doctype() -> Option<LinearModel> {
        serde_json::from_str(DOCTYPE).ok()
    }

    pub fn firstpage() -> Option<LinearModel> {
        serde_json::from_str(FIRSTPAGE).ok()
    }

    pub fn fields() -> Option<Vec<LinearModel>> {
        serde_json::from_str(FIELDS).ok()
    }
}
