//! Bounded fuzzing in the test suite: generated hostile letters (e-mail bodies built from the
//! words, numbers and characters invoices are made of — umlauts, `İ` and `ß` that change
//! length when case-folded, currency signs, separators, broken dates and IBANs) and
//! e-invoice XMLs whose values are replaced by such text, each read by the whole pipeline.
//! Nothing may panic: a panic the pipeline's guard catches shows as a quarantine of kind
//! `internal`, which fails the test with the input that caused it.
//!
//! Deterministic (fixed seeds) so that a failure reproduces; `MAILROOM_FUZZ_CASES` (default
//! 300 per target) and `MAILROOM_FUZZ_SEED` run it longer or elsewhere.

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
