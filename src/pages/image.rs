//! Image files (PNG, JPEG, TIFF with any number of pages) as pages for OCR.
//!
//! Dimensions are checked against [`Limits`] before any pixel is decoded, so a
//! decompression bomb is refused without allocating its pixels.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader};

use super::{Limits, Outline, PageContent, PageImage, PagesError};
use crate::document::MediaType;
use crate::index::ErrorKind;

/// DPI assumed when an image does not say.
pub const DEFAULT_DPI: f32 = 300.0;

pub fn produce(bytes: &[u8], media: MediaType, limits: &Limits, sink: &mut dyn FnMut(PageContent) -> bool) -> Result<Outline, PagesError> {
    match media {
        MediaType::Tiff => produce_tiff(bytes, limits, sink),
        _ => {
            let dpi = match media {
                MediaType::Png => png_dpi(bytes),
                MediaType::Jpeg => jpeg_dpi(bytes),
                _ => None,
            }
            .unwrap_or(DEFAULT_DPI);
            let image = decode_single(bytes, limits)?;
            sink(PageContent::Image(PageImage { number: 1, image, dpi }));
            Ok(Outline { pages: 1 })
        }
    }
}

/// No page is wider or taller than this (A0 at 600 dpi is 19,866 × 28,087 pixels). A longer
/// side is refused before decoding, whatever the pixel count: zune-jpeg 0.5 computes the
/// MCU count of a 65,535-pixel-wide JPEG in 16 bits and overflows (found by the `image` fuzz
/// target, `fuzz/regressions/image/`).
pub const MAX_SIDE: u32 = 32_000;

/// The dimensions a page image may have: within the pixel limit, no side longer than
/// [`MAX_SIDE`], none empty.
fn check_dimensions(w: u32, h: u32, limits: &Limits) -> Result<(), PagesError> {
    if w as u64 * h as u64 > limits.max_pixels {
        return Err(bomb(w as u64, h as u64, limits));
    }
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(PagesError::new(ErrorKind::TooLarge, format!("the image declares {w}×{h} pixels: a side longer than {MAX_SIDE} pixels is no page; it was not decoded")));
    }
    if w == 0 || h == 0 {
        return Err(PagesError::new(ErrorKind::Corrupt, "the image has no pixels"));
    }
    Ok(())
}

fn bomb(w: u64, h: u64, limits: &Limits) -> PagesError {
    PagesError::new(ErrorKind::DecompressionBomb, format!("the image declares {w}×{h} pixels, more than the limit of {} pixels per page; it was not decoded", limits.max_pixels))
}

fn decode_single(bytes: &[u8], limits: &Limits) -> Result<DynamicImage, PagesError> {
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| PagesError::new(ErrorKind::Corrupt, format!("cannot read the image: {e}")))?;
    let decoder = reader.into_decoder().map_err(|e| PagesError::new(ErrorKind::Corrupt, format!("cannot read the image header: {e}")))?;
    let (w, h) = decoder.dimensions();
    check_dimensions(w, h, limits)?;
    DynamicImage::from_decoder(decoder).map_err(|e| PagesError::new(ErrorKind::Corrupt, format!("the image is damaged or truncated: {e}")))
}

fn produce_tiff(bytes: &[u8], limits: &Limits, sink: &mut dyn FnMut(PageContent) -> bool) -> Result<Outline, PagesError> {
    use tiff::decoder::{Decoder, DecodingResult};
    let corrupt = |e: tiff::TiffError| PagesError::new(ErrorKind::Corrupt, format!("the TIFF is damaged or truncated: {e}"));
    let mut tiff_limits = tiff::decoder::Limits::default();
    tiff_limits.decoding_buffer_size = (limits.max_pixels * 4) as usize;
    tiff_limits.intermediate_buffer_size = (limits.max_pixels * 4) as usize;
    let mut dec = Decoder::new(Cursor::new(bytes)).map_err(corrupt)?.with_limits(tiff_limits);
    let mut number = 0u32;
    loop {
        number += 1;
        if number > limits.max_pages {
            return Err(PagesError::new(ErrorKind::TooLarge, format!("the TIFF has more than {} pages", limits.max_pages)));
        }
        let (w, h) = dec.dimensions().map_err(corrupt)?;
        check_dimensions(w, h, limits)?;
        let dpi = tiff_dpi(&mut dec).unwrap_or(super::image::DEFAULT_DPI);
        let color = dec.colortype().map_err(corrupt)?;
        let data = dec.read_image().map_err(|e| match e {
            tiff::TiffError::LimitsExceeded => bomb(w as u64, h as u64, limits),
            other => corrupt(other),
        })?;
        let image = tiff_to_image(w, h, color, data).ok_or_else(|| PagesError::new(ErrorKind::UnsupportedFormat, format!("TIFF page {number} uses an unsupported colour type {color:?}")))?;
        if !sink(PageContent::Image(PageImage { number, image, dpi })) {
            break;
        }
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(corrupt)?;
        let _ = DecodingResult::U8(Vec::new()); // keep the enum in scope for the match above
    }
    Ok(Outline { pages: number })
}

