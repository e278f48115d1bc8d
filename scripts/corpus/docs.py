"""The business document behind each page: type, language, parties and their roles,
dates, references, line items and totals, computed with exact decimal arithmetic.

`build(rng, doc_type, layout)` decides everything that is content; how it looks is the
layout's business (layouts.py, render.py). Amount rules (all rounding half-up to cents):
line amount = round(qty × unit price × (1 − line discount)), line total = Σ line amounts,
per VAT rate: base = lines − document discount share + shipping, VAT = round(base × rate),
net = Σ bases, gross = net + VAT, amount due = gross − prepaid.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from . import content as C
from . import fmt, labels, texts

D = Decimal
DOC_TYPES = ["invoice", "credit_note", "reminder", "order", "order_confirmation", "delivery_note",
             "quote", "contract", "receipt", "letter", "other"]
TYPE_WEIGHTS = [35, 8, 8, 6, 7, 7, 7, 5, 6, 6, 8]

RATES = {"DE": (D(19), D(7)), "AT": (D(20), D(10)), "CH": (D("8.1"), D("2.6")), "NL": (D(21), D(9)),
         "FR": (D(20), D(10)), "GB": (D(20), D(5)), "IE": (D(23), D("13.5"))}

TRADES_BY_TYPE = {
    "receipt": ["lebensmittel", "buero", "hotel", "gastro", "gastro", "tankstelle", "tankstelle"],
    "contract": ["it", "reinigung", "beratung", "sanitaer", "steuer"],
    "delivery_note": ["buero", "lebensmittel", "druck", "elektro", "sanitaer", "it", "kfz"],
}


@dataclass
class Line:
    pos: int
    name: str
    qty: Decimal
    unit_key: str
    unit_label: str
    price: Decimal | None
    amount: Decimal | None
    vat_rate: Decimal | None
    art_no: str | None = None
    detail: str | None = None
    discount: Decimal | None = None   # line discount in percent
    hsn: str | None = None             # Indian HSN (goods) or SAC (services) code


@dataclass
class Totals:
    line_total: Decimal
    net: Decimal
    breakdown: list[tuple[Decimal, Decimal, Decimal]]  # (rate, base, vat)
    vat_total: Decimal
    gross: Decimal
    discount_pct: Decimal | None = None
    discount: Decimal | None = None
    shipping: Decimal | None = None
    prepaid: Decimal | None = None
    amount_due: Decimal | None = None


@dataclass
class RefInvoice:
    number: str
    date: dt.date
    due: dt.date
    amount: Decimal
    paid: Decimal


@dataclass
class Doc:
    doc_type: str
    lang: str
    currency: str
    style: fmt.Style
    lab: dict
    title: str
    sender: C.Party            # letterhead
    recipient: C.Party         # address field
    seller: C.Party | None     # commercial roles (None for letters and the like)
    buyer: C.Party | None
    issue_date: dt.date
    number: str | None = None
    type_code: str | None = None   # UNTDID 1001 where it is not the type's usual one (384)
    delivery_date: dt.date | None = None
    delivery_end: dt.date | None = None
    due_date: dt.date | None = None
    due_days: int | None = None
    valid_until: dt.date | None = None
    customer_no: str | None = None
    order_ref: str | None = None
    order_ref_date: dt.date | None = None
    delivery_ref: str | None = None          # the delivery note an invoice names (linked sets)
    delivery_ref_label: str | None = None
    contact: str | None = None
    vat_mode: str = "domestic"   # domestic | small_business | reverse_charge | intra_community | export | foreign
    show_buyer_vat: bool = False
    lines: list[Line] = field(default_factory=list)
    totals: Totals | None = None
    gross_prices: bool = False   # receipts: prices include VAT
    skonto: tuple[Decimal, dt.date, Decimal] | None = None
    payment: str = "transfer"    # transfer | debit | paid | none
    show_bank_in_body: bool = False
    referenced: list[RefInvoice] = field(default_factory=list)  # credit note / reminder
    fees: list[tuple[str, Decimal]] = field(default_factory=list)    # reminder fees and interest
    subject: str | None = None   # letters and others
    paragraphs: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # contracts
    other_kind: str | None = None
    signer: str | None = None
    negative: bool = False       # storno / correction printed with negative amounts
    has_prices: bool = True
    untyped_title: bool = False  # the subject names the contract, not the document type
    insurance: tuple[str, str] | None = None   # (branch, policy number) of a premium invoice
    intro_notes: list[str] = field(default_factory=list)   # prose above the table (insurance premiums)
    end_notes: list[str] = field(default_factory=list)     # prose below the totals
    gst: str | None = None       # Indian GST invoice: "intra" (CGST + SGST) or "inter" (IGST) state


def _date(rng) -> dt.date:
    return dt.date(2023, 1, 2) + dt.timedelta(days=rng.randrange(3 * 365 - 2))


def _choose_lang_and_countries(rng, doc_type: str) -> tuple[str, str, str]:
    lang = "de" if rng.random() < 0.7 else "en"
    if lang == "de":
        seller = rng.choices(["DE", "AT", "CH"], [90, 7, 3])[0]
    else:
        seller = rng.choices(["DE", "GB", "IE", "NL", "FR", "US", "CH", "AT"], [35, 15, 10, 12, 6, 12, 5, 5])[0]
    buyer = rng.choices(["DE", "AT", "CH", "NL"], [92, 4, 2, 2])[0]
    if lang == "en" and seller == "DE" and rng.random() < 0.5:
        buyer = rng.choice(["GB", "NL", "FR", "IE", "AT"])
    if doc_type in ("receipt",) and seller not in ("DE", "AT", "CH", "NL", "FR", "GB"):
        seller = "DE"
    return lang, seller, buyer


def _currency(rng, seller: str) -> str:
    if seller == "CH":
        return "CHF" if rng.random() < 0.7 else "EUR"
    return {"GB": "GBP", "US": "USD"}.get(seller, "EUR")


def _vat_mode(rng, seller: C.Party, buyer_country: str, trade: str, doc_type: str) -> str:
    s = seller.country
    if s == "DE" and seller.small_business:
        return "small_business"
    if s == buyer_country or doc_type == "receipt" or (trade == "hotel" and s in RATES):
        return "domestic" if s == "DE" else "foreign"
    if s in C.EU and buyer_country in C.EU:
        return "intra_community" if trade in ("buero", "lebensmittel", "druck") else "reverse_charge"
    return "export"


def _line_count(rng, doc_type: str) -> int:
    if doc_type == "receipt":
        return rng.choice([1, 2, 3, 3, 4, 5, 6, 8])
    r = rng.random()
    if r < 0.35:
        return rng.randint(1, 3)
    if r < 0.8:
        return rng.randint(4, 9)
    if r < 0.95:
        return rng.randint(10, 22)
    return rng.randint(23, 55)   # long multi-page documents


def _qty(rng, unit_key: str, price: Decimal) -> Decimal:
    if unit_key in ("ls", "mon"):
        return D(1)
    if price > 300:
        return D(rng.choice([1, 1, 1, 2, 2, 3, 5]))
    if unit_key == "l" and price < 3:
        return D(f"{rng.uniform(15, 70):.2f}")   # litres of fuel
    if unit_key == "h":
        return D(rng.choice(["0.5", "1", "1.5", "2", "2.5", "3", "4", "6", "7.5", "8", "12", "16", "24.25"]))
    if unit_key in ("kg", "m", "m2", "l"):
        return D(rng.choice([str(rng.randint(1, 60)), f"{rng.uniform(0.5, 80):.2f}", f"{rng.uniform(1, 200):.1f}"]))
    return D(rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 6, 10, 12, 20, 25, 50, 100, 250]))


def _unit_label(rng, unit_key: str, lang: str, cache: dict) -> str:
    if unit_key not in cache:
        code, de, en = C.UNITS[unit_key]
        cache[unit_key] = rng.choice(de if lang == "de" else en)
    return cache[unit_key]


def _make_lines(rng, doc: Doc, trade: str, n: int, rates: tuple[Decimal, Decimal] | None) -> None:
    specs = C.pick_items(rng, trade, doc.lang, n, doc.issue_date)
    units: dict = {}
    with_art = rng.random() < 0.5
    with_disc = rng.random() < 0.12 and doc.has_prices and not doc.gross_prices
    pos_step = 10 if rng.random() < 0.1 else 1   # some ERPs number positions 10, 20, 30
    year = doc.issue_date.year
    for i, sp in enumerate(specs, 1):
        qty = _qty(rng, sp.unit_key, sp.price)
        if doc.negative:
            qty = -qty
        if rates is None:
            rate = D(0)
        else:
            rate = rates[1] if sp.reduced else rates[0]
        disc = D(rng.choice([5, 10, 15, 20, 3])) if with_disc and rng.random() < 0.5 else None
        price = sp.price
        amount = None
        if doc.has_prices:
            amount = fmt.q2(qty * price * ((D(100) - disc) / D(100) if disc else D(1)))
        detail = None
        if rng.random() < 0.15 and doc.doc_type != "receipt":
            detail = rng.choice([
                f"Leistungszeitraum {doc.issue_date.month:02d}/{year}" if doc.lang == "de" else f"Period {doc.issue_date.month:02d}/{year}",
                f"Seriennummer {C._digits(rng, 8)}" if doc.lang == "de" else f"Serial no. {C._digits(rng, 8)}",
                "gemäß Aufmaß vom Einsatzort" if doc.lang == "de" else "as measured on site",
                f"Lieferschein {rng.randint(10000, 99999)}" if doc.lang == "de" else f"Delivery note {rng.randint(10000, 99999)}",
            ])
        doc.lines.append(Line(pos=i * pos_step, name=sp.name, qty=qty, unit_key=sp.unit_key,
                              unit_label=_unit_label(rng, sp.unit_key, doc.lang, units),
                              price=price if doc.has_prices else None, amount=amount,
                              vat_rate=rate if doc.has_prices else None,
                              art_no=C.article_number(rng) if with_art else None, detail=detail, discount=disc))
    if doc.vat_mode == "domestic" and doc.lang == "de" and doc.has_prices and rng.random() < 0.05 and not doc.gross_prices:
        doc.lines.append(Line(pos=(len(doc.lines) + 1) * pos_step, name="Portoauslagen (nicht steuerbar)", qty=D(-1 if doc.negative else 1),
                              unit_key="ls", unit_label=_unit_label(rng, "ls", doc.lang, units), price=D("4.95"),
                              amount=D("-4.95") if doc.negative else D("4.95"), vat_rate=D(0)))


def compute_totals(rng, doc: Doc, allow_extras: bool) -> Totals:
    """Totals from the lines, with optional document discount, shipping and prepayment."""
    by_rate: dict[Decimal, Decimal] = {}
    for ln in doc.lines:
        by_rate[ln.vat_rate] = by_rate.get(ln.vat_rate, D(0)) + ln.amount
    line_total = sum(by_rate.values(), D(0))
    sign = D(-1) if doc.negative else D(1)
    t = Totals(line_total=line_total, net=D(0), breakdown=[], vat_total=D(0), gross=D(0))
    if allow_extras and rng.random() < 0.1:
        t.discount_pct = D(rng.choice([2, 3, 5, 10]))
        t.discount = D(0)
        for r in by_rate:
            share = fmt.q2(by_rate[r] * t.discount_pct / 100)
            by_rate[r] -= share
            t.discount += share
    if allow_extras and rng.random() < 0.2 and doc.doc_type != "receipt":
        t.shipping = sign * D(rng.choice(["4.90", "5.95", "6.90", "9.90", "12.50", "19.00", "45.00", "89.00"]))
        by_rate[max(by_rate)] += t.shipping   # shipping follows the main (highest) rate
    for r in sorted(by_rate, reverse=True):
        base = by_rate[r]
        vat = D(0) if doc.gross_prices else fmt.q2(base * r / 100)
        t.breakdown.append((r, base, vat))
    if doc.gross_prices:
        # Receipts: the printed prices include VAT; the VAT is extracted from the gross.
        t.gross = line_total
        t.breakdown = [(r, b - fmt.q2(b * r / (100 + r)), fmt.q2(b * r / (100 + r))) for r, b, _ in t.breakdown]
        t.vat_total = sum((v for _, _, v in t.breakdown), D(0))
        t.net = t.gross - t.vat_total
    else:
        t.net = sum((b for _, b, _ in t.breakdown), D(0))
        t.vat_total = sum((v for _, _, v in t.breakdown), D(0))
        t.gross = t.net + t.vat_total
    t.amount_due = t.gross
    if allow_extras and not doc.negative and doc.doc_type == "invoice" and rng.random() < 0.08:
        t.prepaid = fmt.q2(t.gross * D(rng.choice([20, 30, 40, 50])) / 100)
        t.amount_due = t.gross - t.prepaid
    return t


def _fill_letter(rng, doc: Doc) -> None:
    subject, paras = rng.choice(texts.LETTERS[doc.lang])
    d = doc.issue_date + dt.timedelta(days=rng.randint(14, 60))
    d2 = doc.issue_date + dt.timedelta(days=rng.randint(5, 14))
    vals = dict(date=doc.style.date(d), date2=doc.style.date(d2), pct=rng.choice([3, 4, 5, 6, 8]),
                week=rng.randint(2, 51), ref=f"{rng.randint(1000, 9999)}", bank_block="{bank_block}")
    doc.subject = subject.format(**vals)
    doc.paragraphs = [p.format(**vals) for p in paras]
    doc.show_bank_in_body = "{bank_block}" in doc.paragraphs


def _fill_other(rng, doc: Doc) -> None:
    kind, subject, paras = rng.choice(texts.OTHER[doc.lang])
    doc.other_kind = kind
    d = doc.issue_date + dt.timedelta(days=rng.randint(7, 40))
    month = (fmt.MONTHS_DE if doc.lang == "de" else fmt.MONTHS_EN)[doc.issue_date.month - 1]
    vals = dict(date=doc.style.date(d), date2=doc.style.date(d - dt.timedelta(days=5)), month=f"{month} {doc.issue_date.year}",
                year=doc.issue_date.year + (1 if doc.issue_date.month > 9 else 0), year0=doc.issue_date.year - 1, company=doc.sender.name, holder=doc.recipient.name,
                taxno=doc.recipient.tax_number or C.make_tax_number(rng), glaeubiger=f"{rng.randint(10, 99)}ZZZ{C._digits(rng, 11)}")
    if kind in ("statement", "report", "payment_advice", "balance_confirmation", "bank_statement"):
        # Invoice numbers and amounts a statement or report names: an invoice's words
        # on a page that is none.
        year = doc.issue_date.year
        amounts = [D(rng.randint(4000, 900000)) / 100 for _ in range(3)]
        amounts[2] = min(amounts[2], amounts[0])
        earlier = [doc.issue_date - dt.timedelta(days=rng.randint(10, 70)) for _ in range(2)]
        vals.update(inv1=C.document_number(rng, year, "RE"), inv2=C.document_number(rng, year, "RE"), inv3=C.document_number(rng, year, "GS"),
                    amt1=doc.style.money(amounts[0]), amt2=doc.style.money(amounts[1]), amt3=doc.style.money(amounts[2]),
                    saldo=doc.style.money(amounts[0] + amounts[1] - amounts[2] if kind != "report" else D(rng.randint(1000000, 90000000)) / 100),
                    date2=doc.style.date(earlier[0]), date3=doc.style.date(earlier[0] + dt.timedelta(days=30)),
                    date4=doc.style.date(earlier[1]), date5=doc.style.date(earlier[1] + dt.timedelta(days=14)),
                    n1=rng.randint(120, 900), n2=rng.randint(10, 110), n3=rng.randint(2, 12), n4=rng.randint(5, 60), n5=rng.randint(20, 90), n6=rng.randint(1, 19))
    doc.subject = subject.format(**vals)
    doc.paragraphs = [p.format(**vals) for p in paras]
    if kind == "pricelist":
        doc.has_prices = True
        _make_lines(rng, doc, doc.sender.trade, rng.randint(8, 30), None)
        for ln in doc.lines:
            ln.qty, ln.amount, ln.vat_rate = D(1), None, None


def _fill_contract(rng, doc: Doc) -> None:
    spec = texts.CONTRACTS[doc.lang]
    doc.title = rng.choice(spec["titles"])
    fee = doc.style.money(D(rng.choice([190, 250, 390, 480, 650, 890, 1200, 1850])))
    bank = doc.seller.bank
    start = doc.issue_date.replace(day=1) + dt.timedelta(days=32)
    vals = dict(service=rng.choice(spec["services"]), fee=fee, bank=bank.name, iban=_group(bank.iban),
                start=doc.style.date(start.replace(day=1)), city=doc.seller.city)
    secs = spec["sections"]
    chosen = [s for i, s in enumerate(secs) if i in (0, 3, 4, len(secs) - 1) or rng.random() < 0.6]
    doc.sections = [(h, [p.format(**vals) for p in ps]) for h, ps in chosen]


def _group(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def _fill_reminder(rng, doc: Doc) -> None:
    n = rng.choices([1, 2, 3, 4], [60, 20, 12, 8])[0]
    level = 0 if "erinnerung" in doc.title.lower() or doc.title == "Payment Reminder" else 1
    for _ in range(n):
        d = doc.issue_date - dt.timedelta(days=rng.randint(25, 120))
        amount = fmt.q2(D(rng.uniform(40, 6000)))
        paid = fmt.q2(amount * D(rng.choice([20, 50])) / 100) if rng.random() < 0.15 else D(0)
        doc.referenced.append(RefInvoice(C.document_number(rng, d.year, "RE"), d, d + dt.timedelta(days=rng.choice([14, 30])), amount, paid))
    doc.referenced.sort(key=lambda r: r.date)
    if level and rng.random() < 0.8:
        doc.fees.append(("Mahngebühr" if doc.lang == "de" else "Reminder fee", D(rng.choice(["5.00", "7.50", "10.00", "2.50"]))))
    if level and rng.random() < 0.4:
        open_sum = sum(r.amount - r.paid for r in doc.referenced)
        doc.fees.append(("Verzugszinsen" if doc.lang == "de" else "Late payment interest", fmt.q2(open_sum * D(rng.choice(["0.012", "0.009", "0.021"])))))
    total = sum((r.amount - r.paid for r in doc.referenced), D(0)) + sum((f for _, f in doc.fees), D(0))
    doc.totals = Totals(line_total=total, net=total, breakdown=[], vat_total=D(0), gross=total, amount_due=total)
    doc.due_date = doc.issue_date + dt.timedelta(days=rng.choice([7, 10, 14]))


def build(rng, doc_type: str) -> Doc:
    """A complete document of `doc_type` with consistent content and amounts."""
    lang, seller_c, buyer_c = _choose_lang_and_countries(rng, doc_type)
    general = [t for t in C.TRADES if t not in ("gastro", "tankstelle")]
    trade = rng.choice(TRADES_BY_TYPE.get(doc_type, general + (["gastro", "tankstelle"] if doc_type == "invoice" else [])))
    supplier = C.make_company(rng, seller_c, trade)
    if rng.random() < 0.12 and doc_type in ("invoice", "receipt", "quote", "order_confirmation", "letter") and buyer_c == "DE":
        customer = C.make_person_party(rng, "DE")
    else:
        customer = C.make_company(rng, buyer_c, rng.choice(general))
        if rng.random() < 0.5:
            customer.contact = C.person_name(rng, buyer_c)[0]
    currency = _currency(rng, seller_c)
    style = fmt.pick_style(rng, lang, currency, seller_c)
    lab = labels.pick_labels(rng, lang, doc_type)
    issue = _date(rng)
    if doc_type == "order":
        sender, recipient = customer, supplier
        if not customer.is_company:
            customer = C.make_company(rng, buyer_c, "buero")
            sender = customer
    else:
        sender, recipient = supplier, customer
    title = rng.choice(labels.TITLES[lang].get(doc_type, [""]))
    doc = Doc(doc_type=doc_type, lang=lang, currency=currency, style=style, lab=lab, title=title,
              sender=sender, recipient=recipient, seller=supplier, buyer=customer, issue_date=issue)
    doc.signer = rng.choice(sender.directors) if sender.directors and rng.random() < 0.5 else C.person_name(rng, sender.country)[0]
    doc.vat_mode = _vat_mode(rng, supplier, customer.country, trade, doc_type)
    doc.show_buyer_vat = (doc.vat_mode in ("reverse_charge", "intra_community") and customer.vat_id is not None
                          and doc_type not in ("order", "letter", "other"))
    year = issue.year

    if doc_type in ("letter", "other"):
        doc.seller = doc.buyer = None
        if doc_type == "letter":
            _fill_letter(rng, doc)
        else:
            _fill_other(rng, doc)
            if doc.other_kind == "tax_office":
                fa_city = rng.choice(C.CITIES["DE"])
                doc.sender = C.Party(name=f"Finanzamt {fa_city[1].split(' (')[0]}", country="DE", street=f"{rng.choice(C.STREETS['DE'])} {rng.randint(1, 40)}",
                                     postcode=fa_city[0], city=fa_city[1], short="FA")
                doc.sender.phone = C.phone(rng, "DE")
                doc.sender.bank = C.Bank("Deutsche Bundesbank", C.make_iban(rng, "DE", fa_city[0][:3] + "00000"), "MARKDEF1" + fa_city[0][:3])
            elif doc.other_kind == "bank_statement" and doc.sender.bank is not None:
                # A bank writes to its account holder: the sender is the sender's bank, at its city.
                bank, s = doc.sender.bank, doc.sender
                doc.sender = C.Party(name=bank.name, country=s.country, street=f"{rng.choice(C.STREETS.get(s.country, C.STREETS['DE']))} {rng.randint(1, 40)}", postcode=s.postcode, city=s.city, short="BK")
                doc.sender.bank = bank
        doc.number = C.customer_number(rng) if rng.random() < 0.3 else None
        return doc

    doc.number = C.document_number(rng, year, labels.NUMBER_PREFIX[doc_type])
    doc.customer_no = C.customer_number(rng) if rng.random() < 0.7 else None
    doc.contact = C.person_name(rng, supplier.country)[0] if rng.random() < 0.4 else None
    if doc_type == "contract":
        doc.number = doc.number if rng.random() < 0.4 else None
        _fill_contract(rng, doc)
        return doc
    if doc_type == "reminder":
        _fill_reminder(rng, doc)
        return doc

    rates = None if doc.vat_mode == "small_business" else (RATES[supplier.country] if doc.vat_mode in ("domestic", "foreign") else (D(0), D(0)))
    doc.gross_prices = doc_type == "receipt"
    doc.has_prices = doc_type != "delivery_note"
    if doc_type == "credit_note":
        doc.negative = doc.title in ("Stornorechnung", "Rechnungskorrektur", "Korrekturrechnung") or rng.random() < 0.1
        orig = issue - dt.timedelta(days=rng.randint(5, 90))
        doc.referenced.append(RefInvoice(C.document_number(rng, orig.year, "RE"), orig, orig, D(0), D(0)))
    if doc_type in ("invoice", "credit_note", "order_confirmation", "delivery_note") and rng.random() < 0.55:
        doc.order_ref = C.order_number(rng, year)
        doc.order_ref_date = issue - dt.timedelta(days=rng.randint(3, 40)) if rng.random() < 0.5 else None
    if doc_type == "order":
        doc.order_ref = doc.number
    _make_lines(rng, doc, trade if doc_type != "order" else supplier.trade, _line_count(rng, doc_type), rates)
    if rates is None:
        for ln in doc.lines:
            ln.vat_rate = D(0) if ln.vat_rate is not None else None
    if doc.has_prices:
        doc.totals = compute_totals(rng, doc, allow_extras=doc_type in ("invoice", "order_confirmation", "quote", "credit_note"))
        if doc.negative and doc.totals.amount_due is not None:
            doc.totals.amount_due = doc.totals.gross
    if doc_type in ("invoice", "credit_note", "delivery_note", "order_confirmation"):
        r = rng.random()
        if r < 0.6:
            doc.delivery_date = issue - dt.timedelta(days=rng.randint(0, 20))
        elif r < 0.75:
            start = (issue.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            doc.delivery_date, doc.delivery_end = start, issue.replace(day=1) - dt.timedelta(days=1)
        if doc_type == "order_confirmation" and doc.delivery_date:
            doc.delivery_date = issue + dt.timedelta(days=rng.randint(3, 40))
            doc.delivery_end = None
    if doc_type == "invoice":
        r = rng.random()
        if r < 0.55:
            doc.due_days = rng.choice([7, 10, 14, 14, 30, 30, 60])
            doc.due_date = issue + dt.timedelta(days=doc.due_days)
            doc.payment = "transfer"
        elif r < 0.8:
            doc.due_days = rng.choice([8, 14, 30])
            doc.payment = "transfer"
        elif r < 0.92:
            doc.payment = "debit"
        else:
            doc.payment = "paid"
        if doc.payment == "transfer" and rng.random() < 0.15 and not doc.totals.prepaid:
            pct = D(rng.choice([2, 3]))
            doc.skonto = (pct, issue + dt.timedelta(days=10), fmt.q2(doc.totals.gross * (100 - pct) / 100))
    elif doc_type == "receipt":
        doc.payment = "paid"
    elif doc_type == "credit_note":
        doc.payment = "none"
    elif doc_type == "quote":
        doc.valid_until = issue + dt.timedelta(days=rng.choice([14, 30, 30, 60]))
        doc.payment = "none"
    else:
        doc.payment = "none"
    return doc


# Insurance premium invoices ("Beitragsrechnung"): an insurer bills a policy's premium for a
# period, insurance tax (Versicherungsteuer) included or on top, with the contract's terms as
# prose around the amounts. Their words ("Vertrag", "Beitragsgutschriften", "Versicherung")
# belong to contracts and credit notes elsewhere, so the classifier must see them on invoices.
INSURER_PREFIXES = ["Allgemeine", "Hanseatische", "Rheinische", "Westfälische", "Süddeutsche", "Norddeutsche",
                    "Bayerische", "Mitteldeutsche", "Badische", "Fränkische"]
INSURER_SUFFIXES = ["Versicherung AG", "Versicherungsverein a.G.", "Versicherungs-AG", "Feuerversicherung VVaG",
                    "Sachversicherung AG", "Versicherungsgesellschaft mbH"]
INSURANCE_BRANCHES = ["Kraftfahrtversicherung", "Sachversicherung", "Haftpflichtversicherung", "Hausratversicherung",
                      "Wohngebäudeversicherung", "Betriebsversicherung", "Rechtsschutzversicherung"]
INSURANCE_TITLES = ["Beitragsrechnung", "Beitragsrechnung zur {branch}", "Beitragsrechnung zur {branch} Nr. {policy}",
                    "Prämienrechnung", "Rechnung über den Versicherungsbeitrag"]
INSURANCE_COVERS = ["Kfz-Haftpflicht SF{sf} ({pct} %) Typkl. {tk} Regio R{r}", "Vollkasko SF{sf} ({pct} %) Typkl. {tk}",
                    "Teilkasko ohne Selbstbeteiligung", "Privathaftpflicht", "Hausrat, Versicherungssumme {vs} €",
                    "Wohngebäude (gleitender Neuwert)", "Betriebshaftpflicht", "Inhaltsversicherung", "Elementarschäden",
                    "Glasversicherung", "Rechtsschutz Privat/Beruf/Verkehr", "Unfall, Grundsumme {vs} €",
                    "Elektronikversicherung", "Cyber-Basisschutz", "Schutzbrief", "Fahrerschutz"]
INSURANCE_INTRO = [
    "Bei Ausstellung der Beitragsrechnung wurde der bekannte Vertragsstand (Zahlungen, Vertragsänderungen) bis zum {stand} berücksichtigt.",
    "Versicherungszeitraum: {start} - {end}",
    "Für Ihren Vertrag Nr. {policy} berechnen wir Ihnen für den Zeitraum {start} bis {end} folgenden Beitrag:",
    "Lösen Sie die Beitragsrechnung bitte auch bei Vertragsänderungen ein. Die Zahlung werden wir verrechnen.",
]
INSURANCE_END = [
    "Beitragsgutschriften aus Ihrem Vertrag erstatten wir per Scheck.",
    "Einfacher für Sie ist es, wenn Sie uns ein SEPA-Lastschriftmandat erteilen.",
    "Diese Rechnung wird auch als Beitragsnachweis vom Finanzamt anerkannt.",
    "Bitte geben Sie bei Zahlung die Versicherungsschein-Nummer {policy} an.",
    "Versicherungsbeiträge sind nach § 4 Nr. 10 UStG von der Umsatzsteuer befreit; der Beitrag enthält die gesetzliche Versicherungsteuer.",
    "Wenn Sie den Beitrag nicht rechtzeitig zahlen, kann der Versicherungsschutz entfallen (§ 38 VVG).",
]


# Premium invoices whose subject is the contract, as many insurers word them: no "Rechnung"
# in the title, the amounts and "berechnen wir Ihnen" make it an invoice.
INSURANCE_SUBJECTS = ["{contract}svertrag Nr: {policy}", "{contract}svertrag Nr. {policy}", "Ihr {contract}svertrag {policy}",
                      "Versicherungsschein Nr. {policy} – {branch}"]


def insurance_subject(rng, doc: Doc) -> None:
    """Replaces a premium invoice's title by a subject that names the contract."""
    branch, policy = doc.insurance
    doc.title = rng.choice(INSURANCE_SUBJECTS).format(contract=branch, branch=branch, policy=policy)
    doc.untyped_title = True


