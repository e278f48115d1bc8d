//! `mailroom eval`: accuracy of classification and extraction against ground truth.

use std::process::ExitCode;

use super::EvalArgs;
use crate::archive::local::LocalArchive;
use crate::pipeline::Pipeline;

pub fn eval(args: EvalArgs) -> ExitCode {
    // A throw-away archive: evaluation must not leave documents behind.
    let tmp = std::env::temp_dir().join(format!("mailroom-eval-{}", std::process::id()));
    let archive = match LocalArchive::open(&tmp) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("mailroom: cannot create a temporary archive: {e}");
            return ExitCode::from(1);
        }
    };
    let pipeline = Pipeline::embedded(Box::new(archive));
    let report = crate::eval::run(&pipeline, &args.dir, |name, idx| {
        eprintln!("  {name}: {}", idx.doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("quarantined"));
    });
    rayon::broadcast(|_| crate::ocr::release_engines());
    let _ = std::fs::remove_dir_all(&tmp);
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mailroom: evaluation failed: {e}");
            return ExitCode::from(1);
        }
    };
    if args.verbose {
        for m in &report.mismatches {
            eprintln!("  ✗ {} {}: expected {:?}, got {:?}", m.document, m.field, m.expected, m.got);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("report serialises"));
    } else {
        println!("{}", report.table());
    }
    ExitCode::SUCCESS
}
