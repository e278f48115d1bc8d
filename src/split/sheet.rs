//! The patch sheet: an A4 page with a large QR code of the text that sources look for
//! (`mailroom split sheet`), to print and put between the letters of a stack. Its bytes
//! depend on the text alone.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use qrcode::{Color, EcLevel, QrCode};

/// Why no sheet was written.
#[derive(Debug, thiserror::Error)]
#[error("no QR code for that text: {0}")]
pub struct SheetError(String);

/// The patch sheet as a PDF.
pub fn pdf(text: &str) -> Result<Vec<u8>, SheetError> {
    // High error correction: a sheet that went through the scanner a hundred times still reads.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::H).map_err(|e| SheetError(e.to_string()))?;
    let n = code.width();
    let (w, h) = (595.0f32, 842.0f32);
    let side = 340.0f32; // 12 cm
    let module = side / n as f32;
    let (x0, y0) = ((w - side) / 2.0, (h - side) / 2.0 + 40.0);
    let mut c = Content::new();
    c.set_fill_gray(0.0);
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (col, row) = ((i % n) as f32, (i / n) as f32);
            c.rect(x0 + col * module, y0 + side - (row + 1.0) * module, module, module);
        }
    }
    c.fill_nonzero();
    for (y, size, line) in [(y0 + side + 60.0, 28.0, "TRENNBLATT  ·  SEPARATOR SHEET"), (y0 - 50.0, 12.0, "mailroom: a new letter begins after this sheet"), (y0 - 70.0, 10.0, text)] {
        c.begin_text();
        c.set_font(Name(b"F1"), size);
        let width = line.chars().count() as f32 * size * 0.55;
        c.next_line((w - width) / 2.0, y);
        c.show(Str(line.as_bytes()));
        c.end_text();
    }
    let content = c.finish();
    let (catalog, tree, page, font, contents) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.parent(tree).media_box(Rect::new(0.0, 0.0, w, h)).contents(contents);
    p.resources().fonts().pair(Name(b"F1"), font);
    p.finish();
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    pdf.stream(contents, &content);
    Ok(pdf.finish())
}
