//! Classify: what kind of document this is (the closed set of [`DocType`]) and its language.
//!
//! [`Classifier`] is the stage interface; [`KeywordClassifier`] is the first
//! implementation: weighted title and body keywords in German, English and French, where a
//! keyword in the heading of the first page counts most. The trained classifier implements
//! the same trait.

use crate::index::{DocType, DocTypeResult, ModelInfo};
use crate::layout::Page;

pub trait Classifier: Send + Sync {
    fn model(&self) -> ModelInfo;
    fn classify(&self, pages: &[Page]) -> DocTypeResult;
}

/// (keyword, weight) per type; matched on lower-cased text.
fn keywords(t: DocType) -> &'static [(&'static str, f32)] {
    match t {
        DocType::Invoice => &[
            ("rechnung", 2.0),
            ("invoice", 2.0),
            ("facture", 2.0),
            ("rechnungsnummer", 1.5),
            ("rechnungsdatum", 1.5),
            ("rechnungsbetrag", 1.0),
            ("invoice number", 1.5),
            ("zahlbar", 0.5),
            ("fällig", 0.5),
            ("teilrechnung", 1.0),
            ("schlussrechnung", 1.0),
            ("abschlagsrechnung", 1.0),
            ("selbst ausgestellte rechnung", 4.0),
            ("self-billed invoice", 4.0),
        ],
        // A "Rechnungskorrektur" is a corrected invoice (UNTDID 384), an invoice in EN 16931;
        // so is a "Gutschrift (selbst ausgestellte Rechnung)", self-billing (389).
        DocType::CreditNote => &[("gutschrift", 3.0), ("credit note", 3.0), ("stornorechnung", 3.0), ("storno", 1.5), ("avoir", 2.5), ("gutgeschrieben", 1.5)],
        DocType::Reminder => &[
            ("mahnung", 3.5),
            ("zahlungserinnerung", 3.5),
            ("reminder", 2.5),
            ("überfällig", 1.5),
            ("mahngebühr", 2.0),
            ("overdue", 1.5),
            ("overdue notice", 3.0),
            ("past due", 1.5),
            ("zahlungsaufforderung", 3.0),
            ("relance", 2.5),
            ("noch nicht beglichen", 2.0),
            ("letzte mahnung", 2.0),
        ],
        DocType::Order => &[("bestellung", 2.0), ("purchase order", 3.0), ("wir bestellen", 2.5), ("bon de commande", 3.0), ("order", 0.8), ("bitte liefern sie", 2.0)],
        DocType::OrderConfirmation => &[
            ("auftragsbestätigung", 4.0),
            ("order confirmation", 4.0),
            ("bestellbestätigung", 4.0),
            ("confirmation de commande", 4.0),
            ("bestätigen ihre bestellung", 2.0),
            ("we confirm your order", 2.0),
        ],
        DocType::DeliveryNote => &[("lieferschein", 4.0), ("delivery note", 4.0), ("packing slip", 3.5), ("bon de livraison", 4.0), ("warenempfang", 1.0), ("lieferumfang", 1.0)],
        DocType::Quote => &[("angebot", 3.0), ("quotation", 3.0), ("kostenvoranschlag", 3.5), ("offer", 1.5), ("devis", 3.0), ("angebotsnummer", 2.0), ("gültig bis", 1.0), ("valid until", 1.0)],
        DocType::Contract => &[
            ("vertrag", 2.5),
            ("contract", 2.5),
            ("vereinbarung", 2.0),
            ("agreement", 2.0),
            ("vertragspartner", 2.0),
            ("laufzeit", 1.0),
            ("kündigung", 1.0),
            ("§ 1", 1.5),
            ("unterschrift", 0.5),
            ("contrat", 2.5),
        ],
        DocType::Receipt => {
            &[("quittung", 3.5), ("kassenbon", 3.5), ("receipt", 3.0), ("bar bezahlt", 2.5), ("betrag erhalten", 2.5), ("kasse", 1.0), ("paid in cash", 2.5), ("reçu", 2.5), ("bon", 0.3)]
        }
        DocType::Letter => &[("sehr geehrte", 1.5), ("dear", 1.0), ("mit freundlichen grüßen", 1.5), ("kind regards", 1.0), ("sincerely", 1.0), ("madame, monsieur", 1.5)],
        DocType::Other => &[],
    }
}

#[derive(Debug, Default, Clone)]
pub struct KeywordClassifier;

impl Classifier for KeywordClassifier {
    fn model(&self) -> ModelInfo {
        ModelInfo { name: "keywords".into(), version: env!("CARGO_PKG_VERSION").into() }
    }

    fn classify(&self, pages: &[Page]) -> DocTypeResult {
        if pages.is_empty() {
            return DocTypeResult { label: DocType::Other, confidence: 0.0 };
        }
        let mut scores = keyword_scores(pages);
        // An invoice that says "Gutschrift" only in passing stays an invoice; a credit note
        // heading beats an invoice heading ("Gutschrift zur Rechnung 123").
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (top, s1) = scores[0];
        let s2 = scores[1].1;
        if s1 < 1.0 {
            return DocTypeResult { label: DocType::Other, confidence: 0.3 };
        }
        let confidence = (s1 / (s1 + s2 + 1.0)).clamp(0.0, 0.99);
        DocTypeResult { label: top, confidence }
    }
}

