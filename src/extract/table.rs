//! Table: the line items of a scanned or printed invoice, read from its item table.
//!
//! Rows are rebuilt from a page's words by their height on the page: a table row is one
//! visual row across every column, which reading-order blocks may have split. The header is
//! the row that names at least two of description, quantity and price/amount columns
//! ("Bezeichnung", "Menge", "Einzelpreis", "Gesamt", "Description", "Qty", "Unit price",
//! "Amount"); the rows below it, up to the totals, are items (a table continued on the next
//! page is followed there).
//!
//! An item is kept only when it reads whole — a quantity, a net price and a line amount that
//! agree (quantity × price = amount, to the cent) — and the table only when its line amounts
//! add up to the invoice's net total. A table that cannot be checked is left to the reviewer
//! rather than guessed: an ERP books what we export.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::parse::{format_amount, parse_amount};
use crate::index::{LineItem, VatBreakdown};
use crate::layout::{Page, Word};

const DESCRIPTION: &[&str] = &["bezeichnung", "beschreibung", "artikel", "leistung", "produkt", "description", "item", "artikelbezeichnung", "leistungsbeschreibung", "text"];
const QUANTITY: &[&str] = &["menge", "anzahl", "anz", "qty", "quantity", "stück", "stk", "liefermenge", "qty shipped", "shipped"];
const PRICE: &[&str] = &["einzelpreis", "preis", "gesamt", "gesamtpreis", "betrag", "summe", "amount", "total", "price", "unit price", "ep", "gp"];
const TOTALS: &[&str] = &["zwischensumme", "summe", "gesamtbetrag", "nettobetrag", "netto", "total", "subtotal", "übertrag", "mwst", "ust", "umsatzsteuer", "rechnungsbetrag", "endbetrag", "vat"];

/// A visual row: words left to right.
struct Row<'a> {
    words: Vec<&'a Word>,
}

impl Row<'_> {
    fn text(&self) -> String {
        self.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
    }
}

fn rows(page: &Page) -> Vec<Row<'_>> {
    let mut words: Vec<&Word> = page.words.iter().filter(|w| !w.text.trim().is_empty()).collect();
    words.sort_by(|a, b| a.center_y().total_cmp(&b.center_y()));
    let mut rows: Vec<(f32, f32, Vec<&Word>)> = Vec::new(); // (centre, height, words)
    for w in words {
        match rows.last_mut() {
            Some((c, h, ws)) if (w.center_y() - *c).abs() < 0.5 * h.max(w.height()) => {
                ws.push(w);
                *c = ws.iter().map(|w| w.center_y()).sum::<f32>() / ws.len() as f32;
            }
            _ => rows.push((w.center_y(), w.height().max(1.0), vec![w])),
        }
    }
    rows.into_iter()
        .map(|(_, _, mut ws)| {
            ws.sort_by(|a, b| a.bbox[0].total_cmp(&b.bbox[0]));
            Row { words: ws }
        })
        .collect()
}

fn clean(token: &str) -> String {
    token.trim_matches(|c: char| matches!(c, ':' | '|' | '(' | ')' | '[' | ']')).to_lowercase()
}

fn has_word(text: &str, words: &[&str]) -> bool {
    let tokens: Vec<String> = text.split_whitespace().map(clean).map(|t| t.trim_end_matches('.').to_string()).collect();
    words.iter().any(|k| if k.contains(' ') { text.to_lowercase().contains(k) } else { tokens.iter().any(|t| t == k || t.starts_with(k) && k.len() >= 5) })
}

fn is_header(row: &Row) -> bool {
    let text = row.text();
    let groups = [DESCRIPTION, QUANTITY, PRICE].iter().filter(|g| has_word(&text, g)).count();
    groups >= 2 && !row.words.iter().any(|w| money(&w.text).is_some())
}

fn is_totals(row: &Row) -> bool {
    has_word(&row.text(), TOTALS)
}

