//! Evaluation: runs the pipeline over a folder of documents that have ground truth beside
//! them (`<name>.gt.json`, the format of `shared/data`) and reports, per field, exact-match
//! accuracy, precision and recall, and the classifier's confusion matrix.
//!
//! Values are compared as values: amounts as decimals, IBANs and VAT IDs without spaces and
//! case, names case-insensitively with collapsed whitespace and without a leading salutation. A name
//! that equals the ground truth but for a legal form only one side carries ("Au bon moulin
//! SARL" printed, "Au bon moulin" in the XML) counts as right and is reported apart with the
//! strict figure. A ground-truth `null` means the value is not on the page (or not in the
//! document) and is not counted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cache::PageCache;
use crate::document::Document;
use crate::index::{Channel, DocType, DocumentIndex};
use crate::layout::Page;
use crate::pipeline::Pipeline;
use crate::vocab::Field;

/// The fields compared, in report order: the vocabulary's evaluated fields.
pub fn fields() -> impl Iterator<Item = Field> {
    Field::ALL.into_iter().filter(|f| f.evaluated())
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct FieldScore {
    /// Documents whose ground truth has the field.
    pub expected: usize,
    /// Of those, documents where mailroom gave a value.
    pub predicted: usize,
    pub correct: usize,
    /// Of the correct, names that equal the ground truth only up to a legal form one side
    /// leaves out (the page prints "Au bon moulin SARL", the sample's XML says "Au bon
    /// moulin"). Reported beside the figure, so that the strict one stays visible.
    #[serde(default)]
    pub legal_form_only: usize,
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Mismatch {
    pub document: String,
    pub field: String,
    pub expected: String,
    pub got: Option<String>,
    /// The confidence the wrong value was given (none when nothing was read).
    #[serde(default)]
    pub confidence: Option<f32>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Report {
    pub documents: usize,
    pub quarantined: usize,
    pub fields: BTreeMap<String, FieldScore>,
    /// expected label → predicted label → count.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    pub classifier_accuracy: f64,
    pub mismatches: Vec<Mismatch>,
    /// The same documents with the rules-only pipeline (keyword classifier, rules
    /// extractor), for the side-by-side comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Box<Report>>,
    /// On receipts with line transcripts (`receipts-sroie/box`): what OCR read of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<super::receipts::Recall>,
    /// The field values given where the ground truth has one, by confidence: how often a
    /// value of that confidence is right (the reliability curve).
    #[serde(default)]
    pub reliability: Vec<Bin>,
    /// Invoices by language, and by language and the seller's country, where the ground
    /// truth names them (the generator's): the targets are per language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, GroupScore>,
    /// Receipts by their shop (the ground truth's seller name): receipts, and of them those
    /// whose seller was read right. A set of real receipts holds many from a few shops, and a
    /// shop read right once is read right on each of its receipts: the figure per shop says
    /// what a new shop's receipt gets ([`Report::seller_per_shop`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub shops: BTreeMap<String, (usize, usize)>,
}

/// Field values of one group of documents ([`group_keys`]), all fields together.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupScore {
    pub documents: usize,
    /// Field values the ground truth has.
    pub values: usize,
    pub correct: usize,
}

impl GroupScore {
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.values.max(1) as f64
    }
}

/// The groups a document's field values count in: `invoice/de`, and `invoice/en/IN` beside
/// `invoice/en` — by the ground truth's type, `language` and `seller_country`. Invoices only:
/// the per-language targets are on invoices.
pub fn group_keys(gt: &serde_json::Value) -> Vec<String> {
    let text = |k: &str| gt.get(k).and_then(|v| v.as_str());
    match (text("doc_type"), text("language")) {
        (Some("invoice"), Some(lang)) => {
            let mut keys = vec![format!("invoice/{lang}")];
            if let Some(country) = text("seller_country") {
                keys.push(format!("invoice/{lang}/{country}"));
            }
            keys
        }
        _ => Vec::new(),
    }
}

/// A group's name for people: "German invoices", "English invoices, seller in IN".
pub fn group_name(key: &str) -> String {
    let mut parts = key.split('/').skip(1);
    let lang = match parts.next() {
        Some("de") => "German",
        Some("en") => "English",
        Some(other) => other,
        None => "",
    };
    match parts.next() {
        Some(country) => format!("{lang} invoices, seller in {country}"),
        None => format!("{lang} invoices"),
    }
}

/// Field values whose confidence lies in `lo..hi`, and how many of them are right.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bin {
    pub lo: f32,
    pub hi: f32,
    pub values: usize,
    pub right: usize,
}

