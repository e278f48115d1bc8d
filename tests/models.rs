//! The trained models: the shipped ones load and read the fixture scans right; training on a
//! tiny set gives models that load; corrections change what is trained on. Fast: the fixture
//! scans' read pages are cached in `fixtures/pages` (no OCR here).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mailroom::document::Document;
use mailroom::extract::FieldExtractor;
use mailroom::index::{Channel, DocType};
use mailroom::layout::Page;
use mailroom::models::doctype::TrainedClassifier;
use mailroom::models::fields::TrainedExtractor;
use mailroom::models::firstpage::FirstPageDetector;
use mailroom::models::LinearModel;
use mailroom::pipeline::Pipeline;
use mailroom::training::cache::PageCache;
use mailroom::training::eval::doc_type_for_code;
use mailroom::training::train::{self, Example};
use mailroom::vocab::Field;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture scans with their cached pages and ground truth.
fn fixtures() -> Vec<(Document, Vec<Page>, serde_json::Value)> {
    let cache = PageCache::new(&root().join("fixtures/pages"), &Pipeline::new().ocr).unwrap();
    let mut out = Vec::new();
    for (pdf, gt) in mailroom::training::eval::cases(&root().join("fixtures/scans")) {
        let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
        let doc = Document::new(std::fs::read(&pdf).unwrap(), Channel::File, name.clone());
        let pages = cache.get(&doc.sha256).unwrap_or_else(|| panic!("{name}: no cached pages in fixtures/pages (mailroom eval fixtures/scans --cache fixtures/pages)"));
        let gt: serde_json::Value = serde_json::from_slice(&std::fs::read(gt).unwrap()).unwrap();
        out.push((doc, pages, gt));
    }
    assert_eq!(out.len(), 5);
    out
}

fn example(name: &str, pages: Vec<Page>, gt: &serde_json::Value) -> Example {
    let fields: BTreeMap<String, String> = gt.as_object().unwrap().iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect();
    let doc_type = gt["document_type_code"].as_str().map(doc_type_for_code);
    Example { name: name.into(), split: "train".into(), variant: "scans".into(), pages, doc_type, gt: fields, gt_json: gt.clone(), weight: 1 }
}

#[test]
fn shipped_models_load_and_are_recorded() {
    assert!(TrainedClassifier::shipped().is_some(), "models/doctype-v1.json");
    assert!(TrainedExtractor::shipped().is_some(), "models/fields-v1.json");
    assert!(FirstPageDetector::shipped().is_some(), "models/firstpage-v1.json");
    let models = Pipeline::new().models();
    assert_eq!(models.classifier.name, "doctype-logistic");
    assert_eq!(models.extractor.name, "fields-logistic");
    // The version names the weights: the trained version and a hash of the shipped file's models.
    let (v, hash) = models.extractor.version.split_once('+').expect("version+hash");
    assert_eq!(v, "1");
    assert_eq!(hash.len(), 12);
    assert!(models.classifier.version.starts_with("1+") && models.classifier.version != models.extractor.version);
    // Other weights, another version.
    let mut fields = mailroom::models::shipped::fields().unwrap();
    fields[0].bias[0] += 0.5;
    assert_ne!(TrainedExtractor::new(fields).model().version, models.extractor.version);
}

#[test]
fn shipped_models_read_the_fixture_scans() {
    // The type always; the mandatory fields and totals wherever the rules read them right.
    let pipeline = Pipeline::new();
    let rules = Pipeline::rules_only();
    for (doc, pages, gt) in fixtures() {
        let idx = pipeline.index_pages(&doc, &pages);
        let base = rules.index_pages(&doc, &pages);
        let name = &doc.source.name;
        let expected = doc_type_for_code(gt["document_type_code"].as_str().unwrap());
        assert_eq!(idx.doc_type.as_ref().unwrap().label, expected, "{name}");
        for field in [Field::InvoiceNumber, Field::IssueDate, Field::Currency, Field::GrossTotal, Field::NetTotal, Field::VatTotal] {
            let Some(want) = gt[field.as_str()].as_str() else { continue };
            let right = |v: Option<&str>| v.map(|v| field.comparable(v)) == Some(field.comparable(want));
            if right(base.field(field)) {
                assert!(right(idx.field(field)), "{name}: {field}: rules read {want}, the models {:?}", idx.field(field));
            }
        }
    }
}

