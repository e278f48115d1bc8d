//! The rules extractor: label-anchored candidates for every field, then a joint choice of
//! the totals that respects the arithmetic (net + VAT = gross).
//!
//! Each candidate carries a score from how it was found (label on the same line, in the
//! same row, or above it; checksum valid; arithmetic agrees) — the trained extractor
//! replaces these hand-set scores with learned ones over the same candidates.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use regex::Regex;
use rust_decimal::Decimal;

use super::labels;
use super::parse::{find_amounts, find_dates, format_amount};
use super::text::{below, left_of, right_of, TextLine};
use super::{ids, Extraction, ReadDocument};
use crate::index::{FieldValue, VatBreakdown};
use crate::layout::BBox;
use crate::vocab::Field;

mod amounts;
mod currency;
mod dates;
mod numbers;
mod parties;

pub(crate) use amounts::paid_less_change;
use amounts::*;
use currency::*;
use dates::*;
use numbers::*;
pub use parties::canonical_name;
use parties::*;
pub(crate) use parties::{company_suffix, no_party_name, receipt_name_doubt, two_line_name};

#[derive(Debug, Clone)]
struct Cand {
    value: String,
    score: f32,
    page: u32,
    bbox: BBox,
    order: usize,
}

impl Cand {
    fn into_field(self, ocr_conf: f32) -> FieldValue {
        FieldValue::read(self.value, (self.score * ocr_conf).clamp(0.0, 1.0), Some(self.page), Some(self.bbox), crate::index::Origin::Rules)
    }
}

/// How a value relates to its label.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    SameLine,
    SameRow,
    Below,
}

impl Place {
    fn weight(self) -> f32 {
        match self {
            Place::SameLine => 1.0,
            Place::SameRow => 0.9,
            Place::Below => 0.8,
        }
    }
}

/// Where the value for a label may stand: the rest of its line, lines to its right in
/// the same row, then the lines just below the label.
fn near_label<'a>(lines: &'a [TextLine], line: &'a TextLine, label_end: usize, label_start: usize) -> Vec<(&'a TextLine, usize, Place)> {
    let mut v = vec![(line, label_end, Place::SameLine)];
    for r in right_of(lines, line).into_iter().take(2) {
        v.push((r, 0, Place::SameRow));
    }
    let (x0, x1) = line.x_range(label_start, label_end);
    for b in below(lines, line, x0, x1, 1.5).into_iter().take(2) {
        v.push((b, 0, Place::Below));
    }
    v
}

fn located(line: &TextLine, start: usize, end: usize) -> (BBox, f32) {
    line.locate(start, end)
}

fn best(mut cands: Vec<(Cand, f32)>) -> Option<(Cand, f32)> {
    // Highest score; among equals, the earliest in the document.
    cands.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then(a.0.order.cmp(&b.0.order)));
    // Agreement between several labelled places raises confidence.
    let first = cands.first()?.clone();
    let agreeing = cands.iter().filter(|c| c.0.value == first.0.value).count();
    let mut chosen = first;
    if agreeing > 1 {
        chosen.0.score = (chosen.0.score + 0.05 * (agreeing - 1) as f32).min(1.0);
    }
    Some(chosen)
}

fn labelled_line(lines: &[TextLine], label: &Regex) -> Option<(Cand, f32)> {
    let l = lines.iter().find(|l| label.is_match(&l.text))?;
    let (bbox, conf) = l.locate(0, l.text.len());
    Some((Cand { value: l.text.chars().take(200).collect(), score: 0.7, page: l.page, bbox, order: l.order }, conf))
}

/// Whether the document's numeric slash dates are month first: as its own dates or payment
/// terms show ([`super::parse::slash_dates_month_first`]); where they do not, on English pages in
/// US dollars.
pub fn month_first(doc: &ReadDocument, lines: &[TextLine]) -> bool {
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    // An amount in dollars, not any "$" (OCR reads specks as one: "Jalan $$16/1").
    super::parse::slash_dates_month_first(&texts).unwrap_or_else(|| doc.language == Some("en") && lines.iter().any(|l| find_amounts(&l.text).iter().any(|a| a.currency == Some("USD"))))
}