/// The keyword score of every type (in [`DocType::ALL`] order): heading matches of page 1
/// count four times as much as body matches. The trained classifier uses them as features.
pub fn keyword_scores(pages: &[Page]) -> Vec<(DocType, f32)> {
    let Some(first) = pages.first() else {
        return DocType::ALL.iter().map(|&t| (t, 0.0)).collect();
    };
    // The heading: the first lines of page 1 in reading order.
    let mut heading = String::new();
    let mut n = 0;
    for b in &first.blocks {
        for &l in &b.lines {
            if n < 25 {
                heading.push_str(&without_addresses(&first.line_text(&first.lines[l])));
                heading.push('\n');
            }
            n += 1;
        }
    }
    let body: String = pages.iter().take(3).map(|p| without_addresses(&p.text())).collect::<Vec<_>>().join("\n");
    folded_keywords()
        .iter()
        .map(|(t, keywords)| {
            let s: f32 = keywords
                .iter()
                .map(|(k, w)| {
                    let in_head = heading.matches(k.as_str()).count().min(2) as f32;
                    let in_body = body.matches(k.as_str()).count().min(3) as f32;
                    w * (2.0 * in_head + 0.5 * in_body)
                })
                .sum();
            (*t, s)
        })
        .collect()
}

/// The text in lower case and [folded], without e-mail and web addresses:
/// "rechnung@firma.de" is printed on orders and letters as well and says nothing about the
/// document.
fn without_addresses(text: &str) -> String {
    let kept = text.lines().map(|l| l.split_whitespace().filter(|w| !(w.contains('@') || w.starts_with("www.") || w.starts_with("http"))).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\n");
    folded(&kept.to_lowercase())
}

/// Umlauts without their dots (and ß as ss): OCR often loses the dots ("Bestellbestatigung",
/// "Munchen"), so text and keywords are both compared folded.
fn folded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'ä' => out.push('a'),
            'ö' => out.push('o'),
            'ü' => out.push('u'),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

/// A type's keywords with their weights.
type Keywords = Vec<(String, f32)>;

/// Every type's keywords, folded once.
fn folded_keywords() -> &'static [(DocType, Keywords)] {
    static K: std::sync::OnceLock<Vec<(DocType, Keywords)>> = std::sync::OnceLock::new();
    K.get_or_init(|| DocType::ALL.iter().map(|&t| (t, keywords(t).iter().map(|(k, w)| (folded(k), *w)).collect())).collect())
}

/// The types whose strong keywords (a title word: "Bestellung", "Gutschrift", "Lieferschein")
/// occur in `text`.
pub fn title_types(text: &str) -> Vec<DocType> {
    let text = without_addresses(text);
    folded_keywords().iter().filter(|(_, keywords)| keywords.iter().any(|(k, w)| *w >= 2.0 && text.contains(k.as_str()))).map(|(t, _)| *t).collect()
}

/// The main language of the text (`de`, `en`, `fr`), from frequent function words.
pub fn detect_language(pages: &[Page]) -> Option<String> {
    const DE: &[&str] = &["der", "die", "und", "das", "für", "mit", "von", "rechnung", "betrag", "datum", "ihre", "wir", "nicht", "bitte", "summe", "gesamt"];
    const EN: &[&str] = &["the", "and", "for", "with", "of", "invoice", "amount", "date", "your", "we", "please", "total", "to", "due"];
    const FR: &[&str] = &["le", "la", "les", "et", "pour", "avec", "facture", "montant", "votre", "nous", "total", "de", "du", "des"];
    let mut counts = [0usize; 3];
    for p in pages.iter().take(3) {
        for w in &p.words {
            let t = w.text.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
            for (i, list) in [DE, EN, FR].iter().enumerate() {
                if list.contains(&t.as_str()) {
                    counts[i] += 1;
                }
            }
        }
    }
    let (best, &n) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
    if n < 3 {
        return None;
    }
    Some(["de", "en", "fr"][best].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of lines 20 pt apart, words 10 pt high.
    fn page(lines: &[&str]) -> Page {
        let cells: Vec<(f32, f32, &str)> = lines.iter().enumerate().map(|(r, &t)| (60.0, 100.0 + 20.0 * r as f32, t)).collect();
        crate::layout::test_page(&cells, 10.0)
    }

    #[test]
    fn an_invoice_mailbox_in_the_letterhead_does_not_make_an_order_an_invoice() {
        let order = page(&["Nordlicht GmbH", "E-Mail rechnung@nordlicht.de www.rechnung-nordlicht.de", "Bestellung Nr. 2510752", "Pos Text Menge", "Summe netto 830,11 EUR"]);
        assert_eq!(KeywordClassifier.classify(&[order]).label, DocType::Order);
    }

    #[test]
    fn title_keywords_survive_lost_umlaut_dots() {
        assert_eq!(title_types("Bestellbestatigung"), vec![DocType::OrderConfirmation]);
        assert_eq!(title_types("AUFTRAGSBESTÄTIGUNG"), vec![DocType::OrderConfirmation]);
        assert!(title_types("Lieferschein Nr. 4").contains(&DocType::DeliveryNote));
        assert!(title_types("rechnung@firma.de").is_empty());
    }

    #[test]
    fn a_corrected_invoice_is_an_invoice() {
        let p = page(&["Rechnungskorrektur (384) Nr. RK21012345 vom 16.09.2018", "Verkäufer", "Name: Lieferant GmbH", "Gesamtbetrag -8,79 EUR"]);
        assert_eq!(KeywordClassifier.classify(&[p]).label, DocType::Invoice);
        let p = page(&["Gutschrift (Selbst ausgestellte Rechnung) (389) Nr. 47110818 vom 31.10.2018", "Gesamtbetrag 1.234,00 EUR"]);
        assert_eq!(KeywordClassifier.classify(&[p]).label, DocType::Invoice);
        let p = page(&["Gutschrift Nr. GS-2018-1", "zur Rechnung RE-2018-7", "Gesamtbetrag -8,79 EUR"]);
        assert_eq!(KeywordClassifier.classify(&[p]).label, DocType::CreditNote);
    }
}
