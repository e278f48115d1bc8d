//! Parsing of the values found on invoices: dates and money amounts in German, English and
//! French notation, normalised to `YYYY-MM-DD` and two-decimal strings.

use chrono::NaiveDate;
use regex::Regex;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::OnceLock;

/// A date found in a text, with the byte range it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct DateMatch {
    pub date: NaiveDate,
    pub start: usize,
    pub end: usize,
}

/// An amount found in a text, with the byte range it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct AmountMatch {
    pub value: Decimal,
    pub start: usize,
    pub end: usize,
    /// ISO 4217 code when a currency sign or code stands right beside it.
    pub currency: Option<&'static str>,
}

fn month_number(name: &str) -> Option<u32> {
    let n = name.trim_end_matches('.').to_lowercase();
    let n = n.as_str();
    let months: [(&[&str], u32); 12] = [
        (&["jan", "januar", "january", "jänner", "janvier", "janv"], 1),
        (&["feb", "februar", "february", "février", "fevrier", "févr", "fevr"], 2),
        (&["mär", "mar", "märz", "maerz", "march", "mars", "mrz"], 3),
        (&["apr", "april", "avril", "avr"], 4),
        (&["mai", "may"], 5),
        (&["jun", "juni", "june", "juin"], 6),
        (&["jul", "juli", "july", "juillet", "juil"], 7),
        (&["aug", "august", "août", "aout"], 8),
        (&["sep", "sept", "september", "septembre"], 9),
        (&["okt", "oct", "oktober", "october", "octobre"], 10),
        (&["nov", "november", "novembre"], 11),
        (&["dez", "dec", "dezember", "december", "décembre", "decembre", "déc"], 12),
    ];
    months.iter().find(|(names, _)| names.contains(&n)).map(|(_, m)| *m)
}

fn year4(y: i32) -> i32 {
    if y < 100 {
        if y < 70 {
            2000 + y
        } else {
            1900 + y
        }
    } else {
        y
    }
}

fn valid(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    let y = year4(y);
    if !(1990..=2099).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

struct DateRes {
    numeric_dmy: Regex,
    iso: Regex,
    day_month_name: Regex,
    month_name_day: Regex,
    lost_dot: Regex,
}

fn date_res() -> &'static DateRes {
    static R: OnceLock<DateRes> = OnceLock::new();
    R.get_or_init(|| DateRes {
        // 05.06.2018, 5.6.18, 05/06/2018, 05-06-2018
        numeric_dmy: Regex::new(r"(?:^|[^\d])(\d{1,2})\s?([./-])\s?(\d{1,2})\s?([./-])\s?(\d{4}|\d{2})(?:[^\d]|$)").unwrap(),
        // 2018-06-05, 2018/06/05; OCR now and then splits a pair of digits ("2023-1 1-11")
        iso: Regex::new(r"(?:^|[^\d])(\d{4})[-/](\d ?\d)[-/](\d ?\d)(?:[^\d]|$)").unwrap(),
        // 5. Juni 2018, 5 June 2018, 05. Jun. 2018, 15-Oct-2015; a speck OCR read as a letter
        // before the month is passed over ("8. J Januar 2023")
        // and, on till receipts, "05 MAY 18"
        day_month_name: Regex::new(r"(?i)(?:^|[^\d])(\d{1,2})(?:\.?\s*(?:[^\s\d]\s+)?|-)([a-zäéû]{3,10}\.?)(?:\s*,?\s*|-)(\d{4}|\d{2})(?:[^\d]|$)").unwrap(),
        // 25.092025 or 2509.2025: one of the two dots lost in the scan
        lost_dot: Regex::new(r"(?:^|[^\d.])(\d{2})(?:\.(\d{2})|(\d{2})\.)((?:19|20)\d{2})(?:[^\d]|$)").unwrap(),
        // June 5, 2018
        month_name_day: Regex::new(r"(?i)([a-z]{3,9}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})").unwrap(),
    })
}

