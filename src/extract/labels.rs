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
label_re!(invoice_title, r"^\s*(rechnung|invoice|gutschrift|facture|credit\s*note|korrekturrechnung|stornorechnung)\b\s*[:#]?");
label_re!(
    issue_date,
    r"(rechnungs\s*-?\s*datum|re\.?\s*-?\s*datum|beleg\s*-?\s*datum|invoice\s*date|date\s*of\s*(?:issue|invoice)|issue\s*date|ausstellungs\s*-?\s*datum|date\s*de\s*(?:la\s*)?facture|(?:^|[^a-zäöü])datum|(?:^|[^a-z])date(?:\s*:|\s|$)|dated|(?:^|\s)vom\b)"
);
label_re!(
    due_date,
    r"(f[äa]llig(?:keit(?:sdatum)?)?(?:\s*am)?|zahlbar\s*(?:bis|am|sp[äa]testens|ohne\s*abzug\s*bis)|zahlungsziel|due\s*(?:date|on|by)|payable\s*(?:by|until|on|before)|payment\s*due|[ée]ch[ée]ance|sp[äa]testens\s*(?:am|bis)|bis\s*zum|bis\s*sp[äa]testens)"
);
label_re!(
    delivery_date,
    r"(liefer\s*-?\s*(?:datum|termin)|leistungs\s*-?\s*(?:datum|zeitraum|zeitpunkt)|delivery\s*date|date\s*of\s*(?:supply|delivery|service)|lieferung\s*(?:am|vom)|service\s*date|date\s*de\s*livraison)"
);
label_re!(
    gross_total,
    r"(gesamt\s*-?\s*betrag|rechnungs\s*-?\s*betrag|brutto\s*-?\s*(?:betrag|summe|gesamt)?|gesamt\s*brutto|end\s*-?\s*betrag|end\s*-?\s*summe|gesamt\s*-?\s*summe|summe\s*brutto|zu\s*zahlen(?:der\s*betrag)?|zahl\s*-?\s*betrag|total\s*(?:amount|due|incl\.?|gross|ttc|eur|€)?|grand\s*total|amount\s*due|invoice\s*(?:total|amount)|montant\s*ttc|net\s*[àa]\s*payer|gesamt|summe|total)"
);
label_re!(
    net_total,
    r"(netto\s*-?\s*(?:betrag|summe|gesamt|wert)?|summe\s*netto|gesamt\s*netto|zwischen\s*-?\s*summe|waren\s*-?\s*wert|sub\s*-?\s*total|net\s*(?:amount|total|value)|total\s*(?:net|excl\.?|ht|before\s*tax|without\s*vat|exkl\.?)|montant\s*ht|steuerpflichtiger\s*betrag|positions\s*-?\s*summe|summe\s*(?:der\s*)?positionen|basisbetrag|bemessungsgrundlage)"
);
label_re!(
    vat_total,
    r"(mwst\.?|mehrwert\s*-?\s*steuer|umsatz\s*-?\s*steuer|(?:^|[^a-z])ust\.?(?:[^a-z-]|$)|vat(?:[^a-z-]|$)|(?:^|[^a-z])tax(?:\s|:|$)|tva|steuer\s*-?\s*betrag|sales\s*tax)"
);
label_re!(
    amount_due,
    r"(zahl\s*-?\s*betrag|zu\s*zahlen|offener?\s*betrag|rest\s*-?\s*betrag|amount\s*due|balance\s*due|f[äa]lliger\s*betrag|noch\s*zu\s*zahlen|amount\s*payable|net\s*[àa]\s*payer|zahlbarer\s*betrag)"
);
// Carried-over subtotals on multi-page invoices: never a total.
label_re!(carry_over, r"([üu]bertrag|carried\s*(?:forward|over)|zwischen\s*-?\s*übertrag|brought\s*forward)");
label_re!(iban, r"(iban)");
label_re!(bic, r"(bic|swift)");
label_re!(
    vat_id,
    r"(ust\s*-?\s*id\s*-?\s*(?:nr|nummer)?\.?|umsatzsteuer\s*-?\s*id(?:entifikations)?\s*-?\s*(?:nr|nummer)?\.?|vat\s*(?:id|reg(?:istration)?\.?\s*(?:no|number)?|no\.?|number)|tva\s*intracom|n°\s*tva|mwst\s*-?\s*nr|uid\s*-?\s*nr|steuer\s*-?\s*id)"
);
label_re!(buyer_marker, r"(ihre|kunden|customer|buyer|käufer|your|client|empfänger|leistungsempfänger)");
label_re!(tax_number, r"(steuer\s*-?\s*(?:nummer|nr\.?)|st\.?\s*-?\s*nr\.?|tax\s*(?:number|no\.?))");
label_re!(
    order_reference,
    r"(bestell\s*-?\s*(?:nummer|nr\.?|no\.?)|ihre\s*bestellung(?:\s*nr\.?)?|auftrags\s*-?\s*(?:nummer|nr\.?)|order\s*(?:no\.?|number|ref(?:erence)?\.?|#)|purchase\s*order(?:\s*(?:no\.?|number))?|po\s*(?:no\.?|number|#)|bestellzeichen)"
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
        assert!(gross_total().is_match("Gesamtbetrag"));
        assert!(net_total().is_match("Summe netto"));
        assert!(vat_total().is_match("zzgl. 19% MwSt."));
        assert!(vat_total().is_match("USt. 19 %"));
        assert!(!vat_total().is_match("USt-IdNr."));
        assert!(vat_id().is_match("USt-IdNr.:"));
    }
}
