"""Wording: the many ways German and English business documents label the same thing
(Rechnungsnummer / Rechnungs-Nr. / Invoice # …), document titles per type, table headers,
payment terms, VAT notes, salutations and closings.

`pick_labels(rng, lang, doc_type)` fixes one wording per concept for a document, as one
ERP template would.
"""
from __future__ import annotations

L = {
    "de": {
        "number": {
            "invoice": ["Rechnungsnummer", "Rechnungs-Nr.", "Rechnung Nr.", "Beleg-Nr.", "RE-Nr.", "Rechnungsnr."],
            "credit_note": ["Gutschrift-Nr.", "Gutschriftsnummer", "Beleg-Nr.", "Korrektur-Nr.", "Nummer"],
            "reminder": ["Mahnung Nr.", "Mahn-Nr.", "Beleg-Nr."],
            "order": ["Bestellnummer", "Bestell-Nr.", "Bestellung Nr."],
            "order_confirmation": ["Auftragsnummer", "Auftrags-Nr.", "AB-Nr.", "Auftragsbestätigung Nr."],
            "delivery_note": ["Lieferschein-Nr.", "Lieferscheinnummer", "LS-Nr."],
            "quote": ["Angebotsnummer", "Angebots-Nr.", "Angebot Nr."],
            "receipt": ["Beleg-Nr.", "Bon-Nr.", "Quittung Nr."],
            "other": ["Unser Zeichen", "Vorgang"],
        },
        "date": ["Rechnungsdatum", "Datum", "Belegdatum", "Datum"],
        "doc_date": ["Datum", "Belegdatum"],
        "delivery_date": ["Lieferdatum", "Leistungsdatum", "Liefer-/Leistungsdatum", "Leistungszeitraum"],
        "customer_no": ["Kundennummer", "Kunden-Nr.", "Kd.-Nr.", "Ihre Kundennummer"],
        "your_ref": ["Ihr Zeichen", "Ihre Referenz", "Ihre Bestellung", "Ihre Bestell-Nr.", "Bestellnummer"],
        "our_ref": ["Unser Zeichen", "Bearbeiter", "Ansprechpartner", "Sachbearbeiter"],
        "phone": ["Telefon", "Tel.", "Fon"],
        "email": ["E-Mail", "Mail"],
        "page": ["Seite {n} von {N}", "Seite {n}/{N}", "Seite {n} von {N}", "- {n} -", "Blatt {n}"],
        "due": ["Zahlbar bis", "Fällig am", "Fälligkeitsdatum", "Zahlungsziel"],
        "net": ["Nettobetrag", "Summe netto", "Zwischensumme", "Netto", "Warenwert netto", "Gesamt netto"],
        "lines": ["Summe Positionen", "Positionssumme", "Warenwert", "Zwischensumme"],
        "vat": ["zzgl. {r} MwSt.", "MwSt. {r}", "USt. {r}", "Umsatzsteuer {r}", "{r} USt.", "zzgl. {r} USt."],
        "vat_on": ["{r} MwSt. auf {b}", "zzgl. {r} USt. auf {b}", "{r} Umsatzsteuer aus {b}"],
        "vat_total": ["Summe MwSt.", "Umsatzsteuer gesamt", "MwSt. gesamt"],
        "gross": ["Gesamtbetrag", "Rechnungsbetrag", "Endbetrag", "Bruttobetrag", "Gesamtsumme", "Summe brutto", "Gesamt brutto"],
        "due_amount": ["Zu zahlen", "Zahlbetrag", "Offener Betrag", "Noch zu zahlen", "Restbetrag"],
        "prepaid": ["abzgl. Anzahlung vom {d}", "abzgl. Abschlagszahlung", "bereits gezahlt", "abzgl. Vorauszahlung"],
        "discount": ["abzgl. {p} Rabatt", "Rabatt {p}", "Nachlass {p}", "Sonderrabatt {p}"],
        "shipping": ["Versandkosten", "Fracht und Verpackung", "Versandpauschale", "Porto und Verpackung", "Lieferkosten"],
        "carry": ["Übertrag", "Zwischensumme", "Übertrag auf Seite {n}"],
        "carried": ["Übertrag von Seite {p}", "Übertrag", "Vortrag"],
        "cols": {"pos": ["Pos.", "Pos", "Nr."], "art": ["Art.-Nr.", "Artikel", "Artikelnr.", "Art.Nr."],
                 "desc": ["Bezeichnung", "Beschreibung", "Artikel / Leistung", "Leistung", "Text"],
                 "qty": ["Menge", "Anzahl", "Anz.", "Menge"], "unit": ["Einheit", "ME", "Einh."],
                 "price": ["Einzelpreis", "E-Preis", "Preis", "Einzelpr.", "EP"],
                 "disc": ["Rabatt", "Rab. %", "Rabatt %"], "vat": ["MwSt.", "USt. %", "MwSt %", "USt"],
                 "amount": ["Gesamt", "Gesamtpreis", "Betrag", "Summe", "GP", "Netto"]},
        "rate_col_breakdown": ["Steuersatz", "MwSt.-Satz", "USt-Satz"],
        "base_col": ["Nettobetrag", "Bemessungsgrundlage", "Netto"],
        "amount_col": ["Steuerbetrag", "MwSt.-Betrag", "USt."],
        "vat_id": ["USt-IdNr.", "USt.-ID", "USt-ID", "Umsatzsteuer-ID", "USt.-IdNr."],
        "tax_no": ["Steuernummer", "St.-Nr.", "Steuer-Nr.", "StNr."],
        "director": ["Geschäftsführer", "Geschäftsführung", "GF", "Inhaber", "Vorstand"],
        "bank": ["Bankverbindung", "Bank", "Kreditinstitut"],
        "buyer_vat": ["Ihre USt-IdNr.", "USt-IdNr. Kunde", "Leistungsempfänger USt-IdNr."],
        "valid_until": ["Gültig bis", "Angebot gültig bis", "Bindefrist"],
        "delivery_terms": ["Lieferbedingungen: frei Haus", "Lieferung: ab Werk", "Versand per Spedition", "Versandart: DHL Paket"],
    },
    "en": {
        "number": {
            "invoice": ["Invoice No.", "Invoice number", "Invoice #", "Invoice no", "Document no."],
            "credit_note": ["Credit note no.", "Credit Note #", "Credit memo no.", "Document no."],
            "reminder": ["Reminder no.", "Reference"],
            "order": ["PO number", "Purchase order no.", "Order No.", "PO #"],
            "order_confirmation": ["Order confirmation no.", "Sales order no.", "Confirmation #"],
            "delivery_note": ["Delivery note no.", "Packing slip no.", "Shipment no."],
            "quote": ["Quote no.", "Quotation number", "Quote #", "Offer no."],
            "receipt": ["Receipt no.", "Receipt #", "Transaction"],
            "other": ["Our ref.", "Reference"],
        },
        "date": ["Invoice date", "Date", "Date of issue", "Invoice Date"],
        "doc_date": ["Date", "Date of issue"],
        "delivery_date": ["Delivery date", "Date of supply", "Service date", "Service period"],
        "customer_no": ["Customer No.", "Customer ID", "Account no.", "Customer number"],
        "your_ref": ["Your reference", "Your order", "PO number", "Your ref."],
        "our_ref": ["Our reference", "Contact", "Account manager"],
        "phone": ["Phone", "Tel.", "T"],
        "email": ["Email", "E-mail", "E"],
        "page": ["Page {n} of {N}", "Page {n}/{N}", "{n} / {N}", "- {n} -"],
        "due": ["Due date", "Payment due", "Due", "Payable by"],
        "net": ["Subtotal", "Net amount", "Net total", "Total net", "Subtotal (net)"],
        "lines": ["Items total", "Subtotal"],
        "vat": ["VAT {r}", "Tax {r}", "VAT @ {r}", "plus VAT {r}", "Sales tax {r}"],
        "vat_on": ["VAT {r} on {b}", "{r} VAT on {b}"],
        "vat_total": ["Total VAT", "Total tax", "VAT total"],
        "gross": ["Total", "Grand total", "Total amount", "Invoice total", "Total (gross)", "Total due"],
        "due_amount": ["Amount due", "Balance due", "Amount payable", "Please pay"],
        "prepaid": ["Less deposit paid {d}", "Less payment received", "Paid", "Less advance payment"],
        "discount": ["Discount {p}", "Less {p} discount", "Trade discount {p}"],
        "shipping": ["Shipping", "Shipping & handling", "Freight", "Delivery charge", "Postage and packing"],
        "carry": ["Carried forward", "Subtotal c/f", "Carried forward to page {n}"],
        "carried": ["Brought forward", "Carried over from page {p}", "Subtotal b/f"],
        "cols": {"pos": ["#", "Pos.", "No.", "Line"], "art": ["SKU", "Item no.", "Part no.", "Code"],
                 "desc": ["Description", "Item", "Product / Service", "Details"],
                 "qty": ["Qty", "Quantity", "Qty.", "Qty"], "unit": ["Unit", "UoM"],
                 "price": ["Unit price", "Rate", "Price", "Unit Price"],
                 "disc": ["Disc.", "Discount %", "Disc. %"], "vat": ["VAT", "Tax %", "VAT %"],
                 "amount": ["Amount", "Total", "Line total", "Net"]},
        "rate_col_breakdown": ["VAT rate", "Tax rate", "Rate"],
        "base_col": ["Net", "Taxable amount", "Base"],
        "amount_col": ["VAT", "Tax", "VAT amount"],
        "vat_id": ["VAT ID", "VAT No.", "VAT Reg. No.", "VAT number", "VAT reg no"],
        "tax_no": ["Tax No.", "Tax number", "EIN"],
        "director": ["Managing Director", "Directors", "CEO", "Director"],
        "bank": ["Bank details", "Bank", "Payment details"],
        "buyer_vat": ["Customer VAT ID", "Your VAT ID", "Buyer VAT No."],
        "valid_until": ["Valid until", "Quote valid until", "Offer valid until"],
        "delivery_terms": ["Delivery terms: DAP", "Incoterms: EXW", "Shipping: DHL Express", "Delivery: FCA"],
    },
}