def _prose_and_terms(rng, doc: Doc, fill: dict, intro: tuple[list[str], int], end: tuple[list[str], int], unpaid: str) -> None:
    """A letter-like invoice's prose: one to n of `intro`'s sentences above the table and of
    `end`'s below the totals, filled in from `fill`; no early-payment discount, and paid by
    `unpaid` where the base invoice was already paid."""
    doc.intro_notes = [t.format(**fill) for t in rng.sample(intro[0], rng.randint(1, intro[1]))]
    doc.end_notes = [t.format(**fill) for t in rng.sample(end[0], rng.randint(1, end[1]))]
    doc.skonto = None
    if doc.payment == "paid":
        doc.payment = unpaid


def make_insurance_premium(rng, doc: Doc) -> None:
    """Turns a German domestic invoice into an insurer's premium invoice: insurer as seller,
    covers as lines (one each, at 19 % insurance tax), a period, prose about the contract."""
    seller = doc.seller
    if rng.random() < 0.5:
        seller.name = f"{rng.choice(INSURER_PREFIXES)} {rng.choice(INSURER_SUFFIXES)}"
    else:
        seller.name = f"{rng.choice(C.SURNAMES)} {rng.choice(INSURER_SUFFIXES)}"
    seller.short = "".join(w[0] for w in seller.name.split()[:2]).upper()
    domain = f"{C._slug(seller.name)}.de"
    seller.email = f"{rng.choice(['beitrag', 'service', 'kundenservice', 'info'])}@{domain}"
    seller.web = f"www.{domain}"
    seller.register = f"Amtsgericht {rng.choice(C.COURTS)}, HRB {rng.randint(1000, 259999)}"
    seller.vat_id = None if rng.random() < 0.7 else seller.vat_id   # premiums are VAT-exempt; many insurers print none
    seller.small_business = False
    doc.buyer.vat_id = None
    doc.show_buyer_vat = False
    policy = f"{rng.randint(10, 99)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}.{rng.randint(1, 9)}"
    branch = rng.choice(INSURANCE_BRANCHES)
    doc.title = rng.choice(INSURANCE_TITLES).format(branch=branch, policy=policy)
    doc.insurance = (branch, policy)
    doc.gross_prices = rng.random() < 0.5
    doc.order_ref = doc.order_ref_date = None
    doc.delivery_date = doc.delivery_end = None
    doc.lines = []
    fill = dict(sf=rng.randint(1, 35), pct=rng.choice([30, 35, 40, 45, 55, 70]), tk=rng.randint(10, 25), r=rng.randint(1, 12),
                vs=rng.choice(["50.000", "65.000", "100.000", "150.000"]))
    for i, cover in enumerate(rng.sample(INSURANCE_COVERS, rng.randint(1, 4)), 1):
        price = D(rng.randint(2500, 95000)) / 100
        doc.lines.append(Line(pos=i, name=cover.format(**fill), qty=D(1), unit_key="ls", unit_label=_unit_label(rng, "ls", "de", {}), price=price,
                              amount=price, vat_rate=D(19)))
    doc.totals = compute_totals(rng, doc, allow_extras=False)
    start = doc.issue_date + dt.timedelta(days=rng.randint(5, 25))
    end = start + dt.timedelta(days=rng.choice([90, 181, 364]))
    st = doc.style
    fill.update(policy=policy, start=st.date(start), end=st.date(end), stand=st.date(doc.issue_date - dt.timedelta(days=rng.randint(3, 10))))
    _prose_and_terms(rng, doc, fill, (INSURANCE_INTRO, 3), (INSURANCE_END, 3), unpaid="debit")
    lab = dict(doc.lab)
    if doc.gross_prices:   # the covers' prices include the tax
        lab["vat"] = rng.choice(["darin enthaltene Versicherungsteuer {r}", "enthaltene Versicherungsteuer {r}"])
        lab["vat_total"] = "enthaltene Versicherungsteuer"
    else:
        lab["vat"] = rng.choice(["Versicherungsteuer {r}", "zzgl. {r} Versicherungsteuer"])
        lab["vat_total"] = "Versicherungsteuer"
    lab["net"] = rng.choice(["Nettobeitrag", "Beitrag ohne Versicherungsteuer", "Beitrag netto"])
    lab["gross"] = rng.choice(["zu zahlender Beitrag", "Gesamtbeitrag", "Beitrag inkl. Versicherungsteuer", "Rechnungsbetrag"])
    doc.lab = lab


