//! Training: reads the generated corpus (`scripts/corpus/`, pages cached by [`PageCache`])
//! and reviewed corrections, fits the three models with linfa-logistic, measures them on
//! the held-out splits and writes `models/*-v1.json` and `models/MODEL_CARD.md`.
//!
//! Corrections are how the review queue feeds back: each reviewed document brings its read
//! pages and the fields a person confirmed or corrected, and counts `weight` times. They come
//! either as a JSON Lines file, one object per line,
//!
//! ```json
//! {"words": "documents/3fa9…/words.json", "doc_type": "invoice", "fields": {"gross_total": "1190.00"}, "weight": 3}
//! ```
//!
//! (`words` relative to the file's folder: the pages as the archive stores them), or as an
//! embedded archive folder, where every document whose current index revision is a person's
//! revision (2 or higher) is taken with its `words.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use linfa::prelude::*;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::Deserialize;

use super::cache::PageCache;
use crate::classify::Classifier;
use crate::document::Document;
use crate::index::{Channel, DocType, DocumentIndex};
use crate::layout::Page;
use crate::models::doctype::{self, TrainedClassifier};
use crate::models::fields::{self, TrainedExtractor, MODEL_FIELDS};
use crate::models::firstpage::{self, FirstPageDetector};
use crate::models::{Features, LinearModel};
use crate::pipeline::Pipeline;
use crate::training::eval::{self, Report};
use crate::vocab::Field;

pub const VERSION: &str = "1";

/// One training or test document: its read pages and ground truth.
#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    /// `train`, `test_seen`, `test` (held-out layouts) or `correction`.
    pub split: String,
    /// `digital`, `scans` or `correction`.
    pub variant: String,
    pub pages: Vec<Page>,
    pub doc_type: Option<DocType>,
    /// Field name → normalised value (only fields the page shows).
    pub gt: BTreeMap<String, String>,
    /// The raw ground truth, for the evaluation report.
    pub gt_json: serde_json::Value,
    pub weight: usize,
}

fn gt_fields(gt: &serde_json::Value) -> BTreeMap<String, String> {
    gt.as_object().map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect()).unwrap_or_default()
}

fn gt_doc_type(gt: &serde_json::Value) -> Option<DocType> {
    gt.get("doc_type").and_then(|v| v.as_str()).and_then(DocType::from_name).or_else(|| gt.get("document_type_code").and_then(|v| v.as_str()).map(eval::doc_type_for_code))
}

/// Reads `corpus/<split>/<variant>/*.pdf` with their `.gt.json`, through the page cache
/// (OCR only for documents not cached yet), in parallel.
pub fn load_corpus(pipeline: &Pipeline, cache: &PageCache, corpus: &Path, splits: &[&str], variants: &[&str]) -> Vec<Example> {
    let mut jobs: Vec<(String, String, PathBuf, PathBuf)> = Vec::new();
    for split in splits {
        for variant in variants {
            for (doc, gt) in eval::cases(&corpus.join(split).join(variant)) {
                jobs.push((split.to_string(), variant.to_string(), doc, gt));
            }
        }
    }
    let done = AtomicUsize::new(0);
    let total = jobs.len();
    let started = Instant::now();
    let mut out: Vec<Example> = jobs
        .par_iter()
        .filter_map(|(split, variant, path, gt_path)| {
            let bytes = std::fs::read(path).ok()?;
            let gt_json: serde_json::Value = serde_json::from_slice(&std::fs::read(gt_path).ok()?).ok()?;
            let name = path.file_name()?.to_string_lossy().into_owned();
            let doc = Document::new(bytes, Channel::File, name.clone());
            let pages = cache.pages(pipeline, &doc).map_err(|e| eprintln!("  {name}: {e}")).ok()?;
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_multiple_of(100) || n == total {
                eprintln!("  read {n}/{total} documents ({:.0} s)", started.elapsed().as_secs_f32());
            }
            Some(Example { name, split: split.clone(), variant: variant.clone(), pages, doc_type: gt_doc_type(&gt_json), gt: gt_fields(&gt_json), gt_json, weight: 1 })
        })
        .collect();
    out.sort_by(|a, b| (&a.split, &a.variant, &a.name).cmp(&(&b.split, &b.variant, &b.name)));
    out
}