/// Identifiers found in their valid shapes, or where there are none, what `printed` finds
/// beside the label in another shape: read as printed, doubtful (the identifier_shape or
/// checksum check then fails and a person looks), never dropped.
fn as_printed(found: Vec<(Cand, f32, bool)>, printed: impl FnOnce() -> Vec<(Cand, f32, bool)>) -> Vec<(Cand, f32, bool)> {
    if found.is_empty() {
        doubtful(printed())
    } else {
        found
    }
}

/// Identifiers read as printed in a shape their rule rejects: at 0.4, below the review threshold.
fn doubtful(mut printed: Vec<(Cand, f32, bool)>) -> Vec<(Cand, f32, bool)> {
    for (c, _, _) in &mut printed {
        c.score = 0.4;
    }
    printed
}

/// Runs every rule over the document's lines.
pub fn extract(doc: &ReadDocument, lines: &[TextLine]) -> Extraction {
    let month_first = month_first(doc, lines);
    let mut fields: BTreeMap<Field, FieldValue> = BTreeMap::new();
    let mut put = |field: Field, c: Option<(Cand, f32)>| {
        if let Some((cand, conf)) = c {
            fields.insert(field, cand.into_field(conf));
        }
    };

    put(Field::InvoiceNumber, invoice_number(lines));

    let not_issue: Vec<&Regex> = vec![labels::due_date(), labels::delivery_date()];
    let issue = dates_for(lines, labels::issue_date(), month_first, &not_issue);
    let due = dates_for(lines, labels::due_date(), month_first, &[]);
    let delivery = dates_for(lines, labels::delivery_date(), month_first, &[]);
    let pick_date = |v: Vec<(Cand, f32, NaiveDate)>| best(v.into_iter().map(|(c, f, _)| (c, f)).collect());
    let mut issue_date = pick_date(issue);
    // A till slip prints its date and time anywhere, often at its foot.
    let top = if doc.doc_type == crate::index::DocType::Receipt { f32::INFINITY } else { 400.0 };
    if issue_date.is_none() {
        // No label: the first date in the top part of page 1 (the letter's date line).
        'outer: for l in lines.iter().filter(|l| l.page == 1 && l.bbox[1] < top) {
            if let Some(d) = find_dates(&l.text, month_first).into_iter().next() {
                let (bbox, conf) = l.locate(d.start, d.end);
                issue_date = Some((Cand { value: d.date.format("%Y-%m-%d").to_string(), score: 0.55, page: 1, bbox, order: l.order }, conf));
                break 'outer;
            }
        }
    }
    put(Field::IssueDate, issue_date);
    put(Field::DueDate, pick_date(due));
    put(Field::DeliveryDate, pick_date(delivery));

    let amounts = amount_candidates(lines);
    let totals = choose_totals(&amounts);
    if let Some(g) = totals.gross.clone() {
        fields.insert(Field::GrossTotal, amount_field(g));
    }
    if let Some(n) = totals.net.clone() {
        fields.insert(Field::NetTotal, amount_field(n));
    }
    if let Some(v) = totals.vat.clone() {
        fields.insert(Field::VatTotal, amount_field(v));
    }
    match totals.due.clone() {
        Some(d) => {
            fields.insert(Field::AmountDue, amount_field(d));
        }
        // Without a separate amount due, the gross total is due — unless the letter speaks of
        // prepayments, deductions or instalments, which a reviewer must read.
        None if totals.consistent && !lines.iter().any(|l| labels::prepaid().is_match(&l.text)) => {
            if let Some(mut g) = totals.gross.clone() {
                g.1 *= 0.9;
                fields.insert(Field::AmountDue, amount_field(g));
            }
        }
        None => {}
    }
    let mut put = |field: Field, c: Option<(Cand, f32)>| {
        if let Some((cand, conf)) = c {
            fields.insert(field, cand.into_field(conf));
        }
    };
    let printed_currency = currency(&amounts, lines);

    let mut ibans = first_id(lines, ids::find_ibans, labels::iban(), false);
    if ibans.is_empty() {
        // A printed IBAN whose checksum fails is still what the letter says; it is taken
        // after a bank label only, doubtful, and the iban_checksum check fails for review.
        ibans = first_id(lines, ids::find_unchecked_ibans, labels::bank_account(), true);
        for (c, _, _) in &mut ibans {
            c.score = 0.4;
        }
    }
    let iban = ibans.iter().max_by(|a, b| a.0.score.total_cmp(&b.0.score).then(b.0.order.cmp(&a.0.order))).map(|(c, f, _)| (c.clone(), *f));
    put(Field::Iban, iban.clone());
    let bics = as_printed(first_id(lines, ids::find_bics, labels::bic(), true), || first_id(lines, ids::find_unchecked_bics, labels::bic(), true));
    put(Field::Bic, bics.into_iter().next().map(|(c, f, _)| (c, f)));

    let mut vat_ids = first_id(lines, ids::find_vat_ids, labels::vat_id(), false);
    if !vat_ids.iter().any(|(_, _, buyer)| !buyer) {
        // The seller's VAT ID printed in a shape no country's has (a digit too many or too
        // few) is still what the letter says: taken beside its label, doubtful, and the
        // seller_vat_id_checksum check fails — never the buyer's valid one in its place.
        vat_ids.extend(doubtful(first_id(lines, ids::find_unchecked_vat_ids, labels::vat_id(), true)).into_iter().filter(|(_, _, buyer)| !buyer));
    }
    let seller_vat = vat_ids.iter().find(|(_, _, buyer)| !buyer).map(|(c, f, _)| (c.clone(), *f));
    let buyer_vat = vat_ids.iter().find(|(c, _, buyer)| *buyer && Some(&c.value) != seller_vat.as_ref().map(|s| &s.0.value)).map(|(c, f, _)| (c.clone(), *f));
    // No currency printed (a receipt whose totals carry no sign, a rupee sign OCR lost): a
    // seller in the euro area bills in euro, one with a GSTIN in rupees. Taken doubtful, so
    // the invoice goes to review with the ID marked.
    let assumed_currency = || {
        let (c, f) = seller_vat.clone().or_else(|| iban.clone())?;
        home_currency(&c.value).map(|code| (Cand { value: code.into(), score: 0.5, ..c }, f))
    };
    put(Field::Currency, printed_currency.or_else(assumed_currency));
    put(Field::SellerVatId, seller_vat);
    put(Field::BuyerVatId, buyer_vat);
    let tax_numbers = as_printed(first_id(lines, ids::find_tax_numbers, labels::tax_number(), true), || first_id(lines, ids::find_unchecked_tax_numbers, labels::tax_number(), true));
    put(Field::SellerTaxNumber, tax_numbers.into_iter().next().map(|(c, f, _)| (c, f)));

    let (mut seller, buyer, seller_address, from_form) = parties(lines);
    if doc.doc_type == crate::index::DocType::Receipt {
        // A till slip has no letterhead or address window: the shop's name heads it.
        seller = receipt_seller(lines).or(seller);
    }
    let canonical = |p: Option<(Cand, f32)>| {
        p.map(|(mut c, f)| {
            c.value = canonical_name(&c.value);
            (c, f)
        })
    };
    let (seller, buyer) = (canonical(seller), canonical(buyer));
    if super::issuer_is_buyer(doc.doc_type) && !from_form {
        // An order: the letterhead is the buyer's, the address window the supplier's.
        put(Field::SellerName, buyer);
        put(Field::BuyerName, seller);
    } else {
        put(Field::SellerName, seller);
        put(Field::BuyerName, buyer);
        put(Field::SellerAddress, seller_address);
    }
    put(Field::PaymentTerms, labelled_line(lines, labels::payment_terms()));
    put(Field::OrderReference, order_reference(lines));
    put(Field::DeliveryNoteReference, delivery_note_reference(lines));

    let vat_breakdown = vat_breakdown(&amounts);
    Extraction { fields, line_items: Vec::new(), vat_breakdown, checks: Vec::new(), totals_consistent: totals.consistent }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::DocType;
    use crate::layout::test_page;

    /// What the rules read on one page of (x, y, text) cells, words 7.5 pt high.
    fn read(cells: &[(f32, f32, &str)]) -> Extraction {
        read_as(cells, "de", DocType::Invoice)
    }

    /// The same, for a document of `doc_type` in `language`.
    fn read_as(cells: &[(f32, f32, &str)], language: &str, doc_type: DocType) -> Extraction {
        let pages = [test_page(cells, 7.5)];
        let doc = ReadDocument { pages: &pages, language: Some(language), doc_type, words: None };
        extract(&doc, &super::super::text::lines(&pages))
    }

    #[test]
    fn letters_that_grow_when_lower_cased_do_not_break_the_date_rules() {
        // "İ" is two bytes, its lower case three: offsets found in the line are not offsets
        // in its lower-cased copy. This once cut the lower-cased line inside a character.
        let ex = read(&[(60.0, 100.0, "İİİİİ Rechnungsdatum bis 26.06.2025"), (60.0, 120.0, "Datum: 26.06.2025 İstanbul"), (60.0, 140.0, "Summe 10,00 €")]);
        assert_eq!(ex.value(Field::IssueDate), Some("2025-06-26"));
    }

    #[test]
    fn a_return_line_whose_separators_ocr_read_as_letters_still_names_both_parties() {
        // Mustang's samples: "Bei Spiel GmbH • Ecke 12 • 12345 Stadthausen • Germany" read
        // with "e" and "©" for the dots; the recipient stands under it.
        let ex = read(&[(83.0, 157.0, "Bei Spiel GmbH e Ecke12 © 12345 Stadthausen e Germany"), (71.0, 171.0, "Theodor Est"), (72.0, 195.0, "Bahnstr 42"), (71.0, 224.0, "88802 Spielkreis")]);
        assert_eq!((ex.value(Field::SellerName), ex.value(Field::BuyerName)), (Some("Bei Spiel GmbH"), Some("Theodor Est")));
    }

    #[test]
    fn a_receipt_without_a_currency_is_in_euro_when_its_seller_is_in_the_euro_area() {
        // A generated Dutch receipt: no € or EUR anywhere on the page.
        let receipt = |vat_line: &'static str| {
            read(&[(60.0, 60.0, "de Boer Bistro B.V."), (60.0, 72.0, "Stationsplein 106"), (60.0, 84.0, vat_line), (60.0, 120.0, "Dish of the day 10 x 9,70 97,00"), (60.0, 140.0, "TOTAL 106,46")])
        };
        let ex = receipt("VAT number NL874021477B02");
        let currency = ex.fields.get(&Field::Currency).expect("EUR assumed");
        assert_eq!(currency.value, "EUR");
        assert!(currency.confidence < crate::extract::REVIEW_THRESHOLD, "assumed, so reviewed: {}", currency.confidence);
        assert!(currency.bbox.is_some_and(|b| b[1] > 80.0 && b[1] < 90.0), "the VAT ID is the evidence: {:?}", currency.bbox);
        // A Swiss seller may bill in francs or in euro: nothing is assumed.
        assert_eq!(receipt("UID CHE-419.613.477 MWST").value(Field::Currency), None);
        // An Indian GST invoice whose rupee sign OCR lost is in rupees, doubtful.
        let ex = receipt("GSTIN: 29AAACM1234E1ZW");
        assert_eq!(ex.value(Field::Currency), Some("INR"));
        assert!(ex.fields[&Field::Currency].confidence < crate::extract::REVIEW_THRESHOLD);
        // A printed currency is taken as printed, and trusted.
        let ex = read(&[(60.0, 84.0, "VAT number NL874021477B02"), (60.0, 140.0, "TOTAL 106,46 CHF")]);
        assert_eq!(ex.value(Field::Currency), Some("CHF"));
        assert!(ex.fields[&Field::Currency].confidence >= crate::extract::REVIEW_THRESHOLD);
    }

    #[test]
    fn the_contact_person_under_the_company_is_not_the_buyer() {
        // A generated credit memo's window: the "Attn." line was read as the buyer.
        let ex = read(&[
            (60.0, 168.0, "Brown & Murphy Ltd · 189 Mill Lane · Leeds LS1 4AP"),
            (60.0, 185.0, "Weiß Lagerlogistik Lübeck GmbH"),
            (60.0, 198.0, "Attn. Klaus Schröder"),
            (60.0, 211.0, "Hauptstraße 116a"),
            (60.0, 224.0, "78462 Konstanz"),
        ]);
        assert_eq!(ex.value(Field::BuyerName), Some("Weiß Lagerlogistik Lübeck GmbH"));
        let ex = read(&[(60.0, 150.0, "z. Hd. Frau Laura Lorenz"), (60.0, 163.0, "Lessingstraße 93"), (60.0, 176.0, "66111 Saarbrücken")]);
        assert_ne!(ex.value(Field::BuyerName), Some("z. Hd. Frau Laura Lorenz"));
    }

    #[test]
    fn a_legal_form_in_small_print_under_the_name_completes_it() {
        // A generated contract's letterhead as OCR read it: the legal form's line is smaller
        // and stands a little further off than its own height.
        use crate::layout::{test_word as word, Page, TextSource};
        let words = vec![
            word("Jäger", 451.4, 87.8, 472.0, 94.7),
            word("Facility", 474.0, 87.8, 501.0, 94.7),
            word("Services", 504.0, 87.8, 536.0, 94.7),
            word("Regensburg", 539.0, 87.8, 583.2, 94.7),
            word("GmbH", 452.2, 99.4, 474.0, 104.8),
            word("&", 477.0, 99.4, 482.0, 104.8),
            word("Co.", 486.0, 99.4, 497.0, 104.8),
            word("KG", 500.0, 99.4, 510.1, 104.8),
        ];
        let pages = [Page::from_words(1, 595.0, 842.0, TextSource::Ocr, 0, words)];
        let lines = super::super::text::lines(&pages);
        assert_eq!(two_line_name(&lines[0], &lines[1]).as_deref(), Some("Jäger Facility Services Regensburg GmbH & Co. KG"));
        // The legal form alone names nobody.
        assert!(no_party_name("GmbH & Co. KG") && !no_party_name("Prisma GmbH & Co. KG"));
        // A form's heading over the name is no part of it.
        let pages = [test_page(&[(60.0, 100.0, "Rechnungsersteller"), (60.0, 108.0, "Lieferant GmbH")], 7.0)];
        let lines = super::super::text::lines(&pages);
        assert_eq!(two_line_name(&lines[0], &lines[1]), None);
    }

    #[test]
    fn legal_forms_have_one_spelling() {
        assert_eq!(canonical_name("Gebr. Martin  e.K"), "Gebr. Martin e.K.");
        assert_eq!(canonical_name("Prisma GmbH & Co.KG"), "Prisma GmbH & Co. KG");
        assert_eq!(canonical_name("Gebr. Stein UG (haftungsbeschrankt)"), "Gebr. Stein UG (haftungsbeschränkt)");
        assert_eq!(canonical_name("Beck & Wagner UG (haftungsbeschrank"), "Beck & Wagner UG (haftungsbeschränkt)", "OCR cut it off");
        assert_eq!(canonical_name("Musterverein e. V."), "Musterverein e.V.");
        assert_eq!(canonical_name("Weber e.Kfz-Technik"), "Weber e.Kfz-Technik");
        assert_eq!(canonical_name("Kind regards Gebr. Thomas e.K."), "Gebr. Thomas e.K.");
        assert_eq!(canonical_name("Druckerei Engel . GmbH"), "Druckerei Engel GmbH");
        assert_eq!(canonical_name("Elektroanlagen Schmidt : UG (haftungsbeschrankt)"), "Elektroanlagen Schmidt UG (haftungsbeschränkt)");
        assert_eq!(canonical_name("Müller - Bau GmbH"), "Müller - Bau GmbH");
        assert_eq!(canonical_name("Gebr. Braun GmbH."), "Gebr. Braun GmbH");
        assert_eq!(canonical_name("Global Supplies Ltd."), "Global Supplies Ltd.", "Ltd. is spelt with its dot");
        assert_eq!(canonical_name("Prisma GmbH & Co. KG."), "Prisma GmbH & Co. KG");
    }

    #[test]
    fn an_ocr_split_vat_amount_completes_the_totals_and_a_zero_is_no_vat_of_the_gross_itself() {
        // The FeRD data sheet's totals, labels in one column and amounts in another; OCR
        // broke 16,39 into "1 6,39". Before, the gross plus "Abschläge 0,00" made the triple.
        let cells = [
            (213.0, 270.0, "Gesamtbetrag der Zuschläge"),
            (520.0, 271.0, "0,00"),
            (213.0, 300.0, "Gesamtbetrag der Abschläge"),
            (520.0, 301.0, "0,00"),
            (213.0, 330.0, "Rechnungssumme ohne USt."),
            (512.0, 331.0, "214,09"),
            (213.0, 360.0, "Steuerbetrag"),
            (517.0, 361.0, "1 6,39"),
            (213.0, 391.0, "Bruttosumme"),
            (512.0, 391.0, "230,48"),
        ];
        let ex = read(&cells);
        assert_eq!((ex.value(Field::NetTotal), ex.value(Field::VatTotal), ex.value(Field::GrossTotal)), (Some("214.09"), Some("16.39"), Some("230.48")));
        // Without the VAT line, a gross alone is not net + 0.
        let ex = read(&[(213.0, 300.0, "Gesamtbetrag der Abschläge"), (520.0, 301.0, "0,00"), (213.0, 391.0, "Bruttosumme"), (512.0, 391.0, "230,48")]);
        assert_ne!(ex.value(Field::VatTotal), Some("0.00"), "{:?}", ex.fields);
    }

    #[test]
    fn an_iban_beside_its_label_in_a_label_column_is_read_even_with_a_failing_checksum() {
        // The FeRD data sheets: labels in one column, ": value" in the next.
        let cells = [
            (50.0, 100.0, "Rechnung Nr. 471102 vom 13.11.2019"),
            (50.0, 663.0, "Kontoname"),
            (118.0, 663.0, ": Global Supplies Financial Services"),
            (51.0, 675.0, "IBAN"),
            (118.0, 675.0, ": DE12 1234 4321 9876 00"),
        ];
        let lines = super::super::text::lines(&[test_page(&cells, 7.5)]);
        assert!(lines.iter().any(|l| l.text.trim() == "IBAN"), "the label is a line of its own: {:?}", lines.iter().map(|l| &l.text).collect::<Vec<_>>());
        let ex = read(&cells);
        let iban = ex.fields.get(&Field::Iban).expect("the printed IBAN is kept");
        assert_eq!(iban.value, "DE1212344321987600");
        assert!(iban.confidence < 0.5, "a failing checksum is doubtful: {}", iban.confidence);
        // Without the label, a number of that shape is no IBAN.
        assert!(!read(&[(50.0, 100.0, "Rechnung Nr. 471102"), (118.0, 675.0, ": DE12 1234 4321 9876 00")]).fields.contains_key(&Field::Iban));
    }

    #[test]
    fn the_end_of_a_period_is_no_due_date() {
        let ex = read(&[(50.0, 100.0, "Rechnung Nr. 471102 vom 24.01.2014"), (50.0, 140.0, "Beitrag für den Zeitraum vom 06.12.2013 bis zum 06.12.2014"), (50.0, 180.0, "Zahlbar bis 06.02.2014")]);
        assert_eq!(ex.value(Field::DueDate), Some("2014-02-06"));
        assert_eq!(ex.value(Field::IssueDate), Some("2014-01-24"));
    }

    /// What the rules read on a till slip of (x, y, text) cells, typed a receipt.
    fn read_receipt(cells: &[(f32, f32, &str)]) -> Extraction {
        read_as(cells, "en", DocType::Receipt)
    }

    #[test]
    fn a_receipts_seller_is_the_name_heading_the_slip() {
        // A title above the name, a registration number after it, the address below.
        let ex = read_receipt(&[(20.0, 10.0, "SIMPLIFIED TAX INVOICE"), (20.0, 22.0, "PAPER LANTERN S/B (519537-X)"), (20.0, 34.0, "NO 12 JALAN MERANTI"), (20.0, 46.0, "47301 PETALING JAYA")]);
        assert_eq!(ex.value(Field::SellerName), Some("PAPER LANTERN S/B"));
        // The legal form alone on the next line completes the name; a logo speck above is none.
        let ex = read_receipt(&[(40.0, 4.0, "3 (guyery"), (40.0, 16.0, "OZ"), (20.0, 28.0, "MORGENROT BOOKSTORES"), (20.0, 40.0, "SDN BHD"), (20.0, 52.0, "GST NO: 000542572544")]);
        assert_eq!(ex.value(Field::SellerName), Some("MORGENROT BOOKSTORES SDN BHD"));
        // A German Kassenbon: "Kassenbon" is a title, the phone line no name.
        let ex = read_receipt(&[(20.0, 10.0, "Kassenbon"), (20.0, 22.0, "Tel. 030 1234567"), (20.0, 34.0, "Backstube Morgenrot"), (20.0, 46.0, "Lindenstraße 4")]);
        assert_eq!(ex.value(Field::SellerName), Some("Backstube Morgenrot"));
    }

    #[test]
    fn a_slips_name_that_may_go_on_in_a_doubtful_line_is_doubtful() {
        // "AIK HUAT HARDWARE" / "ENTERPRISE CSETIA" / "ALAH) SDN BHI": the legal form misread,
        // the lines under the name read with little confidence.
        let read_with = |doubtful: f32| {
            let mut page = test_page(&[(20.0, 10.0, "AIK HUAT HARDWARE"), (20.0, 18.5, "ENTERPRISE CSETIA"), (28.0, 27.0, "ALAH) SDN BHI"), (20.0, 40.0, "TEL: 012-6651783")], 7.5);
            for w in page.words.iter_mut().filter(|w| ["ENTERPRISE", "CSETIA", "ALAH)", "SDN", "BHI"].contains(&w.text.as_str())) {
                w.confidence = doubtful;
            }
            let pages = [page];
            let doc = ReadDocument { pages: &pages, language: Some("en"), doc_type: DocType::Receipt, words: None };
            extract(&doc, &super::super::text::lines(&pages)).fields.get(&Field::SellerName).cloned().expect("a seller")
        };
        let doubtful = read_with(0.35);
        assert_eq!(doubtful.value, "AIK HUAT HARDWARE");
        assert!(doubtful.confidence <= 0.35, "{doubtful:?}");
        // Read well, the line under it is the start of the address or a name of its own:
        // the name is as sure as its own words, and no surer than a slip's name without a
        // legal form can be.
        let clear = read_with(0.9);
        assert!((clear.confidence - 0.85 * 0.9f32.min(parties::UNINCORPORATED_SLIP_NAME)).abs() < 1e-4, "{clear:?}");
        assert!(clear.confidence > doubtful.confidence, "{clear:?}");
        // A name that ends in its legal form ends there, whatever follows.
        let ex = read_receipt(&[(20.0, 10.0, "PAPER LANTERN S/B"), (20.0, 18.5, "JALAN MERANTI")]);
        let pages = [test_page(&[(20.0, 10.0, "PAPER LANTERN S/B"), (20.0, 18.5, "JALAN MERANTI")], 7.5)];
        let lines = super::super::text::lines(&pages);
        assert_eq!(ex.value(Field::SellerName), Some("PAPER LANTERN S/B"));
        assert_eq!(receipt_name_doubt(&lines, &lines[0], "PAPER LANTERN S/B"), None);
        assert!(receipt_name_doubt(&lines, &lines[0], "PAPER LANTERN").is_some());
    }

    #[test]
    fn a_slips_name_without_a_legal_form_goes_to_review_however_well_it_was_read() {
        let read_at = |name: &str, confidence: f32| {
            let mut page = test_page(&[(20.0, 10.0, name), (20.0, 30.0, "NO 7 JALAN KENARI"), (20.0, 42.0, "TEL: 03-5566 7788")], 7.5);
            for w in &mut page.words {
                w.confidence = confidence;
            }
            let pages = [page];
            let doc = ReadDocument { pages: &pages, language: Some("en"), doc_type: DocType::Receipt, words: None };
            extract(&doc, &super::super::text::lines(&pages)).fields.get(&Field::SellerName).cloned().expect("a seller")
        };
        let brand = read_at("KENARI PAPER CORNER", 0.99);
        assert_eq!(brand.value, "KENARI PAPER CORNER");
        assert!(brand.confidence <= parties::UNINCORPORATED_SLIP_NAME, "{brand:?}");
        // The company's legal form ends the name: as sure as OCR was.
        let company = read_at("KENARI PAPER CORNER SDN BHD", 0.99);
        assert_eq!(company.value, "KENARI PAPER CORNER SDN BHD");
        assert!(company.confidence >= crate::extract::REVIEW_THRESHOLD, "{company:?}");
    }

    #[test]
    fn a_receipts_total_is_the_cash_tendered_less_the_change() {
        // Labels in a column of their own, the amounts in another, as receipts print them.
        let lines = super::super::text::lines(&[test_page(
            &[(10.0, 100.0, "Total"), (120.0, 100.0, "RM 34.80"), (10.0, 112.0, "CASH"), (120.0, 112.0, "RM 100.00"), (10.0, 124.0, "CHANGE"), (120.0, 124.0, "RM 65.20")],
            7.5,
        )]);
        assert_eq!(paid_less_change(&lines), Some(Decimal::new(3480, 2)));
        let lines = super::super::text::lines(&[test_page(&[(10.0, 100.0, "Summe EUR 3,30"), (10.0, 112.0, "Gegeben Bar 5,00"), (10.0, 124.0, "Rückgeld 1,70")], 7.5)]);
        assert_eq!(paid_less_change(&lines), Some(Decimal::new(330, 2)));
        // No change printed: nothing to take from it; "EXCHANGE" is no change.
        let lines = super::super::text::lines(&[test_page(&[(10.0, 100.0, "CASH 10.00"), (10.0, 112.0, "EXCHANGE ALLOWED WITHIN 7 DAYS 1.00")], 7.5)]);
        assert_eq!(paid_less_change(&lines), None);
    }
}
