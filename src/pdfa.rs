//! Searchable PDF/A-2b writer: scanned page images with an invisible OCR text layer.
//!
//! Each page is the scanned image drawn full-page (Flate, DeviceGray or DeviceRGB, 8 bits),
//! followed by the OCR words as invisible text (rendering mode 3) in Tesseract's glyphless
//! font, each word placed on its box and horizontally scaled to fill its width, so text
//! extraction finds the words and selection in a viewer matches the image. This is the same
//! construction as Tesseract's `pdfrenderer.cpp` and OCRmyPDF's text layer.
//!
//! PDF/A-2b (ISO 19005-2) parts covered here: embedded font program (FontFile2) with
//! /DW and /W taken from the font's own `hmtx`, a CIDToGIDMap that never points at
//! .notdef, a ToUnicode CMap, an sRGB OutputIntent (GTS_PDFA1), an unfiltered XMP metadata
//! stream with `pdfaid:part` 2 / `pdfaid:conformance` B whose values equal the Info
//! dictionary's, a trailer /ID, no encryption, `%PDF-1.7` plus a binary comment line.
//!
//! Characters outside the Basic Multilingual Plane (emoji and the like) cannot be written
//! as one 2-byte CID; they are written as U+FFFD. Control characters are dropped.

use std::fmt;
use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use image::DynamicImage;
use pdf_writer::types::{CidFontType, FontFlags, OutputIntentSubtype, SystemInfo, TextRenderingMode};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::layout::Word;

/// Tesseract's glyphless font (Apache-2.0): glyph 0 = .notdef, glyph 1 = an empty box.
const GLYPHLESS_TTF: &[u8] = include_bytes!("../assets/glyphless.ttf");
/// sRGB ICC profile (Debian icc-profiles-free), used as the PDF/A output intent.
const SRGB_ICC: &[u8] = include_bytes!("../assets/sRGB.icc");

const FONT_NAME: &[u8] = b"GlyphLessFont";
const PRODUCER: &str = "mailroom";
const CREATOR_TOOL: &str = concat!("mailroom ", env!("CARGO_PKG_VERSION"));

/// One page to write.
pub struct PdfaPage<'a> {
    /// `ImageLuma8` (grey) or `ImageRgb8` (colour); other types are converted.
    pub image: &'a DynamicImage,
    pub width_pt: f32,
    pub height_pt: f32,
    /// OCR words, bbox in points with the origin top-left.
    pub words: &'a [Word],
}

/// Document-level metadata.
pub struct PdfaInfo<'a> {
    pub title: &'a str,
    /// SHA-256 hex of the original document; used for the trailer /ID.
    pub document_id: &'a str,
    pub created: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug)]
pub enum PdfaError {
    NoPages,
    /// Page (1-based) has an image with zero width or height.
    EmptyImage {
        page: usize,
    },
    /// Page (1-based) has a non-finite or non-positive size.
    InvalidPageSize {
        page: usize,
    },
    Compression(std::io::Error),
}

impl fmt::Display for PdfaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfaError::NoPages => write!(f, "PDF/A: no pages to write"),
            PdfaError::EmptyImage { page } => write!(f, "PDF/A: page {page} has an empty image"),
            PdfaError::InvalidPageSize { page } => write!(f, "PDF/A: page {page} has an invalid size"),
            PdfaError::Compression(e) => write!(f, "PDF/A: compression failed: {e}"),
        }
    }
}

