//! Which language a page is written in, from its first OCR reading, and whether the page
//! should be read again with that language's model first.
//!
//! A German mailroom reads with `deu+eng`. French invoices arrive too (suppliers in France,
//! Belgium, Luxembourg, Switzerland), and the German and English models misread their
//! accents: "Hôtel" becomes "Hötel", "Malaucène" becomes "Malaucene" — wrong party names
//! in the index. Reading every page with more models would slow every page down; reading
//! only the pages that turn out to be French costs a second reading on those alone.
//!
//! The language is told by its function words ("le", "pour", "votre", "facture" against
//! "der", "für", "Ihre", "Rechnung" and "the", "for", "your", "invoice"). Invoices are
//! mostly names, addresses and numbers, and character-trigram guessers (whatlang) took
//! English receipts of French suppliers ("Redfield Foods SARL, Rue du Faubourg") for French
//! with full confidence; function words do not care about names.

use super::{OcrConfig, OcrError};

/// Function words, and the few document words every letter in the language uses, lower case.
const FUNCTION_WORDS: [(&str, &[&str]); 6] = [
    (
        "deu",
        &[
            "der",
            "die",
            "das",
            "und",
            "mit",
            "für",
            "von",
            "zu",
            "den",
            "dem",
            "des",
            "ist",
            "wir",
            "sie",
            "ihr",
            "ihre",
            "ihnen",
            "bitte",
            "rechnung",
            "betrag",
            "datum",
            "gesamt",
            "summe",
            "zahlbar",
            "bis",
            "netto",
            "brutto",
            "menge",
            "einzelpreis",
        ],
    ),
    ("eng", &["the", "and", "of", "to", "for", "with", "is", "we", "you", "your", "our", "please", "invoice", "amount", "due", "payment", "price", "quantity", "description", "net", "gross", "by"]),
    (
        "fra",
        &[
            "le",
            "la",
            "les",
            "des",
            "du",
            "et",
            "à",
            "au",
            "aux",
            "pour",
            "par",
            "sur",
            "avec",
            "une",
            "un",
            "est",
            "nous",
            "vous",
            "votre",
            "vos",
            "notre",
            "nos",
            "ce",
            "cette",
            "qui",
            "que",
            "dans",
            "facture",
            "montant",
            "tva",
            "ht",
            "ttc",
            "règlement",
            "paiement",
            "échéance",
            "prix",
            "quantité",
            "désignation",
        ],
    ),
    (
        "ita",
        &[
            "il",
            "lo",
            "gli",
            "della",
            "delle",
            "del",
            "per",
            "con",
            "una",
            "uno",
            "è",
            "noi",
            "voi",
            "vostro",
            "vostra",
            "nostro",
            "che",
            "nella",
            "fattura",
            "importo",
            "iva",
            "imponibile",
            "pagamento",
            "scadenza",
            "prezzo",
            "quantità",
        ],
    ),
    (
        "spa",
        &[
            "el",
            "los",
            "las",
            "del",
            "para",
            "por",
            "con",
            "una",
            "es",
            "nosotros",
            "usted",
            "su",
            "sus",
            "nuestro",
            "que",
            "en",
            "factura",
            "importe",
            "iva",
            "pago",
            "vencimiento",
            "precio",
            "cantidad",
            "descripción",
        ],
    ),
    (
        "nld",
        &[
            "het",
            "een",
            "en",
            "van",
            "voor",
            "met",
            "op",
            "is",
            "wij",
            "uw",
            "ons",
            "onze",
            "die",
            "dat",
            "factuur",
            "bedrag",
            "btw",
            "betaling",
            "vervaldatum",
            "prijs",
            "aantal",
            "omschrijving",
            "totaal",
        ],
    ),
];

/// A page needs at least this many function words of a language to be taken for it.
const MIN_HITS: usize = 6;

/// Whether `code` is a language whose pages can be recognised (for `mailroom check`).
pub fn known(code: &str) -> Result<(), OcrError> {
    if FUNCTION_WORDS.iter().any(|(c, _)| *c == code) {
        Ok(())
    } else {
        let codes: Vec<&str> = FUNCTION_WORDS.iter().map(|(c, _)| *c).collect();
        Err(OcrError(format!("reread_languages: pages in '{code}' cannot be recognised; use one of {}", codes.join(", "))))
    }
}

