//! Evens out a scan's paper before a second reading: grey photocopies, pages lit unevenly
//! by a scanner lid or a lamp, and grainy low-contrast scans defeat Tesseract's one global
//! threshold (a page read as 17 words of 168). The paper's own tone, estimated locally, is
//! divided out, and the ink stretched to black on white; Tesseract then thresholds locally
//! (Sauvola). Only pages whose first reading was poor are read this way ([`super::read_page`]).

use image::GrayImage;

/// Side of the cells the paper tone is estimated in, in pixels.
const CELL: u32 = 8;

/// The page with its background divided out and its ink stretched: paper at white, the
/// darkest half-percent of the print at black.
pub fn flatten(gray: &GrayImage) -> GrayImage {
    let (w, h) = gray.dimensions();
    if w < 2 * CELL || h < 2 * CELL {
        return gray.clone();
    }
    let paper = paper_tone(gray);
    let mut out = GrayImage::new(w, h);
    for (x, y, p) in gray.enumerate_pixels() {
        let bg = paper.at(x, y).max(1.0);
        let v = (f32::from(p.0[0]) / bg * 255.0).clamp(0.0, 255.0);
        out.put_pixel(x, y, image::Luma([v as u8]));
    }
    stretch(&mut out);
    out
}

/// Of the evened-out page's inked cells (three or more pixels darker than mid-grey in a
/// cell), the share that lies in or next to a word's box: how much of the print a reading
/// took for text. A reading that lost most of a grey page's lines is confident about the
/// few it kept, so its confidence does not tell; this does. Rules and logos are ink too, so
/// a well-read page stays under 1.
pub fn read_share(flat: &GrayImage, words: &[super::tsv::PixelWord]) -> f32 {
    let (w, h) = flat.dimensions();
    let (cols, rows) = (w.div_ceil(CELL), h.div_ceil(CELL));
    let mut dark = vec![0u16; (cols * rows) as usize];
    for (x, y, p) in flat.enumerate_pixels() {
        if p.0[0] < 128 {
            dark[((y / CELL) * cols + x / CELL) as usize] += 1;
        }
    }
    let mut read = vec![false; dark.len()];
    for word in words {
        let (c0, r0) = ((word.left / CELL).saturating_sub(1), (word.top / CELL).saturating_sub(1));
        let (c1, r1) = (((word.left + word.width) / CELL + 1).min(cols - 1), ((word.top + word.height) / CELL + 1).min(rows - 1));
        for r in r0..=r1 {
            for c in c0..=c1 {
                read[(r * cols + c) as usize] = true;
            }
        }
    }
    let inked: Vec<bool> = dark.iter().map(|&n| n >= 3).collect();
    let total = inked.iter().filter(|&&i| i).count();
    if total == 0 {
        return 1.0;
    }
    inked.iter().zip(&read).filter(|(&i, &r)| i && r).count() as f32 / total as f32
}

/// The paper tone over the page: in each cell its brightest pixel — paper, unless print
/// covers the whole cell —, then the brightest of the cells around (a heading's bold strokes
/// can fill a cell), smoothed, read between cell centres.
struct Tone {
    cells: Vec<f32>,
    cols: u32,
    rows: u32,
}

impl Tone {
    fn cell(&self, cx: i64, cy: i64) -> f32 {
        let cx = cx.clamp(0, i64::from(self.cols) - 1) as usize;
        let cy = cy.clamp(0, i64::from(self.rows) - 1) as usize;
        self.cells[cy * self.cols as usize + cx]
    }

    /// A new value for every cell from `combine` over it and its eight neighbours.
    fn around(&self, combine: impl Fn(&mut dyn Iterator<Item = f32>) -> f32) -> Vec<f32> {
        (0..i64::from(self.rows))
            .flat_map(|cy| (0..i64::from(self.cols)).map(move |cx| (cx, cy)))
            .map(|(cx, cy)| combine(&mut (-1..=1).flat_map(|dy| (-1..=1).map(move |dx| (dx, dy))).map(|(dx, dy)| self.cell(cx + dx, cy + dy))))
            .collect()
    }