#[test]
fn the_first_page_detector_splits_the_fixtures_concatenated() {
    let detector = FirstPageDetector::shipped().unwrap();
    let docs = fixtures();
    let pages: Vec<Page> = docs.iter().flat_map(|d| d.1.iter().cloned()).collect();
    let expected: Vec<std::ops::Range<usize>> = {
        let mut at = 0;
        docs.iter()
            .map(|d| {
                let r = at..at + d.1.len();
                at += d.1.len();
                r
            })
            .collect()
    };
    assert_eq!(detector.split(&pages), expected);
}

fn tiny_set() -> Vec<Example> {
    fixtures().into_iter().map(|(doc, pages, gt)| example(&doc.source.name, pages, &gt)).collect()
}

#[test]
fn training_on_a_tiny_set_gives_models_that_load() {
    let set = tiny_set();
    let refs: Vec<&Example> = set.iter().collect();
    let doctype = train::train_doctype(&refs).unwrap();
    let fields = train::train_fields(&refs).unwrap();
    // Written and read back as `mailroom train` writes them.
    let doctype: LinearModel = serde_json::from_str(&serde_json::to_string(&doctype).unwrap()).unwrap();
    let fields: Vec<LinearModel> = serde_json::from_str(&serde_json::to_string(&fields).unwrap()).unwrap();
    let mut pipeline = Pipeline::rules_only();
    pipeline.classifier = Box::new(TrainedClassifier::new(doctype));
    pipeline.extractor = Box::new(TrainedExtractor::new(fields));
    for e in &set {
        let doc = Document::new(e.name.as_bytes().to_vec(), Channel::File, e.name.clone());
        let idx = pipeline.index_pages(&doc, &e.pages);
        // Four documents are enough to learn their types by heart; the extractor answers.
        assert_eq!(idx.doc_type.as_ref().map(|d| d.label), e.doc_type, "{}", e.name);
        assert!(idx.field(Field::GrossTotal).is_some(), "{}", e.name);
        assert_eq!(idx.models.as_ref().unwrap().extractor.name, "fields-logistic");
    }
}

#[test]
fn corrections_change_the_training_input() {
    let set = tiny_set();
    let dir = tempfile::tempdir().unwrap();
    // A reviewed document: its pages as the archive stores them, and the corrected fields.
    let (doc, pages, _) = fixtures().remove(0);
    std::fs::write(dir.path().join("words.json"), serde_json::to_vec(&pages).unwrap()).unwrap();
    let line = serde_json::json!({"words": "words.json", "doc_type": "reminder", "fields": {"invoice_number": "CORRECTED-1"}, "weight": 5});
    std::fs::write(dir.path().join("corrections.jsonl"), format!("{line}\n")).unwrap();
    let corrections = train::load_corrections(&dir.path().join("corrections.jsonl")).unwrap();
    assert_eq!(corrections.len(), 1);
    let c = &corrections[0];
    assert_eq!((c.doc_type, c.weight, c.split.as_str()), (Some(DocType::Reminder), 5, "correction"));
    assert_eq!(c.gt.get("invoice_number").map(String::as_str), Some("CORRECTED-1"));
    assert_eq!(c.pages.len(), pages.len(), "{}", doc.source.name);

    // The corrected type is learnt: with the correction, the document reads as a reminder.
    let refs: Vec<&Example> = set.iter().collect();
    let without = TrainedClassifier::new(train::train_doctype(&refs).unwrap());
    let mut with_refs = refs.clone();
    with_refs.push(c);
    let with = TrainedClassifier::new(train::train_doctype(&with_refs).unwrap());
    use mailroom::classify::Classifier;
    assert_ne!(without.classify(&pages).label, DocType::Reminder);
    assert_eq!(with.classify(&pages).label, DocType::Reminder);

    // An archive folder works too: a document revised by a person, with its words.
    let archive = dir.path().join("archive");
    let id = "ab".repeat(32);
    let d = archive.join("documents").join(&id);
    std::fs::create_dir_all(d.join("index")).unwrap();
    std::fs::write(d.join("words.json"), serde_json::to_vec(&pages).unwrap()).unwrap();
    let mut idx = Pipeline::rules_only().index_pages(&doc, &pages);
    idx.id = mailroom::vocab::DocumentId::parse(&id).unwrap();
    idx.archive.revision = 2;
    idx.fields.get_mut(&Field::InvoiceNumber).unwrap().value = "R-2".into();
    std::fs::write(d.join("index/0002.json"), serde_json::to_vec(&idx).unwrap()).unwrap();
    let from_archive = train::load_corrections(Path::new(&archive)).unwrap();
    assert_eq!(from_archive.len(), 1);
    assert_eq!(from_archive[0].gt.get("invoice_number").map(String::as_str), Some("R-2"));
}

