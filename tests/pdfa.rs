//! PDF/A-2b writer checks. veraPDF is not available, so the clauses are asserted directly,
//! plus `qpdf --check`, `pdftotext` and `pdfinfo` (installed by scripts/setup.sh; a test fails,
//! naming the tool, where one is missing — never skipped).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use chrono::TimeZone;
use image::{DynamicImage, GrayImage, RgbImage};
use mailroom::layout::Word;
use mailroom::pdfa::{write_pdfa, PdfaError, PdfaInfo, PdfaPage};

const W_PX: u32 = 1654;
const H_PX: u32 = 2339;
const DPI: f32 = 200.0;
const DOC_ID: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn pt(px: u32) -> f32 {
    px as f32 * 72.0 / DPI
}

/// A grey page that looks a little like a scan: white with dark noisy bars ("text lines").
fn grey_page(seed: u32) -> GrayImage {
    let mut s = seed.wrapping_mul(2654435761).max(1);
    GrayImage::from_fn(W_PX, H_PX, |x, y| {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        let in_line = (y / 20) % 3 == 0 && x > 150 && x < 1500 && (x / 37) % 5 != 0;
        let v = if in_line { 40 + (s % 60) as u8 } else { 240 + (s % 16) as u8 };
        image::Luma([v])
    })
}

fn colour_page() -> RgbImage {
    RgbImage::from_fn(W_PX, H_PX, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 200]))
}

fn word(text: &str, x0: f32, y0: f32, x1: f32, y1: f32) -> Word {
    Word { text: text.to_string(), bbox: [x0, y0, x1, y1], confidence: 0.9 }
}

fn words_page1() -> Vec<Word> {
    vec![word("Rechnungsnummer", 72.0, 100.0, 200.0, 112.0), word("RE-2025-0042", 210.0, 100.0, 300.0, 112.0), word("Müller", 72.0, 140.0, 120.0, 152.0), word("Straße", 130.0, 140.0, 180.0, 152.0)]
}

fn words_page2() -> Vec<Word> {
    vec![word("Gesamtbetrag", 72.0, 400.0, 170.0, 412.0), word("1.234,56", 400.0, 400.0, 460.0, 412.0), word("€", 465.0, 400.0, 475.0, 412.0)]
}

fn info() -> PdfaInfo<'static> {
    PdfaInfo { title: "Rechnung Müller & Söhne <2025>", document_id: DOC_ID, created: chrono::Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap() }
}

fn build_sample() -> Vec<u8> {
    let grey = DynamicImage::ImageLuma8(grey_page(1));
    let colour = DynamicImage::ImageRgb8(colour_page());
    let (w1, w2) = (words_page1(), words_page2());
    let pages = [PdfaPage { image: &grey, width_pt: pt(W_PX), height_pt: pt(H_PX), words: &w1 }, PdfaPage { image: &colour, width_pt: pt(W_PX), height_pt: pt(H_PX), words: &w2 }];
    write_pdfa(&pages, &info()).expect("write_pdfa")
}