/// The real till receipts of one split of a receipt set (`receipts-sroie`: `img/`, `key/`)
/// as training examples (split `train`, variant `receipts`), their key files as ground
/// truth ([`super::receipts::truth`]), read through the page cache.
pub fn load_receipts(pipeline: &Pipeline, cache: &PageCache, dir: &Path, split: super::receipts::Split) -> Vec<Example> {
    let jobs: Vec<(PathBuf, PathBuf)> = eval::cases(dir)
        .into_iter()
        .filter(|(doc, gt)| gt.parent().and_then(|d| d.file_name()).is_some_and(|n| n == "key") && doc.file_stem().is_some_and(|s| super::receipts::split_of(&s.to_string_lossy()) == split))
        .collect();
    let mut out: Vec<Example> = jobs
        .par_iter()
        .filter_map(|(path, key)| {
            let key: serde_json::Value = serde_json::from_slice(&std::fs::read(key).ok()?).ok()?;
            let gt_json = super::receipts::truth(&key);
            let name = path.file_name()?.to_string_lossy().into_owned();
            let doc = Document::new(std::fs::read(path).ok()?, Channel::File, name.clone());
            let pages = cache.pages(pipeline, &doc).map_err(|e| eprintln!("  {name}: {e}")).ok()?;
            Some(Example { name, split: "train".into(), variant: "receipts".into(), pages, doc_type: Some(DocType::Receipt), gt: gt_fields(&gt_json), gt_json, weight: 1 })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[derive(Debug, Deserialize)]
struct Correction {
    words: PathBuf,
    doc_type: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default = "default_weight")]
    weight: usize,
}

fn default_weight() -> usize {
    3
}

/// Reviewed documents as training examples: a JSON Lines file or an archive folder (see the
/// module documentation).
pub fn load_corrections(path: &Path) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    let read_pages = |p: &Path| -> Result<Vec<Page>, String> { serde_json::from_slice(&std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?).map_err(|e| format!("{}: {e}", p.display())) };
    let mut push = |name: String, pages: Vec<Page>, doc_type: Option<&str>, fields: BTreeMap<String, String>, weight: usize| {
        let gt_json = serde_json::to_value(&fields).unwrap_or_default();
        out.push(Example { name, split: "correction".into(), variant: "correction".into(), pages, doc_type: doc_type.and_then(DocType::from_name), gt: fields, gt_json, weight: weight.max(1) });
    };
    if path.is_dir() {
        let docs = path.join("documents");
        let rd = std::fs::read_dir(&docs).map_err(|e| format!("{}: {e} (an archive folder has documents/)", docs.display()))?;
        for e in rd.filter_map(|e| e.ok()) {
            let dir = e.path();
            let mut revisions: Vec<PathBuf> = std::fs::read_dir(dir.join("index")).into_iter().flatten().filter_map(|e| e.ok()).map(|e| e.path()).collect();
            revisions.sort();
            let Some(current) = revisions.last() else { continue };
            let index: DocumentIndex = match serde_json::from_slice(&std::fs::read(current).map_err(|e| e.to_string())?) {
                Ok(i) => i,
                Err(_) => continue,
            };
            if index.archive.revision < 2 || !dir.join("words.json").exists() {
                continue;
            }
            let fields = index.fields.iter().map(|(k, v)| (k.to_string(), v.value.clone())).collect();
            let pages = read_pages(&dir.join("words.json"))?;
            push(index.id.to_string(), pages, index.doc_type.as_ref().map(|d| d.label.as_str()), fields, default_weight());
        }
    } else {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let c: Correction = serde_json::from_str(line).map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?;
            let pages = read_pages(&base.join(&c.words))?;
            push(format!("{}:{}", path.display(), n + 1), pages, c.doc_type.as_deref(), c.fields, c.weight);
        }
    }
    Ok(out)
}

fn dense(rows: &[&Features], dim: usize) -> Array2<f32> {
    let mut x = Array2::<f32>::zeros((rows.len(), dim));
    for (r, f) in rows.iter().enumerate() {
        for &(i, v) in &f.items {
            x[[r, i as usize % dim]] += v;
        }
    }
    x
}

/// Multinomial logistic regression; classes absent from the data are absent from the model.
pub fn fit_multinomial(name: &str, rows: &[(Features, usize)], class_names: &[&str], dim: usize, alpha: f32) -> Result<LinearModel, String> {
    let x = dense(&rows.iter().map(|r| &r.0).collect::<Vec<_>>(), dim);
    let y = Array1::from_iter(rows.iter().map(|r| r.1));
    let fitted = MultiLogisticRegression::default().alpha(alpha).max_iterations(150).fit(&Dataset::new(x, y)).map_err(|e| format!("{name}: {e}"))?;
    let params = fitted.params();
    let classes: Vec<String> = fitted.classes().iter().map(|&c| class_names[c].to_string()).collect();
    let weights = (0..classes.len()).map(|k| (0..dim).map(|i| params[[i, k]]).collect()).collect();
    let bias = fitted.intercept().to_vec();
    Ok(LinearModel { name: name.into(), version: VERSION.into(), dim, classes, weights, bias }.rounded())
}

