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
    /// The box and mean confidence of the words overlapping `start..end`.
    pub fn locate(&self, start: usize, end: usize) -> (BBox, f32) {
        let mut bbox: Option<BBox> = None;
        let mut conf = 0.0;
        let mut n = 0.0;
        for &(s, e, b, c) in &self.spans {
            if s < end && start < e {
                bbox = Some(bbox.map_or(b, |a| crate::layout::union(a, b)));
                conf += c;
                n += 1.0;
            }
        }
        (bbox.unwrap_or(self.bbox), if n > 0.0 { conf / n } else { 1.0 })
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