fn temp_pdf(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("mailroom-pdfa-{}-{}.pdf", name, std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Fails, naming what is missing, where `cmd` is not installed.
fn tool(cmd: &str) {
    let ok = Command::new(cmd).arg("-v").output().is_ok() || Command::new(cmd).arg("--version").output().is_ok();
    assert!(ok, "{cmd} is not installed: run scripts/setup.sh (qpdf, poppler-utils)");
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// The XMP packet, located as the raw text between the xpacket markers.
fn xmp(bytes: &[u8]) -> String {
    let start = bytes.windows(9).position(|w| w == b"<?xpacket").expect("xpacket begin");
    let end = bytes.windows(17).position(|w| w == b"<?xpacket end=\"w\"").expect("xpacket end");
    String::from_utf8(bytes[start..end + 20].to_vec()).expect("XMP is UTF-8")
}

/// The dictionary text of the object whose dictionary contains `key`.
fn dict_with<'a>(text: &'a str, key: &str) -> &'a str {
    let at = text.find(key).unwrap_or_else(|| panic!("{key} not found"));
    let start = text[..at].rfind(" obj").expect("object start");
    let end = text[at..].find("stream").map(|e| at + e).or_else(|| text[at..].find("endobj").map(|e| at + e)).unwrap();
    &text[start..end]
}

#[test]
fn header_trailer_and_structure() {
    let bytes = build_sample();
    assert!(bytes.starts_with(b"%PDF-1.7\n%"), "header");
    let line2: Vec<u8> = bytes[9..].iter().take_while(|&&b| b != b'\n').copied().collect();
    assert!(line2.len() >= 5 && line2[1..5].iter().all(|&b| b > 127), "binary comment line: {line2:?}");

    let text = String::from_utf8_lossy(&bytes);
    let trailer = &text[text.rfind("trailer").expect("trailer")..];
    assert!(trailer.contains("/ID ["), "trailer /ID: {trailer}");
    // /ID is derived from the document id: first 16 bytes of the SHA-256.
    assert!(trailer.to_lowercase().contains("<9f86d081884c7d659a2feaa0c55ad015>"), "{trailer}");
    assert!(!text.contains("/Encrypt"), "no encryption");
    assert!(text.contains("startxref"));

    // Images: Flate, 8 bit, one grey, one RGB, no interpolation.
    assert_eq!(count(&bytes, b"/Subtype /Image"), 2);
    assert!(text.contains("/ColorSpace /DeviceGray"));
    assert!(text.contains("/ColorSpace /DeviceRGB"));
    assert!(!text.contains("/Interpolate true"));
    let img = dict_with(&text, "/Subtype /Image");
    assert!(img.contains("/Filter /FlateDecode") && img.contains("/BitsPerComponent 8"), "{img}");
}

#[test]
fn metadata_output_intent_and_font() {
    let bytes = build_sample();
    let text = String::from_utf8_lossy(&bytes);

    // XMP: PDF/A-2B identification and the required properties.
    let x = xmp(&bytes);
    assert!(x.contains("<pdfaid:part>2</pdfaid:part>"), "{x}");
    assert!(x.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "{x}");
    assert!(x.contains("Rechnung Müller &amp; Söhne &lt;2025&gt;"), "dc:title escaped: {x}");
    for tag in ["xmp:CreateDate>2025-03-14T09:26:53", "xmp:ModifyDate>", "xmp:MetadataDate>", "<pdf:Producer>mailroom</pdf:Producer>", "<xmp:CreatorTool>mailroom"] {
        assert!(x.contains(tag), "XMP lacks {tag}");
    }
    // Metadata stream: referenced from the catalog, right type, no filter.
    let cat = dict_with(&text, "/Type /Catalog");
    assert!(cat.contains("/Metadata "), "{cat}");
    assert!(cat.contains("/OutputIntents"), "{cat}");
    let meta = dict_with(&text, "/Type /Metadata");
    assert!(meta.contains("/Subtype /XML"), "{meta}");
    assert!(!meta.contains("/Filter"), "metadata must not be filtered: {meta}");

    // Output intent with an embedded 3-component ICC profile.
    assert!(cat.contains("/S /GTS_PDFA1") && cat.contains("/DestOutputProfile"), "{cat}");
    assert!(text.contains("/N 3"), "ICC stream with /N 3");
    assert!(contains(&bytes, b"acsp"), "ICC profile bytes embedded");

    // Info dictionary equals the XMP.
    let info = dict_with(&text, "/Producer");
    assert!(info.contains("/Producer (mailroom)"), "{info}");
    assert!(info.contains("/CreationDate (D:20250314092653"), "{info}");
    assert!(info.contains(&format!("/Creator (mailroom {})", env!("CARGO_PKG_VERSION"))), "{info}");

    // Font: Type0/Identity-H → CIDFontType2 with embedded glyphless TrueType.
    let t0 = dict_with(&text, "/Subtype /Type0");
    assert!(t0.contains("/Encoding /Identity-H") && t0.contains("/ToUnicode") && t0.contains("/DescendantFonts"), "{t0}");
    let cid = dict_with(&text, "/Subtype /CIDFontType2");
    assert!(cid.contains("/DW 500") && cid.contains("/W [0 65535 500]") && cid.contains("/CIDToGIDMap "), "{cid}");
    assert!(cid.contains("/Registry (Adobe)") && cid.contains("/Ordering (Identity)"), "{cid}");
    let fd = dict_with(&text, "/Type /FontDescriptor");
    for key in ["/FontName /GlyphLessFont", "/Flags", "/FontBBox", "/ItalicAngle", "/Ascent", "/Descent", "/CapHeight", "/StemV", "/FontFile2"] {
        assert!(fd.contains(key), "FontDescriptor lacks {key}: {fd}");
    }
    let ttf = include_bytes!("../assets/glyphless.ttf");
    assert!(contains(&bytes, ttf), "font program embedded verbatim");
    assert!(text.contains(&format!("/Length1 {}", ttf.len())));
}

#[test]
fn qpdf_check_passes() {
    tool("qpdf");
    let bytes = build_sample();
    let text = String::from_utf8_lossy(&bytes);
    let at = text.find("/CIDToGIDMap ").unwrap() + "/CIDToGIDMap ".len();
    let map_obj: u32 = text[at..].split(' ').next().unwrap().parse().unwrap();
    let path = temp_pdf("qpdf", &bytes);
    let out = Command::new("qpdf").arg("--check").arg(&path).output().unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "qpdf --check failed: {all}");
    assert!(!all.to_uppercase().contains("WARNING"), "qpdf warnings: {all}");
    assert!(all.contains("No syntax or stream encoding errors"), "{all}");
    // The CIDToGIDMap maps every CID to glyph 1, never .notdef.
    let out = Command::new("qpdf").args([format!("--show-object={map_obj}").as_str(), "--filtered-stream-data"]).arg(&path).output().unwrap();
    assert!(out.status.success());
    let map = out.stdout;
    assert_eq!(map.len(), 2 * 65536, "CIDToGIDMap covers all CIDs");
    assert!(map.chunks(2).all(|g| g == [0, 1]), "every CID maps to glyph 1");
    std::fs::remove_file(path).ok();
}

