//! Layout: words with boxes, grouped into lines and blocks in reading order.
//!
//! Both ways of reading a page (text layer and OCR) hand their words to [`Page::from_words`],
//! so everything after this stage sees one shape, whatever the source. Coordinates are PDF
//! points with the origin at the top-left of the upright page.

use serde::{Deserialize, Serialize};

/// `[x0, y0, x1, y1]`, top-left origin, PDF points.
pub type BBox = [f32; 4];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub bbox: BBox,
    /// 0..1; 1.0 for words read from a text layer.
    pub confidence: f32,
}

impl Word {
    pub fn height(&self) -> f32 {
        self.bbox[3] - self.bbox[1]
    }
    pub fn center_y(&self) -> f32 {
        (self.bbox[1] + self.bbox[3]) / 2.0
    }
}

/// A run of words on one baseline, without a wide gap in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Indices into [`Page::words`], left to right.
    pub words: Vec<usize>,
    pub bbox: BBox,
}

/// Lines that belong together (a paragraph, an address, a table row group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// Indices into [`Page::lines`], top to bottom.
    pub lines: Vec<usize>,
    pub bbox: BBox,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    TextLayer,
    Ocr,
}

/// One read page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based.
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub source: TextSource,
    /// Clockwise rotation in degrees that was applied to make the page upright (OCR only).
    pub rotation: u16,
    pub words: Vec<Word>,
    pub lines: Vec<Line>,
    /// In reading order.
    pub blocks: Vec<Block>,
}

impl Page {
    /// Groups `words` into lines and blocks. Word order in the input does not matter.
    pub fn from_words(number: u32, width: f32, height: f32, source: TextSource, rotation: u16, mut words: Vec<Word>) -> Page {
        words.retain(|w| !w.text.trim().is_empty());
        let lines = group_lines(&mut words);
        let blocks = group_blocks(&lines);
        // Renumber lines so that they follow the reading order of blocks.
        let mut order = Vec::with_capacity(lines.len());
        for b in &blocks {
            order.extend(b.lines.iter().copied());
        }
        let mut new_index = vec![0; lines.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let lines_sorted: Vec<Line> = order.iter().map(|&i| lines[i].clone()).collect();
        let blocks = blocks.into_iter().map(|b| Block { lines: b.lines.iter().map(|&i| new_index[i]).collect(), bbox: b.bbox }).collect();
        Page { number, width, height, source, rotation, words, lines: lines_sorted, blocks }
    }

    /// The same words grouped again, by this build's rules: what OCR read is kept (in a
    /// cache), how it is grouped into lines can change without reading again.
    pub fn regrouped(self) -> Page {
        Page::from_words(self.number, self.width, self.height, self.source, self.rotation, self.words)
    }

    pub fn line_text(&self, line: &Line) -> String {
        line.words.iter().map(|&i| self.words[i].text.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The page's text in reading order, a line per line and a blank line between blocks.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            for &l in &b.lines {
                out.push_str(&self.line_text(&self.lines[l]));
                out.push('\n');
            }
            out.push('\n');
        }
        out
    }
}