# Service-charge invoices ("Betriebskostenabrechnung"): a landlord bills a commercial
# tenant the year's running costs (taxable, as the letting opted for VAT), each cost as a
# line, the advance payments deducted. The words of a settlement ("Abrechnung",
# "Abrechnungszeitraum", "Vorauszahlungen", "Nachzahlung") belong to statements elsewhere,
# and many such invoices carry no "Rechnung" in their title.
LANDLORD_NAMES = ["{surname} Grundbesitz GmbH & Co. KG", "{surname} Immobilienverwaltung GmbH", "Hausverwaltung {surname} GmbH",
                  "{city} Gewerbepark GmbH", "{surname} Liegenschaften GmbH", "Grundstücksgesellschaft {city} mbH",
                  "{surname} Hausverwaltung e.K."]
SERVICE_CHARGE_TITLES = ["Betriebskostenabrechnung {year}", "Nebenkostenabrechnung {year}", "Abrechnung der Betriebskosten {year}",
                         "Heiz- und Betriebskostenabrechnung {year}", "Rechnung Betriebskosten {year}",
                         "Rechnung zur Nebenkostenabrechnung {year}", "Betriebskostenabrechnung – Rechnung"]
SERVICE_COSTS = ["Grundsteuer", "Wasserversorgung", "Entwässerung", "Heizkosten", "Warmwasser", "Aufzug", "Straßenreinigung",
                 "Müllbeseitigung", "Gebäudereinigung", "Gartenpflege", "Allgemeinstrom", "Schornsteinreinigung",
                 "Sach- und Haftpflichtversicherung", "Hauswart", "Winterdienst", "Wartung Brandmeldeanlage",
                 "Abrechnungskreis {n}", "Verwaltungskosten"]
