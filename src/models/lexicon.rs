//! The label words of business documents, for reading labels that OCR garbled: a key word
//! that is none of these but is within a small edit distance of one of them
//! ("Beleadstum", "Rechnunqsdatum", "Fallikeit") is read as that word, so that the weight a
//! model learnt for the label applies to its misspelt print too.
//!
//! Words are in [`super::token`] form: lower case, umlauts folded, digits as `0`.

use std::collections::HashMap;

/// Label words of German, English and French invoices and their neighbours.
const WORDS: &[&str] = &[
    // numbers
    "rechnungsnummer",
    "rechnungsnr",
    "rechnungs-nr",
    "belegnummer",
    "beleg-nr",
    "belegnr",
    "dokumentnummer",
    "gutschriftsnummer",
    "kundennummer",
    "kunden-nr",
    "bestellnummer",
    "auftragsnummer",
    "angebotsnummer",
    "lieferscheinnummer",
    "vertragsnummer",
    "invoice",
    "number",
    "reference",
    // dates
    "rechnungsdatum",
    "belegdatum",
    "ausstellungsdatum",
    "datum",
    "lieferdatum",
    "leistungsdatum",
    "liefertermin",
    "leistungszeitraum",
    "bestelldatum",
    "auftragsdatum",
    "angebotsdatum",
    "gultig",
    "faelligkeit",
    "falligkeit",
    "falligkeitsdatum",
    "fallig",
    "zahlbar",
    "zahlungsziel",
    "spatestens",
    "date",
    "dated",
    "delivery",
    "payable",
    "issued",
    "facture",
    "echeance",
    // amounts
    "gesamtbetrag",
    "rechnungsbetrag",
    "bruttobetrag",
    "nettobetrag",
    "endbetrag",
    "zahlbetrag",
    "gesamtsumme",
    "zwischensumme",
    "summe",
    "netto",
    "brutto",
    "warenwert",
    "mehrwertsteuer",
    "umsatzsteuer",
    "steuerbetrag",
    "versicherungsteuer",
    "anzahlung",
    "total",
    "subtotal",
    "amount",
    "balance",
    "montant",
    // parties and accounts
    "lieferant",
    "verkaufer",
    "kaufer",
    "rechnungsempfanger",
    "empfanger",
    "leistungsempfanger",
    "rechnungssteller",
    "ansprechpartner",
    "bankverbindung",
    "kontoinhaber",
    "steuernummer",
    "ust-idnr",
    "umsatzsteuer-id",
    "customer",
    "supplier",
    "seller",
    "buyer",
];

/// The label word a garbled key stands for, if any: none for a word of the lexicon itself,
/// for short words (too many neighbours) and for words with digits.
pub fn canonical(word: &str) -> Option<&'static str> {
    let len = word.chars().count();
    if len < 6 || WORDS.contains(&word) || word.contains('0') {
        return None;
    }
    // Two edits for long words, one for short ones; the nearest word, the first on a tie.
    let limit = if len >= 9 { 2 } else { 1 };
    let mut best: Option<(usize, &'static str)> = None;
    for &w in WORDS {
        if w.chars().count().abs_diff(len) > limit {
            continue;
        }
        let d = strsim::levenshtein(word, w);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, w));
        }
    }
    best.map(|(_, w)| w)
}

/// [`canonical`] for each distinct word once: a document's keys repeat across candidates.
#[derive(Default)]
pub struct Memo(std::cell::RefCell<HashMap<String, Option<&'static str>>>);

impl Memo {
    pub fn canonical(&self, word: &str) -> Option<&'static str> {
        if let Some(v) = self.0.borrow().get(word) {
            return *v;
        }
        let v = canonical(word);
        self.0.borrow_mut().insert(word.to_string(), v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbled_label_words_are_read_as_the_label() {
        assert_eq!(canonical("beleadstum"), Some("belegdatum"));
        assert_eq!(canonical("rechnunqsdatum"), Some("rechnungsdatum"));
        assert_eq!(canonical("faliigkeit"), Some("falligkeit"));
        assert_eq!(canonical("qesamtbetrag"), Some("gesamtbetrag"));
    }

    #[test]
    fn words_of_the_lexicon_and_other_words_stay_themselves() {
        assert_eq!(canonical("rechnungsdatum"), None);
        assert_eq!(canonical("nettobetrag"), None);
        // Another label is no misreading of this one.
        assert_eq!(canonical("bruttopreis"), None);
        assert_eq!(canonical("lieferadresse"), None);
        assert_eq!(canonical("datun"), None, "too short to guess");
        assert_eq!(canonical("re0000"), None);
    }
}