/// The reliability curve's bin edges: below the review threshold coarse, above it fine, where
/// the promise "at most 1 % wrong" is kept or broken.
const BIN_EDGES: [f32; 8] = [0.0, 0.5, crate::extract::REVIEW_THRESHOLD, 0.9, 0.95, 0.98, 0.995, 1.0];

impl Report {
    fn add_to_reliability(&mut self, confidence: f32, right: bool) {
        if self.reliability.is_empty() {
            self.reliability = BIN_EDGES.windows(2).map(|w| Bin { lo: w[0], hi: w[1], values: 0, right: 0 }).collect();
        }
        let last = self.reliability.len() - 1;
        let i = self.reliability.iter().position(|b| confidence < b.hi).unwrap_or(last);
        self.reliability[i].values += 1;
        self.reliability[i].right += usize::from(right);
    }

    /// Values at or above the review threshold (those no person is asked to check), and how
    /// many of them are wrong.
    pub fn confident(&self) -> (usize, usize) {
        self.reliability.iter().filter(|b| b.lo >= crate::extract::REVIEW_THRESHOLD).fold((0, 0), |(n, w), b| (n + b.values, w + b.values - b.right))
    }
}

/// A value as the comparison sees it ([`Field::comparable`]); a name that is no field is
/// only trimmed.
pub fn normalise(field: &str, v: &str) -> String {
    match field.parse::<Field>() {
        Ok(f) => f.comparable(v),
        Err(_) => v.trim().to_string(),
    }
}

/// A name split into the name proper and whether a legal form ended it ("Au bon moulin
/// SARL" → "au bon moulin", true; "Lieferant GmbH & Co. KG" → "lieferant", true).
fn name_and_legal_form(v: &str) -> (String, bool) {
    const FORMS: [&str; 31] = [
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ug",
        "ohg",
        "gbr",
        "kgaa",
        "se",
        "co",
        "&",
        "+",
        "sarl",
        "s.a.r.l",
        "sas",
        "sa",
        "s.a",
        "ltd",
        "limited",
        "inc",
        "llc",
        "plc",
        "corp",
        "a.g",
        "e.k",
        "e.kfm",
        "e.v",
        "b.v",
        "bv",
        "haftungsbeschränkt",
        "(haftungsbeschränkt)",
    ];
    let n = Field::SellerName.comparable(v);
    let mut words: Vec<&str> = n.split_whitespace().collect();
    let mut had = false;
    while let Some(last) = words.last() {
        let w = last.trim_end_matches([',', '.']).trim_start_matches('(').trim_end_matches(')');
        if !FORMS.contains(&w) && !FORMS.contains(&last.trim_end_matches([',', '.'])) {
            break;
        }
        had = true;
        words.pop();
    }
    (words.join(" "), had)
}

/// Whether two party names name the same party though their strings differ: equal once a
/// legal form is taken off, which only one of them carries. Two different legal forms
/// ("… GmbH" and "… AG") are two parties.
pub fn same_name_but_legal_form(expected: &str, got: &str) -> bool {
    let (e, e_form) = name_and_legal_form(expected);
    let (g, g_form) = name_and_legal_form(got);
    !e.is_empty() && e == g && e_form != g_form
}

/// The document type a ground-truth type code stands for (UNTDID 1001).
pub fn doc_type_for_code(code: &str) -> DocType {
    match code {
        "381" | "261" => DocType::CreditNote,
        "220" | "230" => DocType::Order,
        "231" => DocType::OrderConfirmation,
        _ => DocType::Invoice,
    }
}

/// Documents under `dir` that have a `.gt.json` beside them, or are receipt images with a key
/// file (`img/NNN.jpg` and `key/NNN.json`, [`super::receipts`]).
pub fn cases(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
                if name.ends_with(".gt.json") {
                    continue;
                }
                let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
                let gt = p.with_file_name(format!("{stem}.gt.json"));
                if gt.exists() && !name.ends_with(".xml") {
                    out.push((p, gt));
                } else if let Some(key) = super::receipts::key_of(&p) {
                    out.push((p, key));
                }
            }
        }
    }
    out.sort();
    out
}

