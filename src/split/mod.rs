//! Batch scans: one scanned stack, many letters. Decides where each letter of a batch
//! begins — at separator sheets (a blank sheet, a patch sheet with a QR code) and, where the
//! source asks for it, where the trained first-page detector sees a new letter — and which
//! pages are separators, kept in the batch but in no part.
//!
//! The marks of a page (ink, QR codes) are taken from its image before OCR, so a separator
//! sheet costs no OCR. Cutting the batch's bytes into parts is the pages stage's job
//! ([`crate::pages::pdf::extract_pages`]); storing them the processor's.

pub mod sheet;

use image::GrayImage;

use crate::index::{CheckName, PartStart};
use crate::vocab::{Separator, SplitPolicy};

/// A page with no more than this many inked tiles (32 × 32 pixels at 150 dpi, each with a
/// character's worth of dark pixels) is blank. Dust, punch-hole shadows and grey recycled
/// paper ink no tile; one short line of text ("Seite 2") inks half a dozen.
pub const BLANK_MAX_TILES: u32 = 2;

const TILE: u32 = 32;
/// Dark pixels that make a tile inked: about one character at 150 dpi.
const TILE_INK: u32 = 12;

/// A first-page decision below this probability (either way) is doubtful: the parts on both
/// sides of it go to a person.
pub const SURE: f32 = 0.8;

/// What a page image shows that matters for splitting.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Inked tiles inside the margins (see [`BLANK_MAX_TILES`]).
    pub ink: u32,
    /// Texts of the QR codes found on the page.
    pub codes: Vec<String>,
}

impl Mark {
    /// The separator this page is under `policy`, if it is one.
    pub fn separator(&self, policy: &SplitPolicy) -> Option<Separator> {
        if policy.uses(Separator::Patch) && self.codes.iter().any(|c| c.trim() == policy.patch_text) {
            return Some(Separator::Patch);
        }
        if policy.uses(Separator::Blank) && self.ink <= BLANK_MAX_TILES && self.codes.is_empty() {
            return Some(Separator::Blank);
        }
        None
    }
}

/// Looks at a page image: its ink always, its QR codes when the policy counts patch sheets.
pub fn mark(image: &GrayImage, policy: &SplitPolicy) -> Mark {
    // About 150 dpi for an A4 page: strokes of 10-point text stay dark.
    let small = shrink(image, 1240);
    let ink = inked_tiles(&small);
    let codes = if policy.uses(Separator::Patch) { qr_codes(image) } else { Vec::new() };
    Mark { ink, codes }
}

/// The marks of a page read from its text layer: never blank; a patch sheet where it is
/// short and names the patch text (a sheet merged into the PDF rather than scanned).
pub fn text_mark(page: &crate::layout::Page, policy: &SplitPolicy) -> Mark {
    let short = page.words.len() < 40;
    let names = short && policy.uses(Separator::Patch) && page.words.iter().any(|w| w.text.trim() == policy.patch_text);
    Mark { ink: u32::MAX, codes: if names { vec![policy.patch_text.clone()] } else { Vec::new() } }
}

fn shrink(image: &GrayImage, width: u32) -> GrayImage {
    if image.width() <= width {
        return image.clone();
    }
    let height = ((image.height() as u64 * width as u64) / image.width().max(1) as u64).max(1) as u32;
    image::imageops::resize(image, width, height, image::imageops::FilterType::Triangle)
}

/// Tiles with a character's worth of dark pixels, leaving out a 5 % margin where scanners
/// draw shadows and punch holes. Scattered specks of dust never fill a tile.
fn inked_tiles(image: &GrayImage) -> u32 {
    let (w, h) = image.dimensions();
    let (mx, my) = (w / 20, h / 20);
    let (tw, th) = ((w - 2 * mx).div_ceil(TILE), (h - 2 * my).div_ceil(TILE));
    let mut dark = vec![0u32; (tw * th) as usize];
    for y in my..h.saturating_sub(my) {
        for x in mx..w.saturating_sub(mx) {
            if image.get_pixel(x, y).0[0] < 128 {
                dark[(((y - my) / TILE) * tw + (x - mx) / TILE) as usize] += 1;
            }
        }
    }
    dark.iter().filter(|&&d| d >= TILE_INK).count() as u32
}

