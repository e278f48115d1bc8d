//! Real till receipts with key-field ground truth, in the layout of
//! `shared/data/receipts-sroie`: `img/NNN.jpg`, `key/NNN.json` (`company`, `date`, `address`,
//! `total`, as printed) and `box/NNN.csv` (every text line with its transcript).
//!
//! - [`truth`] turns a key file into the ground truth `mailroom eval` compares with: the type
//!   `receipt`, `seller_name`, `issue_date` (the printed date read day first), `gross_total`
//!   and `currency` (`MYR`: the receipts are Malaysian, printed `RM`).
//! - [`split_of`] is the fixed held-out split: a quarter of the receipts, chosen by a hash of
//!   the file name, that is never looked at one by one, trained or tuned on; the rest is
//!   development data. The rule is in the code so that nobody can move a receipt between the
//!   two by editing a list.
//! - [`recall`] measures the OCR stage on its own, against the line transcripts: the share of
//!   lines whose text OCR read, and whether the total is anywhere in what it read — no
//!   extractor can take what OCR lost.

use std::path::{Path, PathBuf};

use chrono::Datelike;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::layout::Page;

/// Which part of a receipt set a receipt belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Looked at, tuned on: development data.
    Dev,
    /// Never looked at one by one, never trained or tuned on: what is reported.
    Holdout,
}

impl std::str::FromStr for Split {
    type Err = String;
    fn from_str(s: &str) -> Result<Split, String> {
        match s {
            "dev" => Ok(Split::Dev),
            "holdout" => Ok(Split::Holdout),
            other => Err(format!("'{other}': dev or holdout")),
        }
    }
}

/// The split of the receipt whose file stem is `stem` (`400`): a quarter held out.
pub fn split_of(stem: &str) -> Split {
    let digest = crate::document::sha256_hex(format!("mailroom receipts holdout v1:{stem}").as_bytes());
    if digest.starts_with(['0', '1', '2', '3']) {
        Split::Holdout
    } else {
        Split::Dev
    }
}

/// The key file of a receipt image (`…/img/400.jpg` → `…/key/400.json`), when there is one.
pub fn key_of(doc: &Path) -> Option<PathBuf> {
    let dir = doc.parent()?;
    if dir.file_name()? != "img" {
        return None;
    }
    let key = dir.parent()?.join("key").join(format!("{}.json", doc.file_stem()?.to_str()?));
    key.exists().then_some(key)
}

/// The line transcripts of a receipt image (`…/box/400.csv`): the text after the eight
/// corner coordinates of each line.
pub fn lines_of(doc: &Path) -> Option<Vec<String>> {
    let dir = doc.parent()?.parent()?;
    let text = std::fs::read_to_string(dir.join("box").join(format!("{}.csv", doc.file_stem()?.to_str()?))).ok()?;
    Some(text.lines().filter_map(|l| l.splitn(9, ',').nth(8)).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect())
}

/// A key file as `mailroom eval`'s ground truth.
pub fn truth(key: &Value) -> Value {
    let text = |k: &str| key.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let date = text("date").and_then(key_date).map(|d| d.format("%Y-%m-%d").to_string());
    let total = text("total").and_then(|t| crate::review::normalise(crate::vocab::Field::GrossTotal, t).ok());
    json!({
        "doc_type": "receipt",
        "seller_name": text("company"),
        "issue_date": date,
        "gross_total": total,
        "currency": "MYR",
    })
}

/// A key file's date as printed — always day first on these receipts (`25/12/2018`,
/// `25-12-18`, `01-NOV-2017`, `15 MAY 2018`, `OCT 3, 2016`), a time after it left off.
fn key_date(printed: &str) -> Option<chrono::NaiveDate> {
    let formats = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d-%m-%y", "%d.%m.%y", "%Y-%m-%d", "%Y/%m/%d", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %b %y", "%b %d, %Y", "%b %d %Y"];
    let words: Vec<&str> = printed.split_whitespace().collect();
    // The date alone, or with the words after it cut off one by one (a time, "PM").
    (1..=words.len()).rev().map(|n| words[..n].join(" ")).find_map(|candidate| formats.iter().find_map(|f| chrono::NaiveDate::parse_from_str(&candidate, f).ok().filter(|d| d.year() >= 1990)))
}

/// What OCR read of a set of receipts, against their line transcripts.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recall {
    /// The engine configured for narrow-column pages (`[ocr] receipts`) that read them.
    #[serde(default)]
    pub engine: String,
    pub receipts: usize,
    /// Transcript lines, and of them those whose text is in what OCR read.
    pub lines: usize,
    pub lines_read: usize,
    /// Receipts with a total, and of them those whose total OCR read somewhere.
    pub totals: usize,
    pub totals_read: usize,
    /// Receipts with a seller's name, and of them those whose name OCR read letter for
    /// letter somewhere (spacing aside): a ceiling for the seller, as `totals_read` is for
    /// the total.
    #[serde(default)]
    pub sellers: usize,
    #[serde(default)]
    pub sellers_read: usize,
}