#[test]
fn parties_are_read_from_an_e_invoice_data_sheet() {
    // EN16931_2_Teilrechnung prints its parties as a form: "Verkäufer" / "Name: Lieferant GmbH",
    // "Käufer" / "Name: Kunden AG Mitte" — a letter's name lines would not tell them apart.
    let (doc, pages, gt) = fixtures().into_iter().find(|(d, _, _)| d.source.name == "EN16931_2_Teilrechnung.pdf").unwrap();
    for (which, pipeline) in [("models", Pipeline::new()), ("rules", Pipeline::rules_only())] {
        let idx = pipeline.index_pages(&doc, &pages);
        for field in [Field::SellerName, Field::BuyerName] {
            let want = gt[field.as_str()].as_str().unwrap();
            assert_eq!(idx.field(field).map(|v| field.comparable(v)), Some(field.comparable(want)), "{which}: {field}");
        }
    }
}

#[test]
fn an_address_heading_is_no_buyer() {
    // The FNFE credit note prints "Adresse de livraison" over the buyer's window: the
    // heading is nobody's name, for the rules and the models alike.
    let (doc, pages, gt) = fixtures().into_iter().find(|(d, _, _)| d.source.name == "Avoir_FR_type381_BASIC.pdf").unwrap();
    for (which, pipeline) in [("models", Pipeline::new()), ("rules", Pipeline::rules_only())] {
        let idx = pipeline.index_pages(&doc, &pages);
        let buyer = idx.field(Field::BuyerName).unwrap_or_default();
        assert!(!buyer.to_lowercase().contains("adresse"), "{which}: buyer {buyer:?}");
        assert_eq!(Field::BuyerName.comparable(buyer), Field::BuyerName.comparable(gt["buyer_name"].as_str().unwrap()), "{which}");
    }
}

#[test]
fn a_letterhead_name_over_two_lines_is_read_whole() {
    // The FeRD sample "EN16931 Haftpflichtversicherung" as OCR read its scan: under
    // "Verkäufer:" the insurer's name stands over two lines, "MVM Musterhafter" /
    // "Versicherungsverein Musterstadt a.G.". One line alone is not the seller.
    let pages: Vec<Page> = serde_json::from_slice(&std::fs::read(root().join("fixtures/read/versicherung-two-line-name.pages.json")).unwrap()).unwrap();
    let doc = Document::new(b"%PDF-1.4 pages read from fixtures/read".to_vec(), Channel::File, "versicherung.pdf".into());
    for (which, pipeline) in [("models", Pipeline::new()), ("rules", Pipeline::rules_only())] {
        let idx = pipeline.index_pages(&doc, &pages);
        assert_eq!(idx.field(Field::SellerName), Some("MVM Musterhafter Versicherungsverein Musterstadt a.G."), "{which}");
    }
}

/// A read document of `fixtures/read` and the index the shipped models make of it.
fn read_fixture(name: &str) -> mailroom::index::DocumentIndex {
    let pages: Vec<Page> = serde_json::from_slice(&std::fs::read(root().join("fixtures/read").join(name)).unwrap()).unwrap();
    let doc = Document::new(format!("%PDF-1.4 pages read from fixtures/read/{name}").into_bytes(), Channel::File, name.into());
    Pipeline::new().index_pages(&doc, &pages)
}

fn totals(idx: &mailroom::index::DocumentIndex) -> [Option<&str>; 4] {
    [idx.field(Field::NetTotal), idx.field(Field::VatTotal), idx.field(Field::GrossTotal), idx.field(Field::AmountDue)]
}

