"""Running text for the types that are mostly prose: letters (DIN 5008 correspondence),
contracts (§ paragraphs), and the `other` bucket (newsletters, appointment notices, tax
office letters, SEPA mandate forms, price-list covers). Placeholders in braces are filled
by docs.py with the document's own parties, dates and amounts.
"""
from __future__ import annotations

LETTERS = {
    "de": [
        ("Änderung unserer Bankverbindung", [
            "wir möchten Sie darüber informieren, dass sich unsere Bankverbindung zum {date} ändert. Bitte überweisen Sie künftige Zahlungen ausschließlich auf das folgende Konto:",
            "{bank_block}",
            "Bitte passen Sie Ihre Stammdaten entsprechend an. Zahlungen auf das bisherige Konto werden nach einer Übergangsfrist von drei Monaten nicht mehr angenommen.",
            "Für Rückfragen steht Ihnen unsere Buchhaltung gern zur Verfügung."]),
        ("Preisanpassung zum {date}", [
            "aufgrund gestiegener Material- und Energiekosten sind wir leider gezwungen, unsere Preise zum {date} anzupassen. Die Erhöhung beträgt durchschnittlich {pct} Prozent.",
            "Bereits bestätigte Aufträge werden selbstverständlich zu den bisherigen Konditionen ausgeführt. Die aktuelle Preisliste erhalten Sie auf Anfrage oder in unserem Kundenportal.",
            "Wir danken Ihnen für Ihr Verständnis und freuen uns auf die weitere gute Zusammenarbeit."]),
        ("Ihre Anfrage vom {date}", [
            "vielen Dank für Ihre Anfrage und Ihr Interesse an unseren Leistungen. Gern bestätigen wir Ihnen, dass wir die gewünschten Arbeiten in der {week}. Kalenderwoche ausführen können.",
            "Unser Mitarbeiter wird sich vorab telefonisch mit Ihnen in Verbindung setzen, um die Einzelheiten vor Ort abzustimmen. Ein verbindliches Angebot lassen wir Ihnen anschließend zukommen.",
            "Sollten Sie in der Zwischenzeit Fragen haben, erreichen Sie uns unter der oben angegebenen Telefonnummer."]),
        ("Umzug unseres Büros", [
            "ab dem {date} finden Sie uns unter unserer neuen Anschrift. Telefonnummern und E-Mail-Adressen bleiben unverändert.",
            "Bitte senden Sie Rechnungen und Schriftverkehr ab diesem Zeitpunkt nur noch an die neue Adresse. Am Umzugstag sind wir nur eingeschränkt erreichbar.",
            "Wir freuen uns darauf, Sie in unseren neuen Räumen begrüßen zu dürfen."]),
        ("Kündigung des Wartungsvertrags Nr. {ref}", [
            "hiermit kündigen wir den oben genannten Vertrag fristgerecht zum {date}.",
            "Bitte bestätigen Sie uns den Eingang dieser Kündigung sowie das Vertragsende schriftlich. Eine Einzugsermächtigung erlischt mit Ablauf des Vertrags.",
            "Wir danken für die bisherige Zusammenarbeit."]),
        ("Reklamation Lieferung vom {date}", [
            "bei der Wareneingangsprüfung Ihrer Lieferung haben wir festgestellt, dass mehrere Kartons beschädigt waren. Die betroffenen Artikel sind teilweise nicht verwendbar.",
            "Wir bitten Sie um kurzfristige Ersatzlieferung beziehungsweise um eine entsprechende Gutschrift. Fotos der Schäden haben wir Ihnen per E-Mail übermittelt.",
            "Bitte teilen Sie uns bis zum {date2} mit, wie Sie weiter verfahren möchten."]),
    ],
    "en": [
        ("Change of bank details", [
            "Please note that our bank details change with effect from {date}. Please make all future payments to the following account only:",
            "{bank_block}",
            "Kindly update your supplier records accordingly. If you have any questions, please contact our accounts department."]),
        ("Price adjustment from {date}", [
            "Due to rising material and energy costs we have to adjust our prices with effect from {date}. The average increase is {pct} per cent.",
            "Orders already confirmed will of course be delivered at the previous prices. The updated price list is available on request.",
            "Thank you for your understanding; we look forward to continuing our cooperation."]),
        ("Your enquiry of {date}", [
            "Thank you for your enquiry and your interest in our services. We are pleased to confirm that we can carry out the work in calendar week {week}.",
            "Our engineer will contact you by phone beforehand to agree the details on site. A binding quotation will follow.",
            "Should you have any questions in the meantime, please do not hesitate to contact us."]),
        ("Relocation of our office", [
            "From {date} you will find us at our new address. Phone numbers and email addresses remain unchanged.",
            "Please send invoices and correspondence to the new address from that date. On the day of the move we will only be available to a limited extent.",
            "We look forward to welcoming you at our new premises."]),
    ],
}