/// The smallest box around both.
pub(crate) fn union(a: BBox, b: BBox) -> BBox {
    [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 10.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// A slant below this (dy per dx, about 0.3°) counts as level: over a page's width it moves
/// a line by less than half a word, and text layers and straight scans group as they always did.
const MIN_SKEW: f32 = 0.005;

/// Beyond this (about 5°) a slant is not a page fed in askew but words that happen to
/// stand near each other; OCR's own deskewing has failed before then anyway.
const MAX_SKEW: f32 = 0.09;

/// Neighbour pairs a skew needs before it is believed.
const MIN_SKEW_PAIRS: usize = 8;

/// The page's skew as a slope (dy per dx, y down): the median rise from a word to the next
/// word on its line, over every word that has one. A scan fed in at an angle puts a line's
/// words on a slant, and grouping by plain height cuts the line where the slant passes half
/// a word height ("Schulte" | "Feinkost Hamm GmbH & Co. KG" on a scan turned by 2°).
fn skew(words: &[Word]) -> f32 {
    let mut by_left: Vec<usize> = (0..words.len()).collect();
    by_left.sort_by(|&a, &b| words[a].bbox[0].total_cmp(&words[b].bbox[0]));
    let mut slopes = Vec::new();
    for w in words {
        let h = w.height();
        if h <= 0.0 {
            continue;
        }
        // The next word: starts just after this one ends, about as tall, not a line away.
        let (from, to) = (w.bbox[2] - 0.3 * h, w.bbox[2] + 1.5 * h);
        let first = by_left.partition_point(|&j| words[j].bbox[0] < from);
        let next = by_left[first..]
            .iter()
            .map(|&j| &words[j])
            .take_while(|n| n.bbox[0] <= to)
            .filter(|n| (0.7..=1.4).contains(&(n.height() / h)) && (n.center_y() - w.center_y()).abs() < 0.8 * h)
            .min_by(|a, b| a.bbox[0].total_cmp(&b.bbox[0]));
        if let Some(n) = next {
            let dx = (n.bbox[0] + n.bbox[2] - w.bbox[0] - w.bbox[2]) / 2.0;
            if dx > 0.0 {
                slopes.push((n.center_y() - w.center_y()) / dx);
            }
        }
    }
    if slopes.len() < MIN_SKEW_PAIRS {
        return 0.0;
    }
    let s = median(slopes);
    if s.abs() < MIN_SKEW {
        0.0
    } else {
        s.clamp(-MAX_SKEW, MAX_SKEW)
    }
}

/// Lines: words whose vertical centres, measured across the page's skew, lie within half a
/// word height of each other, split where the horizontal gap is wide enough to separate
/// columns.
fn group_lines(words: &mut [Word]) -> Vec<Line> {
    let slope = skew(words);
    // A word's centre as it would stand on the page turned level.
    let level = |w: &Word| w.center_y() - slope * (w.bbox[0] + w.bbox[2]) / 2.0;
    words.sort_by(|a, b| level(a).total_cmp(&level(b)).then(a.bbox[0].total_cmp(&b.bbox[0])));
    let typical_h = median(words.iter().map(|w| w.height()).collect()).max(1.0);
    // Rows: greedy on sorted centres.
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut row_center = f32::NEG_INFINITY;
    let mut row_h = typical_h;
    for (i, w) in words.iter().enumerate() {
        let tol = 0.5 * row_h.min(w.height().max(1.0)).max(typical_h * 0.4);
        if rows.is_empty() || (level(w) - row_center).abs() > tol {
            rows.push(vec![i]);
            row_center = level(w);
            row_h = w.height().max(1.0);
        } else {
            let row = rows.last_mut().expect("a row exists");
            row.push(i);
            let n = row.len() as f32;
            row_center += (level(w) - row_center) / n;
            row_h = row_h.max(w.height());
        }
    }
    let mut lines = Vec::new();
    for mut row in rows {
        row.sort_by(|&a, &b| words[a].bbox[0].total_cmp(&words[b].bbox[0]));
        let h = median(row.iter().map(|&i| words[i].height()).collect()).max(1.0);
        let gap_limit = 2.2 * h;
        let mut current: Vec<usize> = Vec::new();
        for &i in &row {
            if let Some(&last) = current.last() {
                if words[i].bbox[0] - words[last].bbox[2] > gap_limit {
                    lines.push(make_line(words, std::mem::take(&mut current)));
                }
            }
            current.push(i);
        }
        if !current.is_empty() {
            lines.push(make_line(words, current));
        }
    }
    lines
}

fn make_line(words: &[Word], idx: Vec<usize>) -> Line {
    let bbox = idx.iter().map(|&i| words[i].bbox).reduce(union).unwrap_or([0.0; 4]);
    Line { words: idx, bbox }
}

/// Blocks: a line joins the block above it when it starts near the same left edge (or
/// overlaps it horizontally) and the vertical gap is below about one line height.
fn group_blocks(lines: &[Line]) -> Vec<Block> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| lines[a].bbox[1].total_cmp(&lines[b].bbox[1]).then(lines[a].bbox[0].total_cmp(&lines[b].bbox[0])));
    let mut blocks: Vec<Block> = Vec::new();
    for &li in &order {
        let l = &lines[li];
        let h = (l.bbox[3] - l.bbox[1]).max(1.0);
        let mut best: Option<usize> = None;
        for (bi, b) in blocks.iter().enumerate() {
            let last = &lines[*b.lines.last().expect("blocks are never empty")];
            let gap = l.bbox[1] - last.bbox[3];
            let left_aligned = (l.bbox[0] - b.bbox[0]).abs() < 2.0 * h;
            let overlap = l.bbox[0].max(b.bbox[0]) < l.bbox[2].min(b.bbox[2]);
            if gap > -0.5 * h && gap < 1.2 * h && (left_aligned || overlap) {
                best = Some(bi);
            }
        }
        match best {
            Some(bi) => {
                blocks[bi].lines.push(li);
                blocks[bi].bbox = union(blocks[bi].bbox, l.bbox);
            }
            None => blocks.push(Block { lines: vec![li], bbox: l.bbox }),
        }
    }
    // Reading order: top to bottom; blocks whose tops share a band read left to right.
    // (A key, not a pairwise tolerance, so that the order is total.)
    let band = |b: &Block| (b.bbox[1] / 6.0).floor() as i64;
    blocks.sort_by(|a, b| band(a).cmp(&band(b)).then(a.bbox[0].total_cmp(&b.bbox[0])));
    blocks
}

