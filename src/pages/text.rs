//! Text pages: plain text (an e-mail's readable body) set on A4 pages like a printout, so that
//! layout, classification and extraction read it exactly as they read a PDF's text layer.
//!
//! Monospaced 10 pt on 12 pt lines, 80 characters a line (longer lines wrap at spaces),
//! 60 lines a page, 2 cm margins. Word boxes follow from the character columns.

use super::{Limits, Outline, PageContent, PagesError};
use crate::index::ErrorKind;
use crate::layout::{Page, TextSource, Word};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.7;
const CHAR_W: f32 = 6.0;
const FONT_H: f32 = 10.0;
const LINE_H: f32 = 12.0;
const COLUMNS: usize = 80;
const LINES_PER_PAGE: usize = 60;

/// Sends `text` as pages to `sink`. Always at least one page (it may be empty).
pub fn produce(text: &str, limits: &Limits, sink: &mut dyn FnMut(PageContent) -> bool) -> Result<Outline, PagesError> {
    let lines = wrap(text);
    let count = lines.len().div_ceil(LINES_PER_PAGE).max(1);
    if count as u64 > limits.max_pages as u64 {
        return Err(PagesError::new(ErrorKind::TooLarge, format!("the text makes {count} pages, more than the limit of {}", limits.max_pages)));
    }
    if lines.is_empty() {
        sink(PageContent::Text(page(1, &[])));
    }
    for (i, chunk) in lines.chunks(LINES_PER_PAGE).enumerate() {
        if !sink(PageContent::Text(page(i as u32 + 1, chunk))) {
            break;
        }
    }
    Ok(Outline { pages: count as u32 })
}

/// The text as printed lines: tabs expanded, control characters dropped, long lines wrapped.
fn wrap(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.lines() {
        let mut line = String::new();
        for c in raw.chars() {
            match c {
                '\t' => line.extend(std::iter::repeat_n(' ', 8 - line.chars().count() % 8)),
                c if c.is_control() => {}
                c => line.push(c),
            }
        }
        let line = line.trim_end();
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            out.push(String::new());
            continue;
        }
        let mut start = 0;
        while start < chars.len() {
            let mut end = (start + COLUMNS).min(chars.len());
            if end < chars.len() {
                // Break at the last space on the line, unless the word alone is longer than a line.
                if let Some(space) = chars[start..end].iter().rposition(|c| *c == ' ').filter(|&s| s > 0) {
                    end = start + space;
                }
            }
            out.push(chars[start..end].iter().collect::<String>().trim_end().to_string());
            start = end;
            while start < chars.len() && chars[start] == ' ' {
                start += 1;
            }
        }
    }
    out
}

fn page(number: u32, lines: &[String]) -> Page {
    let mut words = Vec::new();
    for (row, line) in lines.iter().enumerate() {
        let top = MARGIN + row as f32 * LINE_H;
        let mut col = 0usize;
        for piece in line.split(' ') {
            let len = piece.chars().count();
            if len > 0 {
                let x0 = MARGIN + col as f32 * CHAR_W;
                words.push(Word { text: piece.to_string(), bbox: [x0, top, x0 + len as f32 * CHAR_W, top + FONT_H], confidence: 1.0 });
            }
            col += len + 1;
        }
    }
    Page::from_words(number, PAGE_W, PAGE_H, TextSource::TextLayer, 0, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(text: &str, limits: &Limits) -> Result<Vec<Page>, PagesError> {
        let mut out = Vec::new();
        produce(text, limits, &mut |p| {
            if let PageContent::Text(p) = p {
                out.push(p);
            }
            true
        })?;
        Ok(out)
    }

    #[test]
    fn long_lines_wrap_at_spaces_and_pages_hold_sixty_lines() {
        let long = "Wort ".repeat(40);
        let lines = wrap(&long);
        assert!(lines.len() >= 2 && lines.iter().all(|l| l.chars().count() <= COLUMNS), "{lines:?}");
        assert_eq!(lines.join(" ").split_whitespace().count(), 40, "no word lost");
        let text: String = (1..=130).map(|i| format!("Zeile {i}\n")).collect();
        let p = pages(&text, &Limits::default()).unwrap();
        assert_eq!(p.len(), 3);
        assert!(p[2].text().contains("Zeile 130"));
        assert!(p[0].text().starts_with("Zeile 1\n"));
    }

    #[test]
    fn empty_text_is_one_empty_page_and_too_many_pages_are_refused() {
        assert_eq!(pages("", &Limits::default()).unwrap().len(), 1);
        let text = "x\n".repeat(LINES_PER_PAGE * 3);
        let err = pages(&text, &Limits { max_pages: 2, ..Limits::default() }).unwrap_err();
        assert_eq!(err.kind, ErrorKind::TooLarge);
    }
}