fn tiff_to_image(w: u32, h: u32, color: tiff::ColorType, data: tiff::decoder::DecodingResult) -> Option<DynamicImage> {
    use tiff::decoder::DecodingResult as D;
    use tiff::ColorType as C;
    match (color, data) {
        (C::Gray(8), D::U8(v)) => image::GrayImage::from_raw(w, h, v).map(DynamicImage::ImageLuma8),
        (C::Gray(1), D::U8(v)) => {
            // Bilevel (fax): one bit per pixel, rows padded to bytes; 0 = black for BlackIsZero.
            let row = w.div_ceil(8) as usize;
            let mut out = image::GrayImage::new(w, h);
            for y in 0..h as usize {
                for x in 0..w as usize {
                    let bit = v.get(y * row + x / 8)? >> (7 - (x % 8)) & 1;
                    out.put_pixel(x as u32, y as u32, image::Luma([if bit == 1 { 255 } else { 0 }]));
                }
            }
            Some(DynamicImage::ImageLuma8(out))
        }
        (C::Gray(16), D::U16(v)) => image::ImageBuffer::from_raw(w, h, v).map(DynamicImage::ImageLuma16),
        (C::RGB(8), D::U8(v)) => image::RgbImage::from_raw(w, h, v).map(DynamicImage::ImageRgb8),
        (C::RGBA(8), D::U8(v)) => image::RgbaImage::from_raw(w, h, v).map(DynamicImage::ImageRgba8),
        _ => None,
    }
}

fn tiff_dpi<R: std::io::Read + std::io::Seek>(dec: &mut tiff::decoder::Decoder<R>) -> Option<f32> {
    use tiff::tags::Tag;
    let x = dec.get_tag_f64(Tag::XResolution).ok()?;
    let unit = dec.get_tag_u32(Tag::ResolutionUnit).unwrap_or(2);
    let dpi = match unit {
        3 => x * 2.54,
        2 => x,
        _ => return None,
    };
    (50.0..=2400.0).contains(&dpi).then_some(dpi as f32)
}

/// DPI from a PNG `pHYs` chunk (pixels per metre).
fn png_dpi(bytes: &[u8]) -> Option<f32> {
    let mut pos = 8;
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        if kind == b"pHYs" && pos + 8 + 9 <= bytes.len() {
            let d = &bytes[pos + 8..pos + 17];
            let ppm = u32::from_be_bytes(d[0..4].try_into().ok()?);
            if d[8] == 1 && ppm > 0 {
                let dpi = ppm as f32 * 0.0254;
                return (50.0..=2400.0).contains(&dpi).then_some(dpi.round());
            }
            return None;
        }
        if kind == b"IDAT" {
            return None;
        }
        pos += 12 + len;
    }
    None
}

/// DPI from a JPEG JFIF APP0 segment.
fn jpeg_dpi(bytes: &[u8]) -> Option<f32> {
    let app0 = bytes.get(2..20)?;
    if app0[0] != 0xFF || app0[1] != 0xE0 || &app0[4..9] != b"JFIF\0" {
        return None;
    }
    let unit = app0[11];
    let x = u16::from_be_bytes([app0[12], app0[13]]) as f32;
    let dpi = match unit {
        1 => x,
        2 => x * 2.54,
        _ => return None,
    };
    (50.0..=2400.0).contains(&dpi).then_some(dpi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(w: u32, h: u32) -> Vec<u8> {
        let img = image::GrayImage::from_pixel(w, h, image::Luma([255]));
        let mut out = Vec::new();
        DynamicImage::ImageLuma8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn refuses_images_above_the_pixel_limit_before_decoding() {
        let bytes = png_of(400, 300);
        let limits = Limits { max_pixels: 100_000, ..Limits::default() };
        let err = produce(&bytes, MediaType::Png, &limits, &mut |_| true).unwrap_err();
        assert_eq!(err.kind, ErrorKind::DecompressionBomb);
        let ok = produce(&bytes, MediaType::Png, &Limits::default(), &mut |_| true).unwrap();
        assert_eq!(ok.pages, 1);
    }

    #[test]
    fn a_jpeg_wider_than_any_page_is_refused_before_its_decoder_overflows() {
        // Found by the fuzzer: 65,535 × 7 pixels, few enough for the pixel limit; its first
        // byte picked the JPEG decoder.
        let found = include_bytes!("../../fuzz/regressions/image/zune-jpeg-u16-width-overflow.bin");
        let err = produce(&found[1..], MediaType::Jpeg, &Limits::default(), &mut |_| true).unwrap_err();
        assert_eq!(err.kind, ErrorKind::TooLarge, "{}", err.message);
        assert!(err.message.contains("65535×7"), "{}", err.message);
    }

    #[test]
    fn truncated_png_is_corrupt() {
        let bytes = png_of(200, 200);
        let err = produce(&bytes[..bytes.len() / 2], MediaType::Png, &Limits::default(), &mut |_| true).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Corrupt);
    }
}