impl Recall {
    pub fn line_recall(&self) -> f64 {
        ratio(self.lines_read, self.lines)
    }

    pub fn total_recall(&self) -> f64 {
        ratio(self.totals_read, self.totals)
    }

    pub fn seller_recall(&self) -> f64 {
        ratio(self.sellers_read, self.sellers)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Upper case, letters and digits and `.,:/-&` only, single spaces: how a transcript line and
/// OCR's text are compared (a stray space or a `|` from a rule is no misreading).
fn plain(s: &str) -> String {
    let kept: String = s.chars().map(|c| if c.is_alphanumeric() || ".,:/-&".contains(c) { c } else { ' ' }).flat_map(char::to_uppercase).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Adds one receipt's OCR to `r`: which transcript lines are in the text OCR read, and
/// whether its total and its seller's name (as the key gives them) are.
pub fn recall(r: &mut Recall, transcripts: &[String], pages: &[Page], total: Option<&str>, seller: Option<&str>) {
    // Line by line in reading order, as the extractor reads the page: `Page::words` is in
    // the order of the words' centres from top to bottom, which scrambles a line whose
    // words sit a pixel higher or lower.
    let read = format!(" {} ", pages.iter().flat_map(|p| p.lines.iter().map(move |l| plain(&p.line_text(l)))).collect::<Vec<_>>().join(" "));
    let compact: String = read.chars().filter(|c| !c.is_whitespace()).collect();
    r.receipts += 1;
    for line in transcripts.iter().map(|l| plain(l)).filter(|l| !l.is_empty()) {
        r.lines += 1;
        // Words in the order printed; OCR's spacing does not count.
        let squeezed: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains(&squeezed) {
            r.lines_read += 1;
        }
    }
    // Whether a key value (spacing aside) is anywhere in what OCR read; `None` without one.
    let found = |value: Option<&str>| value.map(plain).filter(|v| !v.is_empty()).map(|v| compact.contains(&v.replace(' ', "")));
    for (value, counted, read) in [(total, &mut r.totals, &mut r.totals_read), (seller, &mut r.sellers, &mut r.sellers_read)] {
        if let Some(was_read) = found(value) {
            *counted += 1;
            *read += usize::from(was_read);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_fields_become_ground_truth_read_as_printed() {
        let t = truth(&json!({"company": "SIN THYE & COMPANY", "date": "28/02/2016", "address": "NO.54", "total": "110.00"}));
        assert_eq!(t["seller_name"], "SIN THYE & COMPANY");
        assert_eq!(t["issue_date"], "2016-02-28");
        assert_eq!(t["gross_total"], "110.00");
        assert_eq!((t["doc_type"].as_str(), t["currency"].as_str()), (Some("receipt"), Some("MYR")));
        for (printed, day) in
            [("25-12-18", "2018-12-25"), ("19/04/18", "2018-04-19"), ("01-NOV-2017", "2017-11-01"), ("05 MAY 18", "2018-05-05"), ("OCT 3, 2016", "2016-10-03"), ("11/05/2018 10:53 PM", "2018-05-11")]
        {
            assert_eq!(truth(&json!({"date": printed}))["issue_date"], day, "{printed}");
        }
        assert_eq!(truth(&json!({"total": "RM 9.80"}))["gross_total"], "9.80");
    }

    #[test]
    fn the_holdout_is_a_fixed_quarter_chosen_by_name() {
        let held = (400..1000).filter(|n| split_of(&n.to_string()) == Split::Holdout).count();
        assert!((120..=180).contains(&held), "about a quarter of 600: {held}");
        assert_eq!(split_of("400"), split_of("400"), "the same every time");
    }

    #[test]
    fn ocr_recall_counts_lines_read_in_order_whatever_the_spacing() {
        // The words of the second line stand a little higher or lower, as on a photo.
        let page = crate::layout::test_page(
            &[(10.0, 10.0, "SIN THYE &"), (60.0, 10.0, "COMPANY"), (10.0, 20.6, "GST"), (30.0, 19.8, "NO:"), (50.0, 20.3, "001329332224"), (10.0, 30.0, "TOTAL"), (60.0, 30.0, "11O.00")],
            8.0,
        );
        let mut r = Recall::default();
        recall(
            &mut r,
            &["SIN THYE & COMPANY".into(), "GST NO: 001329332224".into(), "TOTAL 110.00".into(), "THANK YOU".into()],
            std::slice::from_ref(&page),
            Some("110.00"),
            Some("SIN THYE & COMPANY"),
        );
        assert_eq!((r.lines, r.lines_read, r.totals, r.totals_read), (4, 2, 1, 0), "an O read for a 0 is a miss");
        assert_eq!((r.sellers, r.sellers_read), (1, 1), "the name read over two words");
        recall(&mut r, &[], &[page], None, Some("SIN THYE & CO."));
        assert_eq!((r.sellers, r.sellers_read), (2, 1), "a name the key spells longer than OCR read it is not read");
    }
}