/// Binary logistic regression: the probability of `true`.
pub fn fit_binary(name: &str, rows: &[(&Features, bool)], dim: usize, alpha: f32) -> Result<LinearModel, String> {
    if !rows.iter().any(|r| r.1) || rows.iter().all(|r| r.1) {
        return Err(format!("{name}: the training data has only one class"));
    }
    let x = dense(&rows.iter().map(|r| r.0).collect::<Vec<_>>(), dim);
    let y = Array1::from_iter(rows.iter().map(|r| r.1));
    let fitted = LogisticRegression::default().alpha(alpha).max_iterations(50).fit(&Dataset::new(x, y)).map_err(|e| format!("{name}: {e}"))?;
    // linfa's positive class is the more frequent one; the model here gives P(true).
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    let weights = vec![fitted.params().iter().map(|&w| sign * w).collect()];
    Ok(LinearModel { name: name.into(), version: VERSION.into(), dim, classes: vec!["true".into()], weights, bias: vec![sign * fitted.intercept()] }.rounded())
}

/// A cheap deterministic hash for subsampling.
fn keep(seed: &str, i: usize, one_in: f64) -> bool {
    let mut h: u64 = 1469598103934665603;
    for b in seed.bytes().chain(i.to_le_bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(1099511628211);
    }
    (h % 10_000) as f64 / 10_000.0 < one_in
}

/// The document-type classifier. Types are far from equally common (a mailroom sees ten
/// invoices for every statement), and a classifier fitted on those counts learns to answer
/// with the common ones: each type's examples count the square root of how much rarer it is
/// than the commonest, so that a rare type ("other": statements, reports, notices) is learnt
/// from more than its few examples without its examples outweighing the rest.
pub fn train_doctype(train: &[&Example]) -> Result<LinearModel, String> {
    let names: Vec<&str> = DocType::ALL.iter().map(|t| t.as_str()).collect();
    let typed: Vec<(usize, &Example)> = train.iter().filter_map(|e| Some((DocType::ALL.iter().position(|x| Some(*x) == e.doc_type)?, *e))).collect();
    let mut counts = vec![0usize; DocType::ALL.len()];
    for (k, e) in &typed {
        counts[*k] += e.weight;
    }
    let commonest = counts.iter().copied().max().unwrap_or(1) as f64;
    let mut rows = Vec::new();
    for (k, e) in typed {
        let f = doctype::features(&e.pages);
        let balance = (commonest / counts[k].max(1) as f64).sqrt().round().max(1.0) as usize;
        for _ in 0..e.weight * balance {
            rows.push((f.clone(), k));
        }
    }
    fit_multinomial("doctype", &rows, &names, doctype::DIM, 0.05)
}

/// The pages of a batch made of `docs` in order, with whether each starts a document.
fn batch<'a>(docs: &[&'a Example]) -> Vec<(&'a Page, Option<&'a Page>, bool)> {
    let mut out = Vec::new();
    let mut prev: Option<&Page> = None;
    for e in docs {
        for (i, p) in e.pages.iter().enumerate() {
            out.push((p, prev, i == 0));
            prev = Some(p);
        }
    }
    out
}

pub fn train_firstpage(train: &[&Example]) -> Result<LinearModel, String> {
    // Two orders of the same documents, so that each first page follows different pages.
    let mut shuffled: Vec<&Example> = train.to_vec();
    shuffled.sort_by_key(|e| {
        let mut h: u64 = 7;
        for b in e.name.bytes() {
            h = h.wrapping_mul(31).wrapping_add(b as u64);
        }
        h
    });
    let mut rows: Vec<(Features, bool)> = Vec::new();
    for order in [train.to_vec(), shuffled] {
        for (p, prev, start) in batch(&order) {
            rows.push((firstpage::features(p, prev), start));
        }
    }
    let refs: Vec<(&Features, bool)> = rows.iter().map(|(f, b)| (f, *b)).collect();
    fit_binary("firstpage", &refs, firstpage::DIM, 0.5)
}

