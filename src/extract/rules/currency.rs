//! The currency: printed beside the amounts or as a code, else assumed from a euro-area seller.

use super::*;

pub(super) fn currency(amounts: &[AmountCand], lines: &[TextLine]) -> Option<(Cand, f32)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for a in amounts {
        if let Some(c) = a.currency {
            *counts.entry(c).or_default() += 1;
        }
    }
    if counts.is_empty() {
        // A currency code or sign anywhere, e.g. in a table header "Betrag (EUR)".
        static CODE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let re = CODE.get_or_init(|| Regex::new(r"(?:\b(EUR|USD|CHF|GBP|INR|MYR|PLN|CZK|SEK|DKK|NOK|HUF)\b|(€)|(₹)|\b(RM)\b)").expect("regex"));
        for l in lines {
            if let Some(c) = re.captures(&l.text) {
                let code = if c.get(2).is_some() {
                    "EUR"
                } else if c.get(3).is_some() {
                    "INR"
                } else if c.get(4).is_some() {
                    "MYR"
                } else {
                    c.get(1).map(|m| m.as_str()).unwrap_or("EUR")
                };
                let m = c.get(0).expect("match");
                let (bbox, conf) = l.locate(m.start(), m.end());
                return Some((Cand { value: code.to_string(), score: 0.85, page: l.page, bbox, order: l.order }, conf));
            }
        }
        return None;
    }
    let (code, _) = counts.iter().max_by_key(|(_, n)| **n)?;
    let a = amounts.iter().find(|a| a.currency == Some(code))?;
    // A bare "$" is the sign of many dollars (US, Canadian, Australian, Singapore…) and of
    // some tills in other currencies: dollars only with "USD" or "US$" printed somewhere,
    // else a guess a person confirms.
    let score = if *code == "USD" && !lines.iter().any(|l| l.text.contains("USD") || l.text.contains("US$")) { BARE_DOLLAR } else { 0.95 };
    Some((Cand { value: code.to_string(), score, page: a.page, bbox: a.bbox, order: a.order }, 1.0))
}

/// The score of US dollars read from a "$" sign alone: below the review threshold.
const BARE_DOLLAR: f32 = 0.6;

/// The currency a seller with this VAT ID or IBAN bills in when it prints none: euro in the
/// euro area (as of 2026, Bulgaria included; Greek VAT IDs start with EL), rupees for an
/// Indian GSTIN (its state code's two digits and the PAN's letters: a GST invoice is in
/// rupees). Elsewhere (a Swiss seller bills in francs or euro) nothing.
pub(super) fn home_currency(id: &str) -> Option<&'static str> {
    const EURO: [&str; 22] = ["AT", "BE", "BG", "CY", "DE", "EE", "EL", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT", "SI", "SK"];
    if crate::extract::ids::is_gstin(id) {
        Some("INR")
    } else if id.get(..2).is_some_and(|cc| EURO.contains(&cc)) {
        Some("EUR")
    } else {
        None
    }
}
