#!/usr/bin/env python3
"""Generates plain-text e-mails (`.eml`) for the document-type model: reminders, orders, order
confirmations, quotes, letters and other mail (newsletters, out-of-office replies, parcel
notices, invitations) as a supplier or customer writes them in the body of an e-mail. Their
ground truth holds the document type only: they train and measure the classifier, not the
field models.

usage: target/py-corpus/bin/python scripts/corpus/emails.py [--out DIR] [--seed N] [--count N]

Written to `<out>/<split>/emails/`, beside the corpus of generate.py (run that first: it
clears the splits). Each type has several phrasings; the last phrasing of each type and
language goes to split `test` only (phrasings training has not seen), the others to `train`
or, a tenth of them, `test_seen`. E-mail i of seed s is made only from RNGs seeded with (s, i).
"""
from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import json
import random
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import content as C, docs  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TYPES = ["reminder", "order", "order_confirmation", "quote", "letter", "other"]
WEIGHTS = [3, 2, 2, 2, 2, 3]
TEST_SEEN_SHARE = 0.1

MONTHS = {"de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
          "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]}


def greeting(rng, lang: str, person: str | None) -> str:
    if lang == "de":
        return rng.choice(["Sehr geehrte Damen und Herren,", "Guten Tag,", "Hallo zusammen,"] + ([f"Sehr geehrte(r) {person},", f"Hallo {person},"] if person else []))
    return rng.choice(["Dear Sir or Madam,", "Hello,", "Good morning,"] + ([f"Dear {person},", f"Hi {person},"] if person else []))


def closing(rng, lang: str, signer: str, company: str) -> str:
    words = rng.choice(["Mit freundlichen Grüßen", "Viele Grüße", "Freundliche Grüße", "Beste Grüße"] if lang == "de"
                       else ["Kind regards", "Best regards", "Regards", "Many thanks"])
    return f"{words}\n{signer}\n{company}"


def items(d: docs.Doc, n: int, prices: bool) -> str:
    st = d.style
    out = []
    for ln in d.lines[:n]:
        qty = st.qty(ln.qty) if hasattr(st, "qty") else str(ln.qty)
        row = f"{qty:>6} {ln.unit_label:<5} {ln.name[:40]}"
        if prices and ln.price is not None:
            row += f"   {st.money(ln.price)}"
        out.append(row)
    return "\n".join(out)


def amount(d: docs.Doc, x: Decimal) -> str:
    return d.style.money(x)


def body(rng, kind: str, phrasing: int, d: docs.Doc) -> tuple[str, str]:
    """Subject and body of an e-mail of `kind` in the given phrasing."""
    de = d.lang == "de"
    st = d.style
    date = st.date(d.issue_date)
    signer = d.signer or "Team"
    person = d.recipient.contact if d.recipient.is_company else d.recipient.name
    person = person.replace("Frau ", "").replace("Herrn ", "").replace("Attn. ", "") if person else None
    hello = greeting(rng, d.lang, person)
    bye = closing(rng, d.lang, signer, d.sender.name)
    later = st.date(d.issue_date + dt.timedelta(days=rng.choice([7, 10, 14, 21])))
    if kind == "reminder":
        ref = d.referenced[0] if d.referenced else None
        inv, inv_date = (ref.number, st.date(ref.date)) if ref else (d.number, date)
        due = amount(d, d.totals.amount_due)
        iban = d.sender.bank.iban if d.sender.bank and d.sender.bank.iban else None
        pay = (f" auf unser Konto IBAN {iban}" if de else f" to our account IBAN {iban}") if iban else ""
        if phrasing == 0:
            subj = f"Zahlungserinnerung zu Rechnung {inv}" if de else f"Payment reminder: invoice {inv}"
            text = (f"bei der Durchsicht unserer Konten ist uns aufgefallen, dass die Rechnung {inv} vom {inv_date} über {due} noch offen ist.\n"
                    f"Bitte überweisen Sie den Betrag bis zum {later}{pay}. Sollten Sie bereits gezahlt haben, betrachten Sie diese E-Mail als gegenstandslos."
                    if de else
                    f"according to our records, invoice {inv} dated {inv_date} for {due} is still unpaid.\n"
                    f"Please transfer the amount by {later}{pay}. If you have already paid, please disregard this e-mail.")
        elif phrasing == 1:
            subj = rng.choice([f"{rng.randint(1, 3)}. Mahnung Rechnung {inv}", f"Mahnung: Rechnung {inv} überfällig"]) if de else rng.choice([f"Final notice: invoice {inv} overdue", f"Overdue invoice {inv}"])
            text = (f"trotz unserer Zahlungserinnerung konnten wir für die Rechnung {inv} über {due} keinen Zahlungseingang feststellen.\n"
                    f"Wir fordern Sie auf, den offenen Betrag bis spätestens {later}{pay} zu begleichen. Andernfalls sehen wir uns gezwungen, weitere Schritte einzuleiten."
                    if de else
                    f"despite our reminder we have not received payment of invoice {inv} for {due}.\n"
                    f"Please settle the outstanding amount by {later}{pay} at the latest, or we will have to take further steps.")
        else:
            subj = f"Offene Posten Kundenkonto {d.customer_no or d.number}" if de else f"Overdue items on your account {d.customer_no or d.number}"
            rows = "\n".join(f"{r.number:<16} {st.date(r.date):<14} {amount(d, r.amount - r.paid)}" for r in d.referenced) or f"{inv:<16} {inv_date:<14} {due}"
            text = (f"folgende Posten auf Ihrem Konto sind seit längerem fällig:\n\n{rows}\n\nWir bitten um Ausgleich bis {later}{pay}."
                    if de else
                    f"the following items on your account are past due:\n\n{rows}\n\nWe kindly ask you to settle them by {later}{pay}.")
    elif kind in ("order", "order_confirmation", "quote"):
        shown = len(d.lines) if len(d.lines) <= 8 else rng.randint(1, 5)
        lines = items(d, shown, prices=kind != "order" or rng.random() < 0.5)
        num = d.number or str(rng.randint(4500000000, 4509999999))
        ref = d.order_ref or str(rng.randint(100000, 999999))
        # The net of what is listed: an e-mail lists all its lines or names a few.
        total = amount(d, d.totals.net) if d.totals and shown >= len(d.lines) else ("siehe Anlage" if de else "see attachment")
        if kind == "order":
            subj, text = [
                (f"Bestellung {num}", f"hiermit bestellen wir zur Lieferung bis {later}:\n\n{lines}\n\nBitte bestätigen Sie uns den Auftrag kurz."),
                (f"Bestellung Nr. {num} vom {date}", f"bitte liefern Sie uns folgende Artikel an unser Lager:\n\n{lines}\n\nLiefertermin: {later}. Bitte geben Sie unsere Bestellnummer auf allen Papieren an."),
                (f"Auftrag {num} – bitte liefern", f"wir beauftragen Sie mit der Lieferung der folgenden Positionen:\n\n{lines}\n\nAnlieferung bitte bis {later}."),
            ][phrasing] if de else [
                (f"Purchase order {num}", f"please supply the following by {later}:\n\n{lines}\n\nKindly confirm receipt of this order."),
                (f"PO {num} dated {date}", f"please deliver the items below to our warehouse:\n\n{lines}\n\nRequired delivery date: {later}. Please quote our PO number on all documents."),
                (f"Order for delivery by {later}", f"we would like to order:\n\n{lines}\n\nPlease ship to our usual address."),
            ][phrasing]
        elif kind == "order_confirmation":
            subj, text = [
                (f"Auftragsbestätigung {num}", f"vielen Dank für Ihre Bestellung {ref} vom {date}. Wir bestätigen Ihren Auftrag wie folgt:\n\n{lines}\n\nSumme netto {total}\nVoraussichtlicher Liefertermin: {later}"),
                (f"Ihre Bestellung {ref}: Bestätigung", f"wir haben Ihre Bestellung {ref} erhalten und bestätigen die Lieferung folgender Positionen:\n\n{lines}\n\nDie Lieferung erfolgt voraussichtlich am {later}."),
                (f"Bestellbestätigung Nr. {num}", f"hiermit bestätigen wir Ihren Auftrag {ref}:\n\n{lines}\n\nGesamt netto: {total}. Es gelten unsere Allgemeinen Geschäftsbedingungen."),
            ][phrasing] if de else [
                (f"Order confirmation {num}", f"thank you for your order {ref} of {date}. We confirm it as follows:\n\n{lines}\n\nTotal net {total}\nExpected delivery: {later}"),
                (f"Your order {ref} has been confirmed", f"we have received your order {ref} and confirm delivery of:\n\n{lines}\n\nExpected delivery date: {later}."),
                (f"Order acknowledgement {num}", f"we acknowledge your purchase order {ref}:\n\n{lines}\n\nTotal net: {total}. Our terms and conditions apply."),
            ][phrasing]
        else:
            valid = st.date(d.valid_until) if d.valid_until else later
            subj, text = [
                (f"Angebot {num}", f"vielen Dank für Ihre Anfrage. Gerne bieten wir Ihnen an:\n\n{lines}\n\nSumme netto {total}\nDas Angebot ist gültig bis {valid}."),
                (f"Ihr Angebot Nr. {num}", f"wie besprochen erhalten Sie unser Angebot:\n\n{lines}\n\nGesamtpreis netto {total}, zzgl. MwSt. Bindefrist: {valid}."),
                (f"Preisangebot für Ihre Anfrage vom {date}", f"zu Ihrer Anfrage unterbreiten wir Ihnen folgenden Kostenvoranschlag:\n\n{lines}\n\nNetto {total}. Wir freuen uns auf Ihren Auftrag."),
            ][phrasing] if de else [
                (f"Quotation {num}", f"thank you for your enquiry. We are pleased to quote:\n\n{lines}\n\nTotal net {total}\nThis quotation is valid until {valid}."),
                (f"Our offer no. {num}", f"as discussed, please find our offer below:\n\n{lines}\n\nTotal price net {total} plus VAT. Valid until {valid}."),
                (f"Price quote for your enquiry of {date}", f"in response to your enquiry we can offer:\n\n{lines}\n\nNet {total}. We look forward to your order."),
            ][phrasing]
    elif kind == "letter":
        subj, text = [
            rng.choice([("Änderung unserer Bankverbindung", f"bitte beachten Sie, dass sich unsere Bankverbindung ab dem {later} ändert. Die neuen Daten teilen wir Ihnen gesondert mit."),
                        ("Neue Anschrift ab " + later, f"zum {later} ziehen wir um. Unsere neue Anschrift lautet {d.sender.street}, {d.sender.postcode} {d.sender.city}.")]),
            rng.choice([(f"Ihre Anfrage vom {date}", "vielen Dank für Ihre Anfrage. Wir prüfen Ihr Anliegen und melden uns in den nächsten Tagen bei Ihnen."),
                        ("Rückfrage zu Ihrer Reklamation", f"zu Ihrer Reklamation vom {date} benötigen wir noch Fotos der beschädigten Ware. Bitte senden Sie uns diese zu.")]),
            (f"Betriebsferien vom {date} bis {later}", f"unser Betrieb bleibt vom {date} bis einschließlich {later} geschlossen. In dringenden Fällen erreichen Sie uns unter {d.sender.phone or 'unserer Zentrale'}."),
        ][phrasing] if d.lang == "de" else [
            rng.choice([("Change of bank details", f"please note that our bank details change as of {later}. We will send you the new details separately."),
                        (f"New address from {later}", f"we are moving on {later}. Our new address is {d.sender.street}, {d.sender.postcode} {d.sender.city}.")]),
            rng.choice([(f"Your enquiry of {date}", "thank you for your enquiry. We are looking into it and will get back to you in the next few days."),
                        ("Question about your complaint", f"regarding your complaint of {date}, we need photos of the damaged goods. Please send them to us.")]),
            (f"Office closure {date} to {later}", f"our office is closed from {date} to {later} inclusive. In urgent cases please call {d.sender.phone or 'our switchboard'}."),
        ][phrasing]
    else:
        month = MONTHS[d.lang][d.issue_date.month - 1]
        subj, text = [
            rng.choice([(f"Unser Newsletter im {month}: neue Angebote", f"im {month} erwarten Sie neue Angebote aus unserem Sortiment. Jetzt entdecken und sparen!\n\nSie erhalten diesen Newsletter, weil Sie sich angemeldet haben. Abmelden: Link am Ende dieser E-Mail."),
                        (f"Einladung zum Kundentag am {later}", f"wir laden Sie herzlich zu unserem Kundentag am {later} ab 10 Uhr ein. Freuen Sie sich auf Produktvorführungen und Gespräche mit unseren Experten.\nBitte melden Sie sich bis {date} an.")]),
            rng.choice([(f"Abwesenheitsnotiz: {d.signer or 'Büro'}", f"vielen Dank für Ihre Nachricht. Ich bin bis einschließlich {later} nicht im Büro und habe keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an unsere Zentrale."),
                        ("Ihr Paket ist unterwegs", f"Ihre Sendung {rng.randint(10**11, 10**12 - 1)} wurde am {date} an den Paketdienst übergeben und wird voraussichtlich am {later} zugestellt. Den Status können Sie jederzeit online verfolgen.")]),
            ("Ihre Zugangsdaten für das Kundenportal", f"Ihr Zugang zum Kundenportal wurde eingerichtet. Ihr Benutzername lautet {d.recipient.name.split()[0].lower()}{rng.randint(10, 99)}. Bitte vergeben Sie bei der ersten Anmeldung ein neues Passwort.\nDieser Link ist bis {later} gültig."),
        ][phrasing] if d.lang == "de" else [
            rng.choice([(f"Our {month} newsletter: new offers", f"this {month} we have new offers from our range for you. Discover them now and save!\n\nYou receive this newsletter because you subscribed. Unsubscribe: link at the end of this e-mail."),
                        (f"Invitation to our customer day on {later}", f"we cordially invite you to our customer day on {later} from 10 am. Look forward to product demonstrations and talks with our experts.\nPlease register by {date}.")]),
            rng.choice([(f"Out of office: {d.signer or 'office'}", f"thank you for your message. I am out of the office until {later} with no access to e-mail. For urgent matters please contact our main office."),
                        ("Your parcel is on its way", f"your shipment {rng.randint(10**11, 10**12 - 1)} was handed to the carrier on {date} and is expected to arrive on {later}. You can track its status online at any time.")]),
            ("Your customer portal login", f"your access to the customer portal has been set up. Your user name is {d.recipient.name.split()[0].lower()}{rng.randint(10, 99)}. Please choose a new password when you first log in.\nThis link is valid until {later}."),
        ][phrasing]
    return subj, f"{hello}\n\n{text}\n\n{bye}\n"


def address(p: C.Party, rng) -> str:
    domain = (p.email.split("@", 1)[1] if p.email and "@" in p.email else "example.com")
    local = rng.choice(["info", "buchhaltung", "vertrieb", "einkauf", "service", "office", "accounts", "sales"])
    return f"{local}@{domain}"


def message(seed: int, index: int) -> tuple[str, str, int, bytes]:
    """(kind, language, phrasing, bytes) of e-mail `index`."""
    rng = random.Random(f"{seed}:email:{index}")
    kind = rng.choices(TYPES, WEIGHTS)[0]
    d = docs.build(rng, kind)
    phrasing = rng.randrange(3)
    subj, text = body(rng, kind, phrasing, d)
    when = dt.datetime.combine(d.issue_date, dt.time(rng.randint(7, 18), rng.randint(0, 59)), dt.timezone(dt.timedelta(hours=1)))
    headers = [
        ("From", email.utils.formataddr((d.sender.name, address(d.sender, rng)))),
        ("To", email.utils.formataddr((d.recipient.name, address(d.recipient, rng)))),
        ("Subject", subj),
        ("Date", email.utils.format_datetime(when)),
        ("Message-ID", f"<g{seed}-m{index:05d}@corpus.mailroom.example>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]
    raw = "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n" + text.replace("\n", "\r\n")
    return kind, d.lang, phrasing, raw.encode("utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "target/corpus"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=240)
    args = ap.parse_args()
    out = Path(args.out)
    counts: dict[str, int] = {}
    for i in range(args.count):
        kind, lang, phrasing, raw = message(args.seed, i)
        split_rng = random.Random(f"{args.seed}:email-split:{i}")
        split = "test" if phrasing == 2 else ("test_seen" if split_rng.random() < TEST_SEEN_SHARE else "train")
        d = out / split / "emails"
        d.mkdir(parents=True, exist_ok=True)
        name = f"g{args.seed}-m{i:05d}"
        (d / f"{name}.eml").write_bytes(raw)
        truth = {"doc_id": name, "doc_type": kind, "language": lang, "layout": f"email-{phrasing}", "split": split}
        (d / f"{name}.gt.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        counts[split] = counts.get(split, 0) + 1
    print(f"emails: {args.count} e-mails ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}) in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