    /// Bilinear between the four nearest cell centres.
    fn at(&self, x: u32, y: u32) -> f32 {
        let fx = (x as f32 + 0.5) / CELL as f32 - 0.5;
        let fy = (y as f32 + 0.5) / CELL as f32 - 0.5;
        let (x0, y0) = (fx.floor(), fy.floor());
        let (tx, ty) = (fx - x0, fy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let top = self.cell(x0, y0) * (1.0 - tx) + self.cell(x0 + 1, y0) * tx;
        let bottom = self.cell(x0, y0 + 1) * (1.0 - tx) + self.cell(x0 + 1, y0 + 1) * tx;
        top * (1.0 - ty) + bottom * ty
    }
}

fn paper_tone(gray: &GrayImage) -> Tone {
    let (w, h) = gray.dimensions();
    let (cols, rows) = (w.div_ceil(CELL), h.div_ceil(CELL));
    let mut cells = vec![0u8; (cols * rows) as usize];
    for (x, y, p) in gray.enumerate_pixels() {
        let c = &mut cells[((y / CELL) * cols + x / CELL) as usize];
        *c = (*c).max(p.0[0]);
    }
    let mut tone = Tone { cells: cells.into_iter().map(f32::from).collect(), cols, rows };
    // Two rounds of the brightest neighbour: paper within 2 cells of any cell.
    for _ in 0..2 {
        tone.cells = tone.around(|cells| cells.fold(0.0, f32::max));
    }
    // Three rounds of the mean of the 3×3 neighbours: a smooth light field, no cell edges.
    for _ in 0..3 {
        tone.cells = tone.around(|cells| cells.sum::<f32>() / 9.0);
    }
    tone
}

/// Maps the darkest half-percent of the pixels to black and the median (the paper) to
/// white, linearly.
fn stretch(img: &mut GrayImage) {
    let super::Tones { paper, ink } = super::Tones::of(img);
    let (paper, ink) = (f32::from(paper), f32::from(ink));
    if paper - ink < 8.0 {
        return;
    }
    for p in img.pixels_mut() {
        p.0[0] = ((f32::from(p.0[0]) - ink) / (paper - ink) * 255.0).clamp(0.0, 255.0) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uneven_light_and_grey_paper_become_white_paper_and_black_ink() {
        // Paper from 120 on the left to 220 on the right, ink 40 below the paper everywhere.
        let (w, h) = (200, 120);
        let mut img = GrayImage::from_fn(w, h, |x, _| image::Luma([(120 + x / 2) as u8]));
        for x in (20..180).step_by(10) {
            for y in 50..70 {
                for dx in 0..3 {
                    let p = img.get_pixel(x + dx, y).0[0];
                    img.put_pixel(x + dx, y, image::Luma([p - 40]));
                }
            }
        }
        let flat = flatten(&img);
        // The paper is white on both sides, the strokes dark on both sides.
        for x in [10, 190] {
            assert!(flat.get_pixel(x, 10).0[0] >= 220, "paper at x={x}: {}", flat.get_pixel(x, 10).0[0]);
        }
        for x in [21, 171] {
            assert!(flat.get_pixel(x, 60).0[0] <= 120, "ink at x={x}: {}", flat.get_pixel(x, 60).0[0]);
        }
        // Before, the ink on the bright side was lighter than the paper on the dark side.
        assert!(img.get_pixel(171, 60).0[0] > img.get_pixel(10, 10).0[0]);
    }

    #[test]
    fn the_read_share_is_the_print_inside_word_boxes() {
        let mut img = GrayImage::from_pixel(160, 80, image::Luma([255]));
        // Two "words" of ink: one at the left, one at the right.
        for (x0, y0) in [(10u32, 10u32), (110, 50)] {
            for x in x0..x0 + 30 {
                for y in y0..y0 + 10 {
                    img.put_pixel(x, y, image::Luma([0]));
                }
            }
        }
        let word = |left, top| super::super::tsv::PixelWord { text: "Wort".into(), left, top, width: 30, height: 10, conf: 90.0 };
        assert_eq!(read_share(&img, &[word(10, 10), word(110, 50)]), 1.0);
        let half = read_share(&img, &[word(10, 10)]);
        assert!((0.4..=0.6).contains(&half), "{half}");
        assert_eq!(read_share(&img, &[]), 0.0);
    }

    #[test]
    fn a_tiny_image_is_left_as_it_is() {
        let img = GrayImage::from_pixel(5, 5, image::Luma([100]));
        assert_eq!(flatten(&img), img);
    }
}
