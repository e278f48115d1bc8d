//! `mailroom explain`: why the trained extractor read what it read from one document — each
//! field's best candidates with their probability and the line they stand on. For whoever
//! has to answer "why did it take that amount?" and for developing the models.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::fail;
use crate::classify::detect_language;
use crate::config::Config;
use crate::document::Document;
use crate::extract::ReadDocument;
use crate::index::{Channel, Field};
use crate::models::fields::{self, TrainedExtractor};
use crate::training::cache::PageCache;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The document (PDF, image, e-mail); nothing is archived.
    pub file: PathBuf,
    /// Only this field (invoice_number, gross_total, seller_name, …).
    #[arg(long)]
    pub field: Option<String>,
    /// Candidates shown per field.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// Take read pages from this page cache, and put them there (as `mailroom eval --cache`).
    #[arg(long)]
    pub cache: Option<PathBuf>,
}

pub fn explain(config: &Config, args: ExplainArgs) -> ExitCode {
    let Some(extractor) = TrainedExtractor::shipped() else {
        return fail("this build has no trained field models (models/fields-v1.json): nothing to explain");
    };
    let field = match args.field.as_deref().map(str::parse::<Field>) {
        Some(Ok(f)) if f.model_reads() => Some(f),
        None => None,
        Some(_) => {
            let known: Vec<&str> = fields::MODEL_FIELDS.iter().map(|(m, _)| m.as_str()).collect();
            return fail(format!("'{}' is no field with a model; one of: {}", args.field.unwrap_or_default(), known.join(", ")));
        }
    };
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(format!("{}: {e}", args.file.display())),
    };
    let name = args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let doc = Document::new(bytes, Channel::File, name);
    let pipeline = config.pipeline();
    let pages = match args.cache.as_deref().map(|d| PageCache::new(d, &pipeline.ocr)).transpose() {
        Ok(Some(cache)) => cache.pages(&pipeline, &doc),
        Ok(None) => pipeline.read(&doc).map_err(|f| f.message),
        Err(e) => return fail(format!("the page cache cannot be used: {e}")),
    };
    rayon::broadcast(|_| crate::ocr::release_engines());
    let pages = match pages {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => return fail("no page could be read (an e-invoice XML is read from its XML: nothing to explain)"),
        Err(e) => return fail(format!("the document could not be read: {e}")),
    };
    let language = detect_language(&pages);
    let doc_type = pipeline.classifier.classify(&pages).label;
    // The classifier's likeliest types: why a document went to the wrong queue.
    if let Some(classifier) = crate::models::doctype::TrainedClassifier::shipped() {
        let mut p = classifier.probabilities(&pages);
        p.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top: Vec<String> = p.iter().take(3).map(|(t, p)| format!("{} {p:.3}", t.as_str())).collect();
        super::emit(&format!("document types: {}\n", top.join(", ")));
    }
    let words = pipeline.words();
    let read = ReadDocument { pages: &pages, language: language.as_deref(), doc_type, words: words.as_deref() };
    super::emit(&fields::explain(&extractor, &read, field, args.top.max(1)));
    ExitCode::SUCCESS
}