/// Whether the document writes its slash dates ("03/12/2017") month first, as the page
/// itself shows it: a date whose first number is over 12 is day first, one whose second is
/// over 12 month first; failing those, payment terms of N days ("balance at 30 days",
/// "30 Tage") and two ambiguous dates that are N days apart in one reading only. `None`
/// when the page does not tell.
pub fn slash_dates_month_first(texts: &[&str]) -> Option<bool> {
    static TERMS: OnceLock<Regex> = OnceLock::new();
    let terms = TERMS.get_or_init(|| Regex::new(r"(?i)\b(\d{1,3})\s*(?:days|tagen?|jours|giorni|d[ií]as|dagen)\b").unwrap());
    let (mut day_first, mut month_first) = (0usize, 0usize);
    let mut ambiguous: Vec<(i32, u32, u32)> = Vec::new();
    let mut net_days: Vec<i64> = Vec::new();
    for text in texts {
        for c in numeric_dmy(text) {
            if &c[2] != "/" || c[5].len() != 4 {
                continue;
            }
            let (a, b, y): (u32, u32, i32) = (c[1].parse().unwrap_or(0), c[3].parse().unwrap_or(0), c[5].parse().unwrap_or(0));
            match (valid(y, b, a).is_some(), valid(y, a, b).is_some()) {
                (true, false) => day_first += 1,
                (false, true) => month_first += 1,
                (true, true) if a != b => ambiguous.push((y, a, b)),
                _ => {}
            }
        }
        net_days.extend(terms.captures_iter(text).filter_map(|c| c[1].parse::<i64>().ok()).filter(|n| *n > 0));
    }
    if day_first != month_first {
        return Some(month_first > day_first);
    }
    let (mut by_terms_day, mut by_terms_month) = (0usize, 0usize);
    for (i, &(y1, a1, b1)) in ambiguous.iter().enumerate() {
        for &(y2, a2, b2) in &ambiguous[i + 1..] {
            let gap = |first: Option<NaiveDate>, second: Option<NaiveDate>| first.zip(second).map(|(f, s)| (s - f).num_days().abs());
            let (df, mf) = (gap(valid(y1, b1, a1), valid(y2, b2, a2)), gap(valid(y1, a1, b1), valid(y2, a2, b2)));
            for n in &net_days {
                match (df == Some(*n), mf == Some(*n)) {
                    (true, false) => by_terms_day += 1,
                    (false, true) => by_terms_month += 1,
                    _ => {}
                }
            }
        }
    }
    (by_terms_day != by_terms_month).then_some(by_terms_month > by_terms_day)
}

/// Numeric dates whose two separators agree (05.06-2018 is none). A run like "a1- 25/05/2016"
/// first matches as "1- 25/05", which is no date; the search then goes on from just before the
/// middle number, so the date behind it is not lost.
fn numeric_dmy(text: &str) -> Vec<regex::Captures<'_>> {
    let re = &date_res().numeric_dmy;
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = re.captures_at(text, at) {
        if c[2] == c[4] {
            at = c.get(0).expect("match").end();
            out.push(c);
        } else {
            // The separator or space before the middle number: its non-digit opens a date.
            let mid = c.get(3).expect("group 3").start();
            at = text.get(..mid).and_then(|t| t.char_indices().last()).map_or(mid, |(i, _)| i);
        }
    }
    out
}

/// Whether `rest` (the text after a date) starts with a time of day ("14:03", " 2:51PM").
fn time_follows(rest: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^\s{1,3}(?:[01]?\d|2[0-3])[:.][0-5]\d\b").expect("regex")).is_match(rest)
}

