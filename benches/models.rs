//! `cargo bench --bench models`: what the trained models add per page on top of OCR
//! (issue 4: under 20 ms per page), against the keyword classifier and rules extractor.
//!
//! The documents are the scans in `fixtures/scans` (image-only PDFs): each is read once
//! (pages, OCR, layout — timed for context), then classification and extraction run
//! `ROUNDS` times over the read pages with the shipped models and with the rules.

use std::path::PathBuf;
use std::time::Instant;

use mailroom::document::Document;
use mailroom::index::Channel;
use mailroom::pipeline::Pipeline;

const ROUNDS: usize = 50;

fn main() {
    // As the binary does: libgomp reads OMP_THREAD_LIMIT once, at load time.
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        use std::os::unix::process::CommandExt;
        let exe = std::env::current_exe().expect("own path");
        let err = std::process::Command::new(exe).args(std::env::args_os().skip(1)).env("OMP_THREAD_LIMIT", "1").exec();
        panic!("re-exec failed: {err}");
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/scans");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("fixtures/scans").map(|e| e.expect("entry").path()).filter(|p| p.extension().is_some_and(|e| e == "pdf")).collect();
    files.sort();
    let trained = Pipeline::new();
    let rules = Pipeline::rules_only();
    println!("models: classifier {} {}, extractor {} {}", trained.models().classifier.name, trained.models().classifier.version, trained.models().extractor.name, trained.models().extractor.version);
    println!("{:<48} {:>5} {:>10} {:>14} {:>14}", "document", "pages", "OCR ms/pg", "models ms/pg", "rules ms/pg");
    let (mut total_pages, mut total_models, mut total_rules) = (0usize, 0f64, 0f64);
    for f in &files {
        let doc = Document::new(std::fs::read(f).expect("read"), Channel::File, f.file_name().unwrap().to_string_lossy().into_owned());
        let t = Instant::now();
        let pages = trained.read(&doc).expect("readable");
        let ocr = t.elapsed().as_secs_f64() * 1000.0 / pages.len() as f64;
        let time = |p: &Pipeline| {
            let t = Instant::now();
            for _ in 0..ROUNDS {
                std::hint::black_box(p.index_pages(&doc, &pages));
            }
            t.elapsed().as_secs_f64() * 1000.0 / (ROUNDS * pages.len()) as f64
        };
        let (m, r) = (time(&trained), time(&rules));
        total_pages += pages.len();
        total_models += m * pages.len() as f64;
        total_rules += r * pages.len() as f64;
        println!("{:<48} {:>5} {:>10.0} {:>14.2} {:>14.2}", doc.source.name.chars().take(48).collect::<String>(), pages.len(), ocr, m, r);
    }
    rayon::broadcast(|_| mailroom::ocr::release_engines());
    println!("{:<48} {:>5} {:>10} {:>14.2} {:>14.2}", "mean per page", total_pages, "", total_models / total_pages as f64, total_rules / total_pages as f64);
}
