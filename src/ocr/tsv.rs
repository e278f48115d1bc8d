//! Parses Tesseract's TSV output (level 5 rows are words).

#[derive(Debug, Clone, PartialEq)]
pub struct PixelWord {
    pub text: String,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// 0..100.
    pub conf: f32,
}

impl PixelWord {
    /// The word in the frame of the image without the `pad` pixels of margin it was read in.
    pub fn shifted_back(self, pad: u32) -> PixelWord {
        let (left, top) = (self.left.saturating_sub(pad), self.top.saturating_sub(pad));
        // A box reaching into the margin keeps its far edge where it was.
        let width = (self.left + self.width).saturating_sub(pad).saturating_sub(left);
        let height = (self.top + self.height).saturating_sub(pad).saturating_sub(top);
        PixelWord { left, top, width, height, ..self }
    }
}

pub fn parse(tsv: &str) -> Vec<PixelWord> {
    let mut out = Vec::new();
    for line in tsv.lines() {
        let cols: Vec<&str> = line.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<f32>().ok();
        let (Some(l), Some(t), Some(w), Some(h), Some(c)) = (num(6), num(7), num(8), num(9), num(10)) else { continue };
        let text = cols[11].trim();
        if text.is_empty() || c < 0.0 {
            continue;
        }
        out.push(PixelWord { text: text.to_string(), left: l as u32, top: t as u32, width: w as u32, height: h as u32, conf: c });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_word_rows_only() {
        let tsv = "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t100\t200\t300\t40\t96.5\tRechnung\n\
                   5\t1\t1\t1\t1\t2\t420\t200\t80\t40\t-1\t \n";
        let w = super::parse(tsv);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].text, "Rechnung");
        assert_eq!((w[0].left, w[0].top, w[0].width, w[0].height), (100, 200, 300, 40));
    }

    #[test]
    fn words_read_inside_a_margin_are_moved_back_onto_the_page() {
        let w = |left, top, width, height| super::PixelWord { text: "x".into(), left, top, width, height, conf: 90.0 };
        let back = w(120, 220, 300, 40).shifted_back(20);
        assert_eq!((back.left, back.top, back.width, back.height), (100, 200, 300, 40));
        // A box starting in the margin starts at the page's edge and keeps its far side.
        let back = w(15, 5, 30, 40).shifted_back(20);
        assert_eq!((back.left, back.top, back.width, back.height), (0, 0, 25, 25));
    }
}