pub fn train_fields(train: &[&Example]) -> Result<Vec<LinearModel>, String> {
    // Per document and field: all positive candidates and at most ~25 negatives.
    let per_doc: Vec<Vec<(usize, Features, bool)>> = train
        .par_iter()
        .map(|e| {
            let lang = crate::classify::detect_language(&e.pages);
            let ex = fields::examples(&e.pages, e.doc_type.unwrap_or(DocType::Other), lang.as_deref(), &e.gt);
            let mut out = Vec::new();
            for (k, (field, _)) in MODEL_FIELDS.iter().enumerate() {
                let mine: Vec<&(usize, Features, bool)> = ex.iter().filter(|r| r.0 == k).collect();
                let has_truth = e.gt.contains_key(field.as_str());
                let negatives = mine.iter().filter(|r| !r.2).count().max(1);
                let budget = if has_truth { 15.0 } else { 4.0 };
                let rate = (budget / negatives as f64).min(1.0);
                for (i, r) in mine.into_iter().enumerate() {
                    if r.2 || keep(&e.name, i * 31 + k, rate) {
                        for _ in 0..e.weight {
                            out.push(r.clone());
                        }
                    }
                }
            }
            out
        })
        .collect();
    let rows: Vec<(usize, Features, bool)> = per_doc.into_iter().flatten().collect();
    // A field the data never shows gets no model (the rules keep it).
    let fitted: Vec<Result<LinearModel, String>> = MODEL_FIELDS
        .par_iter()
        .enumerate()
        .map(|(k, (field, _))| {
            let mine: Vec<(&Features, bool)> = rows.iter().filter(|r| r.0 == k).map(|r| (&r.1, r.2)).collect();
            let t = Instant::now();
            let m = fit_binary(field.as_str(), &mine, fields::DIM, 1.0);
            eprintln!("  {field}: {} rows, {:.1} s", mine.len(), t.elapsed().as_secs_f32());
            m
        })
        .collect();
    let mut out = Vec::new();
    for r in fitted {
        match r {
            Ok(m) => out.push(m),
            Err(e) => eprintln!("  skipped: {e}"),
        }
    }
    if out.is_empty() {
        return Err("no field model could be fitted".into());
    }
    Ok(out)
}

/// Classifier metrics on a set of documents.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClassifierMetrics {
    pub documents: usize,
    pub accuracy: f64,
    pub keyword_accuracy: f64,
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// (confidence bin, documents, accuracy): calibration.
    pub calibration: Vec<(String, usize, f64)>,
}

pub fn measure_classifier(model: &TrainedClassifier, docs: &[&Example]) -> ClassifierMetrics {
    use crate::classify::KeywordClassifier;
    let mut m = ClassifierMetrics::default();
    let bins = [(0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.01)];
    let mut cal = vec![(0usize, 0usize); bins.len()];
    let (mut right, mut kw_right) = (0, 0);
    for e in docs {
        let Some(t) = e.doc_type else { continue };
        m.documents += 1;
        let r = model.classify(&e.pages);
        *m.confusion.entry(t.as_str().into()).or_default().entry(r.label.as_str().into()).or_default() += 1;
        if r.label == t {
            right += 1;
        }
        if KeywordClassifier.classify(&e.pages).label == t {
            kw_right += 1;
        }
        if let Some(b) = bins.iter().position(|(lo, hi)| (r.confidence as f64) >= *lo && (r.confidence as f64) < *hi) {
            cal[b].0 += 1;
            cal[b].1 += (r.label == t) as usize;
        }
    }
    let n = m.documents.max(1) as f64;
    m.accuracy = right as f64 / n;
    m.keyword_accuracy = kw_right as f64 / n;
    m.calibration = bins.iter().zip(cal).filter(|(_, c)| c.0 > 0).map(|((lo, hi), (k, r))| (format!("{lo:.2}–{:.2}", hi.min(1.0)), k, r as f64 / k as f64)).collect();
    m
}

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct SplitMetrics {
    pub documents: usize,
    pub pages: usize,
    /// Documents whose first and last page were both found exactly.
    pub documents_split_correctly: usize,
    pub document_accuracy: f64,
    pub page_accuracy: f64,
}