/// A money amount: two decimals (`1.234,56`, `1,234.56`, `12,50`), an optional sign and
/// currency sign attached.
#[allow(clippy::string_slice)] // the separator was found in the same text
fn money(token: &str) -> Option<Decimal> {
    let t = token.trim_end_matches(['€', '$']).trim_start_matches(['€', '$']);
    // `-5,00` and the accountants' `5,00-`.
    let (neg, t) = match (t.strip_prefix('-'), t.strip_suffix('-')) {
        (Some(r), _) | (None, Some(r)) => (true, r),
        _ => (false, t),
    };
    let sep = t.rfind([',', '.'])?;
    let (int, frac) = (&t[..sep], &t[sep + 1..]);
    if !(2..=4).contains(&frac.len()) || !frac.chars().all(|c| c.is_ascii_digit()) || int.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') || !int.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // Thousands separators must be the other mark, in groups of three.
    let other = if t.as_bytes()[sep] == b',' { '.' } else { ',' };
    let groups: Vec<&str> = int.split(other).collect();
    if int.contains(t.as_bytes()[sep] as char) || (groups.len() > 1 && groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    let v = parse_amount(t)?;
    Some(if neg { -v } else { v })
}

/// A quantity: a whole number or a decimal (`3`, `1,5`, `2.000`, `10,00`).
fn quantity(token: &str) -> Option<Decimal> {
    let t = token.trim_end_matches(['x', 'X', '×']);
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') || !t.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // The last mark is the decimal one (`1,5`, `1.234,5`, `1,234.5`); the caller checks the
    // reading against quantity × price = amount.
    parse_amount(t)
}

/// A VAT rate: `19%`, `19 %`, `7,00%`.
fn rate(tokens: &[&str], i: usize) -> Option<(Decimal, usize)> {
    let t = tokens[i];
    if let Some(n) = t.strip_suffix('%') {
        if !n.is_empty() {
            return quantity(n).map(|r| (r, 1));
        }
    }
    if tokens.get(i + 1) == Some(&"%") {
        return quantity(t).map(|r| (r, 2));
    }
    None
}

/// The UN/ECE Recommendation 20 code of a printed unit, when it is one we know.
pub fn unit_code(token: &str) -> Option<&'static str> {
    let t = token.to_lowercase();
    let t = t.trim_end_matches('.');
    Some(match t {
        "stk" | "stück" | "st" | "pcs" | "pc" | "piece" | "pieces" | "ea" | "each" | "stck" => "H87",
        "h" | "std" | "stunde" | "stunden" | "hour" | "hours" | "hrs" | "hr" => "HUR",
        "kg" => "KGM",
        "g" => "GRM",
        "t" => "TNE",
        "m" => "MTR",
        "km" => "KMT",
        "m2" | "m²" | "qm" => "MTK",
        "m3" | "m³" | "cbm" => "MTQ",
        "l" | "ltr" | "liter" | "litre" => "LTR",
        "tag" | "tage" | "day" | "days" => "DAY",
        "woche" | "wochen" | "week" | "weeks" => "WEE",
        "monat" | "monate" | "month" | "months" | "mon" => "MON",
        "jahr" | "jahre" | "year" | "years" => "ANN",
        "min" | "minute" | "minuten" | "minutes" => "MIN",
        "pauschal" | "psch" | "pschl" | "pausch" | "pauschale" | "ls" | "lump-sum" => "LS",
        "satz" | "set" | "sets" => "SET",
        "paket" | "pkt" | "pack" | "packs" => "PK",
        _ => return None,
    })
}

/// The unit printed beside the quantity at `qi` (after it, sometimes before): its code and place.
fn unit_beside(tokens: &[&str], qi: usize) -> Option<(&'static str, usize)> {
    [qi + 1, qi.wrapping_sub(1)].into_iter().find_map(|k| tokens.get(k).and_then(|t| unit_code(t)).map(|c| (c, k)))
}

