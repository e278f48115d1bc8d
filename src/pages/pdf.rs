//! PDF pages through pdfium: the text layer where a page has a usable one, otherwise the
//! page image — the embedded scan at its own resolution when the page is one image, a
//! 300 dpi rendering otherwise.
//!
//! libpdfium is not thread-safe; pdfium-render serialises calls, and this stage is only
//! ever driven from the one producer thread of a document.

use std::path::PathBuf;
use std::sync::OnceLock;

use image::DynamicImage;
use pdfium_render::prelude::*;

use super::{Limits, Outline, PageContent, PageImage, PagesError};
use crate::index::ErrorKind;
use crate::layout::{Page, TextSource, Word};

/// Resolution for rendering pages that are not a single scanned image.
pub const RENDER_DPI: f32 = 300.0;

/// A page whose text layer has fewer non-blank characters than this is read by OCR.
const MIN_TEXT_CHARS: usize = 20;

static PDFIUM: OnceLock<Result<Pdfium, String>> = OnceLock::new();

/// Held while a document is open in pdfium: pdfium-render serialises single calls, but two
/// documents read at once (training, evaluation and worker threads) still fail to open.
static PDFIUM_DOCUMENT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Where libpdfium is looked for, in order. `scripts/setup.sh` installs it to
/// `/usr/local/lib` from the pinned pypdfium2 wheel.
fn library_candidates() -> Vec<PathBuf> {
    let mut c = Vec::new();
    if let Some(p) = std::env::var_os("MAILROOM_PDFIUM_LIB") {
        c.push(PathBuf::from(p));
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            c.push(dir.join("libpdfium.so"));
        }
    }
    c.push(PathBuf::from("/usr/local/lib/libpdfium.so"));
    c
}

/// The process-wide pdfium binding.
pub fn pdfium() -> Result<&'static Pdfium, PagesError> {
    PDFIUM
        .get_or_init(|| {
            let mut tried = Vec::new();
            for path in library_candidates() {
                if path.exists() {
                    match Pdfium::bind_to_library(&path) {
                        Ok(b) => return Ok(Pdfium::new(b)),
                        Err(e) => tried.push(format!("{}: {e}", path.display())),
                    }
                }
            }
            match Pdfium::bind_to_system_library() {
                Ok(b) => Ok(Pdfium::new(b)),
                Err(e) => Err(format!(
                    "libpdfium could not be loaded ({e}; tried {}). Run scripts/setup.sh, or set MAILROOM_PDFIUM_LIB to the libpdfium.so of the pypdfium2 wheel",
                    if tried.is_empty() { "no candidate paths".to_string() } else { tried.join("; ") }
                )),
            }
        })
        .as_ref()
        .map_err(|msg| PagesError::new(ErrorKind::Internal, msg.clone()))
}

fn open_error(e: PdfiumError) -> PagesError {
    match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError) => {
            PagesError::new(ErrorKind::Encrypted, "the PDF needs a password to open; ask the sender for an unprotected copy")
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => PagesError::new(ErrorKind::Encrypted, "the PDF uses an unsupported security handler"),
        other => PagesError::new(ErrorKind::Corrupt, format!("the PDF cannot be opened: {other}")),
    }
}

/// A PDF whose last `%%EOF` marker is missing was cut off in transfer: pdfium would
/// silently repair it, but a truncated original must not be archived as if complete.
fn is_truncated(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    !tail.windows(5).any(|w| w == b"%%EOF")
}

/// File names under which ZUGFeRD, Factur-X and XRechnung embed their invoice XML.
const INVOICE_XML_NAMES: [&str; 4] = ["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml"];

/// The invoice XML embedded in a hybrid PDF (ZUGFeRD / Factur-X), read through pdfium's
/// attachment API: `(file name, bytes)`.
pub fn embedded_invoice_xml(bytes: &[u8]) -> Result<Option<(String, Vec<u8>)>, PagesError> {
    if is_truncated(bytes) {
        return Ok(None); // produce() reports it
    }
    let pdfium = pdfium()?;
    let _one_at_a_time = PDFIUM_DOCUMENT.lock().unwrap_or_else(|e| e.into_inner());
    let doc = match pdfium.load_pdf_from_byte_slice(bytes, None) {
        Ok(d) => d,
        Err(_) => return Ok(None), // produce() reports why
    };
    for attachment in doc.attachments().iter() {
        let name = attachment.name();
        if INVOICE_XML_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name.trim())) {
            if let Ok(xml) = attachment.save_to_bytes() {
                return Ok(Some((name, xml)));
            }
        }
    }
    Ok(None)
}

