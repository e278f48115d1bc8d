//! The failure kinds seen on documents nobody here had seen (issue 25), each on a page made
//! here: words with their boxes, as OCR gives them, read by the shipped models through the
//! whole pipeline (classification, extraction, checks, the review decision). Fast: no OCR.

use mailroom::document::Document;
use mailroom::extract::REVIEW_THRESHOLD;
use mailroom::index::{Channel, DocType, DocumentIndex};
use mailroom::layout::{Page, TextSource, Word};
use mailroom::pipeline::Pipeline;

/// A page of A4 (points) with lines of text: (x, y, size, text). Words are spaced as a
/// proportional font sets them.
fn page(lines: &[(f32, f32, f32, &str)]) -> Page {
    page_sized(595.0, 842.0, lines)
}

fn page_sized(width: f32, height: f32, lines: &[(f32, f32, f32, &str)]) -> Page {
    let mut words = Vec::new();
    for &(x, y, size, text) in lines {
        let mut cx = x;
        for t in text.split(' ').filter(|t| !t.is_empty()) {
            let w = 0.55 * size * t.chars().count() as f32;
            words.push(Word { text: t.to_string(), bbox: [cx, y, cx + w, y + size], confidence: 0.93 });
            cx += w + 0.35 * size;
        }
    }
    Page::from_words(1, width, height, TextSource::Ocr, 0, words)
}

fn read(pages: &[Page]) -> DocumentIndex {
    let doc = Document::new(b"made here".to_vec(), Channel::File, "made.pdf".into());
    Pipeline::new().index_pages(&doc, pages)
}

fn value(ix: &DocumentIndex, field: &str) -> Option<String> {
    ix.fields.iter().find(|(f, _)| f.as_str() == field).map(|(_, v)| v.value.clone())
}

fn confidence(ix: &DocumentIndex, field: &str) -> f32 {
    ix.fields.iter().find(|(f, _)| f.as_str() == field).map(|(_, v)| v.confidence).unwrap_or(0.0)
}

fn failed(ix: &DocumentIndex, check: &str) -> bool {
    ix.checks.iter().any(|c| c.name.as_str() == check && !c.passed)
}

/// An invoice laid out as a letter: the letterhead (the name large, smaller lines under it),
/// the address window, the title, the invoice block on the right, the item table, the totals
/// one under the other on the right, and `rest` (notes, footer) where it is put.
struct Letter<'a> {
    letterhead: Vec<&'a str>,
    address: Vec<&'a str>,
    title: &'a str,
    block: Vec<&'a str>,
    table: Vec<&'a str>,
    totals: Vec<&'a str>,
    rest: Vec<(f32, f32, f32, &'a str)>,
}

impl Letter<'_> {
    fn page(&self) -> Page {
        let (name, under_name) = self.letterhead.split_first().expect("a letterhead");
        let mut lines = vec![(60.0, 50.0, 14.0, *name), (60.0, 240.0, 16.0, self.title)];
        lines.extend(stacked(60.0, 70.0, 12.0, 8.0, under_name));
        lines.extend(stacked(60.0, 140.0, 14.0, 10.0, &self.address));
        lines.extend(stacked(360.0, 140.0, 14.0, 9.0, &self.block));
        lines.extend(stacked(60.0, 300.0, 16.0, 9.0, &self.table));
        lines.extend(stacked(360.0, 380.0, 14.0, 9.0, &self.totals));
        lines.extend_from_slice(&self.rest);
        page(&lines)
    }
}

/// Lines one under the other from `top`, `step` apart.
fn stacked<'a>(x: f32, top: f32, step: f32, size: f32, texts: &[&'a str]) -> Vec<(f32, f32, f32, &'a str)> {
    texts.iter().enumerate().map(|(i, t)| (x, top + step * i as f32, size, *t)).collect()
}

/// A German supplier's invoice: letterhead, address window, the invoice block on the right,
/// one item, totals and a footer with the identifiers. `extra` lines are added as given.
fn german_invoice(number_line: &str, footer: &[&str], extra: &[(f32, f32, f32, &str)]) -> Page {
    let totals = vec!["Nettobetrag 1.000,00 €", "USt 19 % 190,00 €", "Rechnungsbetrag 1.190,00 €"];
    let mut letter = kranich("Rechnung", number_line, "1 Fräskopf FK-40 2 500,00 1.000,00", totals, "Zahlbar innerhalb von 14 Tagen ohne Abzug.", footer);
    letter.rest.extend_from_slice(extra);
    letter.page()
}