/// A position number at the left of a row (`1`, `12.`), when the quantity at `qi` is not it.
fn position(tokens: &[&str], qi: usize) -> Option<String> {
    let first = *tokens.first()?;
    let digits = first.trim_end_matches('.');
    (qi != 0 && digits.chars().all(|c| c.is_ascii_digit()) && first.len() <= 4).then(|| digits.to_string())
}

/// Positions a document does not number are numbered in order (BT-126 only has to be unique
/// within the invoice).
fn number_positions(items: &mut [LineItem]) {
    if items.iter().any(|i| i.line_id.is_none()) {
        for (k, it) in items.iter_mut().enumerate() {
            it.line_id = Some((k + 1).to_string());
        }
    }
}

/// Reads one row as an item, or `None` when it is not a whole item row.
fn item(row: &Row) -> Option<LineItem> {
    let tokens: Vec<&str> = row.words.iter().map(|w| w.text.as_str()).filter(|t| !matches!(*t, "€" | "EUR" | "$" | "USD")).collect();
    let n = tokens.len();
    if n < 3 {
        return None;
    }
    // From the right: the line amount, then the unit price (a rate column may sit between
    // them or after the amount).
    let mut used = vec![false; n];
    let mut vat_rate = None;
    let mut i = n;
    let mut amount = None;
    let mut price = None;
    while i > 0 && (amount.is_none() || price.is_none()) {
        i -= 1;
        if let Some((r, w)) = rate(&tokens, i) {
            vat_rate.get_or_insert(r);
            for u in used.iter_mut().skip(i).take(w) {
                *u = true;
            }
            continue;
        }
        if tokens[i] == "%" {
            continue;
        }
        match money(tokens[i]) {
            // The line amount is in cents; a unit price may have more decimals.
            Some(v) if amount.is_none() && v.scale() == 2 => amount = Some((v, i)),
            Some(_) if amount.is_none() => break,
            Some(v) => price = Some((v, i)),
            None => break,
        }
        used[i] = true;
    }
    let (amount, _) = amount?;
    let (price, pi) = price?;
    // Quantity and unit: the nearest number left of the price with a known unit beside it,
    // else any number that makes quantity × price = amount.
    let agrees = |q: Decimal| (q * price).round_dp(2) == amount || (q * price - amount).abs() <= Decimal::new(1, 2);
    let mut qty = None;
    let mut unit = None;
    for j in (0..pi).rev() {
        if used[j] {
            continue;
        }
        let Some(q) = quantity(tokens[j]) else { continue };
        if !agrees(q) {
            continue;
        }
        // `1` at the very left of a row is usually the position, not the quantity, unless
        // nothing else is.
        qty = Some((q, j));
        // The unit is printed after the quantity, sometimes before it.
        unit = unit_beside(&tokens, j);
        break;
    }
    let (q, qi) = qty?;
    used[qi] = true;
    // `3 x Widget`, `Widget 3 ×`
    for k in [qi + 1, qi.wrapping_sub(1)] {
        if tokens.get(k).is_some_and(|t| matches!(*t, "x" | "X" | "×")) {
            used[k] = true;
        }
    }
    if let Some((_, k)) = unit {
        used[k] = true;
    }
    // A position number at the left.
    let line_id = position(&tokens, qi);
    if line_id.is_some() {
        used[0] = true;
    }
    let name: Vec<&str> = tokens.iter().enumerate().filter(|(k, t)| !used[*k] && **t != "%").map(|(_, t)| *t).collect();
    let name = name.join(" ");
    if !name.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    Some(LineItem {
        line_id,
        name: Some(name),
        quantity: Some(q.normalize().to_string()),
        unit_code: unit.map(|(c, _)| c.to_string()),
        net_unit_price: Some(price.normalize().to_string()),
        net_line_amount: Some(format_amount(amount)),
        vat_rate: vat_rate.map(|r| r.normalize().to_string()),
    })
}

