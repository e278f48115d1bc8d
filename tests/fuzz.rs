//! Bounded fuzzing in the test suite: generated hostile letters (e-mail bodies built from the
//! words, numbers and characters invoices are made of — umlauts, `İ` and `ß` that change
//! length when case-folded, currency signs, separators, broken dates and IBANs) and
//! e-invoice XMLs whose values are replaced by such text, each read by the whole pipeline.
//! Nothing may panic: a panic the pipeline's guard catches shows as a quarantine of kind
//! `internal`, which fails the test with the input that caused it.
//!
//! Deterministic (fixed seeds) so that a failure reproduces; `MAILROOM_FUZZ_CASES` (default
//! 300 per target) and `MAILROOM_FUZZ_SEED` run it longer or elsewhere.
//!
//! The second half drives the fuzzers' own entry points (`mailroom::fuzzing`, the same ones
//! `fuzz/` runs under libFuzzer with `scripts/fuzz.sh`): every seed in `fuzz/seeds/TARGET`,
//! every input that ever crashed in `fuzz/regressions/TARGET`, and `MAILROOM_FUZZ_MUTATIONS`
//! (default 2,000) byte-level mutations of them per target — bounded, a few seconds each.

mod common;

use common::fixture;
use mailroom::document::Document;
use mailroom::index::{Channel, ErrorKind};
use mailroom::pipeline::Pipeline;

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const WORDS: &[&str] = &[
    "Rechnung",
    "Rechnungsnummer",
    "Rechnungsdatum",
    "Datum",
    "Lieferdatum",
    "bis",
    "vom",
    "Nr.",
    "Summe",
    "Gesamt",
    "Brutto",
    "Netto",
    "MwSt",
    "USt-IdNr.",
    "IBAN",
    "BIC",
    "Betrag",
    "fällig",
    "Zahlbar",
    "Invoice",
    "Total",
    "Due",
    "TOTAL",
    "Kassenbon",
    "Bar",
    "EC-Karte",
    "Rückgeld",
    "GmbH",
    "AG",
    "Müller",
    "Straße",
    "İstanbul",
    "ŞİRKETİ",
    "ẞ",
    "ß",
    "Ǆ",
    "ﬁ",
    "€",
    "$",
    "£",
    "₹",
    "Rs.",
    "CHF",
    "EUR",
    "INR",
    "%",
    "DE",
    "FR",
    "CHE-",
    "AT",
    "NL",
    "O",
    "I",
    "l",
];
const PIECES: &[&str] = &[
    "26.06.2025",
    "2025-06-26",
    "15-Oct-2015",
    "Oct 15, 2015",
    "2015/10/15",
    "31.02.2025",
    "99.99.9999",
    "1.234,56",
    "1,234.56",
    "-0,00",
    "12",
    "007",
    "DE89 3704 0044 0532 0130 00",
    "DE89370400440532013000",
    "DE13572468",
    "FR40303265045",
    "CHE-419.613.477 MWST",
    "#MUC_WHS2024",
    "RE-2025-0001",
    "0",
    "19 %",
    "7%",
    "€1.000",
    "1.000€",
    "(12,00)",
    "-",
    "/",
    ".",
    ",",
    ":",
    "\t",
    "  ",
    "\u{00A0}",
    "\u{200B}",
    "é",
    "̈",
    "🧾",
];

fn text(rng: &mut Rng, tokens: usize) -> String {
    let mut out = String::new();
    for _ in 0..tokens {
        match rng.below(10) {
            0 => out.push('\n'),
            1..=4 => out.push_str(rng.pick(WORDS)),
            _ => out.push_str(rng.pick(PIECES)),
        }
        if rng.below(3) > 0 {
            out.push(' ');
        }
    }
    out
}