/// The texts of the QR codes on the page (rqrr: a pure-Rust port of quirc). Looked for at
/// no more than 1,600 pixels across, enough for a code a few centimetres wide.
fn qr_codes(image: &GrayImage) -> Vec<String> {
    let small = shrink(image, 1600);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(small.width() as usize, small.height() as usize, |x, y| small.get_pixel(x as u32, y as u32).0[0]);
    prepared.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, text)| text)).collect()
}

/// One page as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageCue {
    /// The separator it is, if any.
    pub separator: Option<Separator>,
    /// The first-page detector's probability that a letter starts here (None: not asked).
    pub start: Option<f32>,
}

/// A part as planned: pages (1-based, inclusive), why it begins, and whether a person
/// should look at where it begins or ends.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedPart {
    pub first: u32,
    pub last: u32,
    pub by: PartStart,
    pub confidence: Option<f32>,
    /// Why the split around this part is doubtful (empty: it is not).
    pub doubts: Vec<String>,
}

/// The split of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub parts: Vec<PlannedPart>,
    /// Separator pages, 1-based.
    pub separators: Vec<u32>,
}

impl Plan {
    /// One part and no separator: the batch is a single letter and stays one document.
    pub fn is_single(&self) -> bool {
        self.parts.len() == 1 && self.separators.is_empty()
    }
}

/// Splits a batch of `cues.len()` pages. `None` when every page is a separator.
pub fn plan(cues: &[PageCue]) -> Option<Plan> {
    let mut parts: Vec<PlannedPart> = Vec::new();
    let mut separators = Vec::new();
    let mut open: Option<PlannedPart> = None;
    let mut after: Option<Separator> = None;
    for (i, cue) in cues.iter().enumerate() {
        let number = i as u32 + 1;
        if let Some(s) = cue.separator {
            separators.push(number);
            parts.extend(open.take());
            after = Some(s);
            continue;
        }
        let p = cue.start.unwrap_or(0.0);
        let begins_here = open.is_some() && cue.start.is_some() && p >= 0.5;
        if begins_here {
            let mut done = open.take().expect("a part is open");
            let mut next = PlannedPart { first: number, last: number, by: PartStart::FirstPage, confidence: Some(p), doubts: Vec::new() };
            if p < SURE {
                done.doubts.push(format!("the first-page detector was unsure that page {number} begins the next letter ({p:.2})"));
                next.doubts.push(format!("the first-page detector was unsure that this letter begins on page {number} ({p:.2})"));
            }
            parts.push(done);
            open = Some(next);
        } else if let Some(part) = open.as_mut() {
            part.last = number;
            if cue.start.is_some() && p >= 1.0 - SURE {
                part.doubts.push(format!("page {number} may begin a letter of its own ({p:.2})"));
            }
        } else {
            let by = match after.take() {
                None => PartStart::Start,
                Some(Separator::Blank) => PartStart::Blank,
                Some(Separator::Patch) => PartStart::Patch,
            };
            open = Some(PlannedPart { first: number, last: number, by, confidence: None, doubts: Vec::new() });
        }
    }
    parts.extend(open);
    if parts.is_empty() {
        return None;
    }
    Some(Plan { parts, separators })
}

/// The check a part of a batch carries when its split is doubtful.
pub fn doubt_check(doubts: &[String]) -> crate::index::Check {
    crate::index::Check { name: CheckName::BatchSplit, passed: false, message: format!("{}; check the split in the batch's view and move the boundary if it is wrong", doubts.join("; ")) }
}

