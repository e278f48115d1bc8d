//! Full-text search: what of a document is searchable, how words become index terms, how a
//! query is read, and the passage shown with a hit. The catalog stores and ranks (SQLite FTS5
//! embedded, PostgreSQL `tsvector` in production); both get their terms from here, so a
//! query finds the same documents in either.
//!
//! Terms: words split at Unicode word boundaries, lower-cased, diacritics folded (OCR loses
//! umlauts: "Muller" must find "Müller"; `ß` → `ss`), then stemmed with Snowball — German for
//! German documents, English for the rest; a query term is looked up in both stems.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use crate::index::DocumentIndex;
use crate::layout::Page;

/// Stored text of a hit's passage is cut at this many characters.
pub const RAW_MAX_CHARS: usize = 20_000;

/// What the catalog stores for one document's search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchText {
    /// Index terms of the document's text (pages, e-mail body, e-invoice content); `None`
    /// keeps what is stored (a correction changes only the values).
    pub content: Option<String>,
    /// Index terms of its values (fields, type, file name).
    pub fields: String,
    /// The text as read, for the passage shown with a hit; `None` keeps what is stored.
    pub raw: Option<String>,
}

fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.nfd() {
        match c {
            'ß' => out.push_str("ss"),
            c if unicode_normalization::char::is_combining_mark(c) => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn stemmer(german: bool) -> &'static Stemmer {
    static DE: std::sync::OnceLock<Stemmer> = std::sync::OnceLock::new();
    static EN: std::sync::OnceLock<Stemmer> = std::sync::OnceLock::new();
    if german {
        DE.get_or_init(|| Stemmer::create(Algorithm::German))
    } else {
        EN.get_or_init(|| Stemmer::create(Algorithm::English))
    }
}

/// The words of a text: runs of letters and digits (a word's inner `-`, `.`, `/` split it).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// One word as an index term in a document of `german` language.
fn term(word: &str, german: bool) -> String {
    let folded = fold(word);
    if folded.chars().any(|c| c.is_ascii_digit()) {
        return folded; // numbers and ids as they are
    }
    stemmer(german).stem(&folded).into_owned()
}

/// A text as index terms, space-separated, in order (phrases need the order).
pub fn terms(text: &str, language: Option<&str>) -> String {
    let german = language.is_none_or(|l| l == "de");
    let mut out = String::with_capacity(text.len());
    for w in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&term(w, german));
    }
    out
}

/// The searchable text of a document: its read pages (or, for an e-invoice, the strings of
/// its content), and its values.
pub fn text_of(index: &DocumentIndex, pages: Option<&[Page]>) -> SearchText {
    let lang = index.language.as_deref();
    let mut raw = String::new();
    match pages {
        Some(pages) => {
            for p in pages {
                for l in &p.lines {
                    raw.push_str(&p.line_text(l));
                    raw.push('\n');
                }
            }
        }
        None => {
            if let Some(e) = &index.einvoice {
                strings(e, &mut raw);
            }
        }
    }
    let mut values = format!("{} ", index.source.name);
    if let Some(t) = &index.doc_type {
        values.push_str(t.label.as_str());
        values.push(' ');
    }
    for v in index.fields.values() {
        values.push_str(&v.value);
        values.push(' ');
    }
    let raw: String = raw.chars().take(RAW_MAX_CHARS).collect();
    SearchText { content: Some(terms(&raw, lang)), fields: terms(&values, lang), raw: Some(raw) }
}

/// The values alone (a correction, a decision): the stored text stays.
pub fn fields_of(index: &DocumentIndex) -> SearchText {
    SearchText { content: None, raw: None, ..text_of(index, Some(&[])) }
}

fn strings(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) if !s.is_empty() && s.len() < 2_000 => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.iter().filter(|(k, _)| k.as_str() != "attachments").for_each(|(_, x)| strings(x, out)),
        _ => {}
    }
}

/// One part of a query: a word (maybe a prefix, `rechn*`) or a phrase (`"offene Posten"`),
/// each with its German and English term.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    Word { de: String, en: String, prefix: bool },
    Phrase(Vec<(String, String)>),
}

/// A query as a person types it: words (all must match), `"phrases"`, `prefix*`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub clauses: Vec<Clause>,
    /// The words as typed and folded, for the passage.
    pub folded: Vec<String>,
}