/// Compares one index with its ground truth, adding to `report`.
pub fn score(report: &mut Report, name: &str, index: &DocumentIndex, gt: &serde_json::Value) {
    report.documents += 1;
    let (mut values, mut right) = (0, 0);
    let mut seller_right = None;
    for field in fields() {
        let Some(expected) = gt.get(field.as_str()).and_then(|v| v.as_str()) else { continue };
        let s = report.fields.entry(field.to_string()).or_default();
        s.expected += 1;
        values += 1;
        let got = index.field(field);
        if got.is_some() {
            s.predicted += 1;
        }
        let exact = got.map(|g| field.comparable(g)) == Some(field.comparable(expected));
        let legal_form_only = !exact && matches!(field, Field::SellerName | Field::BuyerName) && got.is_some_and(|g| same_name_but_legal_form(expected, g));
        if exact || legal_form_only {
            s.correct += 1;
            s.legal_form_only += usize::from(legal_form_only);
            right += 1;
        } else {
            report.mismatches.push(Mismatch {
                document: name.to_string(),
                field: field.to_string(),
                expected: expected.to_string(),
                got: got.map(str::to_string),
                confidence: index.fields.get(&field).map(|v| v.confidence),
            });
        }
        if let Some(v) = index.fields.get(&field) {
            report.add_to_reliability(v.confidence, exact || legal_form_only);
        }
        if field == Field::SellerName {
            seller_right = Some((expected, exact || legal_form_only));
        }
    }
    if let (Some("receipt"), Some((shop, right))) = (gt.get("doc_type").and_then(|v| v.as_str()), seller_right) {
        let s = report.shops.entry(Field::SellerName.comparable(shop)).or_default();
        s.0 += 1;
        s.1 += usize::from(right);
    }
    for key in group_keys(gt) {
        let g = report.groups.entry(key).or_default();
        g.documents += 1;
        g.values += values;
        g.correct += right;
    }
    // The generator's ground truth names the type; the corpus's gives a UNTDID code.
    let expected = gt.get("doc_type").and_then(|v| v.as_str()).map(str::to_string).or_else(|| gt.get("document_type_code").and_then(|v| v.as_str()).map(|c| doc_type_for_code(c).as_str().to_string()));
    if let Some(expected) = expected {
        let got = index.doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("none").to_string();
        if got != expected {
            report.mismatches.push(Mismatch {
                document: name.to_string(),
                field: "doc_type".into(),
                expected: expected.clone(),
                got: Some(got.clone()),
                confidence: index.doc_type.as_ref().map(|t| t.confidence),
            });
        }
        *report.confusion.entry(expected).or_default().entry(got).or_default() += 1;
    }
}

impl FieldScore {
    /// Accuracy counting only values strictly equal to the ground truth (no legal-form allowance).
    pub fn strict_accuracy(&self) -> f64 {
        (self.correct - self.legal_form_only) as f64 / self.expected.max(1) as f64
    }
}

impl Report {
    /// The receipts' shops, and the seller's accuracy averaged over them, each shop counted
    /// once however many of its receipts there are. `None` without receipts.
    pub fn seller_per_shop(&self) -> Option<(usize, f64)> {
        (!self.shops.is_empty()).then(|| (self.shops.len(), self.shops.values().map(|&(n, right)| right as f64 / n.max(1) as f64).sum::<f64>() / self.shops.len() as f64))
    }

    /// The per-shop sentence of a receipts report, or nothing.
    pub fn seller_per_shop_note(&self) -> String {
        match self.seller_per_shop() {
            Some((shops, mean)) => format!(
                "seller_name by shop: {} receipts from {shops} shops, the seller right for {:.1}% of a shop's receipts on average (each shop counted once)\n",
                self.shops.values().map(|s| s.0).sum::<usize>(),
                100.0 * mean
            ),
            None => String::new(),
        }
    }

    /// A line per name field whose correct values include names right only up to a legal
    /// form, with the strict figure.
    pub fn legal_form_notes(&self) -> String {
        let mut out = String::new();
        for (f, s) in self.fields.iter().filter(|(_, s)| s.legal_form_only > 0) {
            let strict = s.correct - s.legal_form_only;
            out.push_str(&format!(
                "{f}: {} of the {} right differ from the ground truth only by a legal form one of them leaves out; strictly equal: {strict} of {} ({:.1} %)\n",
                s.legal_form_only,
                s.correct,
                s.expected,
                100.0 * s.strict_accuracy()
            ));
        }
        out
    }