fn cases() -> usize {
    std::env::var("MAILROOM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

fn seed(base: u64) -> u64 {
    std::env::var("MAILROOM_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(base) | 1
}

fn no_panic(pipeline: &Pipeline, bytes: Vec<u8>, name: &str) {
    let doc = Document::new(bytes.clone(), Channel::File, name.into());
    if let Err(f) = pipeline.analyse(&doc) {
        assert_ne!(f.kind, ErrorKind::Internal, "the pipeline panicked ({}) on:\n{}", f.message, String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn hostile_letters_never_panic_the_pipeline() {
    let pipeline = Pipeline::new();
    let mut rng = Rng(seed(0x6d61_696c_726f_6f6d));
    for i in 0..cases() {
        let n = 20 + rng.below(200);
        let body = text(&mut rng, n);
        let mail =
            format!("From: lieferant@example.de\r\nTo: rechnung@example.de\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n", text(&mut rng, 4).replace(['\n', '\r'], " "));
        no_panic(&pipeline, mail.into_bytes(), &format!("case-{i}.eml"));
    }
}

#[test]
fn e_invoices_with_hostile_values_never_panic_the_pipeline() {
    let pipeline = Pipeline::new();
    let xml = std::fs::read_to_string(fixture("documents/xrechnung-cii.xml")).expect("the XRechnung fixture");
    // Every element's text is a place a hostile value can stand.
    let slots: Vec<(usize, usize)> = {
        let mut v = Vec::new();
        let mut from = 0;
        while let Some(gt) = xml[from..].find('>').map(|i| from + i + 1) {
            let Some(lt) = xml[gt..].find('<').map(|i| gt + i) else { break };
            if lt > gt && !xml[gt..lt].trim().is_empty() {
                v.push((gt, lt));
            }
            from = lt;
        }
        v
    };
    assert!(slots.len() > 20, "the fixture has values to replace");
    let mut rng = Rng(seed(0x7872_6563_686e_756e));
    for i in 0..cases() {
        let mut doc = xml.clone();
        // Replace a few values, from the end so that earlier offsets stay valid.
        let mut chosen: Vec<(usize, usize)> = (0..1 + rng.below(4)).map(|_| slots[rng.below(slots.len())]).collect();
        chosen.sort();
        chosen.dedup();
        for (a, b) in chosen.into_iter().rev() {
            // The vocabulary holds no `<` or `&`: the XML stays well-formed, its values do not.
            let n = 1 + rng.below(3);
            let value = text(&mut rng, n);
            doc.replace_range(a..b, value.trim());
        }
        no_panic(&pipeline, doc.into_bytes(), &format!("case-{i}.xml"));
    }
}

// ---- The fuzzers' entry points, bounded --------------------------------------------------

fn mutations() -> usize {
    std::env::var("MAILROOM_FUZZ_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

/// The files of `fuzz/<folder>/<target>`, sorted; the folder must exist (it is committed).
fn inputs(folder: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = common::root().join("fuzz").join(folder).join(target);
    let listing = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{} is missing ({e}): the fuzz seeds and regressions are part of the checkout", dir.display()));
    let mut files: Vec<(String, Vec<u8>)> =
        listing.map(|e| e.unwrap().path()).filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep")).map(|p| (p.display().to_string(), std::fs::read(&p).unwrap())).collect();
    files.sort();
    files
}

/// One of libFuzzer's byte mutations, picked at random: flip a bit, set a byte to an
/// interesting value, insert or erase a run, repeat a chunk, or splice in another input.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = if v.is_empty() { 0 } else { rng.below(v.len()) };
        match rng.below(7) {
            0 if !v.is_empty() => v[at] ^= 1 << rng.below(8),
            1 if !v.is_empty() => v[at] = [0u8, 0xff, 0x7f, 0x80, b'0', b'9', b'<', b'%', b'\n', b'-'][rng.below(10)],
            2 => {
                let n = 1 + rng.below(16);
                let byte = rng.next() as u8;
                v.splice(at..at, std::iter::repeat_n(byte, n));
            }
            3 if !v.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(v.len());
                v.drain(at..end);
            }
            4 if !v.is_empty() => {
                let end = (at + 1 + rng.below(256)).min(v.len());
                let chunk = v[at..end].to_vec();
                let to = rng.below(v.len() + 1);
                v.splice(to..to, chunk);
            }
            5 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(512)).min(other.len());
                v.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                // A big number where a size or count stands.
                let digits = ["4294967295", "-1", "99999999999999999999", "0", "1e309"][rng.below(5)];
                v.splice(at..at, digits.bytes());
            }
        }
    }
    v
}

/// Runs `target` on `input`; a panic fails the test, with the input written beside the
/// regressions so that it can be kept as one.
fn survives(name: &str, target: fn(&[u8]), input: &[u8], what: &str) {
    if std::panic::catch_unwind(|| target(input)).is_err() {
        let dir = common::root().join("target").join("fuzz-failures").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(mailroom::document::sha256_hex(input));
        std::fs::write(&file, input).unwrap();
        panic!("fuzz target {name} panicked on {what}; the input is kept at {} — copy it to fuzz/regressions/{name}/ once fixed", file.display());
    }
}

#[test]
fn fuzz_targets_survive_their_seeds_regressions_and_mutations() {
    let names: Vec<&str> = mailroom::fuzzing::TARGETS.iter().map(|(n, _)| *n).collect();
    for dir in ["fuzz/seeds", "fuzz/regressions"] {
        let found: std::collections::BTreeSet<String> = std::fs::read_dir(common::root().join(dir)).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(found, names.iter().map(|n| n.to_string()).collect(), "{dir} has one folder per fuzz target");
    }
    for (name, target) in mailroom::fuzzing::TARGETS {
        let seeds = inputs("seeds", name);
        assert!(!seeds.is_empty(), "fuzz/seeds/{name} holds no seed");
        let regressions = inputs("regressions", name);
        for (file, bytes) in seeds.iter().chain(&regressions) {
            survives(name, target, bytes, file);
        }
        let mut rng = Rng(seed(0x6675_7a7a ^ name.len() as u64));
        // PDFs go through pdfium: fewer, they cost milliseconds each.
        let n = if name == "pdf" { mutations() / 4 } else { mutations() };
        for i in 0..n {
            let (_, base) = &seeds[rng.below(seeds.len())];
            let (_, other) = &seeds[rng.below(seeds.len())];
            let input = mutate(&mut rng, base, other);
            survives(name, target, &input, &format!("mutation {i}"));
        }
    }
}