pub fn produce(bytes: &[u8], limits: &Limits, sink: &mut dyn FnMut(PageContent) -> bool) -> Result<Outline, PagesError> {
    produce_pages(bytes, limits, true, sink)
}

/// Only the pages with a usable text layer; image pages are skipped, not rendered
/// (e-invoices go straight through without OCR).
pub fn produce_text_only(bytes: &[u8], limits: &Limits, sink: &mut dyn FnMut(PageContent) -> bool) -> Result<Outline, PagesError> {
    produce_pages(bytes, limits, false, sink)
}

/// Renders page `number` (1-based) of a PDF as a PNG `width` pixels wide: the review UI's
/// page images. One document at a time, like every pdfium call; the PNG is encoded after the
/// document is closed.
pub fn render_png(bytes: &[u8], number: u32, width: u32) -> Result<Vec<u8>, PagesError> {
    let image = {
        let pdfium = pdfium()?;
        let _one_at_a_time = PDFIUM_DOCUMENT.lock().unwrap_or_else(|e| e.into_inner());
        let doc = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(open_error)?;
        let count = doc.pages().len() as u32;
        if number == 0 || number > count {
            return Err(PagesError::new(ErrorKind::Corrupt, format!("the document has {count} pages, no page {number}")));
        }
        let page = doc.pages().get((number - 1) as PdfPageIndex).map_err(|e| PagesError::new(ErrorKind::Corrupt, format!("page {number} cannot be read: {e}")))?;
        let config = PdfRenderConfig::new().set_target_width(width.clamp(100, 4000) as i32).render_form_data(true);
        let bitmap = page.render_with_config(&config).map_err(|e| PagesError::new(ErrorKind::Corrupt, format!("page {number} cannot be rendered: {e}")))?;
        bitmap.as_image().to_rgb8()
    };
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, ::image::ImageFormat::Png).map_err(|e| PagesError::new(ErrorKind::Internal, format!("page {number} cannot be encoded: {e}")))?;
    Ok(out.into_inner())
}

/// A new PDF of pages `first..=last` (1-based) of the PDF `bytes`: a part of a batch scan,
/// its pages imported whole (images, text layer, fonts) by pdfium. The bytes depend on the
/// input alone — pdfium's file identifier, which it draws at random, is replaced by one
/// derived from the content — so the same batch split twice gives the same parts, and the
/// same document ids.
pub fn extract_pages(bytes: &[u8], first: u32, last: u32) -> Result<Vec<u8>, PagesError> {
    let saved = {
        let pdfium = pdfium()?;
        let _one_at_a_time = PDFIUM_DOCUMENT.lock().unwrap_or_else(|e| e.into_inner());
        let source = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(open_error)?;
        let count = source.pages().len() as u32;
        if first == 0 || last < first || last > count {
            return Err(PagesError::new(ErrorKind::Corrupt, format!("pages {first}-{last} asked of a PDF of {count} pages")));
        }
        let mut part = pdfium.create_new_pdf().map_err(|e| PagesError::new(ErrorKind::Internal, format!("pdfium cannot create a PDF: {e}")))?;
        part.pages_mut()
            .copy_page_range_from_document(&source, ((first - 1) as PdfPageIndex)..=((last - 1) as PdfPageIndex), 0)
            .map_err(|e| PagesError::new(ErrorKind::Corrupt, format!("pages {first}-{last} cannot be copied: {e}")))?;
        part.save_to_bytes().map_err(|e| PagesError::new(ErrorKind::Internal, format!("the part of pages {first}-{last} cannot be written: {e}")))?
    };
    Ok(fixed_file_id(saved))
}