impl std::error::Error for PdfaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PdfaError::Compression(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for PdfaError {
    fn from(e: std::io::Error) -> Self {
        PdfaError::Compression(e)
    }
}

/// A page image compressed and ready to embed. The pipeline makes it on the OCR worker
/// right after a page is read, so a long scan holds compressed pages, not raw bitmaps.
#[derive(Debug)]
pub struct EncodedImage {
    width: u32,
    height: u32,
    rgb: bool,
    data: Vec<u8>,
}

/// One page to write, its image already compressed ([`encode_image`]).
pub struct EncodedPage<'a> {
    pub image: &'a EncodedImage,
    pub width_pt: f32,
    pub height_pt: f32,
    /// OCR words, bbox in points with the origin top-left.
    pub words: &'a [Word],
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfaError> {
    let mut enc = ZlibEncoder::new(Vec::with_capacity(data.len() / 4 + 64), Compression::fast());
    enc.write_all(data)?;
    Ok(enc.finish()?)
}

/// Compresses a page image for [`write_pdfa_encoded`].
pub fn encode_image(img: &DynamicImage) -> Result<EncodedImage, PdfaError> {
    let (width, height) = (img.width(), img.height());
    let (rgb, data) = match img {
        DynamicImage::ImageLuma8(g) => (false, deflate(g.as_raw())?),
        DynamicImage::ImageRgb8(c) => (true, deflate(c.as_raw())?),
        other if !other.color().has_color() => (false, deflate(other.to_luma8().as_raw())?),
        other => (true, deflate(other.to_rgb8().as_raw())?),
    };
    Ok(EncodedImage { width, height, rgb, data })
}

/// Compresses all page images, spread over the available cores.
fn encode_images(pages: &[PdfaPage]) -> Result<Vec<EncodedImage>, PdfaError> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(pages.len()).max(1);
    if threads == 1 {
        return pages.iter().map(|p| encode_image(p.image)).collect();
    }
    let chunk = pages.len().div_ceil(threads);
    let results: Vec<Result<Vec<EncodedImage>, PdfaError>> = std::thread::scope(|s| {
        let handles: Vec<_> = pages.chunks(chunk).map(|part| s.spawn(move || part.iter().map(|p| encode_image(p.image)).collect::<Result<Vec<_>, _>>())).collect();
        handles.into_iter().map(|h| h.join().expect("image compression thread panicked")).collect()
    });
    let mut out = Vec::with_capacity(pages.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// Reads the font's units per em and the advance width of glyph 1 from `head`/`hmtx`/`hhea`,
/// scaled to PDF glyph space (1000 units per em). Falls back to Tesseract's value (500).
fn glyph_advance(ttf: &[u8]) -> f32 {
    fn u16_at(d: &[u8], o: usize) -> Option<u16> {
        Some(u16::from_be_bytes([*d.get(o)?, *d.get(o + 1)?]))
    }
    fn u32_at(d: &[u8], o: usize) -> Option<u32> {
        Some(u32::from_be_bytes([*d.get(o)?, *d.get(o + 1)?, *d.get(o + 2)?, *d.get(o + 3)?]))
    }
    fn table(d: &[u8], tag: &[u8; 4]) -> Option<usize> {
        let n = u16_at(d, 4)? as usize;
        (0..n).find_map(|i| {
            let rec = 12 + 16 * i;
            (d.get(rec..rec + 4)? == tag).then(|| u32_at(d, rec + 8).map(|o| o as usize)).flatten()
        })
    }
    let read = || -> Option<f32> {
        let upem = u16_at(ttf, table(ttf, b"head")? + 18)? as f32;
        let num_h_metrics = u16_at(ttf, table(ttf, b"hhea")? + 34)? as usize;
        let hmtx = table(ttf, b"hmtx")?;
        // Glyphs past numberOfHMetrics share the last advance.
        let idx = 1.min(num_h_metrics.checked_sub(1)?);
        let adv = u16_at(ttf, hmtx + 4 * idx)? as f32;
        (upem > 0.0 && adv > 0.0).then(|| (adv * 1000.0 / upem).round())
    };
    read().unwrap_or(500.0)
}

/// UTF-16 code units of the word as 2-byte CIDs (big-endian). Non-BMP → U+FFFD, controls dropped.
fn word_cids(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    for c in text.chars().filter(|c| !c.is_control()) {
        let u = if (c as u32) > 0xFFFF { 0xFFFD } else { c as u32 as u16 };
        out.extend_from_slice(&u.to_be_bytes());
    }
    out
}

/// ToUnicode CMap: every BMP code (surrogates excluded) maps to itself.
fn to_unicode_cmap() -> Vec<u8> {
    let ranges: Vec<u8> = (0u8..=0xFF).filter(|hi| !(0xD8..=0xDF).contains(hi)).collect();
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for block in ranges.chunks(100) {
        s.push_str(&format!("{} beginbfrange\n", block.len()));
        for hi in block {
            s.push_str(&format!("<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>\n"));
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The title as written to both XMP and Info (controls removed so the two stay equal).
fn clean_title(title: &str) -> String {
    title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

fn xmp_packet(title: &str, created: &chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    let date = created.format("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    let title = xml_escape(title);
    format!(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
  <rdf:Description rdf:about=\"\"\n\
    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n\
    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n\
    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
   <pdfaid:part>2</pdfaid:part>\n\
   <pdfaid:conformance>B</pdfaid:conformance>\n\
   <dc:format>application/pdf</dc:format>\n\
   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
   <xmp:CreateDate>{date}</xmp:CreateDate>\n\
   <xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
   <xmp:MetadataDate>{date}</xmp:MetadataDate>\n\
   <xmp:CreatorTool>{CREATOR_TOOL}</xmp:CreatorTool>\n\
   <pdf:Producer>{PRODUCER}</pdf:Producer>\n\
  </rdf:Description>\n\
 </rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"w\"?>"
    )
    .into_bytes()
}

fn pdf_date(d: &chrono::DateTime<chrono::Utc>) -> Date {
    use chrono::{Datelike, Timelike};
    Date::new(d.year().clamp(0, 9999) as u16)
        .month(d.month() as u8)
        .day(d.day() as u8)
        .hour(d.hour() as u8)
        .minute(d.minute() as u8)
        .second(d.second().min(59) as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// Trailer /ID from the document id: the first 16 bytes of the SHA-256 if it is hex,
/// otherwise up to 32 bytes of the id itself.
fn file_id(document_id: &str) -> Vec<u8> {
    let hex = document_id.trim();
    let decoded: Option<Vec<u8>> = (hex.len() >= 32 && hex.len().is_multiple_of(2)).then(|| (0..hex.len() / 2).map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()).collect()).flatten();
    match decoded {
        Some(bytes) => bytes[..16].to_vec(),
        None if !hex.is_empty() => hex.as_bytes().iter().copied().take(32).collect(),
        None => b"mailroom-no-document-id".to_vec(),
    }
}

/// Page content: the image full-page, then the words as invisible text.
fn page_content(page: &EncodedPage, advance: f32) -> Vec<u8> {
    let (w, h) = (page.width_pt, page.height_pt);
    let mut c = Content::new();
    c.save_state();
    c.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
    c.x_object(Name(b"Im0"));
    c.restore_state();

    let mut text_started = false;
    let mut current_size = f32::NAN;
    for word in page.words {
        let cids = word_cids(&word.text);
        let units = cids.len() / 2;
        if units == 0 || word.text.trim().is_empty() {
            continue;
        }
        let [x0, y0, x1, y1] = word.bbox;
        if ![x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
            continue;
        }
        if !text_started {
            c.begin_text();
            c.set_text_rendering_mode(TextRenderingMode::Invisible);
            text_started = true;
        }
        let size = (y1 - y0).max(1.0);
        if size != current_size {
            c.set_font(Name(b"F1"), size);
            current_size = size;
        }
        let natural = units as f32 * advance / 1000.0 * size;
        let box_w = x1 - x0;
        let scale = if box_w > 0.0 && natural > 0.0 { 100.0 * box_w / natural } else { 100.0 };
        c.set_horizontal_scaling(scale);
        // Baseline at the bottom of the box; the glyph box spans 0..1000 above it.
        c.set_text_matrix([1.0, 0.0, 0.0, 1.0, x0, h - y1]);
        c.show(Str(&cids));
    }
    if text_started {
        c.end_text();
    }
    c.finish()
}

/// Writes a searchable PDF/A-2b document.
pub fn write_pdfa(pages: &[PdfaPage], info: &PdfaInfo) -> Result<Vec<u8>, PdfaError> {
    if pages.is_empty() {
        return Err(PdfaError::NoPages);
    }
    for (i, p) in pages.iter().enumerate() {
        if p.image.width() == 0 || p.image.height() == 0 {
            return Err(PdfaError::EmptyImage { page: i + 1 });
        }
    }
    let images = encode_images(pages)?;
    let encoded: Vec<EncodedPage> = pages.iter().zip(&images).map(|(p, image)| EncodedPage { image, width_pt: p.width_pt, height_pt: p.height_pt, words: p.words }).collect();
    write_pdfa_encoded(&encoded, info)
}

/// Writes a searchable PDF/A-2b document from pages whose images are already compressed.
pub fn write_pdfa_encoded(pages: &[EncodedPage], info: &PdfaInfo) -> Result<Vec<u8>, PdfaError> {
    validate(pages)?;
    let advance = glyph_advance(GLYPHLESS_TTF);
    let r = Refs::new(pages.len());
    let total_image_bytes: usize = pages.iter().map(|p| p.image.data.len()).sum();
    let mut pdf = Pdf::with_capacity(total_image_bytes + 64 * 1024);
    let id = file_id(info.document_id);
    pdf.set_file_id((id.clone(), id));
    let title = clean_title(info.title);
    write_catalog(&mut pdf, &r, &title, info);
    write_font(&mut pdf, &r, advance)?;
    write_pages(&mut pdf, &r, pages, advance)?;
    Ok(pdf.finish())
}

/// Every page has an image and a positive, finite size.
fn validate(pages: &[EncodedPage]) -> Result<(), PdfaError> {
    if pages.is_empty() {
        return Err(PdfaError::NoPages);
    }
    for (i, p) in pages.iter().enumerate() {
        if p.image.width == 0 || p.image.height == 0 {
            return Err(PdfaError::EmptyImage { page: i + 1 });
        }
        let ok = |v: f32| v.is_finite() && v > 0.0;
        if !ok(p.width_pt) || !ok(p.height_pt) {
            return Err(PdfaError::InvalidPageSize { page: i + 1 });
        }
    }
    Ok(())
}

/// The object numbers of the file, allocated in the order they have always had.
struct Refs {
    catalog: Ref,
    page_tree: Ref,
    metadata: Ref,
    icc: Ref,
    info: Ref,
    type0: Ref,
    cid_font: Ref,
    descriptor: Ref,
    font_file: Ref,
    cid_to_gid: Ref,
    to_unicode: Ref,
    /// Per page: the page, its content stream, its image.
    page_ids: Vec<(Ref, Ref, Ref)>,
}

impl Refs {
    fn new(pages: usize) -> Refs {
        let mut next = 0;
        let mut alloc = || {
            next += 1;
            Ref::new(next)
        };
        Refs {
            catalog: alloc(),
            page_tree: alloc(),
            metadata: alloc(),
            icc: alloc(),
            info: alloc(),
            type0: alloc(),
            cid_font: alloc(),
            descriptor: alloc(),
            font_file: alloc(),
            cid_to_gid: alloc(),
            to_unicode: alloc(),
            page_ids: (0..pages).map(|_| (alloc(), alloc(), alloc())).collect(),
        }
    }
}

/// The catalog with its sRGB output intent, the XMP metadata and the Info dictionary (entry
/// for entry equal to the XMP).
fn write_catalog(pdf: &mut Pdf, r: &Refs, title: &str, info: &PdfaInfo) {
    let xmp = xmp_packet(title, &info.created);
    {
        let mut cat = pdf.catalog(r.catalog);
        cat.pages(r.page_tree);
        cat.metadata(r.metadata);
        let mut intents = cat.output_intents();
        let mut intent = intents.push();
        intent
            .subtype(OutputIntentSubtype::PDFA)
            .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
            .output_condition(TextStr("sRGB IEC61966-2.1"))
            .registry_name(TextStr("http://www.color.org"))
            .info(TextStr("sRGB IEC61966-2.1"))
            .dest_output_profile(r.icc);
        intent.finish();
        intents.finish();
    }
    // Unfiltered XMP metadata.
    pdf.metadata(r.metadata, &xmp);
    pdf.icc_profile(r.icc, SRGB_ICC).n(3).range([0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);

    {
        let date = pdf_date(&info.created);
        let mut di = pdf.document_info(r.info);
        di.title(TextStr(title));
        di.producer(TextStr(PRODUCER));
        di.creator(TextStr(CREATOR_TOOL));
        di.creation_date(date);
        di.modified_date(date);
    }
}

/// Type0 / Identity-H over a CIDFontType2 with the glyphless TrueType program.
fn write_font(pdf: &mut Pdf, r: &Refs, advance: f32) -> Result<(), PdfaError> {
    pdf.type0_font(r.type0).base_font(Name(FONT_NAME)).encoding_predefined(Name(b"Identity-H")).descendant_font(r.cid_font).to_unicode(r.to_unicode);
    {
        let mut cid = pdf.cid_font(r.cid_font);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(FONT_NAME))
            .system_info(SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 })
            .font_descriptor(r.descriptor)
            .default_width(advance)
            .cid_to_gid_map_stream(r.cid_to_gid);
        cid.widths().same(0, 0xFFFF, advance);
    }
    pdf.font_descriptor(r.descriptor)
        .name(Name(FONT_NAME))
        .flags(FontFlags::FIXED_PITCH | FontFlags::SYMBOLIC)
        .bbox(Rect::new(0.0, 0.0, advance, 1000.0))
        .italic_angle(0.0)
        .ascent(1000.0)
        .descent(-1.0)
        .cap_height(1000.0)
        .stem_v(80.0)
        .font_file2(r.font_file);
    pdf.stream(r.font_file, GLYPHLESS_TTF).pair(Name(b"Length1"), GLYPHLESS_TTF.len() as i32);
    let gid_map: Vec<u8> = [0u8, 1].repeat(0x10000);
    let gid_map = deflate(&gid_map)?;
    pdf.stream(r.cid_to_gid, &gid_map).filter(Filter::FlateDecode);
    let to_unicode = deflate(&to_unicode_cmap())?;
    pdf.stream(r.to_unicode, &to_unicode).filter(Filter::FlateDecode);
    Ok(())
}

/// The page tree and each page: its image drawn full-page and the invisible words over it.
fn write_pages(pdf: &mut Pdf, r: &Refs, pages: &[EncodedPage], advance: f32) -> Result<(), PdfaError> {
    pdf.pages(r.page_tree).kids(r.page_ids.iter().map(|&(p, _, _)| p)).count(pages.len() as i32);
    for (page, &(page_id, content_id, image_id)) in pages.iter().zip(&r.page_ids) {
        let img = page.image;
        {
            let mut p = pdf.page(page_id);
            p.parent(r.page_tree).media_box(Rect::new(0.0, 0.0, page.width_pt, page.height_pt)).contents(content_id);
            let mut res = p.resources();
            res.x_objects().pair(Name(b"Im0"), image_id);
            res.fonts().pair(Name(b"F1"), r.type0);
        }
        let content = deflate(&page_content(page, advance))?;
        pdf.stream(content_id, &content).filter(Filter::FlateDecode);

        let mut x = pdf.image_xobject(image_id, &img.data);
        x.filter(Filter::FlateDecode);
        x.width(img.width as i32).height(img.height as i32).bits_per_component(8).color_space_name(Name(if img.rgb { b"DeviceRGB" } else { b"DeviceGray" }));
        x.finish();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_advance_from_hmtx() {
        assert_eq!(glyph_advance(GLYPHLESS_TTF), 500.0);
    }

    #[test]
    fn cids_are_utf16_units() {
        assert_eq!(word_cids("ü€"), vec![0x00, 0xFC, 0x20, 0xAC]);
        assert_eq!(word_cids("a\u{1F600}"), vec![0x00, 0x61, 0xFF, 0xFD]);
    }

    #[test]
    fn file_id_from_sha256() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        assert_eq!(file_id(hex), (0..16u8).map(|i| i * 0x11).collect::<Vec<_>>());
        assert_eq!(file_id("abc"), b"abc".to_vec());
    }
}
