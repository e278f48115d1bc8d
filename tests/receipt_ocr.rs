//! The receipts' OCR engine (issue 25): a till receipt made here — a narrow slip in a
//! typewriter font, as a till prints it — rendered to an image and read through
//! `ocr::read_image` with the default configuration, which reads such pages with PP-OCR.
//! These tests need ONNX Runtime and the PP-OCR models that `scripts/setup.sh` installs, and
//! fail, naming what is missing, without them.

mod common;

use mailroom::ocr::{self, OcrConfig, ReceiptEngine};

/// A one-page PDF 80 mm wide with `lines` in Courier, one under the other.
fn slip(lines: &[&str]) -> Vec<u8> {
    common::text_pdf(227.0, 40.0 + 16.0 * lines.len() as f32, "Courier", 10.0, (14.0, 26.0, 16.0), lines)
}

/// The slip as a grey image 600 pixels wide (about 190 dpi), read with `config`.
fn read(lines: &[&str], config: &OcrConfig) -> mailroom::layout::Page {
    let png = mailroom::pages::pdf::render_png(&slip(lines), 1, 600).expect("pdfium renders the slip (scripts/setup.sh installs libpdfium)");
    let image = image::load_from_memory(&png).expect("a PNG");
    let dpi = 600.0 / (227.0 / 72.0);
    ocr::read_image(config, image, dpi).expect("the slip is read").page
}

/// A slip long enough to be a till receipt: its print much taller than wide.
const SLIP: [&str; 30] = [
    "  KEDAI RUNCIT MAJU",
    "  NO 12 JALAN PERDANA",
    "  TEL 03-6280 1198",
    "",
    "DATE: 14/05/2018 12:14",
    "BILL NO: 01H-26411",
    "CASHIER: AMINAH",
    "",
    "2 X TEH TARIK     5.00",
    "1 X ROTI CANAI    1.50",
    "1 X NASI LEMAK    6.00",
    "1 X MEE GORENG    5.50",
    "3 X KUIH LAPIS    3.00",
    "1 X AIR SIRAP     1.20",
    "1 X KOPI O        1.30",
    "2 X CAPATI        3.00",
    "1 X ROTI BAKAR    2.50",
    "1 X TELUR SEPARUH 2.00",
    "",
    "SUBTOTAL         31.00",
    "TOTAL            31.00",
    "CASH             50.00",
    "CHANGE           19.00",
    "",
    "ITEMS: 13",
    "",
    "  THANK YOU",
    "  PLEASE COME AGAIN",
    "",
    "  GOODS SOLD ARE NOT",
];

#[test]
fn the_receipt_engine_loads_and_says_what_is_missing_when_it_cannot() {
    let ReceiptEngine::PpOcr(files) = OcrConfig::default().receipts else { panic!("receipts are read with PP-OCR by default") };
    let words = OcrConfig::default().word_lists;
    if let Err(e) = ocr::ppocr::check(&files, &words) {
        panic!("PP-OCR does not load — run scripts/setup.sh: {e}");
    }
    let no_words = files.clone();
    let missing = ocr::ppocr::PpOcrFiles { models: "/nonexistent/ppocr".into(), ..files };
    let e = std::thread::spawn(move || ocr::ppocr::check(&missing, &words)).join().unwrap().expect_err("no models there");
    assert!(e.to_string().contains("/nonexistent/ppocr/det.onnx") && e.to_string().contains("setup.sh"), "{e}");
    let e = std::thread::spawn(move || ocr::ppocr::check(&no_words, &["/nonexistent/words".into()])).join().unwrap().expect_err("no word list there");
    assert!(e.to_string().contains("/nonexistent/words") && e.to_string().contains("wamerican"), "{e}");
}

#[test]
fn a_till_receipt_is_read_line_by_line_with_its_words_apart() {
    let page = read(&SLIP, &OcrConfig::default());
    let lines: Vec<String> = page.lines.iter().map(|l| page.line_text(l)).collect();
    let has = |want: &str| lines.iter().any(|l| l.split_whitespace().collect::<Vec<_>>().join(" ").contains(want));
    for want in ["KEDAI RUNCIT MAJU", "14/05/2018 12:14", "ROTI CANAI", "THANK YOU"] {
        assert!(has(want), "'{want}' not read as words apart in {lines:#?}");
    }
    // A label and its amount far apart on the slip are two pieces of one row: the amount
    // stands to the right of the label, level with it.
    let word = |text: &str| page.words.iter().find(|w| w.text == text).unwrap_or_else(|| panic!("'{text}' not read: {lines:#?}"));
    for (label, amount) in [("TOTAL", "31.00"), ("CASH", "50.00"), ("CHANGE", "19.00")] {
        let l = word(label).bbox;
        let mid = |b: [f32; 4]| (b[1] + b[3]) / 2.0;
        let a = page.words.iter().filter(|w| w.text == amount).map(|w| w.bbox).min_by(|x, y| (mid(*x) - mid(l)).abs().total_cmp(&(mid(*y) - mid(l)).abs())).expect("the amount is read");
        let centre = mid(a);
        assert!(a[0] > l[2] && (l[1]..=l[3]).contains(&centre), "{amount} {a:?} is not right of {label} {l:?} on its row");
    }
    // Each word has a box of its own, left to right along its line, inside the page.
    let date = page.lines.iter().find(|l| page.line_text(l).starts_with("DATE")).expect("the date line");
    let boxes: Vec<[f32; 4]> = date.words.iter().map(|&i| page.words[i].bbox).collect();
    assert!(boxes.windows(2).all(|w| w[0][2] <= w[1][0] + 1.0), "words overlap: {boxes:?}");
    assert!(boxes.iter().all(|b| b[0] >= 0.0 && b[2] <= page.width + 0.5 && b[2] > b[0]), "{boxes:?} on a page {} wide", page.width);
    // A word is as sure as its least sure character: probabilities, most of them high on a clean slip.
    let mut conf: Vec<f32> = page.words.iter().map(|w| w.confidence).collect();
    assert!(conf.iter().all(|c| (0.0..=1.0).contains(c)), "{conf:?}");
    conf.sort_by(f32::total_cmp);
    assert!(conf[conf.len() / 2] >= 0.9, "median word confidence on a clean slip: {conf:?}");
}

#[test]
fn with_tesseract_configured_for_receipts_the_slip_is_still_read() {
    let config = OcrConfig { receipts: ReceiptEngine::Tesseract, ..OcrConfig::default() };
    assert_ne!(config.fingerprint(), OcrConfig::default().fingerprint(), "pages read by another engine are cached apart");
    let british_only = OcrConfig { word_lists: vec!["/usr/share/dict/british-english".into()], ..OcrConfig::default() };
    assert_ne!(british_only.fingerprint(), OcrConfig::default().fingerprint(), "pages spelling-checked against other word lists are cached apart");
    let page = read(&SLIP, &config);
    let text = page.text();
    assert!(text.contains("TOTAL") && text.contains("31.00"), "{text}");
}