SERVICE_INTRO = [
    "Abrechnungszeitraum: {start} bis {end}",
    "Mietobjekt: {street}, {unit}",
    "Rechnung gemäß Betriebskostenabrechnung vom {stand}.",
    "anbei erhalten Sie die Abrechnung der Betriebskosten für den Zeitraum {start} bis {end}.",
    "Verteilerschlüssel: Mietfläche {area} m² von {total_area} m².",
]
SERVICE_END = [
    "Die geleisteten Vorauszahlungen sind berücksichtigt.",
    "Einwendungen gegen die Abrechnung sind innerhalb von zwölf Monaten nach Zugang geltend zu machen.",
    "Die Belege können nach Terminvereinbarung in unseren Geschäftsräumen eingesehen werden.",
    "Die monatliche Vorauszahlung ab {next} beträgt {advance}.",
]


def make_service_charge(rng, doc: Doc) -> None:
    """Turns a German domestic invoice into a landlord's service-charge invoice (see above)."""
    seller = doc.seller
    seller.name = rng.choice(LANDLORD_NAMES).format(surname=rng.choice(C.SURNAMES), city=seller.city)
    seller.short = "".join(w[0] for w in seller.name.split()[:2]).upper()
    domain = f"{C._slug(seller.name)}.de"
    seller.email = f"{rng.choice(['abrechnung', 'verwaltung', 'info', 'buchhaltung'])}@{domain}"
    seller.web = f"www.{domain}"
    seller.small_business = False
    year = doc.issue_date.year - 1
    title = rng.choice(SERVICE_CHARGE_TITLES).format(year=year)
    doc.title = title
    doc.untyped_title = "Rechnung" not in title
    doc.gross_prices = False
    doc.order_ref = doc.order_ref_date = None
    doc.delivery_date = doc.delivery_end = None
    doc.lines = []
    for i, cost in enumerate(rng.sample(SERVICE_COSTS, rng.randint(2, 8)), 1):
        price = D(rng.randint(4000, 480000)) / 100
        doc.lines.append(Line(pos=i, name=cost.format(n=i), qty=D(1), unit_key="ls", unit_label=_unit_label(rng, "ls", "de", {}), price=price,
                              amount=price, vat_rate=D(19)))
    doc.totals = compute_totals(rng, doc, allow_extras=False)
    t = doc.totals
    if rng.random() < 0.6:
        # The advance payments were less than the costs: the tenant pays the rest.
        t.prepaid = fmt.q2(t.gross * D(rng.randint(55, 95)) / 100)
        t.amount_due = t.gross - t.prepaid
    st = doc.style
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    area = rng.randint(80, 1200)
    fill = dict(start=st.date(start), end=st.date(end), stand=st.date(doc.issue_date - dt.timedelta(days=rng.randint(1, 20))),
                street=f"{rng.choice(C.STREETS['DE'])} {rng.randint(1, 120)}", unit=rng.choice(["Einheit 1.OG links", "Halle 3", "Büro 2.OG", "Laden EG", "5.OG rechts"]),
                area=area, total_area=area * rng.randint(3, 12), next=st.date(doc.issue_date.replace(day=1) + dt.timedelta(days=62)),
                advance=st.money(fmt.q2(t.gross / 12)))
    _prose_and_terms(rng, doc, fill, (SERVICE_INTRO, 3), (SERVICE_END, 2), unpaid="transfer")
    lab = dict(doc.lab)
    lab["net"] = rng.choice(["Summe Betriebskosten netto", "Kosten gesamt netto", "Summe netto", "Gesamtkosten (netto)"])
    lab["gross"] = rng.choice(["Betriebskosten gesamt", "Gesamtbetrag", "Summe brutto", "Rechnungsbetrag"])
    lab["prepaid"] = rng.choice(["abzgl. geleistete Vorauszahlungen", "abzgl. Vorauszahlungen", "Vorauszahlungen {d}"])
    lab["due_amount"] = rng.choice(["Nachzahlung", "Nachzahlungsbetrag", "zu zahlen", "Ihr Nachzahlungsbetrag"])
    doc.lab = lab


