//! `cargo bench --bench pipeline`: the reading path's speed and memory on this machine, next
//! to what people use today, for the foundation and e-invoice issues. Prints a Markdown table
//! (copied into `benches/README.md`).
//!
//! Rows:
//! * **Scans.** The same page images (corpus invoices rendered with `pdftoppm -r 200 -gray`)
//!   read by the plain `tesseract` command line — two pages at a time, one thread each
//!   (`OMP_THREAD_LIMIT=1`), the languages and page-segmentation mode mailroom uses, TSV
//!   output (words with boxes, as mailroom reads them) — and by the whole `mailroom process`
//!   path on the image-only PDFs made of them (OCR, layout, classification, extraction, PDF/A,
//!   index, archive). Target: mailroom ≤ 1.1× the Tesseract time.
//! * **Text-layer PDFs** (the corpus PDFs with their embedded XML removed) through
//!   `mailroom process`: pages per second, target ≥ 50.
//! * **Peak memory** of `mailroom process` on one 40-page scan (the process's maximum
//!   resident set, from `wait4`), target < 600 MB.
//! * **E-invoices** in-process on one thread: recognising, parsing, checking and building the
//!   index (storage excluded) of standalone CII/UBL XML (target ≥ 2,000 documents/s) and of
//!   hybrid ZUGFeRD/Factur-X PDFs (target ≥ 100 documents/s).
//!
//! Inputs are prepared once under `target/bench/` by `scripts/bench-prep.py`.
//! `MAILROOM_BENCH_PAGES` sets how many scan pages (default 40); `MAILROOM_BENCH_ONLY` a
//! comma-separated choice of `scans`, `text`, `memory`, `xml`, `hybrid` (default all).

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mailroom::document::Document;
use mailroom::index::Channel;
use mailroom::pipeline::Pipeline;

mod common;
use common::{binary, files, pdf_pages, root};

fn bench_dir() -> PathBuf {
    root().join("target/bench")
}

fn prepare() {
    let marker = bench_dir().join(".complete");
    if marker.exists() {
        return;
    }
    let st = Command::new("python3").arg(root().join("scripts/bench-prep.py")).status().expect("python3");
    assert!(st.success(), "scripts/bench-prep.py failed");
    std::fs::write(marker, b"").unwrap();
}

/// Scan PDFs in name order until `want` pages, and the page images they were made of
/// (`pdfimages` named them `<scan>-NNN.png`).
fn scan_set(want: usize) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let images = files(&bench_dir().join("pages"), "png");
    let (mut scans, mut pages) = (Vec::new(), Vec::new());
    for scan in files(&bench_dir().join("scans"), "pdf") {
        if pages.len() >= want {
            break;
        }
        let stem = scan.file_stem().unwrap().to_string_lossy().to_string();
        let mine: Vec<PathBuf> = images
            .iter()
            .filter(|p| p.file_stem().is_some_and(|s| s.to_string_lossy().strip_prefix(&stem).and_then(|r| r.strip_prefix('-')).is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))))
            .cloned()
            .collect();
        assert_eq!(mine.len(), pdf_pages(&scan), "page images of {}", scan.display());
        pages.extend(mine);
        scans.push(scan);
    }
    (scans, pages)
}

/// The plain Tesseract command line over `pages`, `parallel` at a time.
fn tesseract_cli(pages: &[PathBuf], parallel: usize) -> Duration {
    let next = AtomicUsize::new(0);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..parallel {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(page) = pages.get(i) else { break };
                let st = Command::new("tesseract")
                    .arg(page)
                    .arg("-")
                    .args(["-l", "deu+eng", "--psm", "3", "tsv"])
                    .env("OMP_THREAD_LIMIT", "1")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("tesseract");
                assert!(st.success(), "tesseract failed on {}", page.display());
            });
        }
    });
    t.elapsed()
}

/// Runs `mailroom process` into a fresh local archive; returns the wall time and the
/// process's peak resident memory in bytes.
fn mailroom_process(inputs: &[PathBuf]) -> (Duration, u64) {
    let archive = tempfile::tempdir().unwrap();
    let t = Instant::now();
    // Reaped by wait4 below, which also gives its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(binary()).arg("--archive").arg(archive.path()).arg("process").args(inputs).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("mailroom");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for the child we spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let elapsed = t.elapsed();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(!libc::WIFSIGNALED(status), "mailroom process was killed by signal {} on {:?}", libc::WTERMSIG(status), inputs.first());
    let code = libc::WEXITSTATUS(status);
    assert!(code == 0 || code == 2, "mailroom process exited with {code}");
    (elapsed, usage.ru_maxrss as u64 * 1024)
}