/// The header of a delivery note's table: a description and a quantity column, no prices.
/// Returns the quantity column's horizontal span, from halfway to the header word on its
/// left to halfway to the one on its right (numbers sit anywhere under their header).
fn delivery_header(row: &Row) -> Option<(f32, f32)> {
    let text = row.text();
    if !has_word(&text, DESCRIPTION) || !has_word(&text, QUANTITY) || row.words.iter().any(|w| money(&w.text).is_some()) {
        return None;
    }
    let i = row.words.iter().position(|w| has_word(&w.text, QUANTITY))?;
    let w = row.words[i];
    let lo = if i > 0 { (row.words[i - 1].bbox[2] + w.bbox[0]) / 2.0 } else { w.bbox[0] - w.height() * 4.0 };
    let hi = row.words.get(i + 1).map(|n| (w.bbox[2] + n.bbox[0]) / 2.0).unwrap_or(w.bbox[2] + w.height() * 4.0);
    Some((lo, hi))
}

/// What a delivery note delivered: its lines with quantities, and no prices (a delivery note
/// has none). A row is an item when a quantity stands in the quantity column; a row without
/// one right under an item continues its description; anything else ends the table.
pub fn delivered_items(pages: &[Page]) -> Vec<LineItem> {
    let mut items: Vec<LineItem> = Vec::new();
    for page in pages {
        let mut column: Option<(f32, f32)> = None;
        let mut last_y = 0.0f32;
        for row in rows(page) {
            let Some((lo, hi)) = column else {
                column = delivery_header(&row);
                last_y = row.words.first().map(|w| w.center_y()).unwrap_or(0.0);
                continue;
            };
            let y = row.words.first().map(|w| w.center_y()).unwrap_or(last_y);
            let height = row.words.iter().map(|w| w.height()).fold(1.0f32, f32::max);
            // Table rules read as words (`|`) are no part of a line.
            let words: Vec<&Word> = row.words.iter().copied().filter(|w| w.text.chars().any(char::is_alphanumeric)).collect();
            let row = Row { words };
            let tokens: Vec<&str> = row.words.iter().map(|w| w.text.as_str()).collect();
            let in_column = |w: &Word| {
                let c = (w.bbox[0] + w.bbox[2]) / 2.0;
                c >= lo && c <= hi
            };
            let qty = row.words.iter().position(|w| in_column(w) && quantity(&w.text).is_some_and(|q| q > Decimal::ZERO));
            let Some(qi) = qty else {
                // A description's second line, close under its item; else the table is over.
                let close = y - last_y < 2.6 * height;
                if close && !items.is_empty() && !is_totals(&row) && row.words.len() <= 8 && !row.words.iter().any(|w| in_column(w)) {
                    if let Some(n) = items.last_mut().and_then(|l| l.name.as_mut()) {
                        n.push(' ');
                        n.push_str(&row.text());
                    }
                    last_y = y;
                    continue;
                }
                column = None;
                if !items.is_empty() {
                    break;
                }
                continue;
            };
            let q = quantity(tokens[qi]).unwrap_or_default();
            let mut used = vec![false; tokens.len()];
            used[qi] = true;
            let unit = unit_beside(&tokens, qi);
            if let Some((_, k)) = unit {
                used[k] = true;
            }
            let line_id = position(&tokens, qi);
            if line_id.is_some() {
                used[0] = true;
            }
            let name = tokens.iter().enumerate().filter(|(k, _)| !used[*k]).map(|(_, t)| *t).collect::<Vec<_>>().join(" ");
            if !name.chars().any(|c| c.is_alphabetic()) {
                continue;
            }
            items.push(LineItem {
                line_id,
                name: Some(name),
                quantity: Some(q.normalize().to_string()),
                unit_code: unit.map(|(c, _)| c.to_string()),
                net_unit_price: None,
                net_line_amount: None,
                vat_rate: None,
            });
            last_y = y;
        }
    }
    number_positions(&mut items);
    items
}

