//! A grey, grainy, unevenly lit scan (issue 25: a page of 168 words read as 17): a letter
//! made here, rendered with pdfium, its contrast lowered to a photocopy's, grain and a
//! light falling off towards one corner put on it, read through `ocr::read_image` with the
//! default configuration. Tesseract's global threshold loses such a page (the `tesseract`
//! CLI reads no word of this one); the page is read again with its paper evened out.

mod common;

use mailroom::ocr::{self, OcrConfig};

const LINES: [&str; 14] = [
    "Kranich Werkzeugbau GmbH",
    "Am Lindenhof 7, 70173 Stuttgart",
    "Baeckerei Sommer OHG",
    "Hauptstrasse 12, 80331 Muenchen",
    "Rechnung Nr. RE-2025-00417",
    "Rechnungsdatum 26.06.2025",
    "Pos Bezeichnung Menge Einzelpreis Betrag",
    "1 Fraeskopf FK-40 2 500,00 1.000,00",
    "2 Wartung Spindel 1 240,00 240,00",
    "Nettobetrag 1.240,00 EUR",
    "Umsatzsteuer 19 % 235,60 EUR",
    "Rechnungsbetrag 1.475,60 EUR",
    "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
    "IBAN DE89 3704 0044 0532 0130 00",
];

/// An A4 page with `LINES` in Helvetica 11 pt.
fn letter() -> Vec<u8> {
    common::text_pdf(595.0, 842.0, "Helvetica", 11.0, (70.0, 90.0, 30.0), &LINES)
}

/// The page at 200 dpi as a photocopy: ink at 95 and paper at 202 of 255, grain of about
/// 11 grey levels (a fixed pseudo-random sequence), and the light falling to 80 % towards
/// the bottom right.
fn grey_copy() -> image::GrayImage {
    let width = (595.0_f32 / 72.0 * 200.0) as u32;
    let png = mailroom::pages::pdf::render_png(&letter(), 1, width).expect("pdfium renders the page (scripts/setup.sh installs libpdfium)");
    let page = image::load_from_memory(&png).expect("a PNG").to_luma8();
    let (w, h) = page.dimensions();
    let mut state: u32 = 0x9e37_79b9;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as f32 / u32::MAX as f32
    };
    image::GrayImage::from_fn(w, h, |x, y| {
        let v = f32::from(page.get_pixel(x, y).0[0]) / 255.0;
        let tone = 95.0 + v * (202.0 - 95.0);
        let light = 1.0 - 0.2 * (x as f32 / w as f32 + y as f32 / h as f32) / 2.0;
        let grain = (uniform() + uniform() + uniform() - 1.5) * 2.0 * 11.0;
        image::Luma([(tone * light + grain).clamp(0.0, 255.0) as u8])
    })
}

#[test]
fn a_grey_grainy_unevenly_lit_copy_is_read_with_its_paper_evened_out() {
    let image = grey_copy();
    let dpi = 200.0;
    let page = ocr::read_image(&OcrConfig::default(), image::DynamicImage::ImageLuma8(image), dpi).expect("the page is read").page;
    let read: Vec<String> = page.words.iter().map(|w| w.text.clone()).collect();
    // Tesseract glues a word to its neighbour now and then ("Nr.RE-2025-00417") on this
    // rendering, clean or grey: words count where their letters were read in order.
    let text: String = read.concat();
    let want: Vec<&str> = LINES.iter().flat_map(|l| l.split_whitespace()).collect();
    let found = want.iter().filter(|t| text.contains(*t)).count();
    assert!(found * 10 >= want.len() * 9, "{found} of {} words read: {read:?}", want.len());
    for key in ["RE-2025-00417", "26.06.2025", "1.475,60", "Rechnungsbetrag"] {
        assert!(read.iter().any(|r| r.contains(key)), "'{key}' not read: {read:?}");
    }
}