/// Parses a person's split, `1-3, 5, 6-9` (pages of the batch, 1-based, each range a
/// document), checked against the batch: in order, no overlap, within its pages, not on a
/// separator page.
pub fn parse_ranges(text: &str, pages: u32, separators: &[u32]) -> Result<Vec<[u32; 2]>, String> {
    let mut out: Vec<[u32; 2]> = Vec::new();
    for part in text.split([',', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once(['-', '–']) {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let first: u32 = a.parse().map_err(|_| format!("{part:?} is not a page range like 3-5"))?;
        let last: u32 = b.parse().map_err(|_| format!("{part:?} is not a page range like 3-5"))?;
        if first == 0 || last < first || last > pages {
            return Err(format!("{part}: pages run from 1 to {pages}, first before last"));
        }
        if let Some(prev) = out.last() {
            if first <= prev[1] {
                return Err(format!("{part} overlaps or comes before {}-{}", prev[0], prev[1]));
            }
        }
        if let Some(s) = separators.iter().find(|s| (first..=last).contains(*s)) {
            return Err(format!("{part} holds page {s}, a separator sheet"));
        }
        out.push([first, last]);
    }
    if out.is_empty() {
        return Err("no page range given".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(separator: Option<Separator>, start: Option<f32>) -> PageCue {
        PageCue { separator, start }
    }

    fn ranges(p: &Plan) -> Vec<(u32, u32)> {
        p.parts.iter().map(|p| (p.first, p.last)).collect()
    }

    #[test]
    fn separators_end_letters_and_belong_to_none() {
        let b = Some(Separator::Blank);
        let q = Some(Separator::Patch);
        // sep first, two seps in a row (a duplex sheet's back), a trailing one
        let cues = [cue(q, None), cue(None, None), cue(None, None), cue(q, None), cue(b, None), cue(None, None), cue(b, None)];
        let p = plan(&cues).unwrap();
        assert_eq!(ranges(&p), vec![(2, 3), (6, 6)]);
        assert_eq!(p.separators, vec![1, 4, 5, 7]);
        assert_eq!(p.parts[0].by, PartStart::Patch);
        assert_eq!(p.parts[1].by, PartStart::Blank);
        assert!(plan(&[cue(b, None), cue(b, None)]).is_none(), "only separators: nothing to split");
    }

    #[test]
    fn the_first_page_detector_splits_inside_a_segment_and_doubts_are_named() {
        let cues = [cue(None, Some(1.0)), cue(None, Some(0.1)), cue(None, Some(0.97)), cue(None, Some(0.6)), cue(None, Some(0.3))];
        let p = plan(&cues).unwrap();
        assert_eq!(ranges(&p), vec![(1, 2), (3, 3), (4, 5)]);
        assert_eq!(p.parts[1].by, PartStart::FirstPage);
        assert!(p.parts[0].doubts.is_empty());
        assert!(!p.parts[1].doubts.is_empty(), "its end, at 0.6, is doubtful");
        assert_eq!(p.parts[2].doubts.len(), 2, "begins at 0.6, and page 5 at 0.3 might begin another");
        assert!(plan(&[cue(None, None)]).unwrap().is_single());
    }

    #[test]
    fn a_person_s_ranges_are_checked() {
        assert_eq!(parse_ranges("1-3, 5 ,6-9", 9, &[4]).unwrap(), vec![[1, 3], [5, 5], [6, 9]]);
        assert!(parse_ranges("1-4", 9, &[4]).unwrap_err().contains("separator"));
        assert!(parse_ranges("3-5,5-6", 9, &[]).is_err());
        assert!(parse_ranges("0-2", 9, &[]).is_err());
        assert!(parse_ranges("8-10", 9, &[]).is_err());
        assert!(parse_ranges("a-b", 9, &[]).is_err());
        assert!(parse_ranges(" ", 9, &[]).is_err());
    }

    #[test]
    fn blank_pages_with_dust_are_blank_and_a_short_line_is_not() {
        let policy = SplitPolicy::parse_list("blank").unwrap();
        // A4 at 150 dpi, recycled grey paper with dust specks.
        let (w, h) = (1240u32, 1754u32);
        let mut page = GrayImage::from_pixel(w, h, image::Luma([228]));
        let mut seed = 7u32;
        for _ in 0..400 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let (x, y) = ((seed >> 8) % w, (seed >> 3) % h);
            page.put_pixel(x, y, image::Luma([20]));
        }
        let m = mark(&page, &policy);
        assert_eq!(m.separator(&policy), Some(Separator::Blank), "ink {}", m.ink);
        // One line "Seite 2" of 10 pt text: about 7 characters of strokes.
        for c in 0..7u32 {
            for y in 800..830 {
                for x in (600 + c * 22)..(600 + c * 22 + 14) {
                    if (x + y) % 3 != 0 {
                        page.put_pixel(x, y, image::Luma([30]));
                    }
                }
            }
        }
        let m = mark(&page, &policy);
        assert_eq!(m.separator(&policy), None, "ink {}", m.ink);
    }
}
