//! Evens out a scan's paper before a second reading: grey photocopies, pages lit unevenly
//! by a scanner lid or a lamp, and grainy low-contrast scans defeat Tesseract's one global
//! threshold (a page read as 17 words of 168). The paper's own tone, estimated locally, is
//! divided out, and the ink stretched to black on white; Tesseract then thresholds locally
//! (Sauvola). Only pages whose first reading was poor are read this way ([`super::read_page`]).
//!
//! Every page Tesseract reads is evened out once, to measure how much of its print the first
//! reading kept ([`Even::read_share`]), so this is on the hot path: the divided page is made
//! in one pass over rows with the interpolation weights worked out once per column and row,
//! and the stretch is a 256-entry table applied only when the page is read again.

use image::GrayImage;

/// Side of the cells the paper tone is estimated in, in pixels.
const CELL: u32 = 8;

/// A page with its paper tone divided out, and the table that stretches its ink: paper at
/// white, the darkest half-percent of the print at black.
pub struct Even {
    divided: GrayImage,
    stretch: [u8; 256],
}

/// The page with its background divided out; the stretch is worked out, not yet applied.
pub fn even(gray: &GrayImage) -> Even {
    let (w, h) = gray.dimensions();
    if w < 2 * CELL || h < 2 * CELL {
        return Even { divided: gray.clone(), stretch: identity() };
    }
    let divided = divide(gray, &paper_tone(gray));
    let stretch = stretch_table(&divided);
    Even { divided, stretch }
}

/// The page with its background divided out and its ink stretched.
#[cfg(test)]
pub fn flatten(gray: &GrayImage) -> GrayImage {
    even(gray).into_image()
}

impl Even {
    /// The evened-out page, stretched: what the second reading reads.
    pub fn into_image(mut self) -> GrayImage {
        for p in self.divided.iter_mut() {
            *p = self.stretch[usize::from(*p)];
        }
        self.divided
    }

    /// Of the evened-out page's inked cells (three or more pixels darker than mid-grey in a
    /// cell), the share that lies in or next to a word's box: how much of the print a
    /// reading took for text. A reading that lost most of a grey page's lines is confident
    /// about the few it kept, so its confidence does not tell; this does. Rules and logos are
    /// ink too, so a well-read page stays under 1.
    pub fn read_share(&self, words: &[super::tsv::PixelWord]) -> f32 {
        let (w, h) = self.divided.dimensions();
        if w == 0 || h == 0 {
            return 1.0;
        }
        let (cols, rows) = (w.div_ceil(CELL), h.div_ceil(CELL));
        let mut dark = vec![0u16; (cols * rows) as usize];
        for (y, row) in self.divided.as_raw().chunks_exact(w as usize).enumerate() {
            let cells = &mut dark[(y as u32 / CELL * cols) as usize..][..cols as usize];
            for (x, &p) in row.iter().enumerate() {
                if self.stretch[usize::from(p)] < 128 {
                    cells[x / CELL as usize] += 1;
                }
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
}

fn identity() -> [u8; 256] {
    std::array::from_fn(|i| i as u8)
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

    /// Bilinear between the four nearest cell centres, one pixel at a time: what [`divide`]
    /// works out a row at a time.
    #[cfg(test)]
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
    for (y, row) in gray.as_raw().chunks_exact(w as usize).enumerate() {
        let row_cells = &mut cells[(y as u32 / CELL * cols) as usize..][..cols as usize];
        for (x, &p) in row.iter().enumerate() {
            let c = &mut row_cells[x / CELL as usize];
            *c = (*c).max(p);
        }
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

/// For each pixel along one side of the page: the two nearest cells' indices (clamped to
/// the page) and the weight of the second, as [`Tone::at`] works them out.
fn weights(pixels: u32, cells: u32) -> Vec<(usize, usize, f32)> {
    let last = i64::from(cells) - 1;
    (0..pixels)
        .map(|i| {
            let f = (i as f32 + 0.5) / CELL as f32 - 0.5;
            let i0 = f.floor();
            let t = f - i0;
            let i0 = i0 as i64;
            (i0.clamp(0, last) as usize, (i0 + 1).clamp(0, last) as usize, t)
        })
        .collect()
}

/// Every pixel divided by the paper tone under it, at 255 for paper.
fn divide(gray: &GrayImage, tone: &Tone) -> GrayImage {
    let (w, h) = gray.dimensions();
    let (xs, ys) = (weights(w, tone.cols), weights(h, tone.rows));
    let cols = tone.cols as usize;
    let mut out = vec![0u8; gray.as_raw().len()];
    for ((row, out_row), &(r0, r1, ty)) in gray.as_raw().chunks_exact(w as usize).zip(out.chunks_exact_mut(w as usize)).zip(&ys) {
        let (above, below) = (&tone.cells[r0 * cols..][..cols], &tone.cells[r1 * cols..][..cols]);
        for ((&p, o), &(c0, c1, tx)) in row.iter().zip(out_row.iter_mut()).zip(&xs) {
            let top = above[c0] * (1.0 - tx) + above[c1] * tx;
            let bottom = below[c0] * (1.0 - tx) + below[c1] * tx;
            let bg = (top * (1.0 - ty) + bottom * ty).max(1.0);
            *o = (f32::from(p) / bg * 255.0).clamp(0.0, 255.0) as u8;
        }
    }
    GrayImage::from_raw(w, h, out).expect("a buffer of the page's size")
}

/// The table that maps the darkest half-percent of the pixels to black and the median (the
/// paper) to white, linearly; the page as it is where paper and ink are too close to tell.
fn stretch_table(img: &GrayImage) -> [u8; 256] {
    let super::Tones { paper, ink } = super::Tones::of(img);
    let (paper, ink) = (f32::from(paper), f32::from(ink));
    if paper - ink < 8.0 {
        return identity();
    }
    std::array::from_fn(|p| ((p as f32 - ink) / (paper - ink) * 255.0).clamp(0.0, 255.0) as u8)
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
        assert_eq!(even(&img).read_share(&[word(10, 10), word(110, 50)]), 1.0);
        let half = even(&img).read_share(&[word(10, 10)]);
        assert!((0.4..=0.6).contains(&half), "{half}");
        assert_eq!(even(&img).read_share(&[]), 0.0);
    }

    #[test]
    fn the_page_divided_a_row_at_a_time_is_the_page_divided_pixel_by_pixel() {
        // Uneven paper, grain and strokes, on a size that is not a whole number of cells.
        let (w, h) = (203, 141);
        let img = GrayImage::from_fn(w, h, |x, y| {
            let grain = (x * 7919 + y * 104_729) % 23;
            let ink = if (x / 5 + y / 9) % 4 == 0 { 90 } else { 0 };
            image::Luma([(150 + x / 3 + grain - ink.min(150 + x / 3)) as u8])
        });
        let tone = paper_tone(&img);
        let divided = divide(&img, &tone);
        for (x, y, p) in img.enumerate_pixels() {
            let bg = tone.at(x, y).max(1.0);
            let want = (f32::from(p.0[0]) / bg * 255.0).clamp(0.0, 255.0) as u8;
            assert_eq!(divided.get_pixel(x, y).0[0], want, "at ({x}, {y})");
        }
    }

    #[test]
    fn a_tiny_image_is_left_as_it_is() {
        let img = GrayImage::from_pixel(5, 5, image::Luma([100]));
        assert_eq!(flatten(&img), img);
    }
}