CONTRACTS = {
    "de": {
        "titles": ["Dienstleistungsvertrag", "Wartungsvertrag", "Rahmenvertrag", "Beratungsvertrag", "Vertrag über IT-Support-Leistungen"],
        "roles": ("Auftraggeber", "Auftragnehmer"),
        "between": "zwischen",
        "and": "und",
        "hereafter": "– nachfolgend „{role}“ genannt –",
        "sections": [
            ("Vertragsgegenstand", ["Der Auftragnehmer erbringt für den Auftraggeber {service} nach Maßgabe dieses Vertrags und der Leistungsbeschreibung in Anlage 1.",
                                    "Änderungen des Leistungsumfangs bedürfen der Schriftform."]),
            ("Leistungen des Auftragnehmers", ["Der Auftragnehmer führt die Leistungen mit der Sorgfalt eines ordentlichen Kaufmanns aus. Er ist berechtigt, sich zur Erfüllung seiner Pflichten qualifizierter Erfüllungsgehilfen zu bedienen.",
                                               "Die Reaktionszeit bei Störungen beträgt innerhalb der üblichen Geschäftszeiten (Montag bis Freitag, 8:00 bis 17:00 Uhr) höchstens vier Stunden."]),
            ("Mitwirkungspflichten des Auftraggebers", ["Der Auftraggeber stellt dem Auftragnehmer alle für die Leistungserbringung erforderlichen Informationen und Zugänge rechtzeitig zur Verfügung."]),
            ("Vergütung", ["Der Auftraggeber zahlt für die Leistungen nach § 1 eine monatliche Pauschale von {fee} zuzüglich der gesetzlichen Umsatzsteuer.",
                           "Die Vergütung ist jeweils zum dritten Werktag eines Monats im Voraus fällig und wird auf das Konto des Auftragnehmers bei der {bank}, IBAN {iban}, überwiesen."]),
            ("Laufzeit und Kündigung", ["Der Vertrag beginnt am {start} und wird auf unbestimmte Zeit geschlossen. Er kann von beiden Parteien mit einer Frist von drei Monaten zum Ende eines Kalendervierteljahres gekündigt werden.",
                                        "Das Recht zur außerordentlichen Kündigung aus wichtigem Grund bleibt unberührt. Die Kündigung bedarf der Schriftform."]),
            ("Haftung", ["Der Auftragnehmer haftet unbeschränkt für Vorsatz und grobe Fahrlässigkeit. Bei leichter Fahrlässigkeit haftet er nur bei Verletzung wesentlicher Vertragspflichten und begrenzt auf den vertragstypischen, vorhersehbaren Schaden."]),
            ("Vertraulichkeit und Datenschutz", ["Die Parteien verpflichten sich, alle im Rahmen dieses Vertrags erlangten Informationen vertraulich zu behandeln. Soweit personenbezogene Daten verarbeitet werden, schließen die Parteien eine gesonderte Vereinbarung zur Auftragsverarbeitung nach Art. 28 DSGVO."]),
            ("Schlussbestimmungen", ["Änderungen und Ergänzungen dieses Vertrags bedürfen der Schriftform. Sollte eine Bestimmung unwirksam sein, bleibt die Wirksamkeit der übrigen Bestimmungen unberührt.",
                                     "Gerichtsstand ist, soweit gesetzlich zulässig, {city}."]),
        ],
        "services": ["die Wartung und Betreuung der IT-Infrastruktur", "die Unterhaltsreinigung der Büroräume",
                     "Beratungsleistungen im Bereich Prozessoptimierung", "die regelmäßige Wartung der Heizungsanlage",
                     "die Buchhaltung und Lohnabrechnung"],
        "place_date": "Ort, Datum",
    },
    "en": {
        "titles": ["Service Agreement", "Maintenance Agreement", "Framework Agreement", "Consulting Agreement"],
        "roles": ("Client", "Contractor"),
        "between": "between",
        "and": "and",
        "hereafter": "(hereinafter the “{role}”)",
        "sections": [
            ("Subject matter", ["The Contractor shall provide {service} to the Client in accordance with this Agreement and the service description in Annex 1."]),
            ("Services", ["The Contractor shall perform the services with due care and skill and may use qualified subcontractors.",
                          "Response time for incidents during normal business hours (Monday to Friday, 8 am to 5 pm) shall not exceed four hours."]),
            ("Client obligations", ["The Client shall provide all information and access required for the services in good time."]),
            ("Fees", ["The Client shall pay a monthly fee of {fee} plus VAT where applicable.",
                      "Fees are payable monthly in advance to the Contractor's account with {bank}, IBAN {iban}."]),
            ("Term and termination", ["This Agreement commences on {start} and continues for an indefinite period. Either party may terminate it with three months' notice to the end of a calendar quarter."]),
            ("Liability", ["The Contractor's liability for slight negligence is limited to foreseeable damage typical for this type of contract."]),
            ("Confidentiality", ["Both parties shall keep confidential all information obtained under this Agreement."]),
            ("Miscellaneous", ["Amendments must be made in writing. Should any provision be invalid, the remaining provisions shall remain in effect.",
                               "Place of jurisdiction is {city}."]),
        ],
        "services": ["maintenance and support of the IT infrastructure", "office cleaning services",
                     "process optimisation consulting", "bookkeeping and payroll services"],
        "place_date": "Place, date",
    },
}

