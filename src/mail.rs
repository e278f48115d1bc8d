//! E-mail: one message (RFC 5322 / MIME, an `.eml` file) in, what is in it out.
//!
//! An incoming business e-mail is a business letter (GoBD): it is archived byte for byte like
//! every document, and its readable body — the text part, or the HTML part as text — becomes
//! its pages, so it is classified like any letter. Each attachment that is a document (PDF,
//! image, e-invoice XML; judged by content) and each forwarded e-mail becomes a document of its
//! own ([`unfold`]): channel `email`, its file name, and the e-mail's id as `source.parent`.
//!
//! Only the bytes of one message are needed, not where they came from: files, the hot folder
//! and uploads feed this module today, and an IMAP source could feed it the same way.
//!
//! mail-parser parses, and forgives a lot. What it forgives and we must not — because part of
//! a letter would be lost without anybody noticing — is checked here: a multipart cut off
//! before its closing boundary, a part whose base64 or quoted-printable cannot be decoded, an
//! attached e-mail that cannot be read, absurd nesting or part counts. Such an e-mail is
//! quarantined with the reason (its original is kept as received); the attachments that could
//! be read are still delivered.

use std::collections::HashSet;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Addr, HeaderName, Message, MessageParser, MessagePart, MimeHeaders, PartType};

use crate::document::{sha256_hex, Document, MediaType};
use crate::index::ErrorKind;
use crate::limits::Limits;

/// Why an e-mail cannot be processed as it is; the message says what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ErrorKind,
    pub message: String,
}

impl Problem {
    fn corrupt(message: impl Into<String>) -> Problem {
        Problem { kind: ErrorKind::Corrupt, message: message.into() }
    }
    fn too_large(message: impl Into<String>) -> Problem {
        Problem { kind: ErrorKind::TooLarge, message: message.into() }
    }
}

/// What an attachment is, judged by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A PDF, an image or an e-invoice XML: a document of its own.
    Document,
    /// A forwarded e-mail: a document of its own, whose attachments are unfolded in turn.
    Email,
    /// Anything else (office files, calendar entries, …): kept only inside the e-mail.
    Other,
}

#[derive(Debug, Clone)]
pub struct Attachment {
    /// The file name the sender gave it (without folders), or `attachment-<n>.<ext>`.
    pub name: String,
    /// Decoded (base64 / quoted-printable undone), otherwise exactly as sent.
    pub bytes: Vec<u8>,
    pub kind: Kind,
}

/// What one e-mail holds.
#[derive(Debug, Clone)]
pub struct Email {
    /// Subject, sender and date, then the body as text: what its pages show.
    pub text: String,
    pub attachments: Vec<Attachment>,
    /// What is wrong with it. Any problem puts the e-mail itself in quarantine.
    pub problems: Vec<Problem>,
}

impl Email {
    /// Every problem in one, for the quarantine record (with the first problem's kind).
    pub fn problem(&self) -> Option<Problem> {
        let first = self.problems.first()?;
        let message = self.problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; ");
        Some(Problem { kind: first.kind, message })
    }

    /// The attachments that become documents of their own: their ids and media types.
    pub fn documents(&self) -> Vec<(String, MediaType)> {
        self.attachments.iter().filter(|a| a.kind != Kind::Other).map(|a| (sha256_hex(&a.bytes), MediaType::sniff(&a.bytes))).collect()
    }

    /// Names of the attachments that are not documents mailroom reads.
    pub fn other_names(&self) -> Vec<&str> {
        self.attachments.iter().filter(|a| a.kind == Kind::Other).map(|a| a.name.as_str()).collect()
    }
}

/// What reading a document as an e-mail gave: the message, or why nothing could be read.
pub type Parsed = Result<Email, Problem>;

/// Parses `doc` as an e-mail, once, where it enters; `None` when it is no e-mail. The result
/// travels on with the document to the pages (its body), the pipeline (its attachment
/// checks) and the processor (its attachments, documents of their own).
pub fn parse(doc: &Document, limits: &Limits) -> Option<Parsed> {
    if doc.media_type != MediaType::Email {
        return None;
    }
    if doc.bytes.len() as u64 > limits.max_file_bytes {
        return Some(Err(Problem::too_large(format!("the e-mail has {} bytes, more than the limit of {} bytes", doc.bytes.len(), limits.max_file_bytes))));
    }
    Some(read(&doc.bytes, limits))
}

/// Reads one e-mail. `Err` when nothing can be read from it at all. A panic inside the MIME
/// parser (hostile input) is caught here and becomes an `internal` problem, so an e-mail
/// can never take down the run that unfolds it.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Email, Problem> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_unguarded(bytes, limits))) {
        Ok(r) => r,
        Err(_) => Err(Problem { kind: ErrorKind::Internal, message: "internal error while reading the e-mail; the original is kept — please report this".into() }),
    }
}