#[test]
fn the_sum_row_of_an_erp_totals_table_is_read_by_its_columns() {
    // The 4s4u ZUGFeRD sample: "Nettobetrag | MwSt-Betrag | Endbetrag" over a row per VAT rate
    // and an unlabelled sum row 448,99 | 70,00 | 518,99 at the foot of the page.
    let idx = read_fixture("erp-column-totals.pages.json");
    assert_eq!(totals(&idx)[..3], [Some("448.99"), Some("70.00"), Some("518.99")]);
    assert!(idx.checks.iter().any(|c| c.name == "totals_consistent" && c.passed), "{:?}", idx.checks);
}

#[test]
fn a_vat_amount_ocr_broke_in_two_still_completes_the_totals() {
    // The FeRD travel expenses sample: "Steuerbetrag" "1 6,39" beside "Rechnungssumme ohne
    // USt. 214,09" and "Bruttosumme 230,48"; before, net = gross with VAT "Abschläge 0,00".
    let idx = read_fixture("datenblatt-split-vat.pages.json");
    assert_eq!(totals(&idx)[..3], [Some("214.09"), Some("16.39"), Some("230.48")]);
}

#[test]
fn the_amount_due_is_the_gross_less_the_prepayment_printed() {
    // The FeRD partial invoice: "Bruttosumme 197,65", "Erhaltene Anzahlungen -50,00", "Zahlbetrag 147,65".
    let idx = read_fixture("datenblatt-prepayment.pages.json");
    assert_eq!((idx.field(Field::GrossTotal), idx.field(Field::AmountDue)), (Some("197.65"), Some("147.65")));
}

#[test]
fn the_residual_after_a_printed_payment_is_due_and_slash_dates_follow_the_payment_terms() {
    // FNFE's Facture_UE: "Total 2,076.76 €", a payment of 623.00 €, "Residual 1,453.76 €";
    // issued 11/03/2017 (3 November), "balance at 30 days", due 12/03/2017 (3 December).
    let idx = read_fixture("facture-ue-residual.pages.json");
    assert_eq!((idx.field(Field::GrossTotal), idx.field(Field::AmountDue)), (Some("2076.76"), Some("1453.76")));
    assert_eq!(idx.field(Field::DueDate), Some("2017-12-03"));
}

#[test]
fn the_issuer_is_the_name_in_the_legal_footer_not_the_goods_supplier() {
    // FeRD's Kostenrechnung: "KOSTENLIEFERANT GMBH" under "Lieferant", the footer's
    // "MUSTERLIEFERANT GMBH" beside the VAT ID and matching www.musterlieferant.de.
    let idx = read_fixture("kostenrechnung-goods-supplier.pages.json");
    assert_eq!(idx.field(Field::SellerName), Some("MUSTERLIEFERANT GMBH"));
    // Taken against the model's first choice: a person looks at it.
    assert!(idx.needs_review, "{:?}", idx.fields.get(&Field::SellerName));
    assert_eq!(idx.field(Field::BuyerName), Some("MUSTER-KUNDE GMBH"));
}

#[test]
fn arrears_added_to_what_is_due_are_no_part_of_the_gross() {
    // FeRD's car insurance premium: 220,00 € including the tax, "(35,13 €)" tax included,
    // arrears of 220,00 € and "zu zahlender Beitrag 440,00 €". The net is not printed.
    let idx = read_fixture("versicherung-arrears.pages.json");
    assert_eq!(totals(&idx), [Some("184.87"), Some("35.13"), Some("220.00"), Some("440.00")]);
    let derived = idx.checks.iter().find(|c| c.name == "total_derived").expect("the net is said to be computed");
    assert!(derived.message.starts_with("net_total"), "{}", derived.message);
    assert!(idx.needs_review);
}