/// Concatenates `docs` into one batch and splits it again.
pub fn measure_split(model: &FirstPageDetector, docs: &[&Example]) -> SplitMetrics {
    let pages: Vec<Page> = docs.iter().flat_map(|e| e.pages.iter().cloned()).collect();
    let truth: Vec<bool> = docs.iter().flat_map(|e| (0..e.pages.len()).map(|i| i == 0)).collect();
    // Decided as at run time: the split planner over the detector's probabilities.
    let cues: Vec<crate::split::PageCue> = model.starts(&pages).into_iter().map(|p| crate::split::PageCue { separator: None, start: Some(p) }).collect();
    let mut starts = vec![false; pages.len()];
    for part in crate::split::plan(&cues).map(|p| p.parts).unwrap_or_default() {
        starts[part.first as usize - 1] = true;
    }
    let right_pages = starts.iter().zip(&truth).filter(|(a, b)| a == b).count();
    let mut ok = 0;
    let mut at = 0;
    for e in docs {
        let n = e.pages.len();
        let next_ok = at + n >= pages.len() || starts[at + n];
        if starts[at] && (at + 1..at + n).all(|i| !starts[i]) && next_ok {
            ok += 1;
        }
        at += n;
    }
    SplitMetrics {
        documents: docs.len(),
        pages: pages.len(),
        documents_split_correctly: ok,
        document_accuracy: ok as f64 / docs.len().max(1) as f64,
        page_accuracy: right_pages as f64 / pages.len().max(1) as f64,
    }
}

/// Runs `pipeline` over read examples once and scores it like `mailroom eval`, a report
/// per way of counting the ground truth in `counts`.
pub fn measure_fields(pipeline: &Pipeline, docs: &[&Example], counts: &[eval::Counted]) -> Vec<Report> {
    let indexes: Vec<DocumentIndex> = docs
        .par_iter()
        .map(|e| {
            let doc = Document::new(e.name.as_bytes().to_vec(), Channel::File, e.name.clone());
            pipeline.index_pages(&doc, &e.pages)
        })
        .collect();
    counts
        .iter()
        .map(|&counted| {
            let mut report = Report::default();
            for (e, idx) in docs.iter().zip(&indexes) {
                eval::score(&mut report, &e.name, idx, &eval::counted_truth(e.gt_json.clone(), counted));
            }
            report.finish();
            report
        })
        .collect()
}

/// How often a wrong mandatory value would be auto-approved (confidence at or above
/// [`crate::extract::REVIEW_THRESHOLD`]) on invoices and credit notes with ground truth.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReviewMetrics {
    pub threshold: f32,
    /// Mandatory values compared with the ground truth.
    pub values: usize,
    /// Of those, at or above the threshold.
    pub approved: usize,
    /// Of the approved, wrong.
    pub approved_wrong: usize,
    /// Wrong values below the threshold (caught by review).
    pub caught_wrong: usize,
    pub documents: usize,
    pub documents_needing_review: usize,
}

pub fn measure_review(pipeline: &Pipeline, docs: &[&Example]) -> ReviewMetrics {
    let threshold = crate::extract::REVIEW_THRESHOLD;
    let mut m = ReviewMetrics { threshold, ..Default::default() };
    for e in docs.iter().filter(|e| matches!(e.doc_type, Some(DocType::Invoice) | Some(DocType::CreditNote))) {
        let doc = Document::new(e.name.as_bytes().to_vec(), Channel::File, e.name.clone());
        let idx = pipeline.index_pages(&doc, &e.pages);
        m.documents += 1;
        m.documents_needing_review += idx.needs_review as usize;
        for f in Field::ALL.into_iter().filter(|f| f.mandatory()) {
            let (Some(want), Some(got)) = (e.gt.get(f.as_str()), idx.fields.get(&f)) else { continue };
            m.values += 1;
            let right = fields::same_value(f, want, &got.value);
            if got.confidence >= threshold {
                m.approved += 1;
                m.approved_wrong += (!right) as usize;
            } else if !right {
                m.caught_wrong += 1;
            }
        }
    }
    m
}

/// What `mailroom train` was asked to do.
pub struct Options {
    pub corpus: PathBuf,
    pub cache: PathBuf,
    pub out: PathBuf,
    pub corrections: Vec<PathBuf>,
    pub variants: Vec<String>,
    /// Real scans to evaluate on after training (`target/scans`), never trained on.
    pub eval_dir: Option<PathBuf>,
    /// Only read the corpus into the page cache (the slow OCR part), train nothing.
    pub prepare_only: bool,
    /// Real till receipts with key files (`shared/data/receipts-sroie`): the development part
    /// is trained on, the held-out quarter ([`super::receipts`]) only measured, never read
    /// for training.
    pub receipts_dir: Option<PathBuf>,
}

