//! The label words that announce a field on German, English and French invoices.
//! Matched case-insensitively on the line text.

use regex::Regex;
use std::sync::OnceLock;

macro_rules! label_re {
    ($name:ident, $re:expr) => {
        pub fn $name() -> &'static Regex {
            static R: OnceLock<Regex> = OnceLock::new();
            R.get_or_init(|| Regex::new(concat!("(?i)", $re)).expect("label regex"))
        }
    };
}

label_re!(
    invoice_number,
    r"(rechnungs?\s*-?\s*(?:nummer|nr\.?|no\.?|n°)|rechnung\s*(?:nr\.?|nummer|no\.?|#)|re\.?\s*-?\s*nr\.?|beleg\s*-?\s*(?:nummer|nr\.?)|invoice\s*(?:number|no\.?|nr\.?|#|num\.?|id)|inv\.?\s*no\.?|gutschrifts?\s*-?\s*(?:nummer|nr\.?)|credit\s*note\s*(?:number|no\.?|#)|num[ée]ro\s*de\s*facture|facture\s*n[°o]\.?|dokument\s*-?\s*(?:nummer|nr\.?)|document\s*(?:no\.?|number)|bill\s*(?:no\.?|number))"
);
// A title word directly followed by the number ("Rechnung 2018-123", "INVOICE 42").
label_re!(
    invoice_title,
    r"^\s*(rechnung|invoice|gutschrift|facture|avoir|credit\s*note|korrekturrechnung|stornorechnung|rechnungskorrektur|teilrechnung|schlussrechnung|abschlagsrechnung|warenrechnung|handelsrechnung)\b\s*[:#]?"
);
// "Handelsrechnung (380) Nr.", "Rechnung des Versicherers (575) Nr.": a UNTDID type code in brackets.
label_re!(invoice_type_code_title, r"(rechnung|gutschrift|invoice|korrektur|avoir|facture)[^\n]{0,40}?\(\d{3}\)\s*(?:nr\.?|no\.?|n°|#)");
// References to another document's number: never this document's number.
label_re!(
    reference_prefix,
    r"(ursprungs?|original|bezug|bezogen|referenz|storno\s*zu|zu\s*(?:der\s*)?rechnung|vorherige|preceding|related|corrected|facture\s*d'origine|sur\s*facture|kunden|customer|auftrags?|bestell|order|liefer|delivery)\s*-?\s*$"
);
label_re!(
    issue_date,
    r"(rechnungs\s*-?\s*datum|re\.?\s*-?\s*datum|beleg\s*-?\s*datum|invoice\s*date|date\s*of\s*(?:issue|invoice)|issue\s*date|ausstellungs\s*-?\s*datum|date\s*de\s*(?:la\s*)?facture|(?:^|\s)datum|(?:^|\s)date(?:\s*:|\s|$)|dated|(?:^|\s)vom\b|date\s*de\s*facture)"
);
label_re!(
    due_date,
    r"(f[äa]llig(?:keit(?:sdatum)?)?(?:\s*am)?|zahlbar\s*(?:innerhalb\s*(?:von\s*)?\d+\s*tagen\s*(?:netto\s*)?bis|bis|am|sp[äa]testens|ohne\s*abzug\s*bis)|zahlungsziel|due\s*(?:date|on|by)|payable\s*(?:by|until|on|before)|payment\s*due|[ée]ch[ée]ance|sp[äa]testens\s*(?:am|bis)|bis\s*zum|bis\s*sp[äa]testens)"
);
label_re!(
    delivery_date,
    r"(liefer\s*-?\s*(?:datum|termin)|leistungs\s*-?\s*(?:datum|zeitraum|zeitpunkt)|delivery\s*date|date\s*of\s*(?:supply|delivery|service)|lieferung\s*(?:am|vom)|service\s*date|date\s*de\s*livraison)"
);
label_re!(
    gross_total,
    r"(gesamt\s*-?\s*betrag|rechnungs\s*-?\s*(?:betrag|summe|beitrag)|brutto\s*-?\s*(?:betrag|summe|gesamt)?|gesamt\s*brutto|end\s*-?\s*betrag|end\s*-?\s*summe|gesamt\s*-?\s*summe|summe\s*brutto|total\s*(?:amount|incl\.?|gross|ttc|eur|€)?|grand\s*total|invoice\s*(?:total|amount)|montant\s*ttc|total\s*ttc|gesamt|summe|total)"
);
label_re!(
    net_total,
    r"(netto\s*-?\s*(?:betrag|summe|gesamt|wert)?|summe\s*netto|gesamt\s*netto|zwischen\s*-?\s*summe|waren\s*-?\s*wert|sub\s*-?\s*total|net\s*(?:amount|total|value)|total\s*(?:net|excl\.?|ht|before\s*tax|without\s*vat|exkl\.?)|montant\s*ht|total\s*ht|steuerpflichtiger\s*betrag|positions\s*-?\s*summe|summe\s*(?:der\s*)?positionen|basisbetrag|bemessungsgrundlage|taxable\s*(?:value|amount)|ohne\s*(?:ust|mwst|umsatzsteuer)|exkl\.?\s*(?:ust|mwst)|gesamt\s*-?\s*beitrag|netto\s*-?\s*beitrag)"
);
label_re!(
    vat_total,
    r"(mwst\.?|mehrwert\s*-?\s*steuer|umsatz\s*-?\s*steuer|(?:^|[^a-z])ust\.?(?:[^a-z-]|$)|vat(?:[^a-z-]|$)|(?:^|[^a-z])tax(?:\s|:|$)|tva|steuer\s*-?\s*betrag|sales\s*tax|versicherungs?\s*-?\s*steuer|(?:^|[^a-z])[cis]?gst(?:[^a-z]|$))"
);
label_re!(
    amount_due,
    r"(zahl\s*-?\s*betrag|zu\s*zahlen(?:der\s*betrag)?|offener?\s*betrag|offene\s*zahlungen|rest\s*-?\s*betrag|amount\s*due|balance\s*due|total\s*due|due\s*payable|f[äa]lliger\s*betrag|noch\s*zu\s*zahlen|amount\s*payable|net\s*[àa]\s*payer|zahlbarer\s*betrag|reste\s*[àa]\s*payer|residual(?:\s*amount)?|remaining\s*(?:amount|balance)|montant\s*restant|restant\s*d[ûu]|solde\s*(?:d[ûu]|[àa]\s*payer))"
);
// Money already paid or to be deducted: then the gross total is not what is due.
label_re!(
    prepaid,
    r"(anzahlung|vorauszahlung|bereits\s*(?:bezahlt|gezahlt|erhalten|geleistet)|abzgl\.?\s*(?:anzahlung|abschlag|zahlung)|abschlagszahlung|erhaltene\s*(?:zahlung|anzahlung)|prepaid|prepayment|already\s*paid|paid\s*amount|amount\s*paid|less\s*(?:deposit|payment)|deposit|acompte|d[ée]j[àa]\s*pay[ée]|ratenzahlung|instal?lments?)"
);
// An earlier claim still unpaid, added to this invoice's amount to give what is due
// ("Ausstehende Forderung am Ausstellungstag", "Rückstand", "Previous balance"): no part of
// this invoice's gross.
label_re!(
    arrears,
    r"(ausstehende\s*(?:forderung|beitr[äa]ge|zahlung)|r[üu]ckst[äa]nd(?:e|iger\s*betrag)?\b|saldo\s*-?\s*vortrag|vorheriger\s*saldo|alter\s*saldo|previous\s*balance|arrears|outstanding\s*(?:balance|from\s*previous)|solde\s*ant[ée]rieur)"
);
// Carried-over subtotals on multi-page invoices: never a total.
// Charges added to the goods before VAT: never the VAT however the amounts add up.
label_re!(
    charge,
    r"(versand\s*-?\s*(?:kosten|pauschale|gebühr)?|fracht\s*-?\s*(?:kosten)?|porto|verpackung|transport\s*-?\s*kosten|shipping|freight|postage|packaging|handling|delivery\s*(?:charge|fee))"
);
label_re!(carry_over, r"([üu]bertrag|carried\s*(?:forward|over)|zwischen\s*-?\s*übertrag|brought\s*forward)");
// Amounts of allowances, charges and discounts: never one of the totals.
label_re!(not_a_total, r"(zuschl[äa]ge|abschl[äa]ge|rabatt|nachlass|skonto|allowance|discount|remise|ristourno|bruttopreis|einzelpreis|unit\s*price|prix\s*unitaire)");
// A heading over an address ("Lieferadresse", "Adresse de livraison", "Ship to"): the
// line itself is never a party's name.
label_re!(
    address_heading,
    r"^\s*(?:(?:liefer|rechnungs|versand|post|lieferungs)\s*-?\s*(?:adresse|anschrift)|(?:delivery|billing|shipping|invoice|postal)\s+address|adresse\s+de\s+(?:livraison|facturation)|ship\s+to|deliver\s+to|warenempf[äa]nger(?:in)?|lieferempf[äa]nger(?:in)?)\s*:?\s*$"
);
// A contact person at a party ("z. Hd. Frau Lorenz", "Attn. Klaus Schröder",
// "Ansprechpartner: Sven Peters", or the label alone in a label column): a person at the
// party, never the party itself. OCR reads "z." as "7." now and then.
label_re!(
    contact_person,
    r"^\s*(?:(?:[z7]\.?\s*h(?:d)?\.|hd\.)|zu\s+h[äa]nden\b|attn\b\.?|attention\b|c/o\b|fao\b|(?:ihr(?:e)?\s+|your\s+)?(?:ansprechpartner(?:in)?|sachbearbeiter(?:in)?|bearbeiter(?:in)?|contact(?:\s+person)?)\b|(?:our|your)\s+reference\b|(?:unser|ihr)\s+zeichen\b)\s*:?"
);
// A line that is only a field's label ("Offer valid until", "Kundennummer"): no name.
label_re!(
    label_line,
    r"^\s*(?:(?:offer|quote|angebot)\s+(?:valid|g[üu]ltig)\s+(?:until|bis)|valid\s+until|g[üu]ltig\s+bis|quote\s*(?:#|no\.?|number)|angebots\s*-?\s*(?:nummer|nr\.?)|date|datum|kunden\s*-?\s*(?:nummer|nr\.?)|customer\s+(?:no\.?|number|id)|account\s+no\.?|bestell\s*-?\s*(?:nummer|nr\.?)|order\s+(?:no\.?|number)|po\s+number)\s*[:.#]?\s*$"
);
// A street and house number alone ("Hauptstraße 116a", "Am Hafen 17"): an address line.
label_re!(street_line, r"^\s*[\p{L}.\- ]*(?:stra(?:ss|ß)e|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee|steig|pfad|markt|zeile)\s+\d{1,4}\s?[a-z]?(?:\s?[-/]\s?\d{1,4}[a-z]?)?\s*$");
// A line that is only a country ("Deutschland / Germany", "FRANCE"): the last line of an
// address, nobody's name.
label_re!(
    country_line,
    r"^\s*(?:(?:deutschland|germany|[öo]sterreich|austria|schweiz|switzerland|suisse|france|frankreich|niederlande|netherlands|nederland|belgien|belgium|belgique|italien|italy|italia|spanien|spain|espa[ñn]a|luxemburg|luxembourg|polen|poland|d[äa]nemark|denmark|united\s+kingdom|vereinigtes\s+k[öo]nigreich|usa|united\s+states)\s*[/,]?\s*)+$"
);
label_re!(iban, r"(iban)");
// Where a bank account is announced, with or without the word IBAN.
label_re!(bank_account, r"(iban|bankverbindung|konto(?:nummer|verbindung)?|bank\s*details|account|compte)");
label_re!(bic, r"(bic|swift)");
label_re!(
    vat_id,
    r"(ust\s*-?\s*id\s*-?\s*(?:nr|nummer)?\.?|umsatzsteuer\s*-?\s*id(?:entifikations)?\s*-?\s*(?:nr|nummer)?\.?|vat\s*(?:id|reg(?:istration)?\.?\s*(?:no|number)?|no\.?|number)|tva\s*intracom|n°\s*tva|mwst\s*-?\s*nr|uid\s*-?\s*nr|steuer\s*-?\s*id|gstin(?:\s*/\s*uin)?|gst\s*(?:reg(?:istration)?\.?\s*)?(?:no\.?|number)(?:[^a-z]|$))"
);
// The customer's side of a label ("Ihre USt-IdNr.", "Kundennummer", "N° TVA client"), as
// whole words: "USt-IdNr. des Verkäufers" and "Zahlungsempfänger" are the seller's.
label_re!(buyer_marker, r"\b(ihre?|kunden\w*|customer|buyer|k[äa]ufers?|your|client|acheteur|(?:rechnungs|leistungs|waren)?empf[äa]ngers?|recipient|consignee|party)\b");
label_re!(tax_number, r"(steuer\s*-?\s*(?:nummer|nr\.?)|st\.?\s*-?\s*nr\.?|tax\s*(?:number|no\.?))");
label_re!(
    order_reference,
    r"(bestell\s*-?\s*(?:nummer|nr\.?|no\.?)|(?:ihre\s*)?bestellung\s*nr\.?|ihre\s*bestellung(?:\s*nr\.?)?|auftrags\s*-?\s*(?:nummer|nr\.?)|order\s*(?:no\.?|number|ref(?:erence)?\.?|#)|purchase\s*order(?:\s*(?:no\.?|number))?|po\s*(?:no\.?|number|#)|bestellzeichen)"
);
label_re!(
    delivery_note_reference,
    r"(lieferschein\s*-?\s*(?:nummer|nr\.?|no\.?)|ls\s*-\s*nr\.?|delivery\s*note\s*(?:no\.?|number|#)|packing\s*slip\s*(?:no\.?|number|#)|shipment\s*(?:no\.?|number)|despatch\s*advice(?:\s*(?:no\.?|number))?)"
);
label_re!(
    payment_terms,
    r"(zahlungs\s*-?\s*(?:bedingungen|ziel|konditionen)|zahlbar\s*(?:innerhalb|sofort|bis|ohne)|skonto|payment\s*terms|terms\s*of\s*payment|payable\s*within|net\s*\d+\s*days|innerhalb\s*von\s*\d+\s*tagen|within\s*\d+\s*days|conditions\s*de\s*paiement)"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_common_spellings() {
        for s in ["Rechnungsnummer:", "Rechnungs-Nr.", "Rechnung Nr.", "Invoice No.", "Invoice number", "Re-Nr."] {
            assert!(invoice_number().is_match(s), "{s}");
        }
        assert!(issue_date().is_match("Rechnungsdatum"));
        assert!(issue_date().is_match("Datum: 05.06.2018"));
        assert!(!issue_date().is_match("Lieferdatum"));
        assert!(due_date().is_match("Zahlbar bis 30.06.2018"));
        // The deadline after the terms, not the discount's: "… netto bis 04.07.2013, 3% Skonto innerhalb 10 Tagen bis …".
        let terms = "Zahlbar innerhalb 30 Tagen netto bis 04.07.2013, 3% Skonto innerhalb 10 Tagen bis 15.06.2013";
        let m = due_date().find(terms).expect("due label");
        assert!(terms[m.end()..].trim_start().starts_with("04.07.2013"), "{:?}", m.as_str());
        assert!(gross_total().is_match("Gesamtbetrag"));
        assert!(net_total().is_match("Summe netto"));
        assert!(vat_total().is_match("zzgl. 19% MwSt."));
        assert!(vat_total().is_match("USt. 19 %"));
        assert!(!vat_total().is_match("USt-IdNr."));
        assert!(vat_id().is_match("USt-IdNr.:"));
        for s in ["Versandkosten", "Versandpauschale", "Frachtkosten", "Porto und Verpackung", "Shipping & handling", "Freight", "Delivery charge"] {
            assert!(charge().is_match(&s.to_lowercase()), "{s}");
        }
        assert!(!charge().is_match("nettobetrag") && !charge().is_match("zzgl. 19% mwst."));
    }

    #[test]
    fn indian_gst_labels() {
        for s in ["GSTIN:", "GSTIN/UIN", "GST No.", "GST Reg. No."] {
            assert!(vat_id().is_match(s), "{s}");
        }
        for s in ["CGST @ 9%", "SGST 9 %", "IGST @ 18%", "Total GST"] {
            assert!(vat_total().is_match(s), "{s}");
        }
        assert!(!vat_total().is_match("GSTIN: 29AAACM1234E1ZW"), "the GSTIN's label is no tax amount");
        assert!(net_total().is_match("Taxable Value") && net_total().is_match("Total Taxable Amount"));
    }

    #[test]
    fn buyer_labels_are_whole_words() {
        for s in ["Ihre USt-IdNr.:", "Kundennummer", "USt-IdNr. des Käufers", "N° TVA client", "Rechnungsempfänger:", "Leistungsempfänger", "GSTIN of Recipient", "Party GSTIN"] {
            assert!(buyer_marker().is_match(s), "{s}");
        }
        // The seller's own labels.
        for s in ["USt-IdNr. des Verkäufers", "Zahlungsempfänger", "Unsere USt-IdNr.", "Kontoinhaber"] {
            assert!(!buyer_marker().is_match(s), "{s}");
        }
    }

    #[test]
    fn what_is_left_to_pay_is_the_amount_due() {
        // FNFE's samples print the total, the payment received and then "Residual".
        for s in ["Residual", "Residual amount", "Remaining balance", "Montant restant dû", "Solde à payer", "Zahlbetrag", "Amount due"] {
            assert!(amount_due().is_match(s), "{s}");
        }
        assert!(!amount_due().is_match("Total") && !amount_due().is_match("Balance brought forward"));
    }

    #[test]
    fn an_earlier_claim_still_unpaid_is_arrears() {
        for s in ["Ausstehende Forderung am Ausstellungstag (Stand 04.03.2014)", "Rückstand aus Vorperiode", "Saldovortrag", "Previous balance", "Arrears"] {
            assert!(arrears().is_match(s), "{s}");
        }
        for s in ["Zu zahlender Beitrag", "Offener Betrag", "Gesamtbetrag", "Rückstellung"] {
            assert!(!arrears().is_match(s), "{s}");
        }
    }

    #[test]
    fn contact_persons_and_label_lines_are_no_party() {
        for s in [
            "z. Hd. Frau Laura Lorenz",
            "7. Hd. Laura Lorenz",
            "z.H. Herrn Müller",
            "Attn. Klaus Schröder",
            "Attention: Accounts Payable",
            "c/o Steuerbüro Klein",
            "Ansprechpartner",
            "Ihr Ansprechpartner: Sven Peters",
            "Our reference",
        ] {
            assert!(contact_person().is_match(s), "{s}");
        }
        for s in ["Offer valid until", "Angebot gültig bis:", "Kundennummer", "Quote #"] {
            assert!(label_line().is_match(s), "{s}");
        }
        for s in ["Hauptstraße 116a", "Friedrich-Ebert-Str. 8", "Am Marktplatz 3-5", "Lindenallee 12 / 1"] {
            assert!(street_line().is_match(s), "{s}");
        }
        assert!(!street_line().is_match("Ringbau 2000 GmbH") && !street_line().is_match("Werk 3"));
        // Names that begin like one are names.
        for s in ["H. Schmidt GmbH", "Hdk Logistik GmbH", "Attenberger KG", "Contactless Pay GmbH", "Datumsfabrik AG"] {
            assert!(!contact_person().is_match(s) && !label_line().is_match(s), "{s}");
        }
    }

    #[test]
    fn address_headings_are_the_heading_alone() {
        for s in ["Adresse de livraison", "Delivery Address", "Lieferadresse:", "Liefer-Anschrift", "Ship to", "Warenempfänger"] {
            assert!(address_heading().is_match(s), "{s}");
        }
        assert!(country_line().is_match("Deutschland / Germany") && country_line().is_match("FRANCE"));
        assert!(!country_line().is_match("Deutschland GmbH") && !country_line().is_match("France Télécom"));
        // A name or an address line with the word in it is no heading.
        for s in ["Lieferadresse Hauptstraße 5", "Adresse de livraison: Ma jolie boutique", "Postadresse GmbH"] {
            assert!(!address_heading().is_match(s), "{s}");
        }
    }
}
