//! Entry points for the fuzzers: each takes arbitrary bytes and reads them as one kind of
//! untrusted input, the way intake does, and must return without a panic whatever the bytes.
//!
//! Two drivers call them: `fuzz/` (cargo fuzz, libFuzzer, coverage-guided; long runs with
//! `scripts/fuzz.sh TARGET MINUTES`) and `tests/fuzz.rs` (the bounded run in the test suite,
//! on stable: the seed corpora in `fuzz/seeds/`, every crash found so far in
//! `fuzz/regressions/`, and a few thousand mutations of them). One function per target, so a
//! crash found by either reproduces in the other.
//!
//! Guards that turn a panic into an error (the pipeline's, the e-mail reader's) would hide
//! what a fuzzer is looking for, so a target that goes through one asserts that it did not
//! fire: a caught panic is a crash here.

use crate::document::Document;
use crate::index::{Channel, ErrorKind};
use crate::limits::Limits;
use crate::pages;
use crate::vocab::MediaType;

/// A fuzz target: reads the bytes, returns, never panics.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/fuzz_targets/*.rs` and `scripts/fuzz.sh` name them.
pub const TARGETS: [(&str, Target); 6] = [("pdf", pdf), ("image", image), ("einvoice", einvoice), ("email", email), ("upload", upload), ("config", config)];

/// Limits small enough that a fuzzer's input cannot make one run take seconds.
fn limits() -> Limits {
    Limits { max_file_bytes: 4 * 1024 * 1024, max_pages: 20, max_pixels: 4_000_000, email_max_depth: 5, email_max_parts: 200 }
}

/// A PDF as intake gets it: the media type sniffed, the embedded e-invoice looked for, the
/// text layer read (pdfium; image pages are not rendered — OCR is Tesseract's, not ours).
pub fn pdf(data: &[u8]) {
    let doc = Document::new(data.to_vec(), Channel::File, "fuzz.pdf".into());
    if doc.media_type != MediaType::Pdf {
        return;
    }
    let _ = pages::pdf::embedded_invoice_xml(data);
    let _ = pages::pdf::produce_text_only(data, &limits(), &mut |_| true);
}

/// An image file: the first byte picks PNG, JPEG or TIFF (so that each decoder sees every
/// input, whatever its magic bytes), the rest is the file. Headers are checked against the
/// pixel limit before anything is decoded.
pub fn image(data: &[u8]) {
    let Some((&pick, file)) = data.split_first() else { return };
    let media = [MediaType::Png, MediaType::Jpeg, MediaType::Tiff][pick as usize % 3];
    let _ = pages::image::produce(file, media, &limits(), &mut |_| true);
}

/// An e-invoice XML (CII, UBL, XRechnung): parsed, mapped to the index's fields, lines and
/// VAT rows, checked, and written back as CII where it is complete enough.
pub fn einvoice(data: &[u8]) {
    let Ok(e) = crate::einvoice::parse(data) else { return };
    let _ = e.fields();
    let _ = e.line_items();
    let _ = e.vat_breakdown();
    let _ = e.checks();
    let _ = e.index_json();
    let _ = crate::einvoice::export::write_cii(&e);
}

/// An e-mail: its MIME structure read (inside the reader's panic guard, which must not
/// fire), then unfolded into the documents it carries.
pub fn email(data: &[u8]) {
    let limits = limits();
    let read = crate::mail::read(data, &limits);
    if let Err(p) = &read {
        assert!(p.kind != ErrorKind::Internal, "the e-mail reader panicked: {}", p.message);
    }
    let doc = Document::new(data.to_vec(), Channel::Email, "fuzz.eml".into());
    let parsed = Some(read);
    let _ = crate::mail::unfold(&doc, parsed.as_ref(), &limits);
}

/// An HTTP upload: the bytes are the body of a `multipart/form-data` request (boundary
/// `fuzz`) and, in a second request, of a raw upload, both read by the upload handler's
/// parser with a small size limit.
pub fn upload(data: &[u8]) {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime");
    rt.block_on(async {
        for (content_type, is_form) in [("multipart/form-data; boundary=fuzz", true), ("application/octet-stream", false)] {
            let request = axum::http::Request::builder()
                .method("POST")
                .uri("/documents")
                .header("content-type", content_type)
                .header("x-filename", "fuzz%2F..%2Frechnung.pdf")
                .body(axum::body::Body::from(data.to_vec()))
                .expect("a well-formed request");
            let _ = crate::intake::http::read_upload(request, is_form, 64 * 1024).await;
        }
    });
}

/// The configuration file (TOML): parsed and checked; the lists and split policies it
/// names are parsed too.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = crate::config::Config::parse(text, "fuzz.toml");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_takes_empty_and_tiny_inputs() {
        for (name, target) in TARGETS {
            for input in [&b""[..], b"\0", b"%PDF-1.4\n", b"<?xml version=\"1.0\"?>", b"From: a\r\n\r\nb", b"--fuzz\r\n"] {
                let caught = std::panic::catch_unwind(|| target(input));
                assert!(caught.is_ok(), "{name} panicked on {input:?}");
            }
        }
    }
}