/// All dates in `text`. Numeric dates are read day first (the European order) unless
/// `month_first` is set (US English documents) and the reading is valid that way.
pub fn find_dates(text: &str, month_first: bool) -> Vec<DateMatch> {
    let r = date_res();
    let mut out: Vec<DateMatch> = Vec::new();
    for c in r.iso.captures_iter(text) {
        let digits = |i: usize| c[i].replace(' ', "").parse().unwrap_or(0);
        let (y, m, d) = (c[1].parse().unwrap_or(0), digits(2), digits(3));
        if let Some(date) = valid(y, m, d) {
            let g = c.get(1).expect("group 1");
            out.push(DateMatch { date, start: g.start(), end: c.get(3).expect("group 3").end() });
        }
    }
    for c in numeric_dmy(text) {
        let a: u32 = c[1].parse().unwrap_or(0);
        let b: u32 = c[3].parse().unwrap_or(0);
        let y: i32 = c[5].parse().unwrap_or(0);
        // Two-digit years only with dots or dashes ("05.06.18", "25-12-18", both day first);
        // "1/2/18" is too ambiguous — unless a time of day follows, as a till prints its
        // timestamp ("01/05/16 2:51").
        if c[5].len() == 2 && &c[2] == "/" && !time_follows(text.get(c.get(5).expect("group 5").end()..).unwrap_or_default()) {
            continue;
        }
        let date = if month_first && &c[2] == "/" { valid(y, a, b).or_else(|| valid(y, b, a)) } else { valid(y, b, a) };
        if let Some(date) = date {
            let s = c.get(1).expect("group 1").start();
            let e = c.get(5).expect("group 5").end();
            if !out.iter().any(|m| m.start < e && s < m.end) {
                out.push(DateMatch { date, start: s, end: e });
            }
        }
    }
    for c in r.lost_dot.captures_iter(text) {
        let month = c.get(2).or(c.get(3)).map(|m| m.as_str().parse().unwrap_or(0)).unwrap_or(0);
        if let Some(date) = valid(c[4].parse().unwrap_or(0), month, c[1].parse().unwrap_or(0)) {
            let (s, e) = (c.get(1).expect("g1").start(), c.get(4).expect("g4").end());
            if !out.iter().any(|m| m.start < e && s < m.end) {
                out.push(DateMatch { date, start: s, end: e });
            }
        }
    }
    for c in r.day_month_name.captures_iter(text) {
        if let Some(m) = month_number(&c[2]) {
            if let Some(date) = valid(c[3].parse().unwrap_or(0), m, c[1].parse().unwrap_or(0)) {
                let (s, e) = (c.get(1).expect("g1").start(), c.get(3).expect("g3").end());
                if !out.iter().any(|m| m.start < e && s < m.end) {
                    out.push(DateMatch { date, start: s, end: e });
                }
            }
        }
    }
    for c in r.month_name_day.captures_iter(text) {
        if let Some(m) = month_number(&c[1]) {
            if let Some(date) = valid(c[3].parse().unwrap_or(0), m, c[2].parse().unwrap_or(0)) {
                let (s, e) = (c.get(1).expect("g1").start(), c.get(3).expect("g3").end());
                if !out.iter().any(|m| m.start < e && s < m.end) {
                    out.push(DateMatch { date, start: s, end: e });
                }
            }
        }
    }
    out.sort_by_key(|m| m.start);
    out
}

fn amount_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"(?x)
            (?P<pre>(?:EUR|USD|CHF|GBP|INR|MYR|PLN|CZK|SEK|DKK|NOK|HUF|€|\$|£|₹|\bRs\.?|\bRM|S?Fr\.)\s?)?
            (?P<sign>[-−–=])?\s?
            (?P<num>
                \d{1,2}(?:,\d{2})+,\d{3}\.\d{2}                # 1,23,456.78 (Indian lakh grouping)
              | \d{1,3}(?:[.\x{2009}\x{202F}'’\ ]\d{3})+,\d{2}  # 1.234,56  1 234,56
              | \d{1,3}(?:,\d{3})+\.\d{2}                      # 1,234.56
              | \d{1,3}(?:['’]\d{3})+\.\d{2}                   # 26'116.00 (Swiss)
              | \d+[,.]\d{2}                                    # 1234,56  1234.56
            )
            (?P<post>\s?(?:EUR|USD|CHF|GBP|INR|MYR|PLN|CZK|SEK|DKK|NOK|HUF|€|\$|£|₹|S?Fr\.))?
            (?P<trail>-)?",
        )
        .unwrap()
    })
}

fn currency_code(s: &str) -> Option<&'static str> {
    match s.trim() {
        "EUR" | "€" => Some("EUR"),
        "USD" | "$" => Some("USD"),
        "CHF" | "Fr." | "SFr." => Some("CHF"),
        "GBP" | "£" => Some("GBP"),
        "INR" | "₹" | "Rs." | "Rs" => Some("INR"),
        // Malaysian ringgit, printed RM.
        "MYR" | "RM" => Some("MYR"),
        "PLN" => Some("PLN"),
        "CZK" => Some("CZK"),
        "SEK" => Some("SEK"),
        "DKK" => Some("DKK"),
        "NOK" => Some("NOK"),
        "HUF" => Some("HUF"),
        _ => None,
    }
}