/// Everything measured, for the model card.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Metrics {
    pub train_documents: usize,
    pub corrections: usize,
    pub read_seconds: f64,
    pub train_seconds: f64,
    pub classifier_test: ClassifierMetrics,
    pub classifier_test_seen: ClassifierMetrics,
    pub split_test: SplitMetrics,
    pub fields_test: Option<(Report, Report)>,
    /// The same, counting only values the scans still show (`eval::Counted::Visible`: not
    /// those the degradation made illegible).
    #[serde(default)]
    pub fields_test_visible: Option<(Report, Report)>,
    pub fields_test_seen: Option<(Report, Report)>,
    pub fields_real_scans: Option<(Report, Report)>,
    /// The same, counting only values the scans print (`eval::Counted::Visible`).
    #[serde(default)]
    pub fields_real_scans_printed: Option<(Report, Report)>,
    pub inference_ms_per_page: f64,
    #[serde(default)]
    pub review_test: ReviewMetrics,
    /// Model fields left to the rules because the rules did better on `test_seen`.
    #[serde(default)]
    pub fields_from_rules: Vec<String>,
    /// Real till receipts: the development part (looked at while the rules were written) and
    /// the held-out quarter (never looked at, trained or tuned on): model and rules.
    #[serde(default)]
    pub receipts_dev: Option<(Report, Report)>,
    #[serde(default)]
    pub receipts_holdout: Option<(Report, Report)>,
    /// Development receipts among the training examples (the held-out quarter never is).
    #[serde(default)]
    pub receipts_trained: usize,
    /// The day the models were fitted (`YYYY-MM-DD`): the card says it, also when it is
    /// written again later (`--card-only`).
    #[serde(default)]
    pub trained_on: Option<String>,
}

/// A report of the model and the rules' on the same documents.
type ModelAndRules = (Report, Report);

/// The receipts' development part and held-out quarter, read through the page cache.
fn measure_receipts(pipeline: &Pipeline, rules: &Pipeline, dir: &Path, cache: &PageCache) -> Result<(ModelAndRules, ModelAndRules), String> {
    let one = |split| -> Result<ModelAndRules, String> {
        let mut r = eval::run_cached(pipeline, Some(rules), dir, Some(cache), &[eval::Counted::All], Some(split), |_, _| {}).map_err(|e| e.to_string())?.remove(0);
        let mut base = r.baseline.take().map(|b| *b).unwrap_or_default();
        // The figures only: the held-out receipts' values stay unread (`mailroom eval
        // --verbose --split dev` lists the development part's misses).
        r.mismatches.clear();
        base.mismatches.clear();
        Ok((r, base))
    };
    Ok((one(super::receipts::Split::Dev)?, one(super::receipts::Split::Holdout)?))
}

/// Writes the model card again from `metrics.json` (after a change to the card's text).
pub fn card_only(opts: &Options) -> Result<Metrics, String> {
    let path = opts.out.join("metrics.json");
    let mut m: Metrics = serde_json::from_slice(&std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?).map_err(|e| format!("{}: {e}", path.display()))?;
    if m.trained_on.is_none() {
        // Metrics from before the date was kept: the card written then says it.
        let card = std::fs::read_to_string(opts.out.join("MODEL_CARD.md")).unwrap_or_default();
        m.trained_on = card.split_once("Trained ").and_then(|(_, rest)| rest.get(..10)).filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()).map(str::to_string);
    }
    // The shipped models measured on receipts (no training): the card and metrics.json get it.
    if let Some(dir) = &opts.receipts_dir {
        let cache = PageCache::new(&opts.cache, &Pipeline::rules_only().ocr).map_err(|e| format!("{}: {e}", opts.cache.display()))?;
        let (dev, holdout) = measure_receipts(&Pipeline::new(), &Pipeline::rules_only(), dir, &cache)?;
        m.receipts_dev = Some(dev);
        m.receipts_holdout = Some(holdout);
        std::fs::write(&path, serde_json::to_string_pretty(&m).expect("metrics")).map_err(|e| e.to_string())?;
    }
    std::fs::write(opts.out.join("MODEL_CARD.md"), super::card::render(&m, opts)).map_err(|e| e.to_string())?;
    Ok(m)
}