fn read_unguarded(bytes: &[u8], limits: &Limits) -> Result<Email, Problem> {
    // Counted before parsing: the parser keeps nested messages inline, and a hostile mail with
    // thousands of levels must not get that far.
    let declared = count_content_types(bytes);
    if declared > limits.email_max_parts as usize {
        return Err(too_many_parts(declared, limits));
    }
    let message = MessageParser::default().parse(bytes).ok_or_else(|| Problem::corrupt("no e-mail header block could be read; the file may not be an e-mail or may be damaged"))?;
    let mut problems = Vec::new();
    let (parts, depth) = structure(&message);
    if parts > limits.email_max_parts as usize {
        problems.push(too_many_parts(parts, limits));
    }
    let too_deep = depth > limits.email_max_depth;
    if too_deep {
        problems.push(Problem::too_large(format!(
            "forwarded e-mails are nested {depth} levels deep, more than the limit of {} (intake.email.max_depth); the forwarded e-mails were not unpacked",
            limits.email_max_depth
        )));
    }
    check_multiparts(&message, &mut problems);
    let attachments = attachments(&message, !too_deep, &mut problems);
    Ok(Email { text: readable_text(&message), attachments, problems })
}

/// The documents that came inside `doc`, each parent before its attachments: an e-mail's
/// document attachments and forwarded e-mails, and theirs in turn, up to the nesting limit,
/// each with its own e-mail parsed when it is one. `email` is `doc`'s own, as [`parse`] gave
/// it. Nothing for a document that is not an e-mail or cannot be read as one (it is
/// quarantined on its own). A document attached twice comes once.
pub fn unfold(doc: &Document, email: Option<&Parsed>, limits: &Limits) -> Vec<(Document, Option<Parsed>)> {
    let mut seen = HashSet::from([doc.sha256.clone()]);
    let mut found: Vec<(Document, Option<Parsed>, u32)> = Vec::new();
    let mut take = |kids: Vec<Document>, level: u32, found: &mut Vec<(Document, Option<Parsed>, u32)>| {
        for child in kids.into_iter().filter(|c| seen.insert(c.sha256.clone())) {
            let parsed = parse(&child, limits);
            found.push((child, parsed, level));
        }
    };
    take(children(doc, email), 1, &mut found);
    let mut next = 0;
    while next < found.len() {
        let (parent, parsed, level) = &found[next];
        if *level <= limits.email_max_depth {
            let (kids, level) = (children(parent, parsed.as_ref()), level + 1);
            take(kids, level, &mut found);
        }
        next += 1;
    }
    found.into_iter().map(|(d, p, _)| (d, p)).collect()
}

/// The attachments of one e-mail that become documents of their own.
fn children(parent: &Document, email: Option<&Parsed>) -> Vec<Document> {
    let Some(Ok(email)) = email else { return Vec::new() };
    email.attachments.iter().filter(|a| a.kind != Kind::Other).map(|a| Document::attached(a.bytes.clone(), a.name.clone(), parent)).collect()
}

fn too_many_parts(n: usize, limits: &Limits) -> Problem {
    Problem::too_large(format!("the e-mail has {n} MIME parts, more than the limit of {} (intake.email.max_parts)", limits.email_max_parts))
}

/// `Content-Type:` fields at the start of a line: an upper bound of the MIME parts.
fn count_content_types(bytes: &[u8]) -> usize {
    const FIELD: &[u8] = b"content-type:";
    bytes.split(|&b| b == b'\n').filter(|l| l.len() >= FIELD.len() && l[..FIELD.len()].eq_ignore_ascii_case(FIELD)).count()
}

/// Parts in the whole tree, and how deep e-mails are nested in it (walked without recursion).
fn structure(message: &Message<'_>) -> (usize, u32) {
    let (mut parts, mut depth) = (0, 0);
    let mut stack = vec![(message, 0u32)];
    while let Some((m, d)) = stack.pop() {
        depth = depth.max(d);
        parts += m.parts.len();
        for p in &m.parts {
            if let PartType::Message(inner) = &p.body {
                stack.push((inner, d + 1));
            }
        }
    }
    (parts, depth)
}

fn content_type_name(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase(),
        None => "text/plain".into(),
    }
}

/// Every boundary that is closed somewhere (`--boundary--` on a line of its own), found in one
/// pass, so that a mail with many parts costs no more than one with few.
fn closed_boundaries(raw: &[u8]) -> HashSet<&[u8]> {
    raw.split(|&b| b == b'\n')
        .filter_map(|line| {
            let end = line.iter().rposition(|b| !matches!(b, b' ' | b'\t' | b'\r')).map_or(0, |i| i + 1);
            line[..end].strip_prefix(b"--")?.strip_suffix(b"--")
        })
        .collect()
}