#[test]
fn the_sum_row_left_of_the_gross_gives_net_and_vat() {
    // FeRD's Rechnungskorrektur: rows per VAT rate (-4,85 -0,92 -5,77 and -2,82 -0,20 -3,02)
    // over the sum row "-7,90 0,23 =7,67 -1,12 EUR -8,79"; "-2,90" is also a line's value
    // and a discount's base, and the models liked it for the net.
    let idx = read_fixture("rechnungskorrektur-sum-row.pages.json");
    assert_eq!(totals(&idx)[..3], [Some("-7.67"), Some("-1.12"), Some("-8.79")]);
    assert!(idx.checks.iter().any(|c| c.name == "totals_consistent" && c.passed), "{:?}", idx.checks);
}

#[test]
fn a_credit_note_printed_with_minus_signs_is_indexed_with_positive_amounts() {
    // The FNFE "Avoir" sample prints its totals negative ("-218,48 €"; OCR read the minus of
    // the gross as a quote). EN 16931 and the ERP take a credit note's amounts positive.
    let (doc, pages, _) = fixtures().into_iter().find(|(d, _, _)| d.source.name == "Avoir_FR_type381_BASIC.pdf").unwrap();
    for (which, pipeline) in [("models", Pipeline::new()), ("rules", Pipeline::rules_only())] {
        let idx = pipeline.index_pages(&doc, &pages);
        assert_eq!(idx.doc_type.as_ref().unwrap().label, DocType::CreditNote, "{which}");
        for (field, v) in [("gross_total", idx.field(Field::GrossTotal)), ("net_total", idx.field(Field::NetTotal))] {
            let v = v.unwrap_or_else(|| panic!("{which}: no {field}"));
            assert!(!v.starts_with('-'), "{which}: {field} {v}");
        }
        assert_eq!(idx.field(Field::GrossTotal), Some("233.47"), "{which}");
    }
}

#[test]
fn mailroom_explain_shows_the_candidates_of_a_field() {
    // From cached read pages (a copy of fixtures/pages), so no OCR.
    let cache = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("fixtures/pages")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), cache.path().join(e.file_name())).unwrap();
    }
    let out = assert_cmd::Command::cargo_bin("mailroom")
        .unwrap()
        .args(["explain", "--field", "gross_total", "--cache"])
        .arg(cache.path())
        .arg(root().join("fixtures/scans/Avoir_FR_type381_BASIC.pdf"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("document type: credit_note"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("gross_total: 233.47")), "{text}");
    assert!(text.lines().any(|l| l.trim_start().starts_with('*') && l.contains("233.47")), "the chosen candidate is marked: {text}");
    assert!(!text.contains("invoice_number:"), "only the field asked for: {text}");
    let bad = assert_cmd::Command::cargo_bin("mailroom").unwrap().args(["explain", "--field", "colour"]).arg(root().join("fixtures/scans/Avoir_FR_type381_BASIC.pdf")).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no field with a model"));
}

#[test]
fn a_page_without_evidence_is_other_and_goes_to_review() {
    // A blank page, or one with scanner noise only: no type may be claimed with confidence.
    use mailroom::classify::Classifier;
    use mailroom::layout::{TextSource, Word};
    let c = TrainedClassifier::shipped().expect("the shipped classifier");
    let noise = |texts: &[&str]| {
        let words = texts.iter().enumerate().map(|(i, t)| Word { text: t.to_string(), bbox: [50.0 + 30.0 * i as f32, 700.0, 70.0 + 30.0 * i as f32, 710.0], confidence: 0.3 }).collect();
        vec![Page::from_words(1, 595.0, 842.0, TextSource::Ocr, 0, words)]
    };
    for pages in [noise(&[]), noise(&["~", ".", "|", "-", "i"]), noise(&["ll", "|", "-"])] {
        let t = c.classify(&pages);
        assert_eq!(t.label, DocType::Other, "{t:?}");
        assert!(t.confidence < mailroom::extract::REVIEW_THRESHOLD, "{t:?}");
    }
    // A page with words is left to the model: a short invoice as OCR reads clean print.
    let line = |y: f32, texts: &[&str]| {
        let mut x = 60.0;
        texts
            .iter()
            .map(|t| {
                let w = 6.0 * t.chars().count() as f32;
                let word = Word { text: t.to_string(), bbox: [x, y, x + w, y + 10.0], confidence: 0.95 };
                x += w + 5.0;
                word
            })
            .collect::<Vec<_>>()
    };
    let words = [
        line(60.0, &["Muster", "Handel", "GmbH", "·", "Hauptstraße", "1", "·", "10115", "Berlin"]),
        line(200.0, &["Rechnung"]),
        line(220.0, &["Rechnung", "Nr.", "4711"]),
        line(235.0, &["Rechnungsdatum", "26.06.2025"]),
        line(100.0, &["Elektro", "Klein", "GmbH"]),
        line(112.0, &["Lindenweg", "7"]),
        line(124.0, &["50667", "Köln"]),
        line(260.0, &["Pos.", "Bezeichnung", "Menge", "Einzelpreis", "Gesamt"]),
        line(275.0, &["1", "Wartung", "Heizungsanlage", "1", "1.000,00", "1.000,00"]),
        line(300.0, &["Nettobetrag", "1.000,00", "EUR"]),
        line(312.0, &["zzgl.", "19", "%", "USt.", "190,00", "EUR"]),
        line(324.0, &["Gesamtbetrag", "1.190,00", "EUR"]),
        line(360.0, &["Zahlbar", "bis", "10.07.2025", "ohne", "Abzug", "auf", "IBAN", "DE89", "3704", "0044", "0532", "0130", "00"]),
    ]
    .concat();
    let real = vec![Page::from_words(1, 595.0, 842.0, TextSource::Ocr, 0, words)];
    let t = c.classify(&real);
    assert_eq!(t.label, DocType::Invoice, "{t:?}");
    assert!(t.confidence >= mailroom::extract::REVIEW_THRESHOLD, "{t:?}");
}