    pub fn finish(&mut self) {
        for s in self.fields.values_mut() {
            s.accuracy = if s.expected > 0 { s.correct as f64 / s.expected as f64 } else { 0.0 };
            s.recall = s.accuracy;
            s.precision = if s.predicted > 0 { s.correct as f64 / s.predicted as f64 } else { 0.0 };
        }
        let total: usize = self.confusion.values().flat_map(|m| m.values()).sum();
        let right: usize = self.confusion.iter().map(|(k, m)| m.get(k).copied().unwrap_or(0)).sum();
        self.classifier_accuracy = if total > 0 { right as f64 / total as f64 } else { 0.0 };
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let base = self.baseline.as_deref();
        if base.is_some() {
            out.push_str(&format!("{:<16} {:>8} | {:>9} {:>8} {:>9} {:>9} | {:>9} {:>9}\n", "field", "expected", "predicted", "correct", "accuracy", "precision", "rules acc", "rules prec"));
        } else {
            out.push_str(&format!("{:<16} {:>8} {:>9} {:>8} {:>9} {:>9} {:>7}\n", "field", "expected", "predicted", "correct", "accuracy", "precision", "recall"));
        }
        for f in fields() {
            if let Some(s) = self.fields.get(f.as_str()) {
                if let Some(b) = base {
                    let r = b.fields.get(f.as_str()).cloned().unwrap_or_default();
                    let mark = if s.accuracy + 1e-9 < r.accuracy { " ✗" } else { "" };
                    out.push_str(&format!(
                        "{:<16} {:>8} | {:>9} {:>8} {:>8.1}% {:>8.1}% | {:>8.1}% {:>9.1}%{mark}\n",
                        // The name as a str: a Display that writes through pads nothing.
                        f.as_str(),
                        s.expected,
                        s.predicted,
                        s.correct,
                        100.0 * s.accuracy,
                        100.0 * s.precision,
                        100.0 * r.accuracy,
                        100.0 * r.precision
                    ));
                } else {
                    out.push_str(&format!(
                        "{:<16} {:>8} {:>9} {:>8} {:>8.1}% {:>8.1}% {:>6.1}%\n",
                        f.as_str(),
                        s.expected,
                        s.predicted,
                        s.correct,
                        100.0 * s.accuracy,
                        100.0 * s.precision,
                        100.0 * s.recall
                    ));
                }
            }
        }
        out.push_str(&self.legal_form_notes());
        out.push_str(&self.seller_per_shop_note());
        out.push_str(&format!("\ndocuments: {}, quarantined: {}\nclassifier accuracy: {:.1}%", self.documents, self.quarantined, 100.0 * self.classifier_accuracy));
        if let Some(b) = base {
            out.push_str(&format!(" (keywords: {:.1}%)", 100.0 * b.classifier_accuracy));
        }
        if let Some(o) = &self.ocr {
            out.push_str(&format!(
                "\nOCR ({}) on {} receipts: {}/{} transcript lines read ({:.1}%), the total read on {}/{} ({:.1}%), the seller's name letter for letter on {}/{} ({:.1}%)",
                o.engine,
                o.receipts,
                o.lines_read,
                o.lines,
                100.0 * o.line_recall(),
                o.totals_read,
                o.totals,
                100.0 * o.total_recall(),
                o.sellers_read,
                o.sellers,
                100.0 * o.seller_recall()
            ));
        }
        for (key, g) in &self.groups {
            out.push_str(&format!("\n{}: {} documents, {}/{} field values right ({:.1}%)", group_name(key), g.documents, g.correct, g.values, 100.0 * g.accuracy()));
        }
        let (n, wrong) = self.confident();
        if n > 0 {
            out.push_str(&format!("\nvalues at or above the review threshold ({}): {n}, of them wrong: {wrong} ({:.2}%)", crate::extract::REVIEW_THRESHOLD, 100.0 * wrong as f64 / n as f64));
            let curve: Vec<String> = self.reliability.iter().filter(|b| b.values > 0).map(|b| format!("{:.2}–{:.2}: {}/{} right", b.lo, b.hi, b.right, b.values)).collect();
            out.push_str(&format!("\nreliability (confidence: right/values): {}", curve.join(", ")));
        }
        out.push_str("\nconfusion (expected → predicted):\n");
        for (e, m) in &self.confusion {
            let row: Vec<String> = m.iter().map(|(p, n)| format!("{p}: {n}")).collect();
            out.push_str(&format!("  {e:<18} {}\n", row.join(", ")));
        }
        out
    }
}

