//! What the benches share: where the project and the `mailroom` binary are, and their inputs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `cargo bench` builds the binary with the bench profile next to the bench's executable.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench's own path");
    exe.parent().and_then(Path::parent).map(|d| d.join("mailroom")).expect("target/<profile>/mailroom")
}

/// The files in `dir` ending in `.ext`, in name order.
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext))).collect();
    v.sort();
    v
}

/// A PDF's page count, from `pdfinfo`.
pub fn pdf_pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout).lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap_or(1))).unwrap_or(1)
}