/// Documents per second through `Pipeline::analyse` on one thread, repeated for at least
/// `min` so that short inputs give a stable figure.
fn in_process(pipeline: &Pipeline, inputs: &[PathBuf], min: Duration) -> (usize, f64) {
    let docs: Vec<(Vec<u8>, String)> = inputs.iter().map(|p| (std::fs::read(p).unwrap(), p.file_name().unwrap().to_string_lossy().to_string())).collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    pool.install(|| {
        // One pass to warm up (pdfium and the parsers' first allocations) and to check.
        for (bytes, name) in &docs {
            let doc = Document::new(bytes.clone(), Channel::File, name.clone());
            if let Err(f) = pipeline.analyse(&doc) {
                panic!("{name}: {}", f.message);
            }
        }
        let t = Instant::now();
        let mut n = 0usize;
        while t.elapsed() < min {
            for (bytes, name) in &docs {
                // Intake's work counts too: the SHA-256 and the content sniffing.
                let doc = Document::new(bytes.clone(), Channel::File, name.clone());
                std::hint::black_box(pipeline.analyse(&doc).ok());
                n += 1;
            }
        }
        (docs.len(), n as f64 / t.elapsed().as_secs_f64())
    })
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS; // `cargo bench -- --list` asks benches what they contain
    }
    prepare();
    let want: usize = std::env::var("MAILROOM_BENCH_PAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let (scans, pages) = scan_set(want);
    eprintln!("pipeline bench: {} scan pages in {} documents, {cores} cores, binary {}", pages.len(), scans.len(), binary().display());

    let only = std::env::var("MAILROOM_BENCH_ONLY").unwrap_or_default();
    let run = |what: &str| only.is_empty() || only.split(',').any(|o| o.trim() == what);
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let pipeline = Pipeline::new();
    let mut rows: Vec<String> = Vec::new();
    if run("scans") {
        let tess = tesseract_cli(&pages, cores);
        let (ours, _) = mailroom_process(&scans);
        let ratio = ours.as_secs_f64() / tess.as_secs_f64();
        let n = pages.len();
        rows.push(format!(
            "| plain `tesseract` CLI ({cores} at a time, 1 thread each, deu+eng, psm 3, tsv) | {n} scan pages | {:.1} s, {:.2} pages/s | | |",
            tess.as_secs_f64(),
            n as f64 / tess.as_secs_f64()
        ));
        rows.push(format!(
            "| `mailroom process` (OCR, layout, classify, extract, PDF/A, index, archive) | the same {n} pages as {} image-only PDFs | {:.1} s, {:.2} pages/s | | |",
            scans.len(),
            ours.as_secs_f64(),
            n as f64 / ours.as_secs_f64()
        ));
        rows.push(format!("| mailroom ÷ tesseract | | {ratio:.2}× | ≤ 1.10× | {} |", verdict(ratio <= 1.10)));
    }
    if run("text") {
        let text = files(&bench_dir().join("text"), "pdf");
        let text_pages: usize = text.iter().map(|p| pdf_pages(p)).sum();
        let (text_time, _) = mailroom_process(&text);
        let text_rate = text_pages as f64 / text_time.as_secs_f64();
        rows.push(format!("| `mailroom process`, text-layer PDFs | {} PDFs, {text_pages} pages | {text_rate:.0} pages/s | ≥ 50 | {} |", text.len(), verdict(text_rate >= 50.0)));
    }
    if run("memory") {
        let scan40 = bench_dir().join("scan40.pdf");
        let (_, peak) = mailroom_process(std::slice::from_ref(&scan40));
        let peak_mb = peak as f64 / 1e6;
        rows.push(format!("| peak memory, `mailroom process` | one {}-page scan | {peak_mb:.0} MB | < 600 MB | {} |", pdf_pages(&scan40), verdict(peak_mb < 600.0)));
    }
    if run("xml") {
        let (xml_n, xml_rate) = in_process(&pipeline, &files(&bench_dir().join("xml"), "xml"), Duration::from_secs(5));
        rows.push(format!("| standalone e-invoice XML, one thread (parse, checks, index) | {xml_n} CII/UBL files | {xml_rate:.0} docs/s | ≥ 2000 | {} |", verdict(xml_rate >= 2000.0)));
    }
    if run("hybrid") {
        let (hybrid_n, hybrid_rate) = in_process(&pipeline, &files(&bench_dir().join("hybrid"), "pdf"), Duration::from_secs(5));
        rows.push(format!("| hybrid ZUGFeRD/Factur-X PDF, one thread (XML, visible-text comparison, index) | {hybrid_n} PDFs | {hybrid_rate:.0} docs/s | ≥ 100 | {} |", verdict(hybrid_rate >= 100.0)));
    }
    println!("\n| measure | input | result | target | |");
    println!("|---|---|---:|---:|---|");
    for r in rows {
        println!("{r}");
    }
    ExitCode::SUCCESS
}