# Indian GST invoices ("Tax Invoice"): an Indian supplier's invoice in rupees with the
# supplier's GSTIN, HSN/SAC codes per line, and GST split into CGST and SGST within a state
# or charged as IGST between states; to a buyer abroad an export "under LUT" without IGST.
GST_LABELS = {
    "vat_id": ["GSTIN", "GSTIN", "GSTIN/UIN", "GST No.", "GST Reg. No."],
    "buyer_vat": ["Buyer GSTIN", "Customer GSTIN", "GSTIN of Recipient", "Recipient GSTIN", "Party GSTIN"],
    "tax_no": ["PAN", "PAN No."],
    "net": ["Taxable Value", "Sub Total", "Taxable Amount", "Total Taxable Value", "Subtotal"],
    "vat_total": ["Total Tax", "Total GST", "Total Tax Amount", "GST Total"],
    "gross": ["Grand Total", "Total Invoice Value", "Total Amount", "Invoice Total", "Total Amount (INR)"],
    "date": ["Invoice Date", "Date", "Dated", "Invoice Date"],
    "number": ["Invoice No.", "Invoice No", "Bill No.", "Invoice #", "Tax Invoice No."],
    "rate_col_breakdown": ["GST Rate", "Tax Rate", "IGST Rate"],
    "base_col": ["Taxable Value", "Taxable Amount"],
    "amount_col": ["IGST", "Tax Amount", "GST Amount"],
}
GST_NOTES = {
    "export": ["Supply meant for export under LUT without payment of IGST.",
               "Export of services under Letter of Undertaking (LUT) – IGST not charged.",
               "Zero-rated supply under LUT, ARN AD{arn}."],
    "domestic": ["Whether tax is payable on reverse charge basis: No", "Subject to {city} jurisdiction.",
                 "Certified that the particulars given above are true and correct."],
}
SAC_CODES = ["998311", "998313", "998314", "998315", "998319", "998361", "998599", "997212", "998713", "998433"]
HSN_CODES = ["8471", "84713010", "8473", "85176290", "4820", "48201010", "9403", "3926", "8544", "847330", "6109", "0902"]
INR_UNITS = {"EUR": D(90), "GBP": D(105), "USD": D(83), "CHF": D(95)}