/// A stamp to draw: its page (1-based), box in PDF points from the top left, two lines.
pub struct StampDraw {
    pub page: u32,
    pub bbox: [f32; 4],
    pub title: String,
    pub line: String,
}

/// A copy of the PDF `bytes` with `stamps` drawn onto their pages (a red frame, the kind, a
/// line of text): the "with stamps" download. The archived PDF is not touched; this is a new
/// file, made when asked for.
pub fn with_stamps(bytes: &[u8], stamps: &[StampDraw]) -> Result<Vec<u8>, PagesError> {
    let pdfium = pdfium()?;
    let _one_at_a_time = PDFIUM_DOCUMENT.lock().unwrap_or_else(|e| e.into_inner());
    let mut doc = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(open_error)?;
    let (bold, regular) = (doc.fonts_mut().helvetica_bold(), doc.fonts_mut().helvetica());
    let red = PdfColor::new(200, 30, 30, 255);
    let fail = |e: PdfiumError| PagesError::new(ErrorKind::Internal, format!("a stamp cannot be drawn: {e}"));
    for s in stamps {
        let Ok(mut page) = doc.pages().get((s.page.max(1) - 1) as PdfPageIndex) else { continue };
        let h = page.height().value;
        let [x0, y0, x1, y1] = s.bbox;
        let rect = PdfRect::new_from_values(h - y1, x0, h - y0, x1);
        page.objects_mut().create_path_object_rect(rect, Some(red), Some(PdfPoints::new(2.0)), Some(PdfColor::new(255, 240, 240, 200))).map_err(fail)?;
        let mut title = page.objects_mut().create_text_object(PdfPoints::new(x0 + 8.0), PdfPoints::new(h - y0 - 22.0), &s.title, bold, PdfPoints::new(16.0)).map_err(fail)?;
        title.set_fill_color(red).map_err(fail)?;
        if !s.line.is_empty() {
            let mut line = page.objects_mut().create_text_object(PdfPoints::new(x0 + 8.0), PdfPoints::new(h - y0 - 42.0), &s.line, regular, PdfPoints::new(9.0)).map_err(fail)?;
            line.set_fill_color(red).map_err(fail)?;
        }
    }
    doc.save_to_bytes().map_err(|e| PagesError::new(ErrorKind::Internal, format!("the stamped copy cannot be written: {e}")))
}

/// Makes pdfium's output depend on its input alone: the Info dictionary's `/CreationDate` and
/// `/ModDate` (the time of saving) are blanked with spaces, and the hex strings of the
/// trailer's `/ID [<…><…>]` replaced by the SHA-256 of the file with them blanked, each cut to
/// its own length. Nothing changes length, so the cross-reference offsets stay right.
fn fixed_file_id(mut pdf: Vec<u8>) -> Vec<u8> {
    for key in [&b"/CreationDate"[..], &b"/ModDate"[..]] {
        let mut from = 0;
        while let Some(at) = memchr::memmem::find(&pdf[from..], key).map(|i| i + from) {
            let value = at + key.len();
            let end = match (pdf.get(value), pdf[value..].iter().position(|&b| b == b')')) {
                (Some(b'('), Some(close)) if close < 64 => value + close + 1,
                _ => {
                    from = value;
                    continue;
                }
            };
            pdf[at..end].fill(b' ');
            from = end;
        }
    }
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&pdf[from..], b"/ID").map(|i| i + from) {
        let mut i = at + 3;
        while i < pdf.len() && (pdf[i] == b' ' || pdf[i] == b'[' || pdf[i] == b'\r' || pdf[i] == b'\n') {
            i += 1;
        }
        for _ in 0..2 {
            if pdf.get(i) != Some(&b'<') {
                break;
            }
            let Some(end) = pdf[i..].iter().position(|&b| b == b'>').map(|e| e + i) else { break };
            spans.push((i + 1, end));
            i = end + 1;
        }
        from = at + 3;
    }
    for &(a, b) in &spans {
        pdf[a..b].fill(b'0');
    }
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf)).into_bytes();
    for &(a, b) in &spans {
        for (k, byte) in pdf[a..b].iter_mut().enumerate() {
            *byte = digest[k % digest.len()];
        }
    }
    pdf
}