/// [`german_invoice`]'s letter with a title, item row, total rows and note of the caller's.
fn kranich<'a>(title: &'a str, number_line: &'a str, item: &'a str, totals: Vec<&'a str>, note: &'a str, footer: &[&'a str]) -> Letter<'a> {
    let mut rest = vec![(60.0, 450.0, 9.0, note)];
    rest.extend(footer.iter().enumerate().map(|(i, f)| (60.0, 760.0 + 12.0 * i as f32, 7.0, *f)));
    Letter {
        letterhead: vec!["Kranich Werkzeugbau GmbH", "Am Lindenhof 7 · 70173 Stuttgart"],
        address: vec!["Bäckerei Sommer OHG", "Hauptstraße 12", "80331 München"],
        title,
        block: vec![number_line, "Rechnungsdatum: 26.06.2025", "Kundennummer: 40021"],
        table: vec!["Pos. Bezeichnung Menge Einzelpreis Betrag", item],
        totals,
        rest,
    }
}

const FOOTER: [&str; 3] =
    ["Kranich Werkzeugbau GmbH · Geschäftsführer: Jan Kranich · Amtsgericht Stuttgart HRB 12345", "IBAN: DE89 3704 0044 0532 0130 00 · BIC: COBADEFFXXX", "USt-IdNr.: DE136695976"];

#[test]
fn a_seller_vat_id_whose_check_fails_is_read_as_printed_doubtful_and_never_the_buyers() {
    for printed in ["DE04123456789", "DE13572468", "DE123456789"] {
        let footer = ["Kranich Werkzeugbau GmbH · Amtsgericht Stuttgart HRB 12345", "IBAN: DE89 3704 0044 0532 0130 00 · BIC: COBADEFFXXX"];
        let seller_line = format!("USt-IdNr.: {printed}");
        let mut f: Vec<&str> = footer.to_vec();
        f.push(&seller_line);
        // The buyer's valid VAT ID stands in the invoice block.
        let ix = read(&[german_invoice("Rechnung Nr.: 2025-0412", &f, &[(360.0, 182.0, 9.0, "Ihre USt-IdNr.: DE811907980")])]);
        assert_eq!(value(&ix, "seller_vat_id").as_deref(), Some(printed), "{printed}: the seller's VAT ID as printed");
        assert_ne!(value(&ix, "seller_vat_id").as_deref(), Some("DE811907980"), "the buyer's ID is never the seller's");
        assert!(confidence(&ix, "seller_vat_id") < REVIEW_THRESHOLD, "{printed}: doubtful: {:?}", ix.fields);
        assert!(failed(&ix, "seller_vat_id_checksum"), "{printed}: the check fails: {:?}", ix.checks);
        assert!(ix.needs_review, "{printed}: a person looks");
    }
}

#[test]
fn a_bic_and_a_tax_number_are_read_as_printed_beside_their_labels() {
    let footer = ["Kranich Werkzeugbau GmbH · Amtsgericht Stuttgart HRB 12345", "IBAN: DE89 3704 0044 0532 0130 00 · BIC: COBADEFF1", "Steuernummer: 12/3456/789 · USt-IdNr.: DE136695976"];
    let ix = read(&[german_invoice("Rechnung Nr.: 2025-0412", &footer, &[])]);
    assert_eq!(value(&ix, "bic").as_deref(), Some("COBADEFF1"));
    assert!(confidence(&ix, "bic") < REVIEW_THRESHOLD);
    assert_eq!(value(&ix, "seller_tax_number").as_deref(), Some("12/3456/789"));
    assert!(ix.needs_review);
}

#[test]
fn invoice_numbers_keep_their_printed_shape_without_the_label() {
    for (line, want) in [
        ("Rechnung Nr.123", "123"),
        ("Rechnungsnummer: VR2004481127", "VR2004481127"),
        ("Rechnung Nr. KLMN4410", "KLMN4410"),
        ("Invoice #MUC_WHS20240300017731", "MUC_WHS20240300017731"),
        ("Beleg-Nr.: RE/2025/00417", "RE/2025/00417"),
    ] {
        let ix = read(&[german_invoice(line, &FOOTER, &[])]);
        assert_eq!(value(&ix, "invoice_number").as_deref(), Some(want), "{line}");
    }
}

#[test]
fn the_issue_date_is_not_another_date_on_the_page() {
    // Order, delivery and service dates printed above the invoice date.
    let extra = [(360.0, 112.0, 9.0, "Bestelldatum: 02.06.2025"), (360.0, 126.0, 9.0, "Lieferdatum: 12.06.2025"), (60.0, 280.0, 9.0, "Leistungszeitraum 01.05.2025 - 31.05.2025")];
    let ix = read(&[german_invoice("Rechnung Nr.: 2025-0412", &FOOTER, &extra)]);
    assert_eq!(value(&ix, "issue_date").as_deref(), Some("2025-06-26"));
}

/// An English invoice: `date_line` and `total_line` vary.
fn english_invoice(date_line: &str, total_line: &str) -> Page {
    Letter {
        letterhead: vec!["Harbour Lane Trading Ltd", "14 Quay Street, Bristol BS1 4DJ"],
        address: vec!["Northwind Supplies LLC", "200 Market Street", "Springfield, IL 62701"],
        title: "INVOICE",
        block: vec!["Invoice No: HL-88213", date_line],
        table: vec!["Description Qty Unit price Amount", "Consulting services 4 250.00 1,000.00"],
        totals: vec!["Subtotal 1,000.00", "Tax 10% 100.00", total_line],
        rest: vec![(60.0, 450.0, 9.0, "Payment due within 30 days. Thank you for your business.")],
    }
    .page()
}

#[test]
fn english_dates_and_currencies_other_than_the_euro_are_read() {
    for (date_line, want) in [("Invoice Date: Oct 15, 2015", "2015-10-15"), ("Date: 15-Oct-2015", "2015-10-15"), ("Invoice date 2015/10/15", "2015-10-15")] {
        let ix = read(&[english_invoice(date_line, "Total USD 1,100.00")]);
        assert_eq!(value(&ix, "issue_date").as_deref(), Some(want), "{date_line}");
    }
    for (total_line, want) in
        [("Total ₹ 1,100.00", "INR"), ("Grand Total Rs. 1,100.00", "INR"), ("Total INR 1,100.00", "INR"), ("Total $1,100.00", "USD"), ("Total £1,100.00", "GBP"), ("Total CHF 1'100.00", "CHF")]
    {
        let ix = read(&[english_invoice("Invoice Date: Oct 15, 2015", total_line)]);
        assert_eq!(value(&ix, "currency").as_deref(), Some(want), "{total_line}");
        assert_eq!(value(&ix, "gross_total").as_deref(), Some("1100.00"), "{total_line}");
        // "$" alone is many dollars, and some tills print it for ringgit: a person confirms it.
        let bare = total_line.contains('$');
        assert_eq!(confidence(&ix, "currency") < mailroom::extract::REVIEW_THRESHOLD, bare, "{total_line}: {}", confidence(&ix, "currency"));
    }
}

/// An Indian supplier's GST invoice within one state: GSTINs of both parties, an HSN/SAC
/// column, CGST and SGST at half the rate each, rupees in lakh grouping. Made here: the
/// GSTINs carry valid check characters of invented PANs.
fn gst_invoice(buyer_gstin_line: &str) -> Page {
    Letter {
        letterhead: vec!["Kaveri Software Solutions Pvt. Ltd.", "No. 12, MG Road, Bengaluru, Karnataka - 560001", "GSTIN: 29AAACM1234E1ZW"],
        address: vec!["Nilgiri Traders Pvt Ltd", "#45, Residency Road", "Bengaluru - 560025"],
        title: "TAX INVOICE",
        block: vec!["Invoice No.: KSS/24-25/117", "Invoice Date: 15-Oct-2024"],
        table: vec!["Description HSN/SAC Qty Rate Amount", "Software maintenance 998314 1 1,23,456.00 1,23,456.00"],
        totals: vec!["Taxable Value ₹1,23,456.00", "CGST @ 9% ₹11,111.04", "SGST @ 9% ₹11,111.04", "Total Tax ₹22,222.08", "Grand Total ₹1,45,678.08"],
        rest: vec![
            // The buyer's GSTIN under its address, in the block's smaller type.
            (60.0, 182.0, 9.0, buyer_gstin_line),
            (60.0, 470.0, 9.0, "Amount in words: Indian Rupees One Lakh Forty-Five Thousand Six Hundred Seventy-Eight and Paise Eight Only"),
            (60.0, 484.0, 9.0, "Bank: HDFC Bank, A/c No.: 50200012345678, IFSC: HDFC0000240"),
            (60.0, 780.0, 7.0, "CIN: U72200KA2015PTC081234, PAN: AAACM1234E"),
        ],
    }
    .page()
}

#[test]
fn an_indian_gst_invoice_is_read_with_its_gstin_lakh_amounts_and_the_buyers_gstin_apart() {
    for buyer_line in ["Buyer GSTIN: 29AABCN5678F1Z4", "GSTIN of Recipient: 29AABCN5678F1Z4"] {
        let ix = read(&[gst_invoice(buyer_line)]);
        assert_eq!(ix.doc_type.as_ref().map(|t| t.label), Some(DocType::Invoice), "{buyer_line}");
        for (field, want) in [
            ("seller_vat_id", "29AAACM1234E1ZW"),
            ("buyer_vat_id", "29AABCN5678F1Z4"),
            ("currency", "INR"),
            ("net_total", "123456.00"),
            ("gross_total", "145678.08"),
            ("invoice_number", "KSS/24-25/117"),
            ("issue_date", "2024-10-15"),
        ] {
            assert_eq!(value(&ix, field).as_deref(), Some(want), "{field} on {buyer_line}");
        }
        assert!(!failed(&ix, "seller_vat_id_checksum"), "a valid GSTIN passes its check: {:?}", ix.checks);
    }
    // A GSTIN one character off is still the seller's, read as printed, and its check fails.
    let mut off = gst_invoice("Buyer GSTIN: 29AABCN5678F1Z4");
    for w in off.words.iter_mut().filter(|w| w.text == "29AAACM1234E1ZW") {
        w.text = "29AAACM1234E1ZX".into();
    }
    let ix = read(&[off]);
    assert_eq!(value(&ix, "seller_vat_id").as_deref(), Some("29AAACM1234E1ZX"));
    assert!(failed(&ix, "seller_vat_id_checksum") && ix.needs_review, "{:?}", ix.checks);
}

/// A till receipt on narrow paper: the shop at the top, items, the total, the payment.
fn receipt(lines: &[&str]) -> Page {
    let placed: Vec<(f32, f32, f32, &str)> = lines.iter().enumerate().map(|(i, t)| (12.0, 20.0 + 14.0 * i as f32, 8.0, *t)).collect();
    page_sized(226.0, 40.0 + 14.0 * lines.len() as f32, &placed)
}

/// Asserts that `pages` are typed a receipt and read with the `fields` given.
fn reads_as_receipt(pages: &[Page], fields: &[(&str, &str)]) {
    let ix = read(pages);
    assert_eq!(ix.doc_type.as_ref().map(|t| t.label), Some(DocType::Receipt), "{:?}", ix.doc_type);
    for (field, want) in fields {
        assert_eq!(value(&ix, field).as_deref(), Some(*want), "{field}");
    }
}

#[test]
fn till_receipts_are_receipts_with_their_shop_date_and_total() {
    let kassenbon = receipt(&[
        "Backstube Morgenrot",
        "Lindenstraße 4",
        "10969 Berlin",
        "Tel. 030 1234567",
        "2x Brötchen 0,90",
        "1x Kaffee 2,40",
        "Summe EUR 3,30",
        "Gegeben Bar 5,00",
        "Rückgeld 1,70",
        "MwSt 7% 0,22",
        "25.12.18 14:03 Bon 4711",
        "Vielen Dank für Ihren Einkauf",
    ]);
    reads_as_receipt(&[kassenbon], &[("seller_name", "Backstube Morgenrot"), ("issue_date", "2018-12-25"), ("gross_total", "3.30")]);

    let till = receipt(&[
        "PAPER LANTERN STATIONERY",
        "NO 12 JALAN MERANTI",
        "47301 PETALING JAYA",
        "TAX INVOICE",
        "DATE: 25/12/2018",
        "PEN BLACK 2 X 1.50 3.00",
        "NOTEBOOK A5 4.90",
        "TOTAL 7.90",
        "CASH 10.00",
        "CHANGE 2.10",
        "THANK YOU",
    ]);
    reads_as_receipt(&[till], &[("seller_name", "PAPER LANTERN STATIONERY"), ("issue_date", "2018-12-25"), ("gross_total", "7.90")]);

    // Paid by card, the cash rounding to 5 sen printed: the total is what was paid.
    let rounded = receipt(&[
        "KEDAI BUKU SERI MAWAR",
        "LOT 7 JALAN SS2/24",
        "47300 PETALING JAYA",
        "25-12-18 14:03",
        "FOLDER A4 3 X 2.99 8.97",
        "PEN SET 3.51",
        "TOTAL SALES (INCL GST) 12.48",
        "ROUNDING ADJUSTMENT -0.03",
        "TOTAL PAYABLE 12.45",
        "VISA 12.45",
        "THANK YOU",
    ]);
    reads_as_receipt(&[rounded], &[("gross_total", "12.45"), ("issue_date", "2018-12-25")]);

    // Two item prices that happen to add up to the total look like net and VAT; the rounding
    // printed after the total still decides what was paid.
    let rounded_after_items = receipt(&[
        "NASI CAMPUR KITCHEN",
        "12 JALAN TAMPOI",
        "81200 JOHOR BAHRU",
        "14 May 2018 18:10",
        "1 Meat + 3 Vege RM6.69",
        "Teh O Ais RM1.03",
        "Total Amount: RM7.72",
        "GST @0%: RM0.00",
        "Rounding: -RM0.02",
        "Nett Total: RM7.70",
        "Payment Mode CASH",
    ]);
    reads_as_receipt(&[rounded_after_items], &[("gross_total", "7.70"), ("issue_date", "2018-05-14")]);
}

#[test]
fn a_fuel_slip_and_a_hospitality_slip_with_its_blank_form_are_receipts_with_their_total() {
    let tankquittung = receipt(&[
        "Autohof Weidenbach",
        "Industriestraße 12",
        "91746 Weidenbach",
        "12.03.2025 07:41 Beleg-Nr. 88123",
        "Säule 7",
        "Super E10 42,31 l",
        "42,31 l x 1,799 EUR/l 76,12 A",
        "SUMME EUR 76,12",
        "EC-Karte 76,12",
        "MwSt 19% Netto 63,97 Steuer 12,15",
        "TANKQUITTUNG",
    ]);
    reads_as_receipt(&[tankquittung], &[("issue_date", "2025-03-12"), ("gross_total", "76.12")]);

    // The hospitality form under the slip: labels whose amounts a person writes in by hand.
    // Its blank "Gesamtbetrag:" and "Trinkgeld:" take nothing from the printed total.
    let bewirtung = receipt(&[
        "Brauhaus am Markt GmbH",
        "Marktplatz 3",
        "93047 Regensburg",
        "26.06.2025 20:14 Bon-Nr. 4711",
        "Tisch 12 Bedienung Anna",
        "Schnitzel Wiener Art 18,90 A",
        "Pils 0,5 l 4,60 A",
        "SUMME EUR 23,50",
        "Gegeben BAR 30,00",
        "Rückgeld 6,50",
        "MwSt 19% Netto 19,75 Steuer 3,75",
        "Bewirtungsbeleg",
        "Bewirtete Person(en):",
        "Anlass der Bewirtung:",
        "Trinkgeld:",
        "Gesamtbetrag:",
        "Ort, Datum:",
        "Unterschrift:",
    ]);
    reads_as_receipt(&[bewirtung], &[("seller_name", "Brauhaus am Markt GmbH"), ("issue_date", "2025-06-26"), ("gross_total", "23.50")]);
}

#[test]
fn an_order_confirmation_is_no_order_and_a_statement_never_a_confident_invoice() {
    let ab = page(&[
        (60.0, 50.0, 14.0, "Kranich Werkzeugbau GmbH"),
        (60.0, 140.0, 10.0, "Bäckerei Sommer OHG"),
        (60.0, 154.0, 10.0, "80331 München"),
        (60.0, 240.0, 16.0, "Auftragsbestätigung"),
        (360.0, 140.0, 9.0, "AB-Nr.: 55120"),
        (360.0, 154.0, 9.0, "Ihre Bestellung Nr. 4500123 vom 02.06.2025"),
        (60.0, 270.0, 9.0, "wir bestätigen Ihre Bestellung wie folgt:"),
        (60.0, 300.0, 9.0, "Pos. Bezeichnung Menge Einzelpreis Betrag"),
        (60.0, 316.0, 9.0, "1 Fräskopf FK-40 2 500,00 1.000,00"),
        (360.0, 380.0, 9.0, "Auftragswert netto 1.000,00 €"),
        (60.0, 420.0, 9.0, "Liefertermin: KW 27"),
    ]);
    let ix = read(&[ab]);
    assert_eq!(ix.doc_type.as_ref().map(|t| t.label), Some(DocType::OrderConfirmation), "{:?}", ix.doc_type);

    let statement = page(&[
        (60.0, 50.0, 14.0, "Kranich Werkzeugbau GmbH"),
        (60.0, 140.0, 10.0, "Bäckerei Sommer OHG"),
        (60.0, 240.0, 16.0, "Kontoauszug / Offene Posten"),
        (60.0, 270.0, 9.0, "Stand 30.06.2025"),
        (60.0, 300.0, 9.0, "Rechnung 2025-0388 vom 02.06.2025 1.190,00"),
        (60.0, 314.0, 9.0, "Rechnung 2025-0412 vom 26.06.2025 2.380,00"),
        (60.0, 328.0, 9.0, "Zahlung vom 20.06.2025 -1.190,00"),
        (60.0, 350.0, 9.0, "Saldo 2.380,00"),
    ]);
    // Not yet typed `other` by the shipped models (issue 25 is open): it must at least never
    // pass as a confident invoice, which would send it to the ERP unseen.
    let ix = read(&[statement]);
    let t = ix.doc_type.clone().unwrap();
    assert!(t.label != DocType::Invoice || t.confidence < REVIEW_THRESHOLD, "{t:?}");
    assert!(ix.needs_review || t.label != DocType::Invoice);
}

#[test]
fn a_page_without_evidence_is_other_below_the_review_threshold() {
    for p in [page(&[]), page(&[(300.0, 400.0, 6.0, "."), (120.0, 700.0, 5.0, "~ ,")])] {
        let ix = read(&[p]);
        let t = ix.doc_type.clone().unwrap();
        assert_eq!(t.label, DocType::Other);
        assert!(t.confidence < REVIEW_THRESHOLD);
        assert!(ix.needs_review);
    }
}

/// A brand, or a logo OCR read as letters, above the company that issued the slip: the
/// seller is the company, its name ending with its legal form; OCR's lost spaces and its
/// "SON" for "SDN" are put right.
#[test]
fn a_receipts_seller_is_the_company_under_the_brand_or_logo() {
    // The logo, twice the print's size, read as a word.
    let mut lines = vec![(60.0, 10.0, 18.0, "Hobo")];
    let rest = [
        "KEDAI ROTI MAWAR SON BHD 123456-X",
        "(GST Reg No: 000123456789)",
        "NO 12 JALAN MERANTI",
        "47301 PETALING JAYA",
        "25/12/2018 10:15",
        "ROTI 2 X 1.50 3.00",
        "TOTAL 3.00",
        "CASH 5.00",
        "CHANGE 2.00",
    ];
    lines.extend(rest.iter().enumerate().map(|(i, t)| (12.0, 34.0 + 14.0 * i as f32, 8.0, *t)));
    let under_a_logo = page_sized(226.0, 180.0, &lines);
    reads_as_receipt(&[under_a_logo], &[("seller_name", "KEDAI ROTI MAWAR SDN BHD"), ("gross_total", "3.00")]);

    let under_a_brand = receipt(&["KOPI SENJA", "Senja Beverages(M)Sdn Bhd", "LOT 7 JALAN SS2/24", "47300 PETALING JAYA", "25-12-18 14:03", "LATTE 9.90", "TOTAL 9.90", "VISA 9.90"]);
    reads_as_receipt(&[under_a_brand], &[("seller_name", "Senja Beverages (M) Sdn Bhd"), ("gross_total", "9.90")]);

    // A long name set over three lines in one size.
    let three_lines = receipt(&["TOKO BESI MAJU", "HARDWARE (SETIA", "ALAM) SDN BHD", "822737-X", "NO 17 JALAN SETIA INDAH", "40170 SHAH ALAM", "25/12/2018", "PAKU 2 X 3.00 6.00", "TOTAL 6.00"]);
    reads_as_receipt(&[three_lines], &[("seller_name", "TOKO BESI MAJU HARDWARE (SETIA ALAM) SDN BHD"), ("gross_total", "6.00")]);

    // A title OCR glued together is still no name.
    let glued_title = receipt(&["SIMPLIFIED TAXINVOICE", "TOKO BUKU ANGSANA", "REG. NO: 00168397-H", "NO 54 JALAN IPOH", "51200 KUALA LUMPUR", "25/12/2018", "BUKU 12.00", "TOTAL 12.00"]);
    reads_as_receipt(&[glued_title], &[("seller_name", "TOKO BUKU ANGSANA")]);

    // No incorporated company on the slip: the shop's name at the top, as before.
    let trading_name = receipt(&["TAHO TRADING & CO.", "NO 3 JALAN BUNGA RAYA", "75100 MELAKA", "25/12/2018", "KERTAS A4 12.00", "TOTAL 12.00", "CASH 12.00"]);
    reads_as_receipt(&[trading_name], &[("seller_name", "TAHO TRADING & CO.")]);
}

/// A value the model is sure of but OCR read doubtfully is no value to book unchecked: its
/// confidence is the model's times OCR's, and falls below the review threshold.
#[test]
fn a_total_ocr_read_doubtfully_goes_to_review() {
    let gross = |conf: f32| {
        let mut p = german_invoice("Rechnungsnummer: RE-2025-0117", &FOOTER, &[]);
        for w in p.words.iter_mut().filter(|w| w.text == "1.190,00") {
            w.confidence = conf;
        }
        let ix = read(&[p]);
        assert_eq!(value(&ix, "gross_total").as_deref(), Some("1190.00"));
        confidence(&ix, "gross_total")
    };
    let (clear, doubtful) = (gross(0.99), gross(0.55));
    assert!(clear >= mailroom::extract::REVIEW_THRESHOLD, "read clearly: {clear}");
    assert!(doubtful < mailroom::extract::REVIEW_THRESHOLD, "read doubtfully: {doubtful}");
}

/// A name OCR read surely but without an umlaut ("Backerei" for "Bäckerei") is a name OCR
/// got wrong: the umlaut is put back, and the buyer's name still goes to review. As printed
/// with its umlaut, it does not.
#[test]
fn a_name_ocr_read_without_its_umlaut_gets_it_back_and_goes_to_review() {
    let buyer = |name: &str| {
        let mut p = german_invoice("Rechnungsnummer: RE-2025-0117", &FOOTER, &[]);
        for w in p.words.iter_mut().filter(|w| w.text == "Bäckerei") {
            w.text = name.to_string();
            w.confidence = 0.99;
        }
        let ix = read(&[p]);
        assert_eq!(value(&ix, "buyer_name").as_deref(), Some("Bäckerei Sommer OHG"), "read as {name}: {:?}", ix.fields);
        confidence(&ix, "buyer_name")
    };
    let (printed, lost) = (buyer("Bäckerei"), buyer("Backerei"));
    assert!(lost < REVIEW_THRESHOLD, "'Backerei' is no word, 'Bäckerei' is: {lost}");
    assert!(lost < printed, "as printed: {printed}, the umlaut lost: {lost}");
}

/// An invoice without VAT (reverse charge) whose shipping charge stands between the items'
/// subtotal and the net amount: subtotal + shipping = total adds up like net + VAT = gross,
/// but the net is the amount labelled so, equal to the total, and the shipping is no VAT.
#[test]
fn a_charge_under_the_subtotal_of_an_invoice_without_vat_is_no_vat() {
    for (title, labels, note) in [
        ("Invoice", ["Subtotal", "Shipping & handling", "Net amount", "Invoice total"], "Reverse charge: VAT to be accounted for by the recipient."),
        ("Credit note", ["Subtotal", "Shipping & handling", "Net amount", "Credit total"], "Reverse charge: VAT to be accounted for by the recipient."),
        ("Rechnung", ["Zwischensumme", "Versandkosten", "Nettobetrag", "Rechnungsbetrag"], "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)."),
    ] {
        let rows: Vec<String> = labels.iter().zip(["1.306,00 EUR", "19,00 EUR", "1.325,00 EUR", "1.325,00 EUR"]).map(|(l, a)| format!("{l} {a}")).collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        let ix = read(&[kranich(title, "Nr. RE 2025-0412", "1 Full truckload Munich–Hamburg 1 1.306,00 1.306,00", rows, note, &FOOTER).page()]);
        assert_eq!(value(&ix, "net_total").as_deref(), Some("1325.00"), "{title}: {:?}", ix.fields);
        assert_eq!(value(&ix, "gross_total").as_deref(), Some("1325.00"), "{title}");
        assert_ne!(value(&ix, "vat_total").as_deref(), Some("19.00"), "{title}: the shipping is no VAT");
    }
}