#[test]
fn pdftotext_finds_the_words_and_pdfinfo_the_pages() {
    tool("pdftotext");
    tool("pdfinfo");
    let path = temp_pdf("text", &build_sample());
    let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for w in ["Rechnungsnummer", "RE-2025-0042", "Gesamtbetrag", "1.234,56", "€", "Müller", "Straße"] {
        assert!(text.contains(w), "pdftotext lacks {w:?}: {text:?}");
    }
    // Words land on their boxes: bbox output gives positions in points (top-left origin).
    let out = Command::new("pdftotext").args(["-bbox", "-f", "1", "-l", "1"]).arg(&path).arg("-").output().unwrap();
    let html = String::from_utf8_lossy(&out.stdout);
    let line = html.lines().find(|l| l.contains(">Rechnungsnummer<")).expect("bbox of word");
    let num = |k: &str| -> f32 {
        let s = &line[line.find(&format!("{k}=\"")).unwrap() + k.len() + 2..];
        s[..s.find('"').unwrap()].parse().unwrap()
    };
    assert!((num("xMin") - 72.0).abs() < 1.0 && (num("xMax") - 200.0).abs() < 1.0, "{line}");
    assert!((num("yMax") - 112.0).abs() < 0.5 && (num("yMin") - 100.0).abs() < 0.5, "{line}");

    let out = Command::new("pdfinfo").arg(&path).output().unwrap();
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 2")), "{info}");
    assert!(info.contains("595.44 x 842.04 pts"), "{info}");
    assert!(info.contains("Producer:") && info.contains("mailroom"), "{info}");
    let out = Command::new("pdfinfo").args(["-f", "1", "-l", "2"]).arg(&path).output().unwrap();
    let info = String::from_utf8_lossy(&out.stdout);
    assert_eq!(info.matches("595.44 x 842.04 pts").count(), 2, "{info}");
    std::fs::remove_file(path).ok();
}

#[test]
fn rejects_empty_input() {
    let i = info();
    assert!(matches!(write_pdfa(&[], &i), Err(PdfaError::NoPages)));
    let img = DynamicImage::ImageLuma8(GrayImage::new(10, 10));
    let p = [PdfaPage { image: &img, width_pt: 0.0, height_pt: 10.0, words: &[] }];
    assert!(matches!(write_pdfa(&p, &i), Err(PdfaError::InvalidPageSize { page: 1 })));
}

/// Prints how long writing 10 grey A4 pages at 200 dpi takes (no assertion on time).
#[test]
fn bench_ten_grey_pages() {
    let imgs: Vec<DynamicImage> = (0..10).map(|i| DynamicImage::ImageLuma8(grey_page(i + 1))).collect();
    let words = words_page1();
    let pages: Vec<PdfaPage> = imgs.iter().map(|im| PdfaPage { image: im, width_pt: pt(W_PX), height_pt: pt(H_PX), words: &words }).collect();
    let t = Instant::now();
    let bytes = write_pdfa(&pages, &info()).unwrap();
    let dt = t.elapsed();
    println!("write_pdfa: 10 grey pages {W_PX}x{H_PX} in {:.1} ms ({:.1} ms/page), {:.1} MiB", dt.as_secs_f64() * 1000.0, dt.as_secs_f64() * 100.0, bytes.len() as f64 / 1048576.0);
}