/// Which ground-truth values count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Counted {
    /// Every value the ground truth has (the fields a `.gt.json` sets to null apart).
    #[default]
    All,
    /// Only values the document visibly prints: the fields listed in the ground truth's
    /// `_not_printed` (scripts/make-scans.py: the value is not in the born-digital PDF's
    /// text, e.g. a sample whose XML says one IBAN and whose page another) or
    /// `_not_legible` (scripts/corpus/degrade.py: the scan lost the value's ink, e.g. grey
    /// print under a fax threshold) are not counted.
    Visible,
}

/// The ground truth as `counted` sees it.
pub fn counted_truth(mut gt: serde_json::Value, counted: Counted) -> serde_json::Value {
    if counted == Counted::Visible {
        let listed = |key: &str| -> Vec<String> { gt.get(key).and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|f| f.as_str().map(str::to_string)).collect()).unwrap_or_default() };
        let hidden: Vec<String> = [listed("_not_printed"), listed("_not_legible")].concat();
        if let Some(o) = gt.as_object_mut() {
            for f in hidden {
                o.insert(f, serde_json::Value::Null);
            }
        }
    }
    gt
}

/// Runs `pipeline` over every case under `dir`.
pub fn run(pipeline: &Pipeline, dir: &Path, progress: impl FnMut(&str, &DocumentIndex)) -> std::io::Result<Report> {
    Ok(run_cached(pipeline, None, dir, None, &[Counted::All], None, progress)?.remove(0))
}