/// The line items of a document, or none when its table cannot be read and checked against
/// `net_total` (the total without VAT, BT-109).
pub fn line_items(pages: &[Page], net_total: Option<&str>, vat: &[VatBreakdown]) -> Vec<LineItem> {
    let Some(net) = net_total.and_then(|n| Decimal::from_str(n).ok()) else { return Vec::new() };
    let mut items: Vec<LineItem> = Vec::new();
    let mut open = false; // a table ran off the end of the previous page
    for page in pages {
        let rows = rows(page);
        let mut in_table = open;
        let mut ended = false;
        for row in &rows {
            if !in_table {
                in_table = is_header(row);
                continue;
            }
            match item(row) {
                Some(it) => items.push(it),
                None if is_totals(row) => {
                    in_table = false;
                    ended = true;
                }
                None => {
                    // A description's second line sits under the item it belongs to.
                    if let (Some(last), false) = (items.last_mut(), row.words.iter().any(|w| money(&w.text).is_some())) {
                        if row.words.len() <= 8 {
                            if let Some(n) = last.name.as_mut() {
                                n.push(' ');
                                n.push_str(&row.text());
                            }
                        }
                    }
                }
            }
        }
        open = in_table && !ended;
    }
    if items.is_empty() {
        return items;
    }
    let sum: Decimal = items.iter().filter_map(|i| i.net_line_amount.as_deref().and_then(|a| Decimal::from_str(a).ok())).sum();
    if sum != net {
        return Vec::new();
    }
    number_positions(&mut items);
    // One VAT rate on the whole invoice is every line's rate.
    if let [only] = vat {
        for it in &mut items {
            it.vat_rate.get_or_insert_with(|| only.rate.clone());
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page from rows of (x, text) cells, 20 pt apart, words 10 pt high.
    fn page(rows: &[&[(f32, &str)]]) -> Page {
        let cells: Vec<(f32, f32, &str)> = rows.iter().enumerate().flat_map(|(r, cells)| cells.iter().map(move |&(x, t)| (x, 100.0 + 20.0 * r as f32, t))).collect();
        crate::layout::test_page(&cells, 10.0)
    }

    #[test]
    fn german_item_table_is_read_and_checked_against_the_net_total() {
        let p = page(&[
            &[(50.0, "Pos."), (90.0, "Bezeichnung"), (300.0, "Menge"), (350.0, "Einheit"), (400.0, "Einzelpreis"), (480.0, "Gesamt")],
            &[(50.0, "1"), (90.0, "Beratung Projekt Nord"), (300.0, "3,5"), (350.0, "Std."), (400.0, "120,00"), (480.0, "420,00")],
            &[(90.0, "vor Ort in Köln")],
            &[(50.0, "2"), (90.0, "Druckerpapier A4"), (300.0, "10"), (350.0, "Stk"), (400.0, "4,99"), (480.0, "49,90")],
            &[(300.0, "Nettobetrag"), (480.0, "469,90")],
            &[(300.0, "USt 19 %"), (480.0, "89,28")],
        ]);
        let vat = vec![VatBreakdown { rate: "19.00".into(), base: "469.90".into(), amount: "89.28".into() }];
        let items = line_items(std::slice::from_ref(&p), Some("469.90"), &vat);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].line_id.as_deref(), Some("1"));
        assert_eq!(items[0].name.as_deref(), Some("Beratung Projekt Nord vor Ort in Köln"));
        assert_eq!(items[0].quantity.as_deref(), Some("3.5"));
        assert_eq!(items[0].unit_code.as_deref(), Some("HUR"));
        assert_eq!(items[0].net_unit_price.as_deref(), Some("120"));
        assert_eq!(items[0].net_line_amount.as_deref(), Some("420.00"));
        assert_eq!(items[0].vat_rate.as_deref(), Some("19.00"));
        assert_eq!(items[1].unit_code.as_deref(), Some("H87"));
        assert_eq!(items[1].net_line_amount.as_deref(), Some("49.90"));
        // Lines that do not add up to the net total are not offered as the invoice's lines.
        assert!(line_items(&[p], Some("500.00"), &vat).is_empty());
    }

    #[test]
    fn english_table_with_rate_column_and_no_positions() {
        let p = page(&[
            &[(50.0, "Description"), (300.0, "Qty"), (350.0, "Unit price"), (430.0, "VAT"), (480.0, "Amount")],
            &[(50.0, "Consulting services"), (300.0, "2"), (350.0, "1,250.00"), (430.0, "20%"), (480.0, "2,500.00")],
            &[(50.0, "Travel expenses"), (300.0, "1"), (350.0, "310.40"), (430.0, "20%"), (480.0, "310.40")],
            &[(350.0, "Subtotal"), (480.0, "2,810.40")],
        ]);
        let items = line_items(&[p], Some("2810.40"), &[]);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].line_id.as_deref(), Some("1"));
        assert_eq!(items[1].line_id.as_deref(), Some("2"));
        assert_eq!(items[0].vat_rate.as_deref(), Some("20"));
        assert_eq!(items[0].unit_code, None, "no unit printed, none invented");
        assert_eq!(items[0].net_line_amount.as_deref(), Some("2500.00"));
    }

    #[test]
    fn a_delivery_note_is_read_without_prices() {
        let p = page(&[
            &[(50.0, "Nr."), (90.0, "Anz."), (150.0, "Einheit"), (220.0, "Artikel"), (262.0, "/"), (270.0, "Leistung")],
            &[(50.0, "1"), (90.0, "12,00"), (150.0, "Stk"), (220.0, "Kopierpapier"), (300.0, "A4,"), (330.0, "80"), (350.0, "g")],
            &[(220.0, "weiß, 500 Blatt")],
            &[(50.0, "2"), (90.0, "1,00"), (150.0, "pschl."), (220.0, "Anfahrt")],
            &[],
            &[(50.0, "Ware vollständig erhalten:"), (300.0, "Datum, Unterschrift")],
        ]);
        let items = delivered_items(&[p]);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].name.as_deref(), Some("Kopierpapier A4, 80 g weiß, 500 Blatt"));
        assert_eq!((items[0].quantity.as_deref(), items[0].unit_code.as_deref(), items[0].line_id.as_deref()), (Some("12"), Some("H87"), Some("1")));
        assert_eq!((items[1].quantity.as_deref(), items[1].unit_code.as_deref()), (Some("1"), Some("LS")));
        assert!(items.iter().all(|i| i.net_unit_price.is_none() && i.net_line_amount.is_none()), "a delivery note prints no prices");
    }

    #[test]
    fn no_header_no_items() {
        let p = page(&[&[(50.0, "Sehr geehrte Damen und Herren,")], &[(50.0, "Beratung"), (300.0, "2"), (400.0, "10,00"), (480.0, "20,00")]]);
        assert!(line_items(&[p], Some("20.00"), &[]).is_empty());
    }

    #[test]
    fn money_and_quantity_notations() {
        assert_eq!(money("1.234,56"), Some(Decimal::new(123456, 2)));
        assert_eq!(money("1,234.56"), Some(Decimal::new(123456, 2)));
        assert_eq!(money("12,50€"), Some(Decimal::new(1250, 2)));
        assert_eq!(money("-5,00"), Some(Decimal::new(-500, 2)));
        assert_eq!(money("12"), None);
        assert_eq!(money("05.06.2018"), None);
        assert_eq!(quantity("3"), Some(Decimal::from(3)));
        assert_eq!(quantity("1,5"), Some(Decimal::new(15, 1)));
        assert_eq!(quantity("1.234,5"), Some(Decimal::new(12345, 1)));
        assert_eq!(quantity("1,234.5"), Some(Decimal::new(12345, 1)));
        assert_eq!(unit_code("Stück"), Some("H87"));
        assert_eq!(unit_code("Std."), Some("HUR"));
        assert_eq!(unit_code("Widget"), None);
    }
}