fn produce_pages(bytes: &[u8], limits: &Limits, images: bool, sink: &mut dyn FnMut(PageContent) -> bool) -> Result<Outline, PagesError> {
    if is_truncated(bytes) {
        return Err(PagesError::new(ErrorKind::Corrupt, "the PDF is truncated (no %%EOF at its end); it was probably cut off during transfer — send it again"));
    }
    let pdfium = pdfium()?;
    let _one_at_a_time = PDFIUM_DOCUMENT.lock().unwrap_or_else(|e| e.into_inner());
    let doc = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(open_error)?;
    let count = doc.pages().len() as u32;
    if count == 0 {
        return Err(PagesError::new(ErrorKind::Corrupt, "the PDF has no pages"));
    }
    if count > limits.max_pages {
        return Err(PagesError::new(ErrorKind::TooLarge, format!("the PDF has {count} pages, more than the limit of {}", limits.max_pages)));
    }
    for i in 0..count {
        let page = doc.pages().get(i as PdfPageIndex).map_err(|e| PagesError::new(ErrorKind::Corrupt, format!("page {} cannot be read: {e}", i + 1)))?;
        let Some(content) = read_page(&page, i + 1, limits, images)? else { continue };
        if !sink(content) {
            break;
        }
    }
    Ok(Outline { pages: count })
}

fn read_page(page: &PdfPage, number: u32, limits: &Limits, images: bool) -> Result<Option<PageContent>, PagesError> {
    let width = page.width().value;
    let height = page.height().value;
    if !(width > 1.0 && height > 1.0 && width < 14_400.0 && height < 14_400.0) {
        return Err(PagesError::new(ErrorKind::Corrupt, format!("page {number} has an impossible size {width}×{height} pt")));
    }
    let rotation = match page.rotation() {
        Ok(PdfPageRenderRotation::Degrees90) => 90,
        Ok(PdfPageRenderRotation::Degrees180) => 180,
        Ok(PdfPageRenderRotation::Degrees270) => 270,
        _ => 0,
    };
    if let Ok(text) = page.text() {
        let words = text_layer_words(&text, width, height, rotation);
        let chars: usize = words.iter().map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count()).sum();
        if chars >= MIN_TEXT_CHARS {
            return Ok(Some(PageContent::Text(Page::from_words(number, width, height, TextSource::TextLayer, 0, words))));
        }
    }
    if !images {
        return Ok(None);
    }
    if rotation == 0 {
        if let Some(img) = single_scan_image(page, width, height, limits) {
            return Ok(Some(PageContent::Image(img_page(number, img, width))));
        }
    }
    let mut dpi = RENDER_DPI;
    let px = |d: f32| ((width / 72.0 * d) as u64, (height / 72.0 * d) as u64);
    while px(dpi).0 * px(dpi).1 > limits.max_pixels && dpi > 72.0 {
        dpi -= 25.0;
    }
    let (w_px, h_px) = px(dpi);
    let config = PdfRenderConfig::new().set_target_width(w_px as i32).set_maximum_height(h_px as i32 + 1).use_grayscale_rendering(true).render_form_data(true);
    let bitmap = page.render_with_config(&config).map_err(|e| PagesError::new(ErrorKind::Corrupt, format!("page {number} cannot be rendered: {e}")))?;
    let image = DynamicImage::ImageLuma8(bitmap.as_image().to_luma8());
    let dpi = image.width() as f32 / (width / 72.0);
    Ok(Some(PageContent::Image(PageImage { number, image, dpi })))
}

fn img_page(number: u32, image: DynamicImage, width_pt: f32) -> PageImage {
    let dpi = image.width() as f32 / (width_pt / 72.0);
    let image = match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => image,
        DynamicImage::ImageLumaA8(_) | DynamicImage::ImageLuma16(_) | DynamicImage::ImageLumaA16(_) => DynamicImage::ImageLuma8(image.to_luma8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    };
    PageImage { number, image, dpi }
}

