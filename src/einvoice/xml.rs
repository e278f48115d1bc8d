//! Safe XML loading (no DTD, bounded size and depth) and small roxmltree helpers.

use roxmltree::{Document, Node, ParsingOptions};
use rust_decimal::Decimal;
use std::str::FromStr;

use super::EInvoiceError;

/// Files larger than this are refused.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Element nesting deeper than this is refused.
pub const MAX_DEPTH: usize = 64;

/// Decodes the bytes to text (UTF-8, UTF-16 with BOM or ISO-8859-1/windows-1252 as declared).
pub fn decode(xml: &[u8]) -> Result<std::borrow::Cow<'_, str>, EInvoiceError> {
    if xml.len() > MAX_BYTES {
        return Err(EInvoiceError::Hostile(format!("the XML file is {} bytes, more than the limit of {} bytes", xml.len(), MAX_BYTES)));
    }
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    if xml.starts_with(b"\xFF\xFE") || xml.starts_with(b"\xFE\xFF") {
        let le = xml[0] == 0xFF;
        let units: Vec<u16> = xml[2..].chunks_exact(2).map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) }).collect();
        let s = String::from_utf16(&units).map_err(|_| EInvoiceError::Malformed("the file starts with a UTF-16 byte order mark but is not valid UTF-16".into()))?;
        let s = s.replacen("encoding=\"UTF-16\"", "encoding=\"UTF-8\"", 1).replacen("encoding='UTF-16'", "encoding='UTF-8'", 1);
        return Ok(std::borrow::Cow::Owned(s));
    }
    match std::str::from_utf8(xml) {
        Ok(s) => Ok(std::borrow::Cow::Borrowed(s)),
        Err(e) => {
            let head = String::from_utf8_lossy(&xml[..xml.len().min(200)]).to_ascii_lowercase();
            if head.contains("iso-8859-1") || head.contains("windows-1252") || head.contains("latin1") || head.contains("iso-8859-15") {
                Ok(std::borrow::Cow::Owned(xml.iter().map(|&b| b as char).collect()))
            } else {
                Err(EInvoiceError::Malformed(format!("the XML is not valid UTF-8 (invalid byte at offset {}) and declares no other supported encoding", e.valid_up_to())))
            }
        }
    }
}

/// Parses text to a document, refusing DTDs and deep nesting.
pub fn load(text: &str) -> Result<Document<'_>, EInvoiceError> {
    check_depth(text.as_bytes())?;
    let opts = ParsingOptions { allow_dtd: false, nodes_limit: 4_000_000 };
    let doc = Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => EInvoiceError::Hostile(
            "the XML contains a document type declaration (DOCTYPE/DTD); e-invoices never need one and it can \
             hide external entities (XXE) or entity expansion bombs, so the file is refused"
                .into(),
        ),
        roxmltree::Error::EntityReferenceLoop(_) => EInvoiceError::Hostile(format!("the XML expands entities recursively or excessively: {e}")),
        roxmltree::Error::NodesLimitReached => EInvoiceError::Hostile("the XML has more than 4 million nodes".into()),
        other => EInvoiceError::Malformed(format!("the file is not well-formed XML: {other}")),
    })?;
    Ok(doc)
}

/// Whether an element has this local name.
fn is(n: &Node, name: &str) -> bool {
    n.is_element() && name.split('|').any(|a| n.tag_name().name() == a)
}

/// First child element with the local name (alternatives separated by `|`).
pub fn ch<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| is(c, name))
}

/// All child elements with the local name.
pub fn chs<'a, 'i: 'a>(n: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children().filter(move |c| is(c, name))
}

/// Follows a path of local names (each step may list alternatives with `|`).
pub fn path<'a, 'i>(n: Node<'a, 'i>, steps: &[&str]) -> Option<Node<'a, 'i>> {
    let mut cur = n;
    for s in steps {
        cur = ch(cur, s)?;
    }
    Some(cur)
}