/// A multipart without its closing boundary was cut off in transfer: whatever followed is lost.
fn check_multiparts(message: &Message<'_>, problems: &mut Vec<Problem>) {
    let closed = closed_boundaries(message.raw_message());
    for part in &message.parts {
        let Some(ct) = part.content_type() else { continue };
        if !ct.ctype().eq_ignore_ascii_case("multipart") {
            continue;
        }
        let what = content_type_name(part);
        let Some(boundary) = ct.attribute("boundary") else {
            problems.push(Problem::corrupt(format!("the {what} part names no boundary, so its parts cannot be separated")));
            continue;
        };
        if !closed.contains(boundary.as_bytes()) {
            problems.push(Problem::corrupt(format!("the e-mail is cut off: its {what} part ends without its closing boundary, so attachments may be missing; ask the sender to send it again")));
        }
    }
}

/// Parts inside a `multipart/related`: what an HTML body shows (logos, signature images).
fn related_parts(message: &Message<'_>) -> HashSet<u32> {
    let mut related = HashSet::new();
    for part in &message.parts {
        let is_related = part.content_type().is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart") && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("related")));
        if let (true, PartType::Multipart(ids)) = (is_related, &part.body) {
            let mut stack = ids.clone();
            while let Some(id) = stack.pop() {
                if related.insert(id) {
                    if let Some(PartType::Multipart(sub)) = message.parts.get(id as usize).map(|p| &p.body) {
                        stack.extend(sub.iter().copied());
                    }
                }
            }
        }
    }
    related
}

/// A signature over the message (S/MIME, OpenPGP) belongs to the e-mail, not beside it.
fn is_signature(part: &MessagePart<'_>) -> bool {
    matches!(content_type_name(part).as_str(), "application/pkcs7-signature" | "application/x-pkcs7-signature" | "application/pgp-signature")
}

fn attachments(message: &Message<'_>, with_emails: bool, problems: &mut Vec<Problem>) -> Vec<Attachment> {
    let related = related_parts(message);
    let mut out = Vec::new();
    for (n, &id) in message.attachments.iter().enumerate() {
        let Some(part) = message.parts.get(id as usize) else { continue };
        if (related.contains(&id) && part.content_id().is_some()) || is_signature(part) {
            continue;
        }
        let number = n + 1;
        let bytes = match decoded(message, part) {
            Ok(b) => b,
            Err(why) => {
                let name = part.attachment_name().map(file_name).filter(|n| !n.is_empty()).unwrap_or_else(|| format!("{}, without a name", content_type_name(part)));
                problems.push(Problem::corrupt(format!("attachment {number} ({name}): {why}; the e-mail is kept as received — ask the sender to send the attachment again")));
                continue;
            }
        };
        let kind = kind_of(&bytes);
        if kind == Kind::Email && !with_emails {
            continue; // reported as too deep: the whole chain stays inside this e-mail's original
        }
        let name = part.attachment_name().map(file_name).filter(|n| !n.is_empty()).unwrap_or_else(|| format!("attachment-{number}.{}", MediaType::sniff(&bytes).extension()));
        out.push(Attachment { name, bytes, kind });
    }
    out
}

/// The attachment's bytes: its transfer encoding undone, from the raw message (not from
/// mail-parser's text, which has been converted to UTF-8 — an XML must stay as it was sent).
fn decoded(message: &Message<'_>, part: &MessagePart<'_>) -> Result<Vec<u8>, String> {
    let raw = message.raw_message();
    let body = raw.get(part.offset_body as usize..part.offset_end as usize).unwrap_or_default();
    let encoding = part.content_transfer_encoding().map(|e| e.trim().to_ascii_lowercase());
    if let PartType::Message(inner) = &part.body {
        // A nested message parsed in place shares the outer raw bytes; one that was itself
        // encoded was decoded by the parser and carries its own.
        return Ok(if part.encoding == mail_parser::Encoding::None { body.to_vec() } else { inner.raw_message().to_vec() });
    }
    if content_type_name(part) == "message/rfc822" && part.is_encoding_problem {
        return Err("the attached e-mail cannot be read".into());
    }
    match encoding.as_deref() {
        Some("base64") => base64_decode(body).ok_or_else(|| "its base64 content cannot be decoded".to_string()),
        Some("quoted-printable") => quoted_printable_decode(body).ok_or_else(|| "its quoted-printable content cannot be decoded".to_string()),
        _ => Ok(body.to_vec()),
    }
}

