//! Batch scans made for the tests: a stack of letters (text pages) and scanned sheets
//! (image pages: blank paper with dust, QR patch sheets), as one PDF.

use std::io::Write;

use image::{GrayImage, Luma};
use pdf_writer::{Content, Filter, Name, Pdf, Rect, Ref, Str};

pub const PATCH: &str = "MAILROOM-SEPARATOR";

pub enum Sheet {
    Text(Vec<String>),
    Image(GrayImage),
}

/// A stack as a scanner would write it: one PDF, a page per sheet (text pages stand for
/// letters with a text layer, image pages for what was only scanned).
pub fn stack_pdf(sheets: &[Sheet]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree) = (Ref::new(1), Ref::new(2));
    let font = Ref::new(3);
    let mut next = 4;
    let mut alloc = || {
        next += 1;
        Ref::new(next)
    };
    let ids: Vec<(Ref, Ref, Ref)> = sheets.iter().map(|_| (alloc(), alloc(), alloc())).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(ids.iter().map(|i| i.0)).count(sheets.len() as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    for (sheet, &(page_id, content_id, image_id)) in sheets.iter().zip(&ids) {
        let mut c = Content::new();
        match sheet {
            Sheet::Text(lines) => {
                for (k, line) in lines.iter().enumerate() {
                    c.begin_text();
                    c.set_font(Name(b"F1"), 11.0);
                    c.next_line(60.0, 780.0 - 16.0 * k as f32);
                    // WinAnsi: Latin-1 for the letters a German letter needs (ä, ö, ü, ß).
                    let latin1: Vec<u8> = line.chars().map(|ch| u8::try_from(u32::from(ch)).unwrap_or(b'?')).collect();
                    c.show(Str(&latin1));
                    c.end_text();
                }
            }
            Sheet::Image(_) => {
                c.save_state();
                c.transform([595.0, 0.0, 0.0, 842.0, 0.0, 0.0]);
                c.x_object(Name(b"Im0"));
                c.restore_state();
            }
        }
        let content = c.finish();
        {
            let mut page = pdf.page(page_id);
            page.parent(tree).media_box(Rect::new(0.0, 0.0, 595.0, 842.0)).contents(content_id);
            let mut res = page.resources();
            res.fonts().pair(Name(b"F1"), font);
            if matches!(sheet, Sheet::Image(_)) {
                res.x_objects().pair(Name(b"Im0"), image_id);
            }
        }
        pdf.stream(content_id, &content);
        if let Sheet::Image(img) = sheet {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(img.as_raw()).unwrap();
            let data = z.finish().unwrap();
            let mut x = pdf.image_xobject(image_id, &data);
            x.filter(Filter::FlateDecode);
            x.width(img.width() as i32).height(img.height() as i32);
            x.color_space().device_gray();
            x.bits_per_component(8);
        }
    }
    pdf.finish()
}

/// Scanner paper at 150 dpi: not white, with dust.
pub fn paper(seed: u32) -> GrayImage {
    let (w, h) = (1240u32, 1754u32);
    let mut img = GrayImage::from_fn(w, h, |x, y| Luma([232 + ((x * 7 + y * 13 + seed) % 9) as u8]));
    let mut s = seed.wrapping_add(1);
    for _ in 0..300 {
        s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let (x, y) = ((s >> 8) % w, (s >> 4) % h);
        img.put_pixel(x, y, Luma([30]));
    }
    // The feeder's shadow along the edge, inside the margin that does not count.
    for y in 0..h {
        for x in 0..12 {
            img.put_pixel(x, y, Luma([90]));
        }
    }
    img
}

pub fn patch_sheet(seed: u32) -> GrayImage {
    let mut img = paper(seed);
    let code = qrcode::QrCode::with_error_correction_level(PATCH.as_bytes(), qrcode::EcLevel::H).unwrap();
    let n = code.width() as u32;
    let module = 700 / n;
    let (x0, y0) = ((1240 - n * module) / 2, 500);
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (cx, cy) = (i as u32 % n, i as u32 / n);
            for y in 0..module {
                for x in 0..module {
                    img.put_pixel(x0 + cx * module + x, y0 + cy * module + y, Luma([25]));
                }
            }
        }
    }
    img
}

/// A letter's last page that holds one short line: little ink, but no separator.
pub fn nearly_empty_page(seed: u32) -> GrayImage {
    let mut img = paper(seed);
    for c in 0..9u32 {
        for y in 300..318 {
            for x in (140 + c * 16)..(140 + c * 16 + 10) {
                if (x + y) % 3 != 0 {
                    img.put_pixel(x, y, Luma([35]));
                }
            }
        }
    }
    img
}

/// Letter `k` of `pages` pages, page `p` (1-based): an invoice of its own supplier.
pub fn letter_page(k: usize, p: usize, pages: usize) -> Vec<String> {
    let sellers = [
        "Muster Buerobedarf GmbH",
        "Elektro Schulz KG",
        "Druckerei Weber e.K.",
        "Hansen Logistik GmbH",
        "Gartenbau Krause",
        "IT-Service Nord GmbH",
        "Baeckerei Lang",
        "Kanzlei Roth & Partner",
        "Autohaus Becker GmbH",
    ];
    let seller = sellers[k % sellers.len()];
    let mut l = Vec::new();
    if p == 1 {
        l.push(format!("{seller} - Hauptstrasse {} - 1011{k} Berlin", k + 3));
        l.push(String::new());
        l.push("Firma Beispiel AG".into());
        l.push("Lindenweg 7".into());
        l.push("20095 Hamburg".into());
        l.push(String::new());
        l.push("Rechnung".into());
        l.push(format!("Rechnungsnummer: RE-2025-{:04}", 100 + k));
        l.push(format!("Rechnungsdatum: {:02}.06.2025", 2 + k));
        l.push("Sehr geehrte Damen und Herren, wir berechnen Ihnen:".into());
    } else {
        l.push(format!("{seller} - Rechnung RE-2025-{:04}", 100 + k));
        l.push(format!("Uebertrag von Seite {}: {}.000,00 EUR", p - 1, p));
    }
    for i in 0..6 {
        l.push(format!("Pos. {} Artikel {}-{} Menge {} Preis {},50 EUR", (p - 1) * 6 + i + 1, k, i, i + 1, 10 + i));
    }
    if p == pages {
        l.push(format!("Gesamtbetrag: {}.190,00 EUR", k + 1));
        l.push("Zahlbar innerhalb von 14 Tagen.".into());
        l.push("Mit freundlichen Gruessen".into());
        l.push(seller.into());
    } else {
        l.push(format!("Uebertrag: {}.000,00 EUR", p + 1));
    }
    l.push(format!("Seite {p} von {pages}"));
    l
}