/// The language of `config.reread_languages` the page's words are written in, when it is
/// not one of the languages the page was read with; `None` keeps the first reading.
///
/// A language wins when its function words are at least [`MIN_HITS`] and more than twice
/// those of every other language: a German page quoting a French address stays German.
pub fn reread_as<'a, 'w>(config: &'a OcrConfig, words: impl Iterator<Item = &'w str>) -> Option<&'a str> {
    let primary: Vec<&str> = config.languages.split('+').collect();
    if config.reread_languages.iter().all(|l| primary.contains(&l.as_str())) {
        return None;
    }
    let mut hits = [0usize; FUNCTION_WORDS.len()];
    for word in words {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        if w.is_empty() {
            continue;
        }
        for (i, (_, list)) in FUNCTION_WORDS.iter().enumerate() {
            if list.contains(&w.as_str()) {
                hits[i] += 1;
            }
        }
    }
    let (best, &n) = hits.iter().enumerate().max_by_key(|(_, n)| **n)?;
    let runner_up = hits.iter().enumerate().filter(|(i, _)| *i != best).map(|(_, n)| *n).max().unwrap_or(0);
    if n < MIN_HITS || n <= 2 * runner_up {
        return None;
    }
    let code = FUNCTION_WORDS[best].0;
    if primary.contains(&code) {
        return None;
    }
    config.reread_languages.iter().find(|l| l.as_str() == code).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> OcrConfig {
        OcrConfig { languages: "deu+eng".into(), psm: 3, datapath: None, reread_languages: vec!["fra".into()], ..OcrConfig::default() }
    }

    fn words(text: &str) -> impl Iterator<Item = &str> {
        text.split_whitespace()
    }

    // As OCR reads them, the accents already lost by the German and English models.
    const FRENCH: &str = "Facture N° FA-2017-0012 Date de facture 31/10/2017 Hötel Saint Denis 97400 Saint Denis de la reunion \
        Conditions de paiement 30% d'acompte, solde a 30 jours Designation Quantite Prix unitaire Montant HT \
        Total TVA Net a payer Nous vous remercions de votre confiance. Reglement par virement sur le compte suivant";
    const GERMAN: &str = "Rechnung Nr. 2025-0417 Rechnungsdatum 26.06.2025 Müller Bürobedarf GmbH Hauptstraße 12 80331 München \
        Sehr geehrte Damen und Herren, wir erlauben uns, Ihnen folgende Leistungen in Rechnung zu stellen: \
        Position Bezeichnung Menge Einzelpreis Gesamtpreis Zwischensumme zuzüglich Umsatzsteuer Gesamtbetrag \
        Zahlbar innerhalb von 14 Tagen ohne Abzug Bankverbindung Sparkasse";
    // An English receipt of a French supplier: the names and the address are French.
    const ENGLISH_FROM_FRANCE: &str = "Redfield Foods SARL 93 Rue du Faubourg 67000 Strasbourg Tel +33 71 174 8026 \
        Email billing@redfield-foods.fr Customer number 626-9658 Date 2025-11-04 Claire Girard Krämer Autoservice AG \
        SALES RECEIPT Line Details Price VAT Net Coffee beans kg Still crate Butter Total due Thank you for your purchase \
        Payment by card Reverse charge: the customer is liable for the VAT";

    #[test]
    fn a_french_page_is_read_again_in_french() {
        assert_eq!(reread_as(&config(), words(FRENCH)), Some("fra"));
    }

    #[test]
    fn german_and_english_pages_keep_their_first_reading() {
        assert_eq!(reread_as(&config(), words(GERMAN)), None);
        assert_eq!(reread_as(&config(), words(ENGLISH_FROM_FRANCE)), None, "French names and addresses make no French page");
    }

    #[test]
    fn a_page_with_little_text_or_no_reread_language_is_left_alone() {
        assert_eq!(reread_as(&config(), words("Facture Hôtel Saint Denis pour la chambre 383,75 €")), None);
        let none = OcrConfig { reread_languages: Vec::new(), ..config() };
        assert_eq!(reread_as(&none, words(FRENCH)), None);
        // A language already read first is never read again.
        let french_first = OcrConfig { languages: "fra+eng".into(), ..config() };
        assert_eq!(reread_as(&french_first, words(FRENCH)), None);
    }

    #[test]
    fn unknown_codes_are_reported_for_check() {
        assert!(known("fra").is_ok());
        assert!(known("french").unwrap_err().0.contains("reread_languages"));
    }
}