OTHER = {
    "de": [
        ("newsletter", "Kundeninformation {month}", [
            "Neuigkeiten aus unserem Haus",
            "in den vergangenen Monaten haben wir unser Sortiment deutlich erweitert. Ab sofort finden Sie über 2.000 neue Artikel in unserem Onlineshop, darunter nachhaltige Alternativen für den Büroalltag.",
            "Unsere Öffnungszeiten zwischen den Feiertagen: Vom 24.12. bis 01.01. bleibt unser Lager geschlossen. Bestellungen, die bis zum 20.12. eingehen, werden noch vor Weihnachten ausgeliefert.",
            "Besuchen Sie uns auch auf der Fachmesse in Halle 4, Stand C12. Wir freuen uns auf Ihren Besuch!"]),
        ("appointment", "Terminbestätigung Wartung", [
            "hiermit bestätigen wir Ihnen den Termin für die jährliche Wartung am {date} zwischen 8:00 und 12:00 Uhr.",
            "Bitte sorgen Sie dafür, dass unser Techniker Zugang zu den Räumlichkeiten und zur Anlage erhält. Sollte der Termin nicht passen, bitten wir um Nachricht bis spätestens drei Werktage vorher.",
            "Die Kosten der Wartung werden gemäß Vertrag gesondert in Rechnung gestellt."]),
        ("tax_office", "Mitteilung über die Festsetzung von Vorauszahlungen", [
            "Steuernummer {taxno}",
            "die Vorauszahlungen zur Umsatzsteuer werden für das Kalenderjahr {year} wie folgt festgesetzt. Die Festsetzung steht unter dem Vorbehalt der Nachprüfung (§ 164 AO).",
            "Bitte beachten Sie, dass die Umsatzsteuer-Voranmeldungen bis zum 10. Tag nach Ablauf des Voranmeldungszeitraums elektronisch zu übermitteln sind.",
            "Dieser Bescheid ist automatisch erstellt worden und wird nicht unterschrieben.",
            "Rechtsbehelfsbelehrung: Gegen diesen Bescheid ist der Einspruch statthaft. Er ist schriftlich oder elektronisch innerhalb eines Monats nach Bekanntgabe beim oben genannten Finanzamt einzulegen."]),
        ("sepa_form", "SEPA-Lastschriftmandat", [
            "Gläubiger-Identifikationsnummer: DE{glaeubiger}",
            "Ich ermächtige/Wir ermächtigen {company}, Zahlungen von meinem/unserem Konto mittels Lastschrift einzuziehen. Zugleich weise ich mein/weisen wir unser Kreditinstitut an, die von {company} auf mein/unser Konto gezogenen Lastschriften einzulösen.",
            "Hinweis: Ich kann/Wir können innerhalb von acht Wochen, beginnend mit dem Belastungsdatum, die Erstattung des belasteten Betrages verlangen. Es gelten dabei die mit meinem/unserem Kreditinstitut vereinbarten Bedingungen.",
            "FORM"]),
        ("invitation", "Einladung zum Kundentag", [
            "wir laden Sie herzlich zu unserem Kundentag am {date} ab 10:00 Uhr in unsere Räume ein.",
            "Freuen Sie sich auf Fachvorträge, Produktvorführungen und die Gelegenheit zum Austausch mit unseren Experten. Für das leibliche Wohl ist gesorgt.",
            "Bitte melden Sie sich bis zum {date2} per E-Mail oder telefonisch an."]),
        ("pricelist", "Preisliste {year}", [
            "gültig ab {date}. Alle Preise in Euro zzgl. der gesetzlichen Umsatzsteuer, ab Lager. Es gelten unsere Allgemeinen Geschäftsbedingungen.",
            "PRICELIST"]),
        # Documents that speak of invoices and are none: a statement of account (open items),
        # a report on incoming invoices, a notice on how to invoice (issue 25).
        ("statement", "Kontoauszug / Offene Posten zum {date}", [
            "wir erlauben uns, Ihnen den Stand Ihres Kundenkontos bei {company} mitzuteilen. Die folgenden Posten sind offen:",
            "Rechnung {inv1} vom {date2}, fällig {date3}: {amt1}",
            "Rechnung {inv2} vom {date4}, fällig {date5}: {amt2}",
            "Gutschrift {inv3} vom {date4}: -{amt3}",
            "Saldo zu unseren Gunsten: {saldo}",
            "Dieser Kontoauszug ist keine Rechnung. Sollten Sie die Posten bereits beglichen haben, betrachten Sie dieses Schreiben bitte als gegenstandslos."]),
        ("report", "Monatsbericht Rechnungseingang {month}", [
            "Im Berichtsmonat wurden {n1} Eingangsrechnungen mit einem Gesamtbetrag von {saldo} erfasst, davon {n2} als E-Rechnung (XRechnung oder ZUGFeRD).",
            "Durchschnittliche Durchlaufzeit von Eingang bis Freigabe: {n3} Arbeitstage. Skonto wurde bei {n4} Rechnungen genutzt.",
            "Offene Rechnungen zum Monatsende: {n5}, davon überfällig: {n6}. Die größte offene Rechnung ({inv1}) beträgt {amt1}.",
            "Der Bericht dient der internen Information und ist nicht zur Buchung bestimmt."]),
        ("notice", "Hinweis zur Rechnungsstellung", [
            "ab dem {date} nehmen wir Rechnungen nur noch elektronisch entgegen. Bitte senden Sie Ihre Rechnungen als XRechnung oder ZUGFeRD an unsere Rechnungsadresse.",
            "Jede Rechnung muss unsere Bestellnummer, Ihre Lieferantennummer und die Lieferscheinnummer tragen. Rechnungen ohne diese Angaben senden wir unbearbeitet zurück.",
            "Papierrechnungen, die nach dem {date} eingehen, können nicht mehr bearbeitet werden. Bei Fragen zur Rechnungsstellung steht Ihnen unsere Kreditorenbuchhaltung zur Verfügung."]),
        # More papers of the same kind (stop 37): a payment advice listing the invoices a
        # customer pays, a confirmation of balances an auditor asks for, a bank's account
        # statement with its bookings.
        ("payment_advice", "Zahlungsavis", [
            "wir haben heute folgende Rechnungen zur Zahlung angewiesen:",
            "Rechnung {inv1} vom {date2}: {amt1}",
            "Rechnung {inv2} vom {date4}: {amt2}",
            "abzüglich Gutschrift {inv3}: -{amt3}",
            "Überweisungsbetrag: {saldo}, Wertstellung {date}",
            "Bitte prüfen Sie den Zahlungseingang und wenden Sie sich bei Abweichungen an unsere Kreditorenbuchhaltung."]),
        ("balance_confirmation", "Saldenbestätigung zum 31.12.{year0}", [
            "im Rahmen der Prüfung unseres Jahresabschlusses bitten wir Sie, den Saldo Ihres Kontos bei uns zu bestätigen.",
            "Nach unseren Büchern betrug Ihr Saldo zum 31.12.{year0}: {saldo} zu unseren Gunsten. Er setzt sich aus den Rechnungen {inv1} und {inv2} abzüglich der Gutschrift {inv3} zusammen.",
            "Bitte senden Sie die beigefügte Bestätigung unterschrieben direkt an unseren Abschlussprüfer zurück, auch wenn Sie mit dem Saldo nicht übereinstimmen. Dies ist keine Zahlungsaufforderung.",
            "Saldo bestätigt: ____________________   Datum, Unterschrift"]),
        ("bank_statement", "Kontoauszug Nr. {n3}/{year}", [
            "Kontoinhaber: {holder}",
            "Buchungstag {date2}, Wert {date2}: Überweisung, Verwendungszweck Rechnung {inv1}: {amt1}",
            "Buchungstag {date4}, Wert {date4}: Lastschrift, Verwendungszweck Rechnung {inv2}: -{amt2}",
            "Buchungstag {date5}, Wert {date5}: Kontoführungsentgelt: -{amt3}",
            "Neuer Kontostand: {saldo}",
            "Bitte prüfen Sie die Buchungen. Einwendungen gegen den Rechnungsabschluss sind innerhalb von sechs Wochen zu erheben."]),
    ],
    "en": [
        ("newsletter", "Customer newsletter – {month}", [
            "News from our company",
            "Over the past months we have considerably expanded our range. You will now find more than 2,000 new products in our online shop, including sustainable alternatives for the office.",
            "Holiday opening hours: our warehouse is closed from 24 December to 1 January. Orders received by 20 December will be delivered before Christmas.",
            "Visit us at the trade fair, hall 4, stand C12. We look forward to seeing you!"]),
        ("appointment", "Appointment confirmation – annual service", [
            "We are pleased to confirm the appointment for the annual service on {date} between 8 am and 12 noon.",
            "Please ensure that our engineer has access to the premises and the equipment. If the date is not convenient, please let us know at least three working days in advance.",
            "The service will be invoiced separately under the terms of the contract."]),
        ("invitation", "Invitation to our customer day", [
            "We cordially invite you to our customer day on {date} from 10 am at our premises.",
            "Look forward to talks, product demonstrations and the opportunity to talk to our experts. Refreshments will be provided.",
            "Please register by {date2} by email or phone."]),
        ("pricelist", "Price list {year}", [
            "Valid from {date}. All prices in the stated currency, excluding VAT, ex warehouse. Our general terms and conditions apply.",
            "PRICELIST"]),
        ("statement", "Statement of account as of {date}", [
            "Please find below the open items on your account with {company}:",
            "Invoice {inv1} dated {date2}, due {date3}: {amt1}",
            "Invoice {inv2} dated {date4}, due {date5}: {amt2}",
            "Credit note {inv3} dated {date4}: -{amt3}",
            "Balance due to us: {saldo}",
            "This statement is not an invoice. If you have already settled these items, please disregard this letter."]),
        ("report", "Monthly report on incoming invoices – {month}", [
            "In the reporting month {n1} supplier invoices totalling {saldo} were recorded, {n2} of them as e-invoices.",
            "Average processing time from receipt to approval: {n3} working days. Early payment discounts were taken on {n4} invoices.",
            "Invoices open at month end: {n5}, of which overdue: {n6}. The largest open invoice ({inv1}) amounts to {amt1}.",
            "This report is for internal information and not for posting."]),
        ("notice", "Notice on invoicing", [
            "From {date} we will only accept invoices in electronic form. Please send your invoices as e-invoices to our accounts payable address.",
            "Every invoice must state our purchase order number, your supplier number and the delivery note number. Invoices without these details will be returned unprocessed.",
            "Paper invoices received after {date} can no longer be processed. Our accounts payable team will be glad to answer any questions on invoicing."]),
        ("payment_advice", "Remittance advice", [
            "We have today instructed payment of the following invoices:",
            "Invoice {inv1} dated {date2}: {amt1}",
            "Invoice {inv2} dated {date4}: {amt2}",
            "less credit note {inv3}: -{amt3}",
            "Amount transferred: {saldo}, value date {date}",
            "Please check the receipt of payment and contact our accounts payable team about any difference."]),
        ("balance_confirmation", "Confirmation of balance as at 31 December {year0}", [
            "As part of the audit of our annual accounts, we ask you to confirm the balance of your account with us.",
            "According to our books, your balance as at 31 December {year0} was {saldo} in our favour, made up of invoices {inv1} and {inv2} less credit note {inv3}.",
            "Please sign the enclosed confirmation and return it directly to our auditors, even if you do not agree with the balance. This is not a request for payment.",
            "Balance confirmed: ____________________   Date, signature"]),
        ("bank_statement", "Account statement no. {n3}/{year}", [
            "Account holder: {holder}",
            "Booking date {date2}, value {date2}: credit transfer, reference invoice {inv1}: {amt1}",
            "Booking date {date4}, value {date4}: direct debit, reference invoice {inv2}: -{amt2}",
            "Booking date {date5}, value {date5}: account fee: -{amt3}",
            "New balance: {saldo}",
            "Please check the entries. Objections to the statement must be raised within six weeks."]),
    ],
}