fn kind_of(bytes: &[u8]) -> Kind {
    match MediaType::sniff(bytes) {
        MediaType::Pdf | MediaType::Png | MediaType::Jpeg | MediaType::Tiff => Kind::Document,
        MediaType::Xml if crate::einvoice::detect(bytes).is_some() => Kind::Document,
        MediaType::Email => Kind::Email,
        _ => Kind::Other,
    }
}

/// A name as a file name: no folders, no control characters, not absurdly long.
pub fn file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.chars().filter(|c| !c.is_control()).take(200).collect::<String>().trim().to_string()
}

fn address(a: &Addr<'_>) -> String {
    match (a.name(), a.address()) {
        (Some(n), Some(ad)) => format!("{n} <{ad}>"),
        (Some(n), None) => n.to_string(),
        (None, Some(ad)) => ad.to_string(),
        (None, None) => String::new(),
    }
}

/// What a printout of the e-mail shows: subject, sender, date, then the body.
fn readable_text(m: &Message<'_>) -> String {
    let mut text = String::new();
    if let Some(s) = m.subject() {
        text.push_str(&format!("Subject: {s}\n"));
    }
    if let Some(from) = m.from() {
        let list: Vec<String> = from.iter().map(address).filter(|a| !a.is_empty()).collect();
        text.push_str(&format!("From: {}\n", list.join(", ")));
    }
    if let Some(d) = m.header_raw(HeaderName::Date) {
        text.push_str(&format!("Date: {}\n", d.trim()));
    }
    text.push('\n');
    for i in 0..m.text_body_count() {
        if let Some(body) = m.body_text(i) {
            text.push_str(&body);
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP6DwABBQECz6AuzQAAAABJRU5ErkJggg==";

    fn mail(body: &str) -> Vec<u8> {
        format!("From: a@example.com\r\nSubject: Test\r\nMIME-Version: 1.0\r\n{body}").replace('\n', "\r\n").replace("\r\r\n", "\r\n").into_bytes()
    }

    #[test]
    fn an_html_body_s_images_and_a_signature_are_no_attachments() {
        let m = mail(&format!(
            "Content-Type: multipart/signed; boundary=\"s\"; protocol=\"application/pkcs7-signature\"\n\n--s\n\
             Content-Type: multipart/related; boundary=\"r\"\n\n--r\nContent-Type: text/html; charset=utf-8\n\n<p>Hallo <img src=\"cid:logo\"></p>\n\
             --r\nContent-Type: image/png\nContent-ID: <logo>\nContent-Transfer-Encoding: base64\n\n{PNG}\n--r--\n\
             --s\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\nContent-Transfer-Encoding: base64\n\nMIIB\n--s--\n"
        ));
        let e = read(&m, &Limits::default()).unwrap();
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        assert!(e.attachments.is_empty(), "{:?}", e.attachments.iter().map(|a| &a.name).collect::<Vec<_>>());
        assert!(e.text.contains("Hallo"), "the HTML body as text: {}", e.text);
    }

    #[test]
    fn an_attached_image_is_a_document_and_an_office_file_is_not() {
        let m = mail(&format!(
            "Content-Type: multipart/mixed; boundary=\"m\"\n\n--m\nContent-Type: text/plain\n\nAnbei.\n\
             --m\nContent-Type: image/png; name=\"scan.png\"\nContent-Disposition: attachment; filename=\"../../scan.png\"\nContent-Transfer-Encoding: base64\n\n{PNG}\n\
             --m\nContent-Type: application/msword; name=\"brief.doc\"\nContent-Transfer-Encoding: base64\n\nAAAA\n--m--\n"
        ));
        let e = read(&m, &Limits::default()).unwrap();
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        let kinds: Vec<(&str, Kind)> = e.attachments.iter().map(|a| (a.name.as_str(), a.kind)).collect();
        assert_eq!(kinds, [("scan.png", Kind::Document), ("brief.doc", Kind::Other)], "names lose their folders");
        assert_eq!(e.documents().len(), 1);
        assert_eq!(e.other_names(), ["brief.doc"]);
    }

    #[test]
    fn too_many_parts_are_refused_before_parsing() {
        let mut body = String::from("Content-Type: multipart/mixed; boundary=\"m\"\n\n");
        for _ in 0..20 {
            body.push_str("--m\nContent-Type: text/plain\n\nx\n");
        }
        body.push_str("--m--\n");
        let err = read(&mail(&body), &Limits { email_max_parts: 10, ..Limits::default() }).unwrap_err();
        assert_eq!(err.kind, ErrorKind::TooLarge);
        assert!(err.message.contains("max_parts"), "{}", err.message);
    }

    #[test]
    fn a_closing_boundary_may_carry_trailing_blanks() {
        assert!(closed_boundaries(b"x\r\n--abc--  \r\n").contains(&b"abc"[..]));
        assert!(!closed_boundaries(b"--abc\r\n").contains(&b"abc"[..]));
    }
}