# Titles of a corrected invoice (UNTDID 384; EN 16931 counts it as an invoice, not a credit note).
CORRECTED_TITLES = {"de": ["Rechnungskorrektur", "Korrekturrechnung", "Rechnungsberichtigung"], "en": ["Corrected Invoice"]}

TITLES = {
    "de": {
        "invoice": ["Rechnung", "RECHNUNG", "Rechnung", "Rechnung", "Teilrechnung", "Schlussrechnung", "Abschlagsrechnung"],
        "credit_note": ["Gutschrift", "Gutschrift", "Stornorechnung", "Gutschrift", "Stornorechnung"],
        # (A "Rechnungskorrektur" is a corrected invoice, UNTDID 384: see CORRECTED_TITLES.)
        "reminder": ["Zahlungserinnerung", "1. Mahnung", "2. Mahnung", "Letzte Mahnung", "Mahnung"],
        "order": ["Bestellung", "BESTELLUNG", "Bestellung"],
        "order_confirmation": ["Auftragsbestätigung", "Bestellbestätigung", "AUFTRAGSBESTÄTIGUNG"],
        "delivery_note": ["Lieferschein", "LIEFERSCHEIN"],
        "quote": ["Angebot", "Kostenvoranschlag", "ANGEBOT"],
        "receipt": ["Quittung", "Kassenbeleg", "Barquittung"],
    },
    "en": {
        "invoice": ["Invoice", "INVOICE", "Tax Invoice", "Invoice", "Final Invoice"],
        "credit_note": ["Credit Note", "CREDIT NOTE", "Credit Memo"],
        "reminder": ["Payment Reminder", "Overdue Notice", "Second Reminder", "Final Reminder"],
        "order": ["Purchase Order", "PURCHASE ORDER"],
        "order_confirmation": ["Order Confirmation", "Order Acknowledgement", "ORDER CONFIRMATION"],
        "delivery_note": ["Delivery Note", "Packing Slip", "DELIVERY NOTE"],
        "quote": ["Quotation", "Quote", "QUOTATION", "Offer"],
        "receipt": ["Receipt", "Sales Receipt", "RECEIPT"],
    },
}

