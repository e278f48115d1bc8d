//! Lines of a read document as searchable text, with a way back from a byte range of the
//! text to the words (page, box, OCR confidence) it came from.

use crate::layout::{BBox, Page};

#[derive(Debug, Clone)]
pub struct TextLine {
    /// 1-based page number.
    pub page: u32,
    /// Index of the line in document order (pages, then reading order).
    pub order: usize,
    pub text: String,
    pub bbox: BBox,
    /// Per word: byte range in `text`, box, confidence.
    spans: Vec<(usize, usize, BBox, f32)>,
}

impl TextLine {
    /// The box of the words overlapping `start..end`, and the confidence of the least sure
    /// of them. A value is as sure as its least sure word: a mean would make a value read
    /// as more words (a glued word split, a name spelt with initials) surer than the same
    /// letters read as one word, since OCR rates a word by its least sure letter.
    pub fn locate(&self, start: usize, end: usize) -> (BBox, f32) {
        let mut bbox: Option<BBox> = None;
        let mut conf: Option<f32> = None;
        for &(s, e, b, c) in &self.spans {
            if s < end && start < e {
                bbox = Some(bbox.map_or(b, |a| crate::layout::union(a, b)));
                conf = Some(conf.map_or(c, |a| a.min(c)));
            }
        }
        (bbox.unwrap_or(self.bbox), conf.unwrap_or(1.0))
    }

    /// The box of a byte range, horizontally.
    pub fn x_range(&self, start: usize, end: usize) -> (f32, f32) {
        let (b, _) = self.locate(start, end);
        (b[0], b[2])
    }

    pub fn height(&self) -> f32 {
        (self.bbox[3] - self.bbox[1]).max(1.0)
    }
}

/// All lines of all pages, in reading order.
pub fn lines(pages: &[Page]) -> Vec<TextLine> {
    let mut out = Vec::new();
    for page in pages {
        for block in &page.blocks {
            for &li in &block.lines {
                let line = &page.lines[li];
                let mut text = String::new();
                let mut spans = Vec::with_capacity(line.words.len());
                for &wi in &line.words {
                    let w = &page.words[wi];
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    let s = text.len();
                    text.push_str(&w.text);
                    spans.push((s, text.len(), w.bbox, w.confidence));
                }
                out.push(TextLine { page: page.number, order: out.len(), text, bbox: line.bbox, spans });
            }
        }
    }
    out
}

/// Lines on the same page and visual row as `line` (other than it).
fn same_row<'a>(lines: &'a [TextLine], line: &'a TextLine) -> impl Iterator<Item = &'a TextLine> {
    let cy = (line.bbox[1] + line.bbox[3]) / 2.0;
    lines.iter().filter(move |l| l.page == line.page && l.order != line.order).filter(move |l| ((l.bbox[1] + l.bbox[3]) / 2.0 - cy).abs() < 0.6 * line.height().max(l.height()))
}

/// Lines on the same page and visual row as `line`, to its right, nearest first.
pub fn right_of<'a>(lines: &'a [TextLine], line: &'a TextLine) -> Vec<&'a TextLine> {
    let mut v: Vec<&TextLine> = same_row(lines, line).filter(|l| l.bbox[0] >= line.bbox[2] - 1.0).collect();
    v.sort_by(|a, b| a.bbox[0].total_cmp(&b.bbox[0]));
    v
}

/// Lines on the same page and visual row as `line`, to its left, nearest first (a label
/// column: "IBAN" | ": DE12 1234 …").
pub fn left_of<'a>(lines: &'a [TextLine], line: &'a TextLine) -> Vec<&'a TextLine> {
    let mut v: Vec<&TextLine> = same_row(lines, line).filter(|l| l.bbox[2] <= line.bbox[0] + 1.0).collect();
    v.sort_by(|a, b| b.bbox[2].total_cmp(&a.bbox[2]));
    v
}

/// Lines on the same page below the horizontal span `x0..x1` of `line`, within `max_gap`
/// line heights, nearest first.
pub fn below<'a>(lines: &'a [TextLine], line: &TextLine, x0: f32, x1: f32, max_lines: f32) -> Vec<&'a TextLine> {
    let h = line.height();
    let mut v: Vec<&TextLine> = lines
        .iter()
        .filter(|l| l.page == line.page && l.order != line.order)
        .filter(|l| l.bbox[1] >= line.bbox[3] - 0.3 * h && l.bbox[1] - line.bbox[3] < max_lines * h * 1.6)
        .filter(|l| l.bbox[0] < x1 + 0.5 * h && l.bbox[2] > x0 - 0.5 * h)
        .collect();
    v.sort_by(|a, b| a.bbox[1].total_cmp(&b.bbox[1]));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{Block, Line, TextSource, Word};

    /// One line of words, each with its OCR confidence.
    fn line(words: &[(&str, f32)]) -> TextLine {
        let mut x = 50.0;
        let words: Vec<Word> = words
            .iter()
            .map(|(t, c)| {
                let w = Word { text: t.to_string(), bbox: [x, 100.0, x + 6.0 * t.chars().count() as f32, 110.0], confidence: *c };
                x = w.bbox[2] + 4.0;
                w
            })
            .collect();
        let bbox = [50.0, 100.0, x, 110.0];
        let line = Line { words: (0..words.len()).collect(), bbox };
        let page = Page { number: 1, width: 595.0, height: 842.0, source: TextSource::Ocr, rotation: 0, words, lines: vec![line], blocks: vec![Block { lines: vec![0], bbox }] };
        lines(&[page]).remove(0)
    }

    #[test]
    fn a_value_is_as_sure_as_its_least_sure_word() {
        // "SANYU STATIONERY SHOP": a doubtful first word is not averaged away by two sure ones.
        let l = line(&[("SANYU", 0.55), ("STATIONERY", 0.99), ("SHOP", 0.98)]);
        let (bbox, conf) = l.locate(0, l.text.len());
        assert!((conf - 0.55).abs() < 1e-6, "{conf}");
        assert_eq!(bbox[0], 50.0);
        // Only the words the range overlaps count.
        let (_, conf) = l.locate(6, l.text.len());
        assert!((conf - 0.98).abs() < 1e-6, "{conf}");
        // A range over no word (past the end) reads as the line at full confidence.
        let (bbox, conf) = l.locate(l.text.len() + 1, l.text.len() + 2);
        assert_eq!((bbox, conf), (l.bbox, 1.0));
    }
}