def make_gst_invoice(rng, doc: Doc) -> None:
    """Turns an English invoice into an Indian supplier's GST invoice (see above)."""
    old_rate = INR_UNITS.get(doc.currency, D(1))
    trade = doc.seller.trade
    seller = C.make_company(rng, "IN", trade)
    domestic = rng.random() < 0.6
    if domestic:
        buyer = C.make_company(rng, "IN", rng.choice([t for t in C.TRADES if t not in ("gastro", "tankstelle", "hotel")]))
        buyer.contact = C.person_name(rng, "IN")[0] if rng.random() < 0.4 else None
        state = C.IN_STATES[seller.city][0]
        doc.gst = "intra" if C.IN_STATES[buyer.city][0] == state or rng.random() < 0.3 else "inter"
        if doc.gst == "intra" and C.IN_STATES[buyer.city][0] != state:
            # The same state: the buyer sits in the seller's city.
            buyer.postcode, buyer.city = seller.postcode, seller.city
            buyer.vat_id = C.make_gstin(rng, state, C.make_pan(rng))
    else:
        buyer = doc.buyer
        doc.gst = None
    doc.contact = C.person_name(rng, "IN")[0] if doc.contact else None
    doc.signer = C.person_name(rng, "IN")[0]
    doc.seller = doc.sender = seller
    doc.buyer = doc.recipient = buyer
    doc.currency = "INR" if domestic or rng.random() < 0.6 else "USD"
    doc.style = fmt.pick_style(rng, "en", doc.currency, "IN")
    lab = dict(doc.lab)
    for k, v in GST_LABELS.items():
        lab[k] = rng.choice(v)
    cols = dict(lab["cols"])
    cols["price"] = rng.choice(["Rate", "Unit Price", "Rate per unit", "Price"])
    cols["amount"] = rng.choice(["Amount", "Taxable Value", "Value", "Total"])
    cols["hsn"] = rng.choice(["HSN/SAC", "HSN", "SAC", "HSN Code"])
    cols["vat"] = rng.choice(["GST %", "GST Rate", "Tax %", "GST"])
    lab["cols"] = cols
    if doc.gst == "intra":
        lab["vat"] = rng.choice(["{t} @ {r}", "{t} {r}", "Add: {t} @ {r}"])
    else:
        lab["vat"] = rng.choice(["IGST @ {r}", "IGST {r}", "Add: IGST @ {r}"])
    doc.lab = lab
    doc.title = rng.choice(["Tax Invoice", "TAX INVOICE", "Tax Invoice", "Invoice"] if domestic else ["Export Invoice", "Tax Invoice", "Invoice", "EXPORT INVOICE"])
    doc.vat_mode = "gst" if domestic else "export"
    doc.show_buyer_vat = domestic and buyer.vat_id is not None
    doc.skonto = None
    if doc.payment == "debit":
        doc.payment = "transfer"
    doc.number = rng.choice([f"{seller.short}/{doc.issue_date.year % 100}-{doc.issue_date.year % 100 + 1}/{rng.randint(1, 999):03d}",
                             f"INV-{rng.randint(1000, 99999)}", f"{rng.randint(1, 9999)}", f"GST/{doc.issue_date.year}/{rng.randint(100, 9999)}",
                             f"TI{rng.randint(100000, 999999)}"])
    services = trade in ("it", "beratung", "steuer", "druck", "reinigung")
    rates = (D(18), D(rng.choice([5, 12]))) if domestic else (D(0), D(0))
    n = max(1, len(doc.lines))
    doc.lines = []
    _make_lines(rng, doc, trade, n, rates)
    factor = old_rate if doc.currency == "INR" else D(1)
    for ln in doc.lines:
        ln.hsn = rng.choice(SAC_CODES if services else HSN_CODES)
        if factor != 1 and ln.price is not None:
            # Catalogue prices are in euros: rupee prices are as many rupees as they are worth.
            ln.price = fmt.q2(ln.price * factor)
            ln.amount = fmt.q2(ln.qty * ln.price * ((D(100) - ln.discount) / D(100) if ln.discount else D(1)))
    doc.totals = compute_totals(rng, doc, allow_extras=False)
    if doc.gst == "intra":
        # CGST and SGST are each half the rate, each rounded: the tax is twice the half.
        t = doc.totals
        t.breakdown = [(r, b, 2 * fmt.q2(b * r / 200)) for r, b, _ in t.breakdown]
        t.vat_total = sum((v for _, _, v in t.breakdown), D(0))
        t.gross = t.net + t.vat_total
        t.amount_due = t.gross
    note = GST_NOTES["domestic" if domestic else "export"]
    doc.end_notes = [rng.choice(note).format(arn=C._digits(rng, 12), city=seller.city)] if rng.random() < 0.7 else []