/// Trains all models and writes them with the model card. Returns the metrics.
pub fn run(opts: &Options) -> Result<Metrics, String> {
    let pipeline = Pipeline::rules_only();
    let cache = PageCache::new(&opts.cache, &pipeline.ocr).map_err(|e| format!("{}: {e}", opts.cache.display()))?;
    let (all, corrections, read_seconds) = read_examples(opts, &pipeline, &cache)?;
    if opts.prepare_only {
        if let Some(dir) = &opts.eval_dir {
            eval::run_cached(&pipeline, None, dir, Some(&cache), &[eval::Counted::All], None, |_, _| {}).map_err(|e| e.to_string())?;
        }
        eprintln!("mailroom train: {} documents read into {} in {read_seconds:.0} s", all.len(), opts.cache.display());
        return Ok(Metrics { read_seconds, ..Default::default() });
    }
    let train: Vec<&Example> = all.iter().filter(|e| e.split == "train" || e.split == "correction").collect();
    if train.is_empty() {
        return Err(format!("no training documents under {}", opts.corpus.display()));
    }
    let fitted = fit(&train, corrections)?;
    // Measured on the held-out splits (scans, as a mailroom sees them; digital when no scans).
    let pick = |split: &str| -> Vec<&Example> {
        let scans: Vec<&Example> = all.iter().filter(|e| e.split == split && e.variant == "scans").collect();
        if scans.is_empty() {
            all.iter().filter(|e| e.split == split).collect()
        } else {
            scans
        }
    };
    let (test, test_seen) = (pick("test"), pick("test_seen"));
    let Fitted { doctype: doctype_model, firstpage: firstpage_model, fields: mut field_models, seconds: train_seconds } = fitted;
    let classifier = TrainedClassifier::new(doctype_model.clone());
    let detector = FirstPageDetector { model: firstpage_model.clone() };
    let rules = Pipeline::rules_only();
    let trained_with = |models: Vec<LinearModel>| {
        let mut p = Pipeline::rules_only();
        p.classifier = Box::new(classifier.clone());
        p.extractor = Box::new(TrainedExtractor::new(models));
        p
    };
    let fields_from_rules = keep_models_that_beat_the_rules(&mut field_models, &test_seen, &trained_with, &rules);
    std::fs::create_dir_all(&opts.out).map_err(|e| e.to_string())?;
    let write = |name: &str, json: String| std::fs::write(opts.out.join(name), json).map_err(|e| format!("{name}: {e}"));
    write("doctype-v1.json", serde_json::to_string(&doctype_model).expect("model"))?;
    write("firstpage-v1.json", serde_json::to_string(&firstpage_model).expect("model"))?;
    write("fields-v1.json", serde_json::to_string(&field_models).expect("model"))?;
    let trained = trained_with(field_models);
    let mut metrics = measure(&trained, &rules, &classifier, &detector, &test, &test_seen);
    metrics.train_documents = train.len();
    metrics.receipts_trained = train.iter().filter(|e| e.variant == "receipts").count();
    metrics.corrections = corrections;
    metrics.read_seconds = read_seconds;
    metrics.train_seconds = train_seconds;
    metrics.fields_from_rules = fields_from_rules;
    metrics.trained_on = Some(chrono::Utc::now().format("%Y-%m-%d").to_string());
    if let Some(dir) = &opts.eval_dir {
        eprintln!("mailroom train: evaluating on {}", dir.display());
        // Read and indexed once, scored on all values and on the printed ones.
        let mut reports =
            eval::run_cached(&trained, Some(&rules), dir, Some(&cache), &[eval::Counted::All, eval::Counted::Visible], None, |_, _| {}).map_err(|e| e.to_string())?.into_iter().map(|model| {
                let baseline = model.baseline.clone().map(|b| *b).unwrap_or_default();
                (model, baseline)
            });
        metrics.fields_real_scans = reports.next();
        metrics.fields_real_scans_printed = reports.next();
    }
    if let Some(dir) = &opts.receipts_dir {
        eprintln!("mailroom train: evaluating on the receipts in {}", dir.display());
        let (dev, holdout) = measure_receipts(&trained, &rules, dir, &cache)?;
        metrics.receipts_dev = Some(dev);
        metrics.receipts_holdout = Some(holdout);
    }
    write("MODEL_CARD.md", super::card::render(&metrics, opts))?;
    write("metrics.json", serde_json::to_string_pretty(&metrics).expect("metrics"))?;
    Ok(metrics)
}

/// The corpus's splits and the reviewed corrections, read through the page cache: the
/// examples, how many are corrections, and the seconds it took.
fn read_examples(opts: &Options, pipeline: &Pipeline, cache: &PageCache) -> Result<(Vec<Example>, usize, f64), String> {
    let variants: Vec<&str> = opts.variants.iter().map(String::as_str).collect();
    let t = Instant::now();
    eprintln!("mailroom train: reading the corpus {} ({})", opts.corpus.display(), variants.join(", "));
    let mut all = load_corpus(pipeline, cache, &opts.corpus, &["train", "test_seen", "test"], &variants);
    let mut corrections = 0;
    if let Some(dir) = &opts.receipts_dir {
        let receipts = load_receipts(pipeline, cache, dir, super::receipts::Split::Dev);
        eprintln!("mailroom train: {} development receipts from {} to train on (the held-out quarter is never read here)", receipts.len(), dir.display());
        all.extend(receipts);
    }
    for c in &opts.corrections {
        let v = load_corrections(c)?;
        corrections += v.len();
        all.extend(v);
    }
    Ok((all, corrections, t.elapsed().as_secs_f64()))
}

