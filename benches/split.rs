//! The first-page detector on real stacks nobody here prepared: the born-digital invoices of
//! the ZUGFeRD community corpus (`../shared/data/zugferd-corpus`, never used to train or tune
//! the detector), one PDF per distinct invoice, put together into stacks in a fixed shuffled
//! order and split again by the run-time code (`Pipeline::read_batch`, `ReadBatch::cues`,
//! `split::plan`) with `--split first-page`. A document counts as split right when its first
//! and last page are both found exactly.
//!
//! `cargo bench --bench split [-- STACK_SIZE]` (default 8 letters a stack).

use std::collections::BTreeSet;
use std::path::PathBuf;

use mailroom::document::Document;
use mailroom::index::Channel;
use mailroom::models::firstpage::FirstPageDetector;
use mailroom::pipeline::Pipeline;
use mailroom::vocab::SplitPolicy;

fn main() {
    let size: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(8);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/zugferd-corpus");
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).unwrap_or_else(|e| panic!("{}: {e} — the corpus is in ../shared/data", root.display()));
    // One PDF per distinct invoice, valid ones only, in name order.
    let mut seen = BTreeSet::new();
    let mut docs: Vec<(String, u32)> = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(pdf), Some(validity), Some(pages), Some(key)) = (cols.first(), cols.get(1), cols.get(2), cols.get(12)) else { continue };
        if *validity != "correct" || !seen.insert(key.to_string()) {
            continue;
        }
        docs.push((pdf.to_string(), pages.parse().unwrap_or(0)));
    }
    // A fixed shuffle (so letters of one sender are not always neighbours).
    let mut state = 0x9E37_79B9u64;
    for i in (1..docs.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        docs.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let pipeline = Pipeline::new();
    let detector = FirstPageDetector::shipped().expect("models/firstpage-v1.json ships in the binary");
    let policy = SplitPolicy::parse_list("first-page").unwrap();
    let pdfium = mailroom::pages::pdf::pdfium().expect("libpdfium");
    let (mut right, mut total, mut pages_right, mut pages_total, mut extra_cuts, mut missed) = (0, 0, 0, 0, 0, 0);
    let (mut flagged, mut doubted_right) = (0, 0);
    for (n, chunk) in docs.chunks(size).enumerate() {
        let mut stack = pdfium.create_new_pdf().unwrap();
        let mut truth = Vec::new();
        for (name, _) in chunk {
            let bytes = std::fs::read(root.join(name)).unwrap();
            let doc = pdfium.load_pdf_from_byte_slice(&bytes, None).unwrap();
            let (at, count) = (stack.pages().len(), doc.pages().len());
            stack.pages_mut().copy_page_range_from_document(&doc, 0..=(count - 1), at).unwrap();
            truth.push([at as u32 + 1, (at + count) as u32]);
        }
        let bytes = stack.save_to_bytes().unwrap();
        drop(stack);
        let doc = Document::new(bytes, Channel::File, format!("stack-{n}.pdf"));
        let read = pipeline.read_batch(&doc, &policy).expect("a PDF batch").expect("the stack reads");
        let plan = mailroom::split::plan(&read.cues(Some(&detector))).expect("a plan");
        let got: Vec<[u32; 2]> = plan.parts.iter().map(|p| [p.first, p.last]).collect();
        let starts_true: BTreeSet<u32> = truth.iter().map(|r| r[0]).collect();
        let starts_got: BTreeSet<u32> = got.iter().map(|r| r[0]).collect();
        let pages = truth.last().map(|r| r[1]).unwrap_or(0);
        pages_right += (1..=pages).filter(|p| starts_true.contains(p) == starts_got.contains(p)).count();
        pages_total += pages as usize;
        extra_cuts += starts_got.difference(&starts_true).count();
        // A wrong cut the planner doubted sends both parts to a person (check batch_split).
        flagged += plan.parts.iter().filter(|p| !starts_true.contains(&p.first) && !p.doubts.is_empty()).count();
        doubted_right += plan.parts.iter().filter(|p| truth.contains(&[p.first, p.last]) && !p.doubts.is_empty()).count();
        missed += starts_true.difference(&starts_got).count();
        let ok = truth.iter().filter(|r| got.contains(r)).count();
        right += ok;
        total += truth.len();
        println!("stack {n:>2}: {:>2} letters, {pages:>3} pages: {ok} split exactly", truth.len());
    }
    println!(
        "\nfirst-page detector on {} stacks of up to {size} real invoices ({total} documents, {pages_total} pages): {right} of {total} documents split exactly ({:.1} %), {:.1} % of pages decided right; {extra_cuts} cuts too many ({flagged} of them doubted: those parts go to a person with the check batch_split), {missed} letters not cut off; {doubted_right} parts split right were doubted all the same",
        docs.len().div_ceil(size),
        100.0 * right as f64 / total.max(1) as f64,
        100.0 * pages_right as f64 / pages_total.max(1) as f64
    );
}
