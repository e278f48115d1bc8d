//! A received document: its original bytes, exactly as they arrived, and their SHA-256.
//!
//! Nothing downstream may alter `bytes`; every later stage works on copies or on what it
//! derives from them. The SHA-256 is the document's identity everywhere (archive keys,
//! index `id`, de-duplication).

use sha2::{Digest, Sha256};

use crate::index::{Channel, Source};
use crate::vocab::DocumentId;

pub use crate::vocab::MediaType;

/// Everything derived from a document that is kept beside its original: what the reading
/// stages produce and the archive stores.
#[derive(Debug, Default)]
pub struct Artefacts {
    /// Searchable PDF/A-2b, for scanned and image documents.
    pub pdfa: Option<Vec<u8>>,
    /// The read pages (words, lines, blocks) as JSON.
    pub words: Option<Vec<u8>>,
    /// Further files (an e-invoice's XML, attachments embedded in it): (file name, bytes).
    pub attachments: Vec<(String, Vec<u8>)>,
    /// Documents of their own that came inside this one (an e-mail's attachments), by id and
    /// media type: the archive lists their originals' keys in the index beside the
    /// attachments; they are stored by their own processing.
    pub linked: Vec<(String, MediaType)>,
}

/// Judging by content is the document stage's job; the type itself is vocabulary.
impl MediaType {
    pub fn sniff(bytes: &[u8]) -> MediaType {
        if bytes.starts_with(b"%PDF-") {
            return MediaType::Pdf;
        }
        // Before the looser PDF test below: an e-mail may carry a PDF unencoded in its first KiB.
        if looks_like_email(bytes) {
            return MediaType::Email;
        }
        // PDF readers accept the header within the first KiB; so do we.
        let head = &bytes[..bytes.len().min(1024)];
        if head.windows(5).any(|w| w == b"%PDF-") {
            return MediaType::Pdf;
        }
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return MediaType::Png;
        }
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return MediaType::Jpeg;
        }
        if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            return MediaType::Tiff;
        }
        if looks_like_xml(bytes) {
            return MediaType::Xml;
        }
        MediaType::Unknown
    }
}

fn looks_like_xml(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(text.len());
    text[start..].starts_with(b"<")
}

/// An e-mail starts with its header block: `Name: value` fields (a folded line starts with
/// blank space) up to an empty line. We want a `From:` field and one more that only messages
/// carry, so that a text file with a colon in its first line is not taken for an e-mail.
fn looks_like_email(bytes: &[u8]) -> bool {
    const LOOK_AT: usize = 64 * 1024; // long Received: chains fit
    let head = &bytes[..bytes.len().min(LOOK_AT)];
    let cut = bytes.len() > LOOK_AT;
    let (mut from, mut other) = (false, false);
    let mut lines = head.split(|&b| b == b'\n').peekable();
    let mut first = true;
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break; // the end of the header block
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if first {
                return false;
            }
        } else {
            match line.iter().position(|&b| b == b':') {
                Some(colon) if colon > 0 && line[..colon].iter().all(|b| (33..=126).contains(b)) => match line[..colon].to_ascii_lowercase().as_slice() {
                    b"from" => from = true,
                    b"date" | b"message-id" | b"mime-version" | b"subject" | b"to" | b"received" | b"return-path" => other = true,
                    _ => {}
                },
                // A line cut off where we stopped looking proves nothing either way.
                _ if last && cut => break,
                _ => return false,
            }
        }
        first = false;
    }
    from && other
}

/// One received document.
#[derive(Debug, Clone)]
pub struct Document {
    pub bytes: Vec<u8>,
    /// The document id: the SHA-256 of `bytes`.
    pub sha256: DocumentId,
    pub media_type: MediaType,
    pub source: Source,
}

impl Document {
    pub fn new(bytes: Vec<u8>, channel: Channel, name: String) -> Document {
        let sha256 = DocumentId::of(&bytes);
        let media_type = MediaType::sniff(&bytes);
        let source = Source {
            channel,
            name,
            media_type,
            size: bytes.len() as u64,
            received_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            parent: None,
            parent_pages: None,
            split: None,
        };
        Document { bytes, sha256, media_type, source }
    }

    /// A document that came inside `parent` (an e-mail's attachment, a forwarded e-mail):
    /// channel `email`, the parent's id, and the parent's time of receipt.
    pub fn attached(bytes: Vec<u8>, name: String, parent: &Document) -> Document {
        let mut doc = Document::new(bytes, Channel::Email, name);
        doc.source.received_at = parent.source.received_at.clone();
        doc.source.parent = Some(parent.sha256.clone());
        // From a scanner's mailbox: what it attaches is a batch scan too.
        doc.source.split = parent.source.split.clone();
        doc
    }
}

impl Document {
    /// A document read back from the archive: the bytes as stored, the source as first
    /// recorded (name, channel, time of receipt).
    pub fn restored(bytes: Vec<u8>, mut source: Source) -> Document {
        let sha256 = DocumentId::of(&bytes);
        let media_type = MediaType::sniff(&bytes);
        source.size = bytes.len() as u64;
        Document { bytes, sha256, media_type, source }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n..."), MediaType::Pdf);
        assert_eq!(MediaType::sniff(b"\x89PNG\r\n\x1a\nxxxx"), MediaType::Png);
        assert_eq!(MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), MediaType::Jpeg);
        assert_eq!(MediaType::sniff(b"II*\0abcd"), MediaType::Tiff);
        assert_eq!(MediaType::sniff(b"\xEF\xBB\xBF  <?xml version='1.0'?>"), MediaType::Xml);
        assert_eq!(MediaType::sniff(b"From: a@example.com\r\nSubject: x\r\n\r\nbody"), MediaType::Email);
        assert_eq!(MediaType::sniff(b"Received: from mx\n  by mx2\nFrom: a@example.com\nDate: now\n\n%PDF-1.4"), MediaType::Email);
        assert_eq!(MediaType::sniff(b"Subject: no sender\n\nbody"), MediaType::Unknown, "From: is required");
        assert_eq!(MediaType::sniff(b"Dear Sir,\nFrom: me\nDate: today\n"), MediaType::Unknown, "a letter is not a header block");
        assert_eq!(MediaType::sniff(b"hello"), MediaType::Unknown);
        assert_eq!(MediaType::sniff(b""), MediaType::Unknown);
    }

    #[test]
    fn identity_is_sha256_of_the_bytes() {
        let doc = Document::new(b"abc".to_vec(), Channel::File, "a.pdf".into());
        assert_eq!(doc.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(doc.source.size, 3);
    }
}