NUMBER_PREFIX = {"invoice": "RE", "credit_note": "GS", "reminder": "MA", "order": "BE",
                 "order_confirmation": "AB", "delivery_note": "LS", "quote": "AN", "receipt": "Q",
                 "contract": "V", "letter": "", "other": ""}

SALUTATION = {
    "de": {"m": "Sehr geehrter Herr {n},", "f": "Sehr geehrte Frau {n},", None: "Sehr geehrte Damen und Herren,"},
    "en": {"m": "Dear Mr {n},", "f": "Dear Ms {n},", None: "Dear Sir or Madam,"},
}
CLOSING = {"de": ["Mit freundlichen Grüßen", "Freundliche Grüße", "Mit besten Grüßen", "Viele Grüße"],
           "en": ["Kind regards", "Yours sincerely", "Best regards", "Yours faithfully"]}

INTRO = {
    "de": {
        "invoice": ["wir danken für Ihren Auftrag und berechnen Ihnen folgende Leistungen:",
                    "für die erbrachten Leistungen erlauben wir uns, Ihnen folgenden Betrag in Rechnung zu stellen:",
                    "vielen Dank für Ihre Bestellung. Wir stellen Ihnen hiermit in Rechnung:"],
        "credit_note": ["wir schreiben Ihnen folgende Positionen gut:",
                        "hiermit korrigieren wir die unten genannte Rechnung wie folgt:",
                        "aufgrund Ihrer Reklamation erhalten Sie folgende Gutschrift:"],
        "order_confirmation": ["vielen Dank für Ihre Bestellung. Wir bestätigen Ihren Auftrag wie folgt:",
                               "wir bedanken uns für Ihren Auftrag, den wir zu den nachstehenden Bedingungen annehmen:"],
        "quote": ["vielen Dank für Ihre Anfrage. Gerne unterbreiten wir Ihnen folgendes Angebot:",
                  "wie besprochen bieten wir Ihnen an:"],
        "order": ["hiermit bestellen wir zu den vereinbarten Konditionen:", "bitte liefern Sie uns folgende Artikel:"],
        "delivery_note": ["wir liefern Ihnen gemäß Ihrer Bestellung:", "anbei erhalten Sie folgende Waren:"],
    },
    "en": {
        "invoice": ["Thank you for your order. We are pleased to invoice you for the following:",
                    "Please find below our invoice for services rendered."],
        "credit_note": ["We credit your account with the following items:",
                        "This credit note corrects the invoice referenced below."],
        "order_confirmation": ["Thank you for your order, which we confirm as follows:",
                               "We confirm your order on the terms below."],
        "quote": ["Thank you for your enquiry. We are pleased to quote as follows:",
                  "As discussed, please find our offer below."],
        "order": ["Please supply the following items on the agreed terms:",
                  "We hereby order the following:"],
        "delivery_note": ["Please find enclosed the following goods:", "We deliver as per your order:"],
    },
}