/// A page for unit tests: text cells at (x, y), split into words `height` high, each
/// character 0.6 × `height` wide and words 0.4 × `height` apart.
#[cfg(test)]
pub(crate) fn test_page(cells: &[(f32, f32, &str)], height: f32) -> Page {
    let mut words = Vec::new();
    for &(x, y, text) in cells {
        let mut cx = x;
        for t in text.split(' ') {
            let w = 0.6 * height * t.chars().count() as f32;
            words.push(Word { text: t.to_string(), bbox: [cx, y, cx + w, y + height], confidence: 0.9 });
            cx += w + 0.4 * height;
        }
    }
    Page::from_words(1, 595.0, 842.0, TextSource::Ocr, 0, words)
}

/// A word for unit tests, with its box as OCR gave it.
#[cfg(test)]
pub(crate) fn test_word(text: &str, x0: f32, y0: f32, x1: f32, y1: f32) -> Word {
    Word { text: text.into(), bbox: [x0, y0, x1, y1], confidence: 1.0 }
}

#[cfg(test)]
mod tests {
    use super::test_word as w;
    use super::*;

    #[test]
    fn groups_words_into_lines_and_splits_columns() {
        let words = vec![
            w("Rechnung", 50.0, 100.0, 110.0, 110.0),
            w("Nr.", 114.0, 100.5, 130.0, 110.0),
            w("Datum:", 400.0, 100.0, 440.0, 110.0),
            w("Max", 50.0, 120.0, 75.0, 130.0),
            w("Mustermann", 79.0, 120.0, 150.0, 130.0),
        ];
        let page = Page::from_words(1, 595.0, 842.0, TextSource::TextLayer, 0, words);
        let texts: Vec<String> = page.lines.iter().map(|l| page.line_text(l)).collect();
        assert!(texts.contains(&"Rechnung Nr.".to_string()), "{texts:?}");
        assert!(texts.contains(&"Datum:".to_string()), "{texts:?}");
        assert!(texts.contains(&"Max Mustermann".to_string()), "{texts:?}");
        // The left column's two lines form one block, read before the right column's block.
        let text = page.text();
        assert!(text.find("Rechnung Nr.").unwrap() < text.find("Max Mustermann").unwrap());
        assert_eq!(page.blocks.len(), 2, "{text}");
    }

    /// Lines of words as a scan turned by `degrees` places them (about the page's top-left).
    fn turned(lines: &[(f32, f32, &str)], degrees: f32) -> Vec<Word> {
        let (sin, cos) = degrees.to_radians().sin_cos();
        let mut words = Vec::new();
        for &(x, y, text) in lines {
            let mut cx = x;
            for t in text.split(' ') {
                let wd = 6.0 * t.chars().count() as f32;
                // The word's centre turned; its box stays upright, as OCR reports it.
                let (mx, my) = (cx + wd / 2.0, y + 5.0);
                let (tx, ty) = (mx * cos - my * sin, mx * sin + my * cos);
                words.push(w(t, tx - wd / 2.0, ty - 5.0, tx + wd / 2.0, ty + 5.0));
                cx += wd + 4.0;
            }
        }
        words
    }

    #[test]
    fn a_line_on_a_scan_fed_in_askew_stays_one_line() {
        // Rising to the right by 2°, 12 pt apart: a plain grouping by height cuts the long
        // name and joins words of neighbouring lines.
        let lines = [
            (60.0, 40.0, "Schulte Feinkost Hamm GmbH & Co. KG Industriestraße 59b"),
            (60.0, 52.0, "Kirchweg 111 47051 Duisburg Telefon 0341 39331"),
            (60.0, 64.0, "Rechnung Nr. 24/217 vom 17.03.2024 Kundennummer 4711"),
        ];
        let page = Page::from_words(1, 595.0, 842.0, TextSource::Ocr, 0, turned(&lines, -2.0));
        let texts: Vec<String> = page.lines.iter().map(|l| page.line_text(l)).collect();
        assert_eq!(texts, lines.iter().map(|l| l.2.to_string()).collect::<Vec<_>>());
        // Turned the other way too.
        let page = Page::from_words(1, 595.0, 842.0, TextSource::Ocr, 0, turned(&lines, 2.0));
        let texts: Vec<String> = page.lines.iter().map(|l| page.line_text(l)).collect();
        assert_eq!(texts, lines.iter().map(|l| l.2.to_string()).collect::<Vec<_>>());
    }

    #[test]
    fn a_level_page_reads_as_level_and_regrouping_changes_nothing() {
        let lines = [(60.0, 40.0, "Feinkost Hamm GmbH & Co. KG"), (60.0, 52.0, "Kirchweg 111 47051 Duisburg"), (300.0, 40.0, "Datum 17.03.2024")];
        let mut words = turned(&lines, 0.0);
        assert_eq!(skew(&words), 0.0);
        // A slant too small to move a line by half a word counts as none.
        words = turned(&lines, 0.2);
        assert_eq!(skew(&words), 0.0);
        let page = Page::from_words(1, 595.0, 842.0, TextSource::Ocr, 0, turned(&lines, -2.0));
        assert!((skew(&page.words) + 2.0f32.to_radians().tan()).abs() < 0.005, "{}", skew(&page.words));
        assert_eq!(page.clone().regrouped(), page);
    }
}
