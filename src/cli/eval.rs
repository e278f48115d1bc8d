//! `mailroom eval`: accuracy of classification and extraction against ground truth.

use std::process::ExitCode;

use super::EvalArgs;
use crate::config::Config;

pub fn eval(config: &Config, args: EvalArgs) -> ExitCode {
    // Evaluation reads and extracts only: nothing is archived.
    let pipeline = config.pipeline();
    let mut rules = crate::pipeline::Pipeline::rules_only();
    rules.ocr = pipeline.ocr.clone();
    rules.limits = pipeline.limits;
    let cache = match args.cache.as_deref().map(|d| crate::training::cache::PageCache::new(d, &pipeline.ocr)).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mailroom: the page cache cannot be used: {e}");
            return ExitCode::from(1);
        }
    };
    let baseline = if args.no_baseline { None } else { Some(&rules) };
    let counted = if args.visible_only { crate::training::eval::Counted::Visible } else { crate::training::eval::Counted::All };
    let report = crate::training::eval::run_cached(&pipeline, baseline, &args.dir, cache.as_ref(), &[counted], args.split, |name, idx| {
        eprintln!("  {name}: {}", idx.doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("quarantined"));
    })
    .map(|mut reports| reports.remove(0));
    rayon::broadcast(|_| crate::ocr::release_engines());
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mailroom: evaluation failed: {e}");
            return ExitCode::from(1);
        }
    };
    if args.verbose {
        for m in &report.mismatches {
            let at = m.confidence.map(|c| format!(" at {c:.2}")).unwrap_or_default();
            eprintln!("  ✗ {} {}: expected {:?}, got {:?}{at}", m.document, m.field, m.expected, m.got);
        }
        // The rules' misses too, so that a tie or a loss against them can be looked into.
        for m in report.baseline.iter().flat_map(|b| &b.mismatches) {
            eprintln!("  ✗ rules {} {}: expected {:?}, got {:?}", m.document, m.field, m.expected, m.got);
        }
    }
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string_pretty(&report).expect("report serialises")));
    } else {
        super::emit(&format!("{}\n", report.table()));
    }
    ExitCode::SUCCESS
}