impl Query {
    /// `None` when the text holds no word to look for.
    pub fn parse(text: &str) -> Option<Query> {
        let mut q = Query::default();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('"') {
                let (phrase, tail) = after.split_once('"').unwrap_or((after, ""));
                let ws: Vec<(String, String)> = words(phrase).map(|w| (term(w, true), term(w, false))).collect();
                q.folded.extend(words(phrase).map(fold));
                match ws.len() {
                    0 => {}
                    1 => q.clauses.push(Clause::Word { de: ws[0].0.clone(), en: ws[0].1.clone(), prefix: false }),
                    _ => q.clauses.push(Clause::Phrase(ws)),
                }
                rest = tail;
                continue;
            }
            let end = rest.find([' ', '\t', '\n', '"']).unwrap_or(rest.len());
            let (token, tail) = rest.split_at(end);
            rest = tail.trim_start_matches([' ', '\t', '\n']);
            let prefix = token.ends_with('*');
            let ws: Vec<&str> = words(token).collect();
            q.folded.extend(ws.iter().map(|w| fold(w)));
            if ws.len() > 1 {
                q.clauses.push(Clause::Phrase(ws.iter().map(|w| (term(w, true), term(w, false))).collect()));
            } else if let Some(w) = ws.first() {
                // A prefix is looked up as typed (folded), not stemmed: "rechn*".
                let (de, en) = if prefix { (fold(w), fold(w)) } else { (term(w, true), term(w, false)) };
                q.clauses.push(Clause::Word { de, en, prefix });
            }
        }
        (!q.clauses.is_empty()).then_some(q)
    }

    /// As an FTS5 MATCH expression (terms are letters and digits only: nothing to escape).
    pub fn fts5(&self) -> String {
        let alt = |a: String, b: String| if a == b { a } else { format!("({a} OR {b})") };
        self.clauses
            .iter()
            .map(|c| match c {
                Clause::Word { de, en, prefix } => {
                    let p = if *prefix { "*" } else { "" };
                    alt(format!("\"{de}\"{p}"), format!("\"{en}\"{p}"))
                }
                Clause::Phrase(ws) => {
                    alt(format!("\"{}\"", ws.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(" ")), format!("\"{}\"", ws.iter().map(|w| w.1.as_str()).collect::<Vec<_>>().join(" ")))
                }
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// As a PostgreSQL `tsquery` (configuration `simple`: the terms are made here).
    pub fn tsquery(&self) -> String {
        let alt = |a: String, b: String| if a == b { a } else { format!("({a} | {b})") };
        self.clauses
            .iter()
            .map(|c| match c {
                Clause::Word { de, en, prefix } => {
                    let p = if *prefix { ":*" } else { "" };
                    alt(format!("'{de}'{p}"), format!("'{en}'{p}"))
                }
                Clause::Phrase(ws) => alt(
                    format!("({})", ws.iter().map(|w| format!("'{}'", w.0)).collect::<Vec<_>>().join(" <-> ")),
                    format!("({})", ws.iter().map(|w| format!("'{}'", w.1)).collect::<Vec<_>>().join(" <-> ")),
                ),
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// The passage of `raw` around the first word the query looks for, about `width` characters,
/// with the matching words between `[` `]` markers (the UI turns them into `<mark>`).
pub fn passage(raw: &str, q: &Query, width: usize) -> String {
    let hit = |w: &str| {
        let f = fold(w);
        q.folded.iter().any(|t| f == *t || (f.len() > 3 && t.len() > 3 && (f.starts_with(t.as_str()) || term(&f, true) == term(t, true) || term(&f, false) == term(t, false))))
    };
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    for w in words(raw) {
        let Some(start) = raw.get(at..).and_then(|r| r.find(w)).map(|i| i + at) else { continue };
        at = start + w.len();
        if hit(w) {
            spans.push((start, at));
        }
    }
    let Some(&(first, _)) = spans.first() else { return raw.chars().take(width).collect::<String>().replace('\n', " ") };
    // Start a little before the first hit, on a character boundary.
    let mut from = first.saturating_sub(width / 3);
    while !raw.is_char_boundary(from) {
        from -= 1;
    }
    // …at the start of a word.
    if from > 0 {
        if let Some(space) = raw.get(from..first).and_then(|r| r.find(char::is_whitespace)) {
            from += space + 1;
        }
    }
    let mut to = (from + width).min(raw.len());
    while !raw.is_char_boundary(to) {
        to += 1;
    }
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut pos = from;
    for &(a, b) in spans.iter().filter(|(a, b)| *a >= from && *b <= to) {
        out.push_str(raw.get(pos..a).unwrap_or(""));
        out.push('[');
        out.push_str(raw.get(a..b).unwrap_or(""));
        out.push(']');
        pos = b;
    }
    out.push_str(raw.get(pos..to).unwrap_or(""));
    if to < raw.len() {
        out.push('…');
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_fold_and_words_stem() {
        assert_eq!(terms("Müller", Some("de")), terms("Muller", Some("de")));
        assert_eq!(terms("Straße", Some("de")), terms("Strasse", Some("de")));
        assert_eq!(terms("Rechnungen", Some("de")), terms("Rechnung", Some("de")));
        assert_eq!(terms("invoices", Some("en")), terms("invoice", Some("en")));
        assert_eq!(terms("RE-2025-0042", None), "re 2025 0042");
        assert_eq!(terms("1.234,56", None), "1 234 56");
    }

    #[test]
    fn queries_read_words_phrases_and_prefixes() {
        let q = Query::parse(r#"Muller "offene Posten" rechn*"#).unwrap();
        assert_eq!(q.clauses.len(), 3);
        assert!(matches!(&q.clauses[1], Clause::Phrase(w) if w.len() == 2));
        assert!(matches!(&q.clauses[2], Clause::Word { prefix: true, de, .. } if de == "rechn"));
        let f = q.fts5();
        assert!(f.contains("\"mull\"") && f.contains('*') && f.contains(" AND "), "{f}");
        let t = q.tsquery();
        assert!(t.contains("<->") && t.contains(":*") && t.contains(" & "), "{t}");
        assert!(Query::parse("  \"\" * ").is_none());
        // Nothing a person types reaches the query language unquoted.
        let evil = Query::parse(r#"a' OR 1=1; NEAR(x) "b"#).unwrap();
        assert!(!evil.fts5().contains('\'') && !evil.tsquery().contains(';'), "{} / {}", evil.fts5(), evil.tsquery());
    }

    #[test]
    fn the_passage_marks_what_was_found() {
        let q = Query::parse("muller").unwrap();
        let p = passage("Rechnung an Firma Müller GmbH, Lindenweg 7", &q, 60);
        assert!(p.contains("[Müller]"), "{p}");
        let q = Query::parse("Rechnungen").unwrap();
        assert!(passage("Ihre Rechnung vom 3. Mai", &q, 60).contains("[Rechnung]"));
    }
}