VAT_NOTES = {
    "de": {
        "small_business": ["Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.",
                           "Kleinunternehmer im Sinne von § 19 Abs. 1 UStG, keine Ausweisung der Umsatzsteuer."],
        "reverse_charge": ["Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).",
                           "Die Steuerschuld geht auf den Leistungsempfänger über (§ 13b UStG)."],
        "intra_community": ["Steuerfreie innergemeinschaftliche Lieferung gemäß § 4 Nr. 1b UStG.",
                            "Innergemeinschaftliche Lieferung, steuerfrei nach § 6a UStG."],
        "export": ["Steuerfreie Ausfuhrlieferung.", "Nicht im Inland steuerbare Leistung."],
    },
    "en": {
        "small_business": ["No VAT charged (small business, § 19 UStG)."],
        "reverse_charge": ["Reverse charge: VAT to be accounted for by the recipient.",
                           "Reverse charge – Article 196 Council Directive 2006/112/EC."],
        "intra_community": ["VAT exempt intra-community supply (Art. 138 VAT Directive).",
                            "Intra-community supply of goods, exempt from VAT."],
        "export": ["Export – not subject to VAT.", "Outside the scope of VAT."],
    },
}

PAYMENT = {
    "de": {
        "due_date": ["Bitte überweisen Sie den Betrag bis zum {d} auf unser Konto.",
                     "Zahlbar bis zum {d} ohne Abzug.", "Der Rechnungsbetrag ist fällig am {d}."],
        "days": ["Zahlbar innerhalb von {k} Tagen ohne Abzug.", "Zahlungsziel: {k} Tage netto.",
                 "Bitte begleichen Sie den Rechnungsbetrag innerhalb von {k} Tagen."],
        "skonto": ["Bei Zahlung bis {d} gewähren wir {p} Skonto ({a}).",
                   "{p} Skonto bei Zahlung innerhalb von 10 Tagen (bis {d}): {a}"],
        "ref": ["Verwendungszweck: {n}", "Bitte geben Sie bei Zahlung die Rechnungsnummer {n} an."],
        "debit": ["Der Betrag wird per SEPA-Lastschrift von Ihrem Konto eingezogen.",
                  "Der Rechnungsbetrag wird von Ihrem Konto abgebucht."],
        "paid": ["Betrag dankend erhalten.", "Bar bezahlt.", "Bezahlt per EC-Karte."],
    },
    "en": {
        "due_date": ["Please pay by {d}.", "Payment is due on {d}.", "Please remit payment by {d}."],
        "days": ["Payment terms: {k} days net.", "Payable within {k} days of the invoice date."],
        "skonto": ["{p} early payment discount if paid by {d} ({a})."],
        "ref": ["Payment reference: {n}", "Please quote invoice number {n} with your payment."],
        "debit": ["The amount will be collected by direct debit.", "Paid by credit card – no action required."],
        "paid": ["Paid with thanks.", "Paid in cash.", "Paid by card."],
    },
}


def pick_labels(rng, lang: str, doc_type: str) -> dict:
    """One wording per concept for one document (lists become single choices)."""
    src = L[lang]
    out = {}
    for k, v in src.items():
        if k == "number":
            out[k] = rng.choice(v.get(doc_type, v["other"]))
        elif k == "cols":
            out[k] = {c: rng.choice(opts) for c, opts in v.items()}
        else:
            out[k] = rng.choice(v)
    if doc_type != "invoice":
        out["date"] = rng.choice(src["doc_date"])
    return out