/// A receipt set in the layout of `shared/data/receipts-sroie` (image, key fields, line
/// transcripts), made here from a fixture page: `mailroom eval` scores its key fields and
/// measures what OCR read of its lines, and `--split` keeps to one part of the fixed split.
#[test]
fn a_receipt_set_is_evaluated_against_its_keys_and_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["img", "key", "box"] {
        std::fs::create_dir(dir.path().join(d)).unwrap();
    }
    // Two copies of the page under names on either side of the split.
    let (dev, held) = {
        let names: Vec<String> = (900..1000).map(|n| n.to_string()).collect();
        let dev = names.iter().find(|n| mailroom::training::receipts::split_of(n) == mailroom::training::receipts::Split::Dev).unwrap().clone();
        let held = names.iter().find(|n| mailroom::training::receipts::split_of(n) == mailroom::training::receipts::Split::Holdout).unwrap().clone();
        (dev, held)
    };
    for n in [&dev, &held] {
        std::fs::copy(root().join("fixtures/documents/invoice-page.png"), dir.path().join(format!("img/{n}.png"))).unwrap();
        std::fs::write(dir.path().join(format!("key/{n}.json")), r#"{"company": "Acme GmbH", "date": "31/01/2014", "address": "Europa-Allee", "total": "1.589,80"}"#).unwrap();
        std::fs::write(dir.path().join(format!("box/{n}.csv")), "1,1,9,1,9,9,1,9,Acme GmbH\n1,1,9,1,9,9,1,9,Karl E. Coyote\n1,1,9,1,9,9,1,9,A LINE NOT ON THE PAGE\n").unwrap();
    }
    let run = |split: &str| -> serde_json::Value {
        let o = std::process::Command::new(assert_cmd::cargo::cargo_bin("mailroom"))
            .args(["eval", "--json", "--no-baseline", "--split", split])
            .arg(dir.path())
            .arg("--cache")
            .arg(dir.path().join("cache"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let report = run("holdout");
    assert_eq!(report["documents"], 1, "only the held-out copy");
    for f in ["seller_name", "issue_date", "gross_total"] {
        assert_eq!(report["fields"][f]["correct"], 1, "{f}: {}", report["fields"][f]);
    }
    assert_eq!(report["fields"]["currency"]["correct"], 0, "the key says MYR, the page is in euro");
    assert_eq!((report["ocr"]["lines"].as_u64(), report["ocr"]["lines_read"].as_u64()), (Some(3), Some(2)), "{}", report["ocr"]);
    assert_eq!(report["confusion"]["receipt"]["invoice"], 1, "an invoice page typed invoice, expected receipt");
    assert_eq!(run("dev")["documents"], 1);
}