/// The page's scan when the page is exactly one upright image covering (nearly) all of it.
fn single_scan_image(page: &PdfPage, width: f32, height: f32, limits: &Limits) -> Option<DynamicImage> {
    let mut found = None;
    for object in page.objects().iter() {
        if let Some(image) = object.as_image_object() {
            if found.is_some() {
                return None; // several images: render the composed page instead
            }
            let b = object.bounds().ok()?.to_rect();
            let (bw, bh) = (b.width().value, b.height().value);
            if bw * bh < 0.85 * width * height {
                return None;
            }
            let (pw, ph) = (image.width().ok()? as f32, image.height().ok()? as f32);
            if pw * ph > limits.max_pixels as f32 || pw < 100.0 {
                return None;
            }
            // Same aspect ratio as its box: drawn upright, not turned by the page matrix.
            if ((pw / ph) / (bw / bh) - 1.0).abs() > 0.03 {
                return None;
            }
            found = Some(image.get_raw_image().ok()?);
        }
    }
    found
}

/// Words from the text layer, with boxes in the upright page's top-left coordinates.
fn text_layer_words(text: &PdfPageText, width: f32, height: f32, rotation: u16) -> Vec<Word> {
    // Unrotated page size, for the coordinate transform.
    let (w0, h0) = if rotation == 90 || rotation == 270 { (height, width) } else { (width, height) };
    let to_display = |x: f32, y: f32| -> (f32, f32) {
        match rotation {
            90 => (y, x),
            180 => (w0 - x, y),
            270 => (h0 - y, w0 - x),
            _ => (x, h0 - y),
        }
    };
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut bbox = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
    let mut last_right = f32::MIN;
    let mut last_cy = 0.0f32;
    let mut last_h = 0.0f32;
    let flush = |cur: &mut String, bbox: &mut [f32; 4], words: &mut Vec<Word>| {
        if !cur.trim().is_empty() {
            words.push(Word { text: std::mem::take(cur), bbox: *bbox, confidence: 1.0 });
        }
        cur.clear();
        *bbox = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
    };
    for ch in text.chars().iter() {
        let Some(c) = ch.unicode_char() else { continue };
        if c.is_whitespace() || c == '\u{0}' || c == '\u{2}' {
            flush(&mut cur, &mut bbox, &mut words);
            last_right = f32::MIN;
            continue;
        }
        let Ok(r) = ch.loose_bounds() else { continue };
        let (ax, ay) = to_display(r.left().value, r.top().value);
        let (bx, by) = to_display(r.right().value, r.bottom().value);
        let cb = [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)];
        let h = (cb[3] - cb[1]).max(0.1);
        let cy = (cb[1] + cb[3]) / 2.0;
        if !cur.is_empty() && (cb[0] - last_right > 0.25 * h.max(last_h) || (cy - last_cy).abs() > 0.5 * h.max(last_h) || cb[2] < last_right - 0.5 * h) {
            flush(&mut cur, &mut bbox, &mut words);
        }
        cur.push(c);
        bbox = [bbox[0].min(cb[0]), bbox[1].min(cb[1]), bbox[2].max(cb[2]), bbox[3].max(cb[3])];
        last_right = cb[2];
        last_cy = cy;
        last_h = h;
    }
    flush(&mut cur, &mut bbox, &mut words);
    words
}

#[cfg(test)]
mod split_tests {
    /// A part of a batch cut twice is the same bytes, and so the same document.
    #[test]
    fn parts_are_the_same_bytes_every_time() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/documents/born-digital-invoice.pdf")).unwrap();
        let a = super::extract_pages(&bytes, 1, 1).unwrap();
        let _ = super::render_png(&bytes, 1, 200).unwrap();
        // pdfium stamps the time of saving, to the second.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let b = super::extract_pages(&bytes, 1, 1).unwrap();
        if a != b {
            let first = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            panic!(
                "the part's bytes differ at {first} of {}/{}: {:?} vs {:?}",
                a.len(),
                b.len(),
                String::from_utf8_lossy(&a[first.saturating_sub(80)..(first + 80).min(a.len())]),
                String::from_utf8_lossy(&b[first.saturating_sub(80)..(first + 80).min(b.len())])
            );
        }
    }
}