/// An amount as the index writes it (`1234.56`) the way a German accountant reads it
/// (`1.234,56`): the review queue's column, the order match's messages.
pub fn german_amount(v: &str) -> String {
    let (int, frac) = v.split_once('.').unwrap_or((v, "00"));
    let (sign, digits) = int.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", int));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{frac}")
}

/// Parses one amount written in any of the usual notations (`1.234,56`, `1,234.56`,
/// `1234,56`, `1 234,56`) into a decimal.
pub fn parse_amount(num: &str) -> Option<Decimal> {
    let cleaned: String = num.chars().filter(|c| !matches!(c, ' ' | '\u{2009}' | '\u{202F}' | '\'' | '’')).collect();
    let last_comma = cleaned.rfind(',');
    let last_dot = cleaned.rfind('.');
    let normal = match (last_comma, last_dot) {
        (Some(c), Some(d)) if c > d => cleaned.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => cleaned.replace(',', ""),
        (Some(_), None) => cleaned.replace(',', "."),
        _ => cleaned,
    };
    Decimal::from_str(&normal).ok()
}

/// All money amounts (with two decimals) in `text`.
#[allow(clippy::string_slice)] // offsets come from regex matches on the same text
pub fn find_amounts(text: &str) -> Vec<AmountMatch> {
    let mut out = Vec::new();
    for c in amount_re().captures_iter(text) {
        let num = c.name("num").expect("num group");
        // Part of a longer number or a date ("05.06.2018", "1.2.3,45")?
        let before = text[..num.start()].chars().next_back();
        if matches!(before, Some(ch) if ch.is_ascii_digit() || ch == '.' || ch == ',' || ch == '/') {
            continue;
        }
        let after = text[num.end()..].chars().next();
        if after.is_some_and(|ch| ch.is_ascii_digit()) {
            continue;
        }
        if matches!(after, Some('.') | Some(',') | Some('/')) && text[num.end() + 1..].chars().next().is_some_and(|ch| ch.is_ascii_digit()) {
            continue;
        }
        // "Mo.-Fr. 08.30 - 12.30 Uhr": a Friday, not francs, and no amount.
        if let Some(pre) = c.name("pre").filter(|m| m.as_str().trim() == "Fr.") {
            if text[..pre.start()].chars().next_back().is_some_and(|ch| ch == '-' || ch == '–' || ch == '.' || ch.is_alphanumeric()) {
                continue;
            }
        }
        let Some(mut value) = parse_amount(num.as_str()) else { continue };
        // OCR reads a minus as "=" now and then ("=7,67" in a column of negative amounts); an
        // equals sign with a space after it or text before it is an equation's ("… = 119,00").
        let sign = c.name("sign").filter(|m| m.as_str() != "=" || (m.end() == num.start() && text[..m.start()].chars().next_back().is_none_or(char::is_whitespace) && c.name("pre").is_none()));
        if sign.is_some() || c.name("trail").is_some() {
            value = -value;
        }
        let currency = c.name("pre").or(c.name("post")).and_then(|m| currency_code(m.as_str()));
        let start = c.name("pre").map(|m| m.start()).unwrap_or(sign.map(|m| m.start()).unwrap_or(num.start()));
        out.push(AmountMatch { value: value.round_dp(2), start, end: c.get(0).expect("match").end(), currency });
    }
    out
}

/// An amount alone in its cell that OCR broke after its first digit or two ("1 6,39" for
/// 16,39): the joined value. The arithmetic decides whether it is one.
pub fn split_cell_amount(text: &str) -> Option<AmountMatch> {
    static R: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = R.get_or_init(|| regex::Regex::new(r"^\s*(\d{1,2}) (\d{1,3}(?:\.\d{3})*,\d{2})(\s?(?:€|EUR))?$").expect("regex"));
    let c = re.captures(text.trim_end())?;
    let value = parse_amount(&format!("{}{}", &c[1], &c[2]))?;
    let m = c.get(0).expect("match");
    Some(AmountMatch { value, start: m.start(), end: m.end(), currency: c.get(3).map(|_| "EUR") })
}