/// The three kinds of model, fitted on the training examples.
struct Fitted {
    doctype: LinearModel,
    firstpage: LinearModel,
    fields: Vec<LinearModel>,
    /// Seconds the fitting took.
    seconds: f64,
}

fn fit(train: &[&Example], corrections: usize) -> Result<Fitted, String> {
    let t = Instant::now();
    eprintln!("mailroom train: {} training documents ({} corrections); fitting", train.len(), corrections);
    let doctype = train_doctype(train)?;
    eprintln!("  doctype: {:.0} s", t.elapsed().as_secs_f32());
    let firstpage = train_firstpage(&train.iter().copied().filter(|e| e.split == "train").collect::<Vec<_>>())?;
    eprintln!("  firstpage: {:.0} s", t.elapsed().as_secs_f32());
    let fields = train_fields(train)?;
    let seconds = t.elapsed().as_secs_f64();
    eprintln!("  fields: {seconds:.0} s");
    Ok(Fitted { doctype, firstpage, fields, seconds })
}

/// Per field, model or rules: chosen on the validation split (`test_seen`), never on `test`
/// or the real scans. A field whose model does worse there than the rules ships without a
/// model, so the rules fill it. Returns the fields left to the rules.
fn keep_models_that_beat_the_rules(field_models: &mut Vec<LinearModel>, test_seen: &[&Example], trained_with: &dyn Fn(Vec<LinearModel>) -> Pipeline, rules: &Pipeline) -> Vec<String> {
    let mut fields_from_rules = Vec::new();
    if test_seen.is_empty() {
        return fields_from_rules;
    }
    let all = [eval::Counted::All];
    let (m, r) = (measure_fields(&trained_with(field_models.clone()), test_seen, &all).remove(0), measure_fields(rules, test_seen, &all).remove(0));
    field_models.retain(|model| {
        let (Some(a), Some(b)) = (m.fields.get(&model.name), r.fields.get(&model.name)) else { return true };
        let keep = a.accuracy + 1e-9 >= b.accuracy;
        if !keep {
            eprintln!("  {}: rules {:.1} % > model {:.1} % on test_seen: the rules fill it", model.name, 100.0 * b.accuracy, 100.0 * a.accuracy);
            fields_from_rules.push(model.name.clone());
        }
        keep
    });
    fields_from_rules
}

/// Everything measured on the held-out splits: classifier, first-page split, fields (model
/// and rules side by side), review threshold, inference time.
fn measure(trained: &Pipeline, rules: &Pipeline, classifier: &TrainedClassifier, detector: &FirstPageDetector, test: &[&Example], test_seen: &[&Example]) -> Metrics {
    // Model and rules side by side, per way of counting (none for an empty split).
    let both = |docs: &[&Example], counts: &[eval::Counted]| -> Vec<(Report, Report)> {
        if docs.is_empty() {
            return Vec::new();
        }
        measure_fields(trained, docs, counts).into_iter().zip(measure_fields(rules, docs, counts)).collect()
    };
    // Inference time: classify and extract with the trained models, one thread, after one
    // document has loaded what is loaded once (word lists, compiled patterns): a first call
    // that reads the word lists from disk is no per-page cost and made the figure vary.
    if let Some(e) = test.first() {
        let _ = trained.index_pages(&Document::new(Vec::new(), Channel::File, e.name.clone()), &e.pages);
    }
    let t = Instant::now();
    let pages: usize = test.iter().take(50).map(|e| e.pages.len()).sum();
    for e in test.iter().take(50) {
        let doc = Document::new(Vec::new(), Channel::File, e.name.clone());
        let _ = trained.index_pages(&doc, &e.pages);
    }
    let per_page_ms = 1000.0 * t.elapsed().as_secs_f64() / pages.max(1) as f64;
    let mut test_views = both(test, &[eval::Counted::All, eval::Counted::Visible]).into_iter();
    let (fields_test, fields_test_visible) = (test_views.next(), test_views.next());
    Metrics {
        classifier_test: measure_classifier(classifier, test),
        classifier_test_seen: measure_classifier(classifier, test_seen),
        split_test: measure_split(detector, test),
        fields_test,
        fields_test_visible,
        fields_test_seen: both(test_seen, &[eval::Counted::All]).pop(),
        inference_ms_per_page: per_page_ms,
        review_test: measure_review(trained, test),
        ..Default::default()
    }
}