/// Runs `pipeline` over every case under `dir` and, with `baseline`, the baseline pipeline
/// over the same read pages (its report goes into [`Report::baseline`]). With `cache`,
/// read pages are taken from and put into the page cache, so that a second run does no OCR.
/// Each document is read and indexed once and scored once per entry of `counts` (which
/// ground-truth values count): one report per entry, in its order.
pub fn run_cached(
    pipeline: &Pipeline,
    baseline: Option<&Pipeline>,
    dir: &Path,
    cache: Option<&PageCache>,
    counts: &[Counted],
    split: Option<super::receipts::Split>,
    mut progress: impl FnMut(&str, &DocumentIndex),
) -> std::io::Result<Vec<Report>> {
    let mut reports = vec![Report::default(); counts.len()];
    let mut bases = vec![Report::default(); counts.len()];
    let mut ocr: Option<super::receipts::Recall> = None;
    for (doc_path, gt_path) in cases(dir) {
        // A receipt set's key files: its split only, when one is asked for.
        let receipt = gt_path.parent().and_then(|d| d.file_name()).is_some_and(|n| n == "key");
        let stem = doc_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if receipt && split.is_some_and(|s| super::receipts::split_of(&stem) != s) {
            continue;
        }
        let bytes = std::fs::read(&doc_path)?;
        let raw: serde_json::Value = serde_json::from_slice(&std::fs::read(&gt_path)?).unwrap_or_default();
        // A receipt's key as printed stays beside its ground truth: the OCR recall reads it.
        let (gt, key) = if receipt { (super::receipts::truth(&raw), Some(raw)) } else { (raw, None) };
        let name = doc_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let doc = Document::new(bytes, Channel::File, name.clone());
        let cached = cache.and_then(|c| c.get(&doc.sha256));
        let (index, pages) = match cached {
            Some(pages) => (pipeline.index_pages(&doc, &pages), Some(pages)),
            None => match pipeline.analyse(&doc) {
                Ok(a) => {
                    // E-invoices are indexed from their XML: no pages to cache or compare.
                    let pages: Option<Vec<Page>> = if a.index.einvoice.is_none() { a.artefacts.words.as_deref().and_then(|w| serde_json::from_slice(w).ok()) } else { None };
                    if let (Some(c), Some(p)) = (cache, &pages) {
                        c.put(&doc.sha256, p);
                    }
                    (a.index, pages)
                }
                Err(f) => {
                    for r in reports.iter_mut().chain(bases.iter_mut()) {
                        r.quarantined += 1;
                    }
                    (DocumentIndex::quarantined(doc.sha256.clone(), doc.source.clone(), f.kind, f.message), None)
                }
            },
        };
        progress(&name, &index);
        if let (Some(key), Some(lines), Some(p)) = (&key, super::receipts::lines_of(&doc_path), &pages) {
            // The key as printed: its total before it was read as a number.
            let text = |k: &str| key.get(k).and_then(|t| t.as_str());
            let (total, seller) = (text("total"), text("company"));
            let recall = ocr.get_or_insert_with(|| super::receipts::Recall { engine: pipeline.ocr.receipts.name().to_string(), ..Default::default() });
            super::receipts::recall(recall, &lines, p, total, seller);
        }
        let base_index = baseline.map(|b| match &pages {
            Some(p) => b.index_pages(&doc, p),
            None => index.clone(),
        });
        for (i, &counted) in counts.iter().enumerate() {
            let truth = counted_truth(gt.clone(), counted);
            score(&mut reports[i], &name, &index, &truth);
            if let Some(bi) = &base_index {
                score(&mut bases[i], &name, bi, &truth);
            }
        }
    }
    for (report, mut base) in reports.iter_mut().zip(bases) {
        report.ocr = ocr.clone();
        report.finish();
        if baseline.is_some() {
            base.finish();
            report.baseline = Some(Box::new(base));
        }
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_equal_up_to_a_legal_form_only_one_side_has() {
        assert!(same_name_but_legal_form("Au bon moulin", "Au bon moulin SARL"));
        assert!(same_name_but_legal_form("Lieferant GmbH & Co. KG", "LIEFERANT"));
        assert!(same_name_but_legal_form("Herrn Max Mustermann", "Max Mustermann e.K."));
        // Two legal forms are two companies; another name is another party.
        assert!(!same_name_but_legal_form("Lieferant GmbH", "Lieferant AG"));
        assert!(!same_name_but_legal_form("Au bon moulin", "Au bon moulin"));
        assert!(!same_name_but_legal_form("Au bon moulin", "Au moulin SARL"));
        assert!(!same_name_but_legal_form("GmbH", "AG"));
    }

    #[test]
    fn visible_only_leaves_out_values_not_printed_or_not_legible() {
        let gt = serde_json::json!({"iban": "DE02120300000000202051", "seller_vat_id": "DE123456789", "gross_total": "119.00",
            "_not_printed": ["iban"], "_not_legible": ["seller_vat_id"]});
        let all = counted_truth(gt.clone(), Counted::All);
        assert_eq!((all["iban"].as_str(), all["seller_vat_id"].as_str()), (Some("DE02120300000000202051"), Some("DE123456789")));
        let visible = counted_truth(gt, Counted::Visible);
        assert!(visible["iban"].is_null() && visible["seller_vat_id"].is_null());
        assert_eq!(visible["gross_total"].as_str(), Some("119.00"));
        // A value left out is not scored at all: no miss for a field the page does not show.
        let source = crate::index::Source {
            channel: Channel::File,
            name: "scan.pdf".into(),
            media_type: crate::vocab::MediaType::Pdf,
            size: 1,
            received_at: String::new(),
            parent: None,
            parent_pages: None,
            split: None,
        };
        let index = DocumentIndex::quarantined(crate::vocab::DocumentId::of(b"0"), source, crate::index::ErrorKind::Empty, String::new());
        let mut report = Report::default();
        score(&mut report, "scan.pdf", &index, &visible);
        report.finish();
        assert!(!report.fields.contains_key(Field::SellerVatId.as_str()) || report.fields[Field::SellerVatId.as_str()].expected == 0);
        assert_eq!(report.fields[Field::GrossTotal.as_str()].expected, 1);
    }

    #[test]
    fn the_table_keeps_its_columns_whatever_the_field_names_length() {
        let mut report = Report::default();
        for f in ["issue_date", "gross_total"] {
            report.fields.entry(f.into()).or_default().expected = 1;
        }
        report.finish();
        let table = report.table();
        let header = table.lines().next().unwrap();
        let expected_at = header.find("expected").unwrap() + "expected".len();
        for f in ["issue_date", "gross_total"] {
            let row = table.lines().find(|l| l.starts_with(f)).unwrap();
            assert_eq!(row.get(expected_at - 1..expected_at), Some("1"), "{table}");
        }
    }

    /// An index with no fields yet, of a document named `name`.
    fn blank_index(name: &str) -> DocumentIndex {
        let source = crate::index::Source {
            channel: Channel::File,
            name: name.into(),
            media_type: crate::vocab::MediaType::Pdf,
            size: 1,
            received_at: String::new(),
            parent: None,
            parent_pages: None,
            split: None,
        };
        DocumentIndex::quarantined(crate::vocab::DocumentId::of(b"0"), source, crate::index::ErrorKind::Empty, String::new())
    }

    #[test]
    fn a_name_right_up_to_its_legal_form_counts_and_is_reported_apart() {
        let gt = serde_json::json!({"seller_name": "Au bon moulin", "buyer_name": "Ma jolie boutique"});
        let mut index = blank_index("facture.pdf");
        for (f, v) in [("seller_name", "Au bon moulin SARL"), ("buyer_name", "Ma boutique")] {
            index.fields.insert(f.parse().unwrap(), crate::index::FieldValue { value: v.into(), confidence: 1.0, page: None, bbox: None, source: None });
        }
        let mut report = Report::default();
        score(&mut report, "facture.pdf", &index, &gt);
        report.finish();
        assert_eq!((report.fields[Field::SellerName.as_str()].correct, report.fields[Field::SellerName.as_str()].legal_form_only), (1, 1));
        assert_eq!(report.fields[Field::BuyerName.as_str()].correct, 0);
        assert!(report.table().contains("seller_name: 1 of the 1 right differ from the ground truth only by a legal form"), "{}", report.table());
    }

    #[test]
    fn receipts_are_counted_by_shop_each_shop_once() {
        let mut report = Report::default();
        let receipt = |shop: &str| serde_json::json!({"doc_type": "receipt", "seller_name": shop, "gross_total": "1.00"});
        let read = |name: &str, seller: &str| {
            let mut index = blank_index(name);
            index.fields.insert(Field::SellerName, crate::index::FieldValue::read(seller.into(), 0.9, Some(1), None, crate::index::Origin::Rules));
            index
        };
        // Three receipts from one shop, all right; one from another, wrong.
        for (k, doc) in ["a", "b", "c"].into_iter().enumerate() {
            score(&mut report, doc, &read(doc, "Kiosk Ost"), &receipt(if k == 0 { "KIOSK OST" } else { "Kiosk  Ost" }));
        }
        score(&mut report, "d", &read("d", "Tankstelle"), &receipt("Backhaus Nord"));
        report.finish();
        assert_eq!(report.fields["seller_name"].correct, 3, "three of four receipts");
        let (shops, mean) = report.seller_per_shop().expect("receipts");
        assert_eq!(shops, 2);
        assert!((mean - 0.5).abs() < 1e-9, "one shop of two: {mean}");
        assert!(report.table().contains("4 receipts from 2 shops, the seller right for 50.0%"), "{}", report.table());
        // Invoices are no shop's.
        let mut invoices = Report::default();
        score(&mut invoices, "e", &read("e", "Kiosk Ost"), &serde_json::json!({"doc_type": "invoice", "seller_name": "Kiosk Ost"}));
        assert!(invoices.seller_per_shop().is_none());
    }

    #[test]
    fn invoices_are_counted_by_language_and_by_the_sellers_country() {
        let mut index = blank_index("g.pdf");
        index.fields.insert(Field::GrossTotal, crate::index::FieldValue { value: "123456.78".into(), confidence: 0.9, page: None, bbox: None, source: None });
        let mut report = Report::default();
        let indian = serde_json::json!({"doc_type": "invoice", "language": "en", "seller_country": "IN", "gross_total": "123456.78", "currency": "INR"});
        let german = serde_json::json!({"doc_type": "invoice", "language": "de", "seller_country": "DE", "gross_total": "1.00"});
        let letter = serde_json::json!({"doc_type": "letter", "language": "de", "gross_total": "123456.78"});
        for gt in [&indian, &german, &letter] {
            score(&mut report, "g.pdf", &index, gt);
        }
        let g = |k: &str| report.groups.get(k).cloned().unwrap_or_default();
        assert_eq!(g("invoice/en"), GroupScore { documents: 1, values: 2, correct: 1 });
        assert_eq!(g("invoice/en/IN"), g("invoice/en"));
        assert_eq!(g("invoice/de"), GroupScore { documents: 1, values: 1, correct: 0 });
        assert!(!report.groups.keys().any(|k| k.starts_with("letter")), "letters are no invoices");
        assert_eq!(group_name("invoice/en/IN"), "English invoices, seller in IN");
        assert!(report.table().contains("English invoices: 1 documents, 1/2 field values right (50.0%)"), "{}", report.table());
    }
}