/// Trimmed text of an element, None when empty.
pub fn text(n: Option<Node>) -> Option<String> {
    let n = n?;
    let mut s = String::new();
    for d in n.descendants() {
        if d.is_text() {
            s.push_str(d.text().unwrap_or(""));
        }
    }
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

/// Text with runs of whitespace collapsed to one space.
pub fn text_ws(n: Option<Node>) -> Option<String> {
    text(n).map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
}

pub fn ptext(n: Node, steps: &[&str]) -> Option<String> {
    text(path(n, steps))
}

pub fn attr(n: Option<Node>, name: &str) -> Option<String> {
    n?.attribute(name).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Parses an XML decimal (`1234.56`, `-3`, `+1.0`, `1E3`).
pub fn dec_str(s: &str) -> Option<Decimal> {
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() {
        return None;
    }
    Decimal::from_str(t).ok().or_else(|| Decimal::from_scientific(t).ok())
}

pub fn dec(n: Option<Node>) -> Option<Decimal> {
    dec_str(&text(n)?)
}

pub fn pdec(n: Node, steps: &[&str]) -> Option<Decimal> {
    dec(path(n, steps))
}

/// Normalises a date to `YYYY-MM-DD` (from CII format 102 `YYYYMMDD` or ISO).
#[allow(clippy::string_slice)] // the first eight bytes are checked ASCII digits
pub fn date_str(s: &str) -> String {
    let t = s.trim();
    let b = t.as_bytes();
    if b.len() >= 8 && b[..8].iter().all(u8::is_ascii_digit) && (b.len() == 8 || !b[8].is_ascii_digit()) {
        return format!("{}-{}-{}", &t[0..4], &t[4..6], &t[6..8]);
    }
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        // Byte 10 may fall inside a character of a hostile value: then it is not a date.
        if let Some(d) = t.get(..10) {
            return d.to_string();
        }
    }
    t.to_string()
}

/// A CII date element (`<x><udt:DateTimeString format="102">…`) or a plain date element.
pub fn date(n: Option<Node>) -> Option<String> {
    let n = n?;
    let inner = ch(n, "DateTimeString|DateString").unwrap_or(n);
    text(Some(inner)).map(|s| date_str(&s))
}

/// Decodes base64 (standard alphabet, ignores whitespace, tolerates missing padding).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine as _;
    // Producers wrap lines, leave out padding, or use the URL-safe alphabet: all are accepted.
    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent).with_decode_allow_trailing_bits(true);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
    let b = s.as_bytes();
    let compact: std::borrow::Cow<[u8]> = if memchr::memchr3(b'\n', b'\r', b' ', b).is_none() && memchr::memchr2(b'\t', b'\x0c', b).is_none() {
        b.into()
    } else if memchr::memchr2(b'\t', b'\x0c', b).is_none() {
        // Line-wrapped base64: copy the runs between line breaks (and stray spaces).
        let mut out = Vec::with_capacity(b.len());
        let mut from = 0;
        for at in memchr::memchr3_iter(b'\n', b'\r', b' ', b) {
            out.extend_from_slice(&b[from..at]);
            from = at + 1;
        }
        out.extend_from_slice(&b[from..]);
        out.into()
    } else {
        b.iter().copied().filter(|c| !c.is_ascii_whitespace()).collect::<Vec<u8>>().into()
    };
    STANDARD.decode(&compact).or_else(|_| URL_SAFE.decode(&compact)).ok()
}

/// Refuses element nesting deeper than [`MAX_DEPTH`] with a linear scan before any tree is built.
fn check_depth(b: &[u8]) -> Result<(), EInvoiceError> {
    let find = |from: usize, pat: &[u8]| b[from.min(b.len())..].windows(pat.len()).position(|w| w == pat).map(|p| p + from);
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        // Jump to the next markup: text (base64 attachments above all) is most of the bytes.
        match memchr::memchr(b'<', &b[i..]) {
            Some(p) => i += p,
            None => break,
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = find(i + 4, b"-->").map(|p| p + 3).unwrap_or(b.len());
        } else if rest.starts_with(b"<![CDATA[") {
            i = find(i + 9, b"]]>").map(|p| p + 3).unwrap_or(b.len());
        } else if rest.starts_with(b"<?") {
            i = find(i + 2, b"?>").map(|p| p + 2).unwrap_or(b.len());
        } else if rest.starts_with(b"<!") {
            i += 2;
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i += 2;
        } else {
            // A start tag: find its end, skipping quoted attribute values.
            let mut j = i + 1;
            let mut quote = 0u8;
            while j < b.len() {
                let c = b[j];
                if quote != 0 {
                    if c == quote {
                        quote = 0;
                    }
                } else if c == b'"' || c == b'\'' {
                    quote = c;
                } else if c == b'>' {
                    break;
                }
                j += 1;
            }
            if j < b.len() && b[j - 1] != b'/' {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(EInvoiceError::Hostile(format!("elements are nested more than {MAX_DEPTH} levels deep; no e-invoice needs that")));
                }
            }
            i = j + 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::date_str;

    #[test]
    fn dates_are_normalised_and_hostile_ones_kept_as_they_are() {
        assert_eq!(date_str("20250626"), "2025-06-26");
        assert_eq!(date_str(" 2025-06-26T10:00:00 "), "2025-06-26");
        // Byte 10 inside a character: not a date, and no panic.
        assert_eq!(date_str("2025-06-2é6"), "2025-06-2é6");
    }
}