/// `"1234.56"`: a dot and exactly two decimals.
pub fn format_amount(v: Decimal) -> String {
    format!("{:.2}", v.round_dp(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_international_date_shapes_are_read() {
        let first = |t: &str| find_dates(t, false).first().map(|m| m.date.format("%Y-%m-%d").to_string());
        assert_eq!(first("Invoice date: Oct 15, 2015").as_deref(), Some("2015-10-15"));
        assert_eq!(first("Date 15-Oct-2015").as_deref(), Some("2015-10-15"));
        assert_eq!(first("Issued 2015/10/15").as_deref(), Some("2015-10-15"));
        assert_eq!(first("Rechnungsdatum 26.06.2025").as_deref(), Some("2025-06-26"));
        assert_eq!(first("am 5. Juni 2018").as_deref(), Some("2018-06-05"));
        // Till receipts: two-digit years with dashes and month names, a time after the date.
        assert_eq!(first("Date: 25-12-18 14:03").as_deref(), Some("2018-12-25"));
        assert_eq!(first("05 MAY 18 10:22").as_deref(), Some("2018-05-05"));
        assert_eq!(first("25.12.18 14:03").as_deref(), Some("2018-12-25"));
        assert_eq!(first("1/2/18"), None, "a slash date with a two-digit year stays too ambiguous");
        // A number and a dash before it first look like the start of a date ("1- 25/05").
        assert_eq!(first("ORD #69 -REG a1- 25/05/2016 18:17:50").as_deref(), Some("2016-05-25"));
        assert_eq!(first("Nr. 7-12 05.06.2018").as_deref(), Some("2018-06-05"));
        // … unless a till's time of day follows it.
        assert_eq!(first("Date 01/05/16 2:51 Slip 0200").as_deref(), Some("2016-05-01"));
        assert_eq!(first("OAI3 - 12/3/12 pcs"), None);
    }

    #[test]
    fn amounts_carry_the_currency_printed_beside_them() {
        let cur = |t: &str| find_amounts(t).first().and_then(|a| a.currency);
        assert_eq!(cur("Total ₹ 1,234.00"), Some("INR"));
        // Indian grouping: lakh and crore, pairs of digits above the thousands.
        let whole = |t: &str| find_amounts(t).into_iter().map(|a| a.value.to_string()).collect::<Vec<_>>();
        assert_eq!(whole("Grand Total ₹1,23,456.78"), ["123456.78"]);
        assert_eq!(whole("Total Invoice Value Rs. 12,34,56,789.00"), ["123456789.00"]);
        assert_eq!(whole("Sub Total 1,234.50"), ["1234.50"]);
        assert_eq!(cur("Grand Total Rs. 12,500.00"), Some("INR"));
        assert_eq!(cur("Amount due 1,234.00 INR"), Some("INR"));
        assert_eq!(cur("Total $1,234.56"), Some("USD"));
        assert_eq!(cur("Total £ 99.00"), Some("GBP"));
        assert_eq!(cur("Summe 1.190,00 €"), Some("EUR"));
        assert_eq!(cur("Betrag CHF 26'116.00"), Some("CHF"));
        assert_eq!(cur("Razem 1 234,56 PLN"), Some("PLN"));
        assert_eq!(cur("TOTAL RM 9.80"), Some("MYR"));
        assert_eq!(cur("Total (MYR) 110.00 MYR"), Some("MYR"));
    }

    #[test]
    fn the_page_tells_whether_slash_dates_are_month_first() {
        // A date whose first number is over 12 is day first, one whose second is, month first.
        assert_eq!(slash_dates_month_first(&["Invoice date 03/04/2025", "Delivered 23/03/2025"]), Some(false));
        assert_eq!(slash_dates_month_first(&["Invoice date 03/04/2025", "Payment 11/17/2017"]), Some(true));
        // Only ambiguous dates: the payment terms decide. FNFE's Facture_UE: issued 11/03/2017,
        // "balance at 30 days", due 12/03/2017 — 3 November + 30 days is 3 December.
        assert_eq!(slash_dates_month_first(&["Invoice Date 11/03/2017", "balance at 30 days", "Due Date 12/03/2017"]), Some(true));
        assert_eq!(slash_dates_month_first(&["Rechnungsdatum 01/03/2025", "zahlbar in 10 Tagen", "fällig 11/03/2025"]), Some(false));
        // Nothing to tell by: ambiguous dates without terms, or dotted dates.
        assert_eq!(slash_dates_month_first(&["Invoice Date 11/03/2017", "Due Date 12/03/2017"]), None);
        assert_eq!(slash_dates_month_first(&["Rechnungsdatum 26.06.2025", "30 Tage netto"]), None);
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn german_and_english_dates() {
        assert_eq!(find_dates("Rechnungsdatum: 05.06.2018", false)[0].date, d("2018-06-05"));
        assert_eq!(find_dates("Datum 5. Juni 2018", false)[0].date, d("2018-06-05"));
        assert_eq!(find_dates("Date: 2018-06-05", false)[0].date, d("2018-06-05"));
        assert_eq!(find_dates("Invoice date June 5, 2018", true)[0].date, d("2018-06-05"));
        assert_eq!(find_dates("5 June 2018", true)[0].date, d("2018-06-05"));
        assert_eq!(find_dates("vom 26.06.25", false)[0].date, d("2025-06-26"));
        assert_eq!(find_dates("06/05/2018", true)[0].date, d("2018-06-05"));
        assert_eq!(find_dates("06/05/2018", false)[0].date, d("2018-05-06"));
        assert_eq!(find_dates("12. März 2024", false)[0].date, d("2024-03-12"));
        assert!(find_dates("Tel. 0711 12.34.5678", false).is_empty());
        assert!(find_dates("31.02.2020", false).is_empty());
        // A speck read as a letter between day and month.
        assert_eq!(find_dates("8. J Januar 2023", false)[0].date, d("2023-01-08"));
        assert_eq!(find_dates("Invoice Date: 2023-1 1-11", false)[0].date, d("2023-11-11"));
        // One dot lost in the scan.
        assert_eq!(find_dates("Belegdatum 25.092025", false)[0].date, d("2025-09-25"));
        assert_eq!(find_dates("2509.2025", false)[0].date, d("2025-09-25"));
        assert!(find_dates("Kundennummer 12345.2025", false).is_empty());
        assert!(find_dates("Seite 2 von Januar 2023", false).is_empty());
    }

    #[test]
    fn amounts_in_all_notations() {
        let a = find_amounts("Gesamtbetrag 1.234,56 €");
        assert_eq!(a.len(), 1);
        assert_eq!(format_amount(a[0].value), "1234.56");
        assert_eq!(a[0].currency, Some("EUR"));
        let a = find_amounts("Total EUR 1,234.56");
        assert_eq!(format_amount(a[0].value), "1234.56");
        assert_eq!(a[0].currency, Some("EUR"));
        assert_eq!(format_amount(find_amounts("Summe 99,90")[0].value), "99.90");
        assert_eq!(format_amount(find_amounts("Gutschrift -12,00 EUR")[0].value), "-12.00");
        assert_eq!(format_amount(find_amounts("1 234,56 €")[0].value), "1234.56");
        assert!(find_amounts("Datum 05.06.2018").is_empty());
        assert!(find_amounts("Menge 3").is_empty());
        // Swiss: apostrophes group the thousands, "Fr." is the franc — but not the Friday of
        // opening hours ("Mo.-Fr. 08.30 - 12.30 Uhr").
        let a = find_amounts("Invoice total 26'116.00 Fr.");
        assert_eq!((a.len(), format_amount(a[0].value), a[0].currency), (1, "26116.00".to_string(), Some("CHF")));
        assert_eq!(format_amount(find_amounts("Total CHF 1’250.50")[0].value), "1250.50");
        assert!(find_amounts("Mo.-Fr. 08.30 - 12.30 Uhr").iter().all(|a| a.currency.is_none()));
        assert_eq!(find_amounts("Total Fr. 6'858.31")[0].currency, Some("CHF"));
    }

    #[test]
    fn a_minus_ocr_read_as_an_equals_sign_is_a_minus_only_where_it_stands_alone() {
        // FeRD's Rechnungskorrektur, scanned: "-7,90 0,23 =7,67 -1,12 EUR -8,79".
        let a = find_amounts("-7,90 0,23 =7,67 -1,12 EUR -8,79");
        let values: Vec<String> = a.iter().map(|m| format_amount(m.value)).collect();
        assert_eq!(values, ["-7.90", "0.23", "-7.67", "-1.12", "-8.79"]);
        assert_eq!(a[2].start, 11);
        // An equation's equals sign.
        assert_eq!(format_amount(find_amounts("100,00 + 19,00 = 119,00")[2].value), "119.00");
        assert_eq!(format_amount(find_amounts("Summe=119,00")[0].value), "119.00");
    }
}
