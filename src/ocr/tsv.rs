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
}
