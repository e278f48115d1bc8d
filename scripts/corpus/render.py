"""Draws a document (docs.Doc) in a concrete layout (layouts.Layout) with reportlab: the
letterhead, DIN 5008 address field, info block, item table with page breaks and carried
totals, totals block, payment notes, footer and page numbers, plus the prose bodies of
letters, contracts, reminders and receipts.

Every value that belongs in the ground truth is drawn with its keys, so the ground truth
holds exactly what the page shows (gt.py turns the recorded keys into values).
`render(doc, lay, seed)` draws twice: once to count the pages ("Seite 1 von N"), once for real.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

from reportlab.pdfbase import pdfmetrics

from . import content as C
from .docs import Doc
from .labels import CLOSING, INTRO, PAYMENT, SALUTATION, VAT_NOTES
from .layouts import Layout
from .texts import CONTRACTS
from .pdf import BLACK, GREY, MM, Pdf, extent, fit, register, width, wrap

WHITE = (1, 1, 1)
LIGHT = (0.93, 0.93, 0.93)
INVOICE_LIKE = ("invoice", "credit_note")


def _tint(c, k=0.88):
    return tuple(v + (1 - v) * k for v in c)


def _template_runs(template: str, values: dict) -> list[tuple[str, tuple]]:
    """'zzgl. {r} MwSt. auf {b}' with values {'r': (text, keys), …} → runs."""
    out = []
    for part in re.split(r"(\{[a-z]\})", template):
        if re.fullmatch(r"\{[a-z]\}", part):
            out.append(values[part[1]])
        elif part:
            out.append((part, ()))
    return out


class Renderer:
    def __init__(self, doc: Doc, lay: Layout, rng: random.Random, total_pages: int, page_h: float | None = None, seed: str = ""):
        self.d, self.L, self.rng, self.N = doc, lay, rng, total_pages
        self.seed = seed   # for draws of their own (features added later leave other documents as they were)
        register(lay.font)
        self.f, self.fb = lay.font, lay.font + "-Bold"
        self.s = lay.base_size
        self.small = max(6.0, self.s - 2)
        self.lead = self.s * 1.32
        w, h = lay.page
        self.pdf = Pdf((w, page_h or h or 2400.0), f"{doc.title or doc.subject or ''} {doc.number or ''}".strip())
        self.W, self.H = w, self.pdf.h
        self.x0 = lay.margin_l
        self.x1 = w - lay.margin_r
        if lay.header == "sidebar":
            self.x1 = w - 62 * MM
        if lay.header == "left_bar":
            self.x0 = max(self.x0, 24 * MM)
        self.y = 0.0
        self.st = doc.style
        if self.st.symbol == "₹" and 0x20B9 not in pdfmetrics.getFont(self.f).face.charToGlyph:
            self.st.symbol = "Rs."   # the font has no rupee sign: print what such invoices print
            self.st.symbol_pos = "before"
        self.lab = doc.lab
        self.fsize = 6.5 if self.s < 10 else 7
        self.footer_h = self._footer_height()
        self.bottom = self.H - self.footer_h - 24   # room for the page number above the footer
        self.running = Decimal(0)

    # ------------------------------------------------------------------------------ keys
    def pkeys(self, party, what: str) -> tuple:
        d, keys = self.d, []
        if what == "name":
            if party is d.sender:
                keys.append("sender_name")
            if party is d.recipient:
                keys.append("recipient_name")
        if party is d.seller:
            keys.append({"name": "seller_name", "vat_id": "seller_vat_id", "tax_number": "seller_tax_number"}[what])
        if party is d.buyer and what in ("name", "vat_id"):
            keys.append("buyer_" + what)
        return tuple(keys)

    def bank_keys(self, what: str) -> tuple:
        return () if self.d.doc_type == "order" else (what,)

    def number_keys(self) -> tuple:
        t = self.d.doc_type
        if t in INVOICE_LIKE:
            return ("invoice_number", "document_number")
        if t == "order":
            return ("document_number", "order_reference")
        if t == "delivery_note":
            return ("document_number", "delivery_note_reference")
        return ("document_number",)

    def money_runs(self, value: Decimal, symbol: bool = True) -> list:
        """A money amount as runs, the currency symbol keyed as `currency`."""
        text = self.st.money(value, symbol)
        if not symbol:
            return [(text, ())]
        sym = self.st.symbol
        i = text.find(sym)
        return [(text[:i], ()), (sym, ("currency",)), (text[i + len(sym):], ())]

    def money(self, x, y, value, keys, font=None, size=None, align="right", color=BLACK, symbol=True) -> float:
        return self.pdf.runs(x, y, self.money_runs(value, symbol), font or self.f, size or self.s, align, color, keys)

    # ------------------------------------------------------------------------------ driver
    def render(self) -> bytes:
        d = self.d
        if self.L.thermal:
            self.receipt_thermal()
            return self.pdf.finish()
        self.first_page()
        if d.doc_type == "contract":
            self.body_contract()
        elif d.doc_type == "letter" or (d.doc_type == "other" and d.other_kind != "pricelist"):
            self.body_letter()
        elif d.doc_type == "reminder":
            self.body_reminder()
        else:
            self.body_items()
        self.end_page()
        return self.pdf.finish()

    def need(self, h: float) -> None:
        if self.y + h > self.bottom:
            self.new_page()

    def new_page(self) -> None:
        self.end_page()
        self.pdf.show_page()
        self.continuation_header()

    def end_page(self) -> None:
        self.footer()
        self.page_number()
        if self.L.header == "left_bar":
            self.pdf.rect(0, 0, 9 * MM, self.H, fill=self.L.accent)

    # ------------------------------------------------------------------------------ letterhead
    def logo(self, x, y, size):
        """A drawn logo (no image files): initials in a shape, bars, dots or a roof."""
        p, a, kind = self.pdf, self.L.accent, self.rng.choice(["square", "circle", "bars", "dots", "roof", "triangle"])
        if kind == "square":
            p.rect(x, y, size, size, fill=a, radius=self.rng.choice([0, 4]))
            p.text(x + size / 2, y + size * 0.66, self.d.sender.short, self.fb, size * 0.42, "center", WHITE)
        elif kind == "circle":
            p.circle(x + size / 2, y + size / 2, size / 2, fill=a)
            p.text(x + size / 2, y + size * 0.66, self.d.sender.short[:1], self.fb, size * 0.5, "center", WHITE)
        elif kind == "bars":
            for i, k in enumerate((1.0, 0.75, 0.5)):
                p.rect(x, y + i * size / 3, size * k, size / 4, fill=a)
        elif kind == "dots":
            for i in range(3):
                for j in range(3):
                    if (i + j) % 2 == 0 or self.rng.random() < 0.5:
                        p.rect(x + j * size / 3, y + i * size / 3, size / 4, size / 4, fill=a)
        elif kind == "roof":
            p.polygon([(x, y + size * 0.5), (x + size / 2, y), (x + size, y + size * 0.5)], fill=a)
            p.rect(x + size * 0.15, y + size * 0.5, size * 0.7, size * 0.5, fill=_tint(a, 0.3))
        else:
            p.polygon([(x, y + size), (x + size / 2, y), (x + size, y + size)], fill=a)
        return size

    def contact_lines(self, with_web=True) -> list[str]:
        s, lab = self.d.sender, self.lab
        out = [f"{lab['phone']} {s.phone}"] if s.phone else []
        if s.fax and self.rng.random() < 0.6:
            out.append(f"Fax {s.fax}")
        if s.email:
            out.append(f"{lab['email']} {s.email}" if self.rng.random() < 0.5 else s.email)
        if s.web and with_web:
            out.append(s.web)
        return out

    def header_height(self) -> float:
        a = self.L.address
        if a == "din_a":
            return 27 * MM
        if a == "din_b":
            return 45 * MM
        return 40 * MM

    def first_page(self):
        L, p, s, d = self.L, self.pdf, self.d.sender, self.d
        x0, x1, hh = self.x0, self.x1, self.header_height()
        nk = self.pkeys(s, "name")
        big = self.s + self.rng.choice([4, 5, 6, 8])
        addr = f"{s.street} · {s.city_line()}" if self.rng.random() < 0.5 else f"{s.street}, {s.city_line()}"
        kind = L.header
        words = s.name.split()
        if kind == "plain_sender" and getattr(self, "two_line_name", False) and len(words) >= 3:
            cut = len(words) // 2
            first, second = " ".join(words[:cut]), " ".join(words[cut:])
            sz = min(fit(first, self.fb, big, x1 - x0), fit(second, self.fb, big, x1 - x0))
            top, base = hh * 0.42, hh * 0.42 + sz * 1.1
            w1 = p.text(x0, top, first, self.fb, sz)
            w2 = p.text(x0, base, second, self.fb, sz)
            if nk:
                asc, dsc = extent(self.fb, sz)
                p.record(nk, x0, top - asc, x0 + max(w1, w2), base + dsc)
            p.text(x0, base + big * 0.9, addr, self.f, self.small, color=GREY)
            p.text(x0, base + big * 0.9 + self.small * 1.3, " · ".join(self.contact_lines(False)), self.f, self.small, color=GREY)
        elif kind == "plain_sender":
            p.text(x0, hh * 0.42, s.name, self.fb, fit(s.name, self.fb, big, x1 - x0), keys=nk)
            p.text(x0, hh * 0.42 + big * 0.9, addr, self.f, self.small, color=GREY)
            p.text(x0, hh * 0.42 + big * 0.9 + self.small * 1.3, " · ".join(self.contact_lines(False)), self.f, self.small, color=GREY)
        elif kind in ("name_right", "left_bar"):
            y = hh * 0.38
            p.text(x1, y, s.name, self.fb, fit(s.name, self.fb, big + 2, x1 - x0 - 100), "right", L.accent, keys=nk)
            y += self.small * 1.6
            for ln in [addr] + self.contact_lines()[:2]:
                p.text(x1, y, ln, self.f, self.small, "right", GREY)
                y += self.small * 1.25
            if kind == "name_right":
                p.line(x0, hh - 6, x1, hh - 6, 0.8, L.accent)
        elif kind in ("logo_left", "band_thin"):
            if kind == "band_thin":
                p.rect(0, 0, self.W, 7, fill=L.accent)
            size = min(hh * 0.5, 44) if not L.small else 28
            self.logo(x0, hh * 0.22, size)
            tx = x0 + size + 10
            p.text(tx, hh * 0.22 + size * 0.45, s.name, self.fb, fit(s.name, self.fb, big, x1 - tx - 10), keys=nk)
            trade = C.TRADES[s.trade]["words" if d.lang == "de" else "en_words"][0]
            p.text(tx, hh * 0.22 + size * 0.45 + self.small * 1.5, f"{trade} · {addr}", self.f, fit(f"{trade} · {addr}", self.f, self.small, x1 - tx), color=GREY)
        elif kind == "sidebar":
            sx = self.x1 + 12 * MM
            self.logo(sx, 12 * MM, 40)
            y = 12 * MM + 56
            blocks = [[(s.name, nk, self.fb), (s.street, (), self.f), (s.city_line(), (), self.f)],
                      [(ln, (), self.f) for ln in self.contact_lines()]]
            if s.bank and s.bank.iban:
                blocks.append([(s.bank.name, (), self.f), ("IBAN", (), self.f), (_group(s.bank.iban), self.bank_keys("iban"), self.f),
                               ("BIC", (), self.f), (s.bank.bic, self.bank_keys("bic"), self.f)])
            ids = []
            if s.vat_id:
                ids += [(self.lab["vat_id"], (), self.f), (s.vat_id, self.pkeys(s, "vat_id"), self.f)]
            if s.tax_number and self.rng.random() < 0.6:
                ids += [(self.lab["tax_no"], (), self.f), (s.tax_number, self.pkeys(s, "tax_number"), self.f)]
            blocks.append(ids)
            if s.directors:
                blocks.append([(self.lab["director"], (), self.f)] + [(n, (), self.f) for n in s.directors])
            if s.register:
                blocks.append([(part.strip(), (), self.f) for part in s.register.split(",")])
            sz = self.small
            for block in blocks:
                for text, keys, font in block:
                    y = self.wrapped(sx, y, text, font, sz, self.W - sx - 8, keys, GREY if font == self.f else BLACK, sz * 1.45)
                y += sz * 0.8
        elif kind == "band":
            bh = min(hh - 14, 62)
            p.rect(0, 0, self.W, bh, fill=L.accent)
            p.text(x0, bh * 0.58, s.name, self.fb, fit(s.name, self.fb, big + 3, (x1 - x0) * 0.6), color=WHITE, keys=nk)
            y = bh * 0.3
            name_w = width(s.name, self.fb, fit(s.name, self.fb, big + 3, (x1 - x0) * 0.6))
            for ln in [addr] + self.contact_lines()[:2]:
                p.text(x1, y, ln, self.f, fit(ln, self.f, self.small, x1 - x0 - name_w - 20, 5), "right", WHITE)
                y += self.small * 1.3
        elif kind == "mono":
            y = 12 * MM
            p.text(x0, y, s.name.upper(), self.fb, fit(s.name.upper(), self.fb, self.s + 1, x1 - x0))
            for ln in [s.street.upper(), s.city_line().upper()] + self.contact_lines(False)[:1]:
                y += self.s * 1.15
                p.text(x0, y, ln, self.f, self.s - 0.5)
        elif kind == "centered":
            cx = (x0 + x1) / 2
            name = s.name.upper() if self.rng.random() < 0.5 else s.name
            p.text(cx, hh * 0.42, name, self.fb, fit(name, self.fb, big + 2, x1 - x0), "center", keys=nk if name == s.name else ())
            p.text(cx, hh * 0.42 + big, addr, self.f, self.small, "center", GREY)
            p.text(cx, hh * 0.42 + big + self.small * 1.3, " · ".join(self.contact_lines()), self.f,
                   fit(" · ".join(self.contact_lines()), self.f, self.small, x1 - x0), "center", GREY)
            p.line(x0, hh - 8, x1, hh - 8, 0.8)
            p.line(x0, hh - 6, x1, hh - 6, 0.3)
        elif kind == "wordmark":
            mark = s.name.split()[0].lower()
            sz = fit(mark, self.fb, big + 10, (x1 - x0) * 0.5)
            w = p.text(x0, hh * 0.45, mark, self.fb, sz, color=L.accent)
            p.circle(x0 + w + 5, hh * 0.45 - 3, 3.2, fill=_tint(L.accent, 0.0))
            p.text(x0, hh * 0.45 + self.small * 1.8, s.name, self.f, self.small, color=GREY, keys=nk)
            y = hh * 0.25
            for ln in [s.street, s.city_line()] + self.contact_lines():
                p.text(x1, y, ln, self.f, self.small - 0.5, "right", GREY)
                y += (self.small - 0.5) * 1.3
        elif kind == "title_right":
            y = 14 * MM
            p.text(x0, y, s.name, self.fb, fit(s.name, self.fb, self.s + 3, (x1 - x0) * 0.55), keys=nk)
            for ln in [s.street, s.city_line(), C.COUNTRY_NAMES["en" if d.lang == "en" else "de"][s.country]] + self.contact_lines()[:2]:
                y += self.s * 1.25
                p.text(x0, y, ln, self.f, self.s - 0.5, color=GREY)
            self.title_done = True
            t = d.title.upper() if d.title else ""
            p.text(x1, 22 * MM, t, self.fb, fit(t, self.fb, 26, (x1 - x0) * 0.45), "right", L.accent, keys=self.title_keys())
        elif kind == "name_left":
            p.text(x0, hh * 0.45, s.name, self.fb, fit(s.name, self.fb, big + 1, x1 - x0), keys=nk)
            p.text(x0, hh * 0.45 + big, addr + " · " + (s.phone or ""), self.f, self.small, color=GREY)
            p.line(x0, hh * 0.45 + big + 8, x1, hh * 0.45 + big + 8, 0.5, L.accent)
        elif kind == "big_title":
            self.logo(x1 - 40, 12 * MM, 40)
            p.text(x0, 14 * MM, s.name, self.fb, fit(s.name, self.fb, self.s + 2, x1 - x0 - 60), keys=nk)
            p.text(x0, 14 * MM + self.s * 1.4, addr, self.f, self.small, color=GREY)
        elif kind == "logo_right":
            sz = fit(s.name, self.fb, big + 6, (x1 - x0) * 0.6)
            p.text(x1, 16 * MM, s.name, self.fb, sz, "right", L.accent, keys=nk)
            p.line(x1 - width(s.name, self.fb, sz), 16 * MM + 5, x1, 16 * MM + 5, 1.2, L.accent)
        if L.fold_marks:
            folds = (87, 192) if L.address == "din_a" else (105, 210)
            for f in folds:
                p.line(3 * MM, f * MM, 8 * MM, f * MM, 0.4, GREY)
            p.line(3 * MM, 148.5 * MM, 10 * MM, 148.5 * MM, 0.4, GREY)
        self.y = self.address_and_info()

    def wrapped(self, x, y, text, font, size, max_w, keys=(), color=BLACK, lead=None) -> float:
        """Text shrunk a little to fit `max_w`, else wrapped; the keys box all its lines.
        Returns the baseline after the last line."""
        lead = lead or size * 1.3
        size = fit(text, font, size, max_w, size * 0.85)
        lines = wrap(text, font, size, max_w)
        widest = max(width(ln, font, size) for ln in lines)
        if widest > max_w:   # one unbreakable word (an e-mail address): shrink it to fit
            size *= max_w / widest
        asc, dsc = extent(font, size)
        right = 0.0
        for i, ln in enumerate(lines):
            right = max(right, x + self.pdf.text(x, y + i * lead, ln, font, size, color=color))
        if keys:
            self.pdf.record(keys, x, y - asc, right, y + (len(lines) - 1) * lead + dsc)
        return y + len(lines) * lead

    def continuation_header(self):
        """Top of pages 2…N: a short running header with the document number."""
        p, d = self.pdf, self.d
        y = 15 * MM
        if self.L.header in ("band", "band_thin"):
            p.rect(0, 0, self.W, 7, fill=self.L.accent)
        p.text(self.x0, y, d.sender.name, self.fb, fit(d.sender.name, self.fb, self.s, (self.x1 - self.x0) * 0.5))
        runs = [(f"{d.title} ", ()), (d.number, self.number_keys())] if d.number and d.title else [(d.title or d.subject or "", ())]
        ref = "".join(r[0] for r in runs)
        if ref.strip():
            p.runs(self.x1, y, runs, self.f, fit(ref, self.f, self.s, (self.x1 - self.x0) * 0.45), "right")
        p.line(self.x0, y + 5, self.x1, y + 5, 0.4, GREY)
        self.y = y + 22

    # ------------------------------------------------------------------------------ address + info
    def title_keys(self) -> tuple:
        # A subject that names no document type ("Sachversicherungsvertrag Nr. …") shows no type code.
        return ("document_type_code",) if self.d.doc_type in INVOICE_LIKE and not self.d.untyped_title else ()

    def address_block(self, x, y, party, label=None) -> float:
        p, d = self.pdf, self.d
        if label:
            p.text(x, y, label, self.fb, self.small, color=GREY)
            y += self.lead
        nk = self.pkeys(party, "name")
        sz = self.s + (0.5 if self.s < 10 else 0)
        if not party.is_company:
            salutation, name = party.contact.split(" ", 1) if party.contact else ("", party.name)
            if salutation:
                p.text(x, y, salutation, self.f, sz)
                y += sz * 1.25
            p.text(x, y, name, self.f, sz, keys=nk)
            y += sz * 1.25
        else:
            p.text(x, y, party.name, self.f, fit(party.name, self.f, sz, 82 * MM), keys=nk)
            y += sz * 1.25
            if party.contact:
                att = ("z. Hd. " if d.lang == "de" else "Attn. ") + party.contact
                p.text(x, y, att, self.f, sz)
                y += sz * 1.25
        for ln in party.address_lines(d.lang, party.country != d.sender.country):
            p.text(x, y, ln, self.f, sz)
            y += sz * 1.25
        return y

    def info_items(self, include_number=True) -> list[tuple[str, list, tuple]]:
        """(label, runs, group keys) for the info block, in print order."""
        d, lab, st = self.d, self.lab, self.st
        items = []
        if d.number and include_number:
            items.append((lab["number"], [(d.number, ())], self.number_keys()))
        if d.customer_no:
            items.append((lab["customer_no"], [(d.customer_no, ())], ("customer_number",)))
        items.append((lab["date"], [(st.date(d.issue_date), ())], ("issue_date",)))
        if d.delivery_date and d.delivery_end:
            lbl = "Leistungszeitraum" if d.lang == "de" else "Service period"
            items.append((lbl, [(st.date(d.delivery_date), ("delivery_period_start",)), (" – ", ()),
                                (st.date(d.delivery_end), ("delivery_period_end",))], ()))
        elif d.delivery_date:
            lbl = lab["delivery_date"] if "zeitraum" not in lab["delivery_date"].lower() and "period" not in lab["delivery_date"] else ("Lieferdatum" if d.lang == "de" else "Delivery date")
            if d.doc_type == "order_confirmation":
                lbl = "Liefertermin" if d.lang == "de" else "Delivery date"
            items.append((lbl, [(st.date(d.delivery_date), ())], ("delivery_date",)))
        if d.order_ref and d.doc_type != "order":
            runs = [(d.order_ref, ("order_reference",))]
            if d.order_ref_date and self.L.info != "row":
                runs += [(" vom " if d.lang == "de" else " of ", ()), (st.date(d.order_ref_date), ())]
            items.append((lab["your_ref"], runs, ()))
        if d.delivery_ref and d.doc_type != "delivery_note":
            items.append((d.delivery_ref_label or "Lieferschein-Nr.", [(d.delivery_ref, ("delivery_note_reference",))], ()))
        if d.due_date and d.doc_type in ("invoice",) and self.info_due:
            items.append((lab["due"], [(st.date(d.due_date), ())], ("due_date",)))
        if d.valid_until:
            items.append((lab["valid_until"], [(st.date(d.valid_until), ())], ("valid_until",)))
        if d.show_buyer_vat and self.buyer_vat_in_info:
            items.append((lab["buyer_vat"], [(d.buyer.vat_id, ())], self.pkeys(d.buyer, "vat_id")))
        if d.contact:
            items.append((lab["our_ref"], [(d.contact, ())], ()))
        if self.L.page_no == "top_right" and self.N > 1:
            items.append(("Seite" if d.lang == "de" else "Page", [(f"1 {'von' if d.lang == 'de' else 'of'} {self.N}", ())], ()))
        return items

    def address_and_info(self) -> float:
        """Draws the address field and the info block; returns the y where the body starts."""
        L, p, d = self.L, self.pdf, self.d
        self.info_due = self.rng.random() < 0.4
        self.buyer_vat_in_info = self.rng.random() < 0.5
        self.number_in_heading = (L.heading_with_number and d.number is not None and L.info != "grid_box"
                                  and not getattr(self, "title_done", False))
        if d.doc_type == "contract":
            return self.header_height() + 10 * MM
        x0, x1 = self.x0, self.x1
        a = L.address
        if a == "parties_form":
            return self.parties_form()
        if a == "din_a":
            ret_y, addr_y, info_y = 42.5 * MM, 49.5 * MM, 32 * MM + self.s
        elif a == "din_b":
            ret_y, addr_y, info_y = 60.5 * MM, 67.5 * MM, 50 * MM + self.s
        elif a == "right":
            ret_y, addr_y, info_y = 50 * MM, 57 * MM, 50 * MM
        else:
            ret_y, addr_y, info_y = 0, 58 * MM, 58 * MM
        ax = 118 * MM if a == "right" else x0
        if L.return_line and a != "free":
            s = d.sender
            sep = self.rng.choice([" · ", " - ", ", ", " • "])
            ret = [(s.name, self.pkeys(s, "name")), (f"{sep}{s.street}{sep}{s.city_line()}", ())]
            if width("".join(r[0] for r in ret), self.f, 5.5) > 84 * MM:
                ret = [(s.name, self.pkeys(s, "name")), (f"{sep}{s.city_line()}", ())]
            sz = fit("".join(r[0] for r in ret), self.f, 7 if self.s >= 9 else 6.5, 84 * MM, 4.5)
            w = p.runs(ax, ret_y, ret, self.f, sz, color=GREY)
            if L.return_underline:
                p.line(ax, ret_y + 1.8, ax + w, ret_y + 1.8, 0.3, GREY)
        label = None
        if a == "free":
            label = {"de": "Rechnungsempfänger" if d.doc_type in INVOICE_LIKE else "Empfänger", "en": "Bill to" if d.doc_type in INVOICE_LIKE else "To"}[d.lang]
        addr_end = self.address_block(ax, addr_y, d.recipient, label)
        if d.show_buyer_vat and not self.buyer_vat_in_info:
            p.runs(ax, addr_end + 2, [(self.lab["buyer_vat"] + ": ", ()), (d.buyer.vat_id, self.pkeys(d.buyer, "vat_id"))], self.f, self.small)
            addr_end += self.lead
        # info block
        info = L.info
        items = self.info_items(include_number=not self.number_in_heading)
        end = addr_end
        if L.contact_block:
            cy = info_y
            for ln in self.contact_lines():
                p.text(x1, cy, ln, self.f, self.s, "right")
                cy += self.lead
            info_y = cy + self.lead
        if info == "right_grid":
            ix = 125 * MM
            colon = ":" if self.rng.random() < 0.5 else ""
            lw = max(width(lbl + colon, self.f, self.small) for lbl, _, _ in items) + 8
            right_align = self.rng.random() < 0.4 or ix + lw + 80 > x1
            y = info_y
            for lbl, runs, keys in items:
                p.text(ix, y, lbl + colon, self.f, self.small, color=GREY)
                if right_align:
                    p.runs(x1, y, runs, self.f, fit("".join(r[0] for r in runs), self.f, self.s, x1 - ix - lw), "right", keys=keys)
                else:
                    p.runs(ix + lw, y, runs, self.f, fit("".join(r[0] for r in runs), self.f, self.s, x1 - ix - lw), keys=keys)
                y += self.lead
            end = max(end, y)
        elif info == "right_aligned":
            y = info_y
            for lbl, runs, keys in items:
                p.runs(x1, y, [(lbl + ": ", ())] + list(runs), self.f, self.small + 0.5, "right", keys=keys)
                y += self.small * 1.45
            end = max(end, y)
        elif info == "boxed_right":
            bx = max(118 * MM, x1 - 78 * MM) if a != "right" else x0
            if a == "free":
                bx = x1 - 78 * MM
            bw = x1 - bx if a != "right" else 78 * MM
            y = info_y if a != "free" else addr_y
            h = len(items) * self.lead + 8
            lw = max(width(lbl, self.f, self.small) for lbl, _, _ in items) + 10
            p.rect(bx, y - self.s - 4, bw, h, stroke=GREY, lw=0.5)
            p.rect(bx, y - self.s - 4, lw, h, fill=LIGHT)
            p.rect(bx, y - self.s - 4, bw, h, stroke=GREY, lw=0.5)
            for lbl, runs, keys in items:
                p.text(bx + 4, y, lbl, self.f, self.small)
                p.runs(bx + bw - 4, y, runs, self.f, fit("".join(r[0] for r in runs), self.f, self.s, bw - lw - 8), "right", keys=keys)
                y += self.lead
            end = max(end, y)
        elif info == "grid_box":
            y = max(end, addr_y + 30 * MM) + 6
            cols = 3
            cw = (x1 - x0) / cols
            rows = (len(items) + cols - 1) // cols
            for i, (lbl, runs, keys) in enumerate(items):
                cx, cy = x0 + (i % cols) * cw, y + (i // cols) * 26
                p.rect(cx, cy, cw, 26, stroke=BLACK, lw=0.5)
                p.rect(cx, cy, cw, 10, fill=LIGHT)
                p.rect(cx, cy, cw, 26, stroke=BLACK, lw=0.5)
                p.text(cx + 3, cy + 8, lbl, self.f, 6.5, color=GREY)
                p.runs(cx + 3, cy + 21, runs, self.f, fit("".join(r[0] for r in runs), self.f, self.s, cw - 6), keys=keys)
            end = y + rows * 26 + 4
        self.pending_info = items if info in ("row", "left_list", "heading_inline") else None
        if a == "right":
            y = info_y
            for lbl, runs, keys in items if info != "row" else []:
                p.text(x0, y, lbl, self.f, fit(lbl, self.f, self.small, 36 * MM), color=GREY)
                text = "".join(r[0] for r in runs)
                p.runs(x0 + 38 * MM, y, runs, self.f, fit(text, self.f, self.s, ax - x0 - 44 * MM, 5), keys=keys)
                y += self.lead
            self.pending_info = None if info != "row" else items
            end = max(end, y)
        return max(end, addr_y + 27 * MM if a in ("din_a", "din_b") else end) + self.rng.choice([8, 12, 16, 22])

    def viewer_header(self, rng, x0, y) -> float:
        """The lines an e-invoice viewer prints above the data sheet: its name and the versions
        of the format, the stylesheet and the code lists with their dates."""
        p, d, st = self.pdf, self.d, self.st
        de = d.lang == "de"
        fmt_name = rng.choice(["ZUGFeRD", "XRechnung", "Factur-X"])
        lines = [rng.choice(["Stylesheet Lesbarmachung der XML-Daten von ZUGFeRD-Rechnungen", "Visualisierung der XRechnung",
                             "Lesbare Darstellung der E-Rechnung"] if de else ["E-invoice viewer", "Readable view of the e-invoice"])]
        vom = " vom " if de else " of "
        names = (f"{fmt_name}-Version", "Stylesheet-Version", "Codelisten-Version") if de else (f"{fmt_name} version", "Stylesheet version", "Code list version")
        for what, version in zip(names, (rng.choice(["2.1", "2.2", "2.3", "3.0", "3.0.2"]), rng.choice(["1.0", "2.0", "2.1"]), rng.choice(["2.0", "3.0", "4.0"]))):
            if rng.random() < 0.8:
                when = d.issue_date + dt.timedelta(days=rng.randint(-900, 400))
                lines.append(f"{what}: {version}{vom}{st.date(when)}")
        if rng.random() < 0.5:
            lines.append(f"(c) {rng.choice(['AWV e.V.', 'FeRD', 'KoSIT'])} {d.issue_date.year + rng.randint(-1, 1)}")
        for ln in lines:
            p.text(x0, y, ln, self.f, self.small, color=GREY)
            y += self.small * 1.35
        return y + self.s

    def parties_form(self) -> float:
        """The data sheet an e-invoice viewer prints: a title line with number and date, a
        column of labels and one of values, and the parties in sections under headings
        ("Verkäufer" / "Name:" / "Anschrift:"). A long name wraps and is centred on its label."""
        p, d, rng, st = self.pdf, self.d, self.rng, self.st
        de = d.lang == "de"
        x0, x1 = self.x0, self.x1
        lx = x0 + rng.choice([0, 3, 6])
        vx = x0 + rng.choice([48, 58, 68]) * MM
        lead = self.s * rng.choice([1.5, 1.7, 1.9])
        y = rng.choice([16, 20, 26]) * MM
        if rng.random() < 0.5:
            note = "Ansicht der elektronischen Rechnung" if de else "View of the electronic invoice"
            p.text(x0, y - 10 * MM, note, self.f, self.small, color=GREY)
        # The viewer's own header (a draw of its own, so that the sheets without it stay as
        # they were): the format, stylesheet and code-list versions, each "vom <date>" —
        # dates that are no date of the invoice.
        viewer = random.Random(f"{self.seed}:viewer")
        if viewer.random() < 0.4:
            y = self.viewer_header(viewer, x0, y)
        runs = [(d.title or "", self.title_keys())]
        code = d.type_code or ("575" if d.insurance else {"invoice": "380", "credit_note": "381"}.get(d.doc_type))
        if viewer.random() < 0.3 and code:
            # "Rechnung (380)", "Beitragsrechnung (575)": the viewer prints the type code.
            runs.append((f" ({code})", ()))
        if d.number:
            runs += [(" Nr. " if de else " No. ", ()), (d.number, self.number_keys())]
        runs += [(" vom " if de else " of ", ()), (st.date(d.issue_date), ("issue_date",))]
        text = "".join(r[0] for r in runs)
        p.runs(x0, y, runs, self.fb, fit(text, self.fb, self.s + 3, x1 - x0))
        self.title_done = True
        y += lead * 2
        colon = ":" if rng.random() < 0.85 else " :"

        def row(label, value, keys=(), y=0.0):
            p.text(lx, y, label + colon, self.f, self.s)
            p.text(vx, y, value, self.f, fit(value, self.f, self.s, x1 - vx), keys=keys)

        items = [it for it in self.info_items(include_number=False) if "issue_date" not in it[2]]
        cur = "Währung" if de else "Currency"
        items.insert(0, (cur, [(d.currency, ())], ()))
        for lbl, runs_, keys in items:
            p.text(lx, y, lbl + colon, self.f, self.s)
            p.runs(vx, y, runs_, self.f, fit("".join(r[0] for r in runs_), self.f, self.s, x1 - vx), keys=keys)
            y += lead
        y += lead * 1.5
        heads = {
            "seller": rng.choice(["Verkäufer", "Lieferant", "Rechnungssteller", "Verkäufer/Leistungserbringer"] if de else ["Seller", "Supplier"]),
            "buyer": rng.choice(["Käufer", "Käufer/Leistungsempfänger", "Rechnungsempfänger", "Kunde"] if de else ["Buyer", "Customer", "Bill to"]),
        }
        name_label = rng.choice(["Name", "Name", "Firma"] if de else ["Name", "Name", "Company"])
        for role, party in (("seller", d.seller or d.sender), ("buyer", d.buyer or d.recipient)):
            p.text(x0, y, heads[role], self.fb, self.s + 0.5)
            y += lead
            if rng.random() < 0.6:
                row("Nummer" if de else "Number", str(rng.randint(10000, 999999)), y=y)
                y += lead
            nk = self.pkeys(party, "name")
            name = party.name
            salutation = None
            if not party.is_company and party.contact:
                salutation, name = party.contact.split(" ", 1)
            maxw = x1 - vx
            parts = [name]
            if width(name, self.f, self.s) > maxw or (len(name.split()) >= 3 and rng.random() < 0.35):
                words = name.split()
                cut = max(1, len(words) // 2)
                parts = [" ".join(words[:cut]), " ".join(words[cut:])]
            if salutation:
                parts = [salutation] + parts
            # The value lines are centred on the label.
            y += (len(parts) - 1) * self.s * 0.65
            top = y - (len(parts) - 1) * self.s * 1.25 / 2
            p.text(lx, y, name_label + colon, self.f, self.s)
            right = vx
            for k, part in enumerate(parts):
                right = max(right, vx + p.text(vx, top + k * self.s * 1.25, part, self.f, fit(part, self.f, self.s, maxw)))
            if nk:
                # One box over the name's lines (not the salutation's), as `wrapped` records it.
                first = 1 if salutation else 0
                asc, dsc = extent(self.f, self.s)
                p.record(nk, vx, top + first * self.s * 1.25 - asc, right, top + (len(parts) - 1) * self.s * 1.25 + dsc)
            y += lead + (len(parts) - 1) * self.s * 0.65
            addr = party.address_lines(d.lang, party.country != d.sender.country)
            p.text(lx, y, ("Anschrift" if de else "Address") + colon, self.f, self.s)
            for ln in addr:
                p.text(vx, y, ln, self.f, self.s)
                y += self.s * 1.3
            y += lead - self.s * 1.3
            if party.vat_id and (role == "seller" or d.show_buyer_vat):
                label = rng.choice(["USt.-Id.-Nr.", "USt-IdNr.", "Umsatzsteuer-ID"] if de else ["VAT ID", "VAT number"])
                row(label, party.vat_id, self.pkeys(party, "vat_id"), y=y)
                y += lead
            y += lead * 1.5
        self.pending_info = None
        return y

    def heading(self):
        """Title (maybe with number and date), then info as a row or list if pending."""
        p, d, L = self.pdf, self.d, self.L
        if not getattr(self, "title_done", False) and d.title:
            title = d.title.upper() if L.heading_caps else d.title
            size = L.heading_size
            color = L.accent if L.family in ("startup", "farbband", "wortmarke") or self.rng.random() < 0.2 else BLACK
            self.need(size * 2)
            self.y += size * 0.6
            runs = [(title, self.title_keys())]
            if self.number_in_heading:
                runs += [(" Nr. " if d.lang == "de" else " No. ", ()), (d.number, self.number_keys())]
                if L.info == "heading_inline":
                    runs += [(" vom " if d.lang == "de" else " of ", ()), (self.st.date(d.issue_date), ("issue_date",))]
            text = "".join(r[0] for r in runs)
            p.runs(self.x0, self.y, runs, self.fb, fit(text, self.fb, size, self.x1 - self.x0), color=color)
            self.y += size * 0.5 + 6
        items = self.pending_info
        if items and L.info == "heading_inline":
            items = [it for it in items if "issue_date" not in it[2]]
        if items:
            if L.info == "row":
                n = min(len(items), 4)
                cw = (self.x1 - self.x0) / n
                self.y += 6
                for row_start in range(0, len(items), n):
                    for i, (lbl, runs, keys) in enumerate(items[row_start:row_start + n]):
                        cx = self.x0 + i * cw
                        p.text(cx, self.y, lbl, self.f, fit(lbl, self.f, self.small, cw - 6, 5), color=GREY)
                        p.runs(cx, self.y + self.lead, runs, self.fb, fit("".join(r[0] for r in runs), self.fb, self.s, cw - 8, 4.5), keys=keys)
                    self.y += self.lead * 2 + 4
                p.line(self.x0, self.y - 6, self.x1, self.y - 6, 0.4, GREY)
                self.y += 6
            else:
                lw = max(width(lbl + ":", self.f, self.s) for lbl, _, _ in items) + 10
                for lbl, runs, keys in items:
                    p.text(self.x0, self.y, lbl + ":", self.f, self.s)
                    p.runs(self.x0 + lw, self.y, runs, self.f, self.s, keys=keys)
                    self.y += self.lead
                self.y += 4
        self.pending_info = None
        self.y += self.lead * 0.6

    def paragraph(self, text: str, font=None, size=None, keys_for: dict | None = None, gap: float = 0.5, x=None, x_end=None):
        """Wrapped text; `keys_for` maps substrings to keys (recorded where they land)."""
        font, size = font or self.f, size or self.s
        x = self.x0 if x is None else x
        x_end = self.x1 if x_end is None else x_end
        lead = size * 1.35
        for line in wrap(text, font, size, x_end - x, keep=tuple(keys_for or ())):
            self.need(lead)
            self.y += lead * 0.85
            runs = [(line, ())]
            for sub, keys in (keys_for or {}).items():
                new = []
                for t, k in runs:
                    if k or sub not in t:
                        new.append((t, k))
                        continue
                    a, _, b = t.partition(sub)
                    new += [(a, ()), (sub, keys), (b, ())]
                runs = new
            self.pdf.runs(x, self.y, [r for r in runs if r[0]], font, size)
            self.y += lead * 0.15
        self.y += size * gap

    def salutation(self):
        d = self.d
        who = d.recipient
        if who.is_company and who.contact and self.rng.random() < 0.6:
            last = who.contact.split()[-1]
            sex = "f" if who.contact.split()[0] in C.FIRST_F else "m"
            text = labels_salutation(d.lang, sex, last)
        elif not who.is_company:
            text = labels_salutation(d.lang, "m" if (who.contact or "").startswith("Herrn") else "f", who.name.split()[-1])
        else:
            text = labels_salutation(d.lang, None, "")
        self.paragraph(text, gap=0.6)

    def closing(self, sign=True):
        d = self.d
        self.need(self.lead * 6)
        self.y += self.lead
        self.pdf.text(self.x0, self.y, self.rng.choice(CLOSING[d.lang]), self.f, self.s)
        if sign:
            self.pdf.scribble(self.rng, self.x0 + 5, self.y + 24, 90)
            self.y += 46
            self.pdf.text(self.x0, self.y, d.signer, self.f, self.s)
            self.y += self.lead
        else:
            self.y += self.lead
            self.pdf.text(self.x0, self.y, d.sender.name, self.f, self.s)
            self.y += self.lead

    # ------------------------------------------------------------------------------ item documents
    def columns(self) -> list[str]:
        d, L = self.d, self.L
        cols = list(L.columns)
        if d.other_kind == "pricelist":
            return ["art", "desc", "unit", "price"]
        if not d.has_prices:
            return [c for c in cols if c not in ("price", "disc", "vat", "amount")] + ([] if "unit" in cols or L.qty_with_unit else ["unit"])
        if not any(ln.art_no for ln in d.lines) and "art" in cols:
            cols.remove("art")
        if d.gross_prices:
            return [c for c in cols if c not in ("disc", "art")]
        if any(ln.discount for ln in d.lines) and "disc" not in cols:
            cols.insert(cols.index("amount"), "disc")
        rates = {ln.vat_rate for ln in d.lines}
        if len(rates) > 1 and "vat" not in cols:
            cols.insert(cols.index("amount"), "vat")
        if d.vat_mode == "small_business" and "vat" in cols:
            cols.remove("vat")
        if any(ln.hsn for ln in d.lines) and "desc" in cols:
            cols.insert(cols.index("desc") + 1, "hsn")
        return cols

    def cell(self, col: str, i: int, ln) -> list:
        """Runs of one table cell (the keys say which ground-truth field it is)."""
        st, k = self.st, f"line_items[{i}]."
        sym = st.table_symbol
        if col == "pos":
            return [(str(ln.pos), (k + "line_id",))]
        if col == "art":
            return [(ln.art_no or "", ())]
        if col == "hsn":
            return [(ln.hsn or "", ())]
        if col == "qty":
            runs = [(st.qty(ln.qty), (k + "quantity",))]
            if "unit" not in self.cols and self.L.qty_with_unit:
                runs += [(" ", ()), (ln.unit_label, (k + "unit_code",))]
            return runs
        if col == "unit":
            return [(ln.unit_label, (k + "unit_code",))]
        if col == "price":
            return [(st.price(ln.price, sym), (k + "net_unit_price",) if not self.d.gross_prices else ())]
        if col == "disc":
            return [(st.pct(ln.discount) if ln.discount else "", (k + "discount_percent",) if ln.discount else ())]
        if col == "vat":
            return [(st.pct(ln.vat_rate), (k + "vat_rate",))]
        if col == "amount":
            return [(st.money(ln.amount, sym), (k + "net_line_amount",) if not self.d.gross_prices else ())]
        raise ValueError(col)

    def header_label(self, col: str) -> str:
        lab = self.lab["cols"]
        if col == "price" and self.d.gross_prices:
            return "Preis" if self.d.lang == "de" else "Price"
        if col == "qty" and self.d.doc_type == "delivery_note":
            return lab["qty"] if self.rng.random() < 0.7 else ("Liefermenge" if self.d.lang == "de" else "Qty shipped")
        return lab[col]

    def layout_table(self):
        d = self.d
        self.cols = self.columns()
        self.col_labels = {c: self.header_label(c) for c in self.cols}
        self.tsize = self.s - (0.5 if len(self.cols) > 6 else 0)
        widths = {}
        for c in self.cols:
            if c == "desc":
                continue
            texts = ["".join(r[0] for r in self.cell(c, i, ln)) for i, ln in enumerate(d.lines)]
            widths[c] = max([width(t, self.f, self.tsize) for t in texts] + [width(self.col_labels[c], self.fb, self.tsize)]) + 10
        avail = self.x1 - self.x0
        desc_w = avail - sum(widths.values())
        if desc_w < 120 and "art" in widths:
            self.cols.remove("art")
            desc_w += widths.pop("art")
        if desc_w < 100:
            self.tsize -= 1
            desc_w = max(desc_w, 90)
        widths["desc"] = desc_w
        x, self.colx = self.x0, {}
        for c in self.cols:
            self.colx[c] = (x, x + widths[c])
            x += widths[c]
        self.numeric = {"pos": False, "art": False, "hsn": False, "desc": False, "unit": False, "qty": True, "price": True, "disc": True, "vat": True, "amount": True}

    def table_header(self):
        p, L, ts = self.pdf, self.L, self.tsize
        h = ts * 2.0
        self.need(h + ts * 3)
        top = self.y
        style = L.table
        color = BLACK
        if style in ("filled_header", "zebra"):
            p.rect(self.x0, top, self.x1 - self.x0, h, fill=L.accent if style == "filled_header" else _tint(L.accent, 0.75))
            color = WHITE if style == "filled_header" else BLACK
        elif style in ("grid", "grid_light", "frame"):
            p.rect(self.x0, top, self.x1 - self.x0, h, fill=LIGHT if style != "frame" else None)
        base = top + h * 0.5 + ts * 0.35
        for c in self.cols:
            a, b = self.colx[c]
            if self.numeric[c]:
                p.text(b - 4, base, self.col_labels[c], self.fb, ts, "right", color)
            else:
                p.text(a + 4, base, self.col_labels[c], self.fb, ts, color=color)
        if style in ("rules", "plain", "dashed", "frame", "grid", "grid_light"):
            if style not in ("plain", "frame"):
                p.line(self.x0, top, self.x1, top, 0.8 if style == "rules" else 0.5, dash=[2, 2] if style == "dashed" else None)
            p.line(self.x0, top + h, self.x1, top + h, 0.5 if style != "plain" else 0.8, dash=[2, 2] if style == "dashed" else None)
        if style == "grid":
            self.vlines(top, top + h)
        self.y = top + h
        self.table_top = top

    def vlines(self, y0, y1):
        for c in self.cols[1:]:
            self.pdf.line(self.colx[c][0], y0, self.colx[c][0], y1, 0.4)
        self.pdf.line(self.x0, y0, self.x0, y1, 0.4)
        self.pdf.line(self.x1, y0, self.x1, y1, 0.4)

    def row_height(self, ln) -> tuple[float, list[str]]:
        a, b = self.colx["desc"]
        lines = wrap(ln.name, self.f, self.tsize, b - a - 8)
        h = len(lines) * self.tsize * 1.25 + self.tsize * 0.9
        if ln.detail:
            h += (self.tsize - 1) * 1.25
        return h, lines

    def carry_row(self, label: str, top: float):
        """'Übertrag' rows at the foot and head of pages: the running total (not a field)."""
        p, ts = self.pdf, self.tsize
        y = top + ts * 1.3
        p.text(self.colx["desc"][0] + 4, y, label, self.fb if self.rng.random() < 0.5 else self.f, ts)
        if "amount" in self.colx:
            self.money(self.colx["amount"][1] - 4, y, self.running, (), symbol=self.st.table_symbol, size=ts)
        p.line(self.x0, top + ts * 1.9, self.x1, top + ts * 1.9, 0.3, GREY)
        return top + ts * 2.0

    def draw_table(self):
        p, d, L, ts = self.pdf, self.d, self.L, self.tsize
        priced = d.has_prices and "amount" in self.cols and not d.other_kind
        self.table_header()
        carry_h = ts * 2.2 if priced else 0
        for i, ln in enumerate(d.lines):
            h, name_lines = self.row_height(ln)
            if self.y + h + carry_h > self.bottom:
                if priced:
                    lbl = self.lab["carry"].replace("{n}", str(self.pdf.page + 1))
                    self.carry_row(lbl, self.y)
                if L.table == "grid":
                    self.vlines(self.table_top, self.y)
                self.new_page()
                if priced:
                    self.y = self.carry_row(self.lab["carried"].replace("{p}", str(self.pdf.page - 1)), self.y)
                self.table_header()
            top = self.y
            if L.table == "zebra" and i % 2 == 1:
                p.rect(self.x0, top, self.x1 - self.x0, h, fill=_tint(L.accent, 0.92))
            base = top + ts * 1.25
            for c in self.cols:
                a, b = self.colx[c]
                if c == "desc":
                    yy = base
                    for nl in name_lines:
                        p.text(a + 4, yy, nl, self.f, ts)
                        yy += ts * 1.25
                    self.name_box(i, a + 4, base, name_lines, yy)
                    if ln.detail:
                        p.text(a + 4, yy, ln.detail, self.f, ts - 1, color=GREY)
                    continue
                runs = self.cell(c, i, ln)
                if self.numeric[c]:
                    p.runs(b - 4, base, runs, self.f, ts, "right")
                else:
                    p.runs(a + 4, base, runs, self.f, ts)
            self.y = top + h
            if ln.amount is not None:
                self.running += ln.amount
            if L.table in ("grid", "grid_light"):
                p.line(self.x0, self.y, self.x1, self.y, 0.4 if L.table == "grid" else 0.25, GREY if L.table == "grid_light" else BLACK)
            elif L.table == "dashed" and i == len(d.lines) - 1:
                p.line(self.x0, self.y, self.x1, self.y, 0.5, dash=[2, 2])
        if L.table == "grid":
            self.vlines(self.table_top, self.y)
        if L.table in ("rules", "frame", "zebra", "filled_header"):
            p.line(self.x0, self.y, self.x1, self.y, 0.6)
        if L.table == "frame":
            p.rect(self.x0, self.table_top, self.x1 - self.x0, self.y - self.table_top, stroke=BLACK, lw=0.6)
        self.y += self.lead * 0.8

    def name_box(self, i, x, base, lines, end):
        """Records the (possibly wrapped) item name as one box."""
        if self.d.gross_prices and self.d.doc_type == "receipt":
            return
        ts = self.tsize
        w = max(width(nl.strip(), self.f, ts) for nl in lines)
        asc, dsc = extent(self.f, ts)
        self.pdf.record((f"line_items[{i}].name",), x, base - asc, x + w, end - ts * 1.25 + dsc)

    def totals_rows(self) -> list[dict]:
        d, st, lab, t = self.d, self.st, self.lab, self.d.totals
        rows = []
        self.show_breakdown = False
        multi = len(t.breakdown) > 1
        zero_mode = d.vat_mode in ("reverse_charge", "intra_community", "export")
        extras = t.discount is not None or t.shipping is not None
        if extras:
            rows.append(dict(label=[(lab["lines"], ())], value=t.line_total, keys=("line_total",)))
            if t.discount is not None:
                pct = st.pct(t.discount_pct)
                rows.append(dict(label=_template_runs(lab["discount"], {"p": (pct, ())}), value=-t.discount, keys=("allowance_total",)))
            if t.shipping is not None:
                rows.append(dict(label=[(lab["shipping"], ())], value=t.shipping, keys=("charge_total",)))
        if d.vat_mode == "small_business":   # no VAT: the one total is net and gross at once
            keys = ("net_total", "gross_total") + (() if extras else ("line_total",)) + (() if t.prepaid else ("amount_due",))
            rows.append(dict(label=[(lab["gross"], ())], value=t.gross, keys=keys, bold=True, rule=extras))
            return rows + self.prepaid_rows()
        if d.vat_mode == "gst":
            return self.gst_rows(rows, extras)
        show_vat = not zero_mode or (self.rng.random() < 0.6 and d.sender.country != "US")
        net_keys = ("net_total",) + (() if extras or d.gross_prices else ("line_total",))
        if not multi and show_vat:
            net_keys += ("vat_breakdown[0].base",)
        rows.append(dict(label=[(lab["net"], ())], value=t.net, keys=net_keys))
        breakdown_table = self.L.totals == "breakdown"
        if show_vat and not breakdown_table:
            use_on = self.L.totals == "sentence" or (multi and self.rng.random() < 0.5)
            tmpl = lab["vat_on"] if use_on else lab["vat"]
            for i, (r, b, v) in enumerate(t.breakdown):
                label = _template_runs(tmpl, {"r": (st.pct(r), (f"vat_breakdown[{i}].rate",)),
                                              "b": (st.money(b), (f"vat_breakdown[{i}].base",))})
                keys = (f"vat_breakdown[{i}].amount",) + (() if multi else ("vat_total",))
                rows.append(dict(label=label, value=v, keys=keys))
            if multi and self.rng.random() < 0.5:
                rows.append(dict(label=[(lab["vat_total"], ())], value=t.vat_total, keys=("vat_total",)))
        elif show_vat:
            rows.append(dict(label=[(lab["vat_total"], ())], value=t.vat_total, keys=("vat_total",) + (() if multi else ("vat_breakdown[0].amount",))))
        self.show_breakdown = show_vat and breakdown_table
        rows.append(dict(label=[(lab["gross"], ())], value=t.gross, keys=("gross_total",) + (() if t.prepaid else ("amount_due",)), bold=True, rule=True))
        return rows + self.prepaid_rows()

    def gst_rows(self, rows: list[dict], extras: bool) -> list[dict]:
        """An Indian GST invoice's totals: the taxable value, CGST and SGST at half the rate
        each (within a state) or IGST (between states), the total tax now and then, and the
        grand total. Only a row that shows the whole tax is the VAT total."""
        d, st, lab, t, rng = self.d, self.st, self.lab, self.d.totals, self.rng
        multi = len(t.breakdown) > 1
        net_keys = ("net_total",) + (() if extras else ("line_total",))
        rows.append(dict(label=[(lab["net"], ())], value=t.net, keys=net_keys))
        total_row = d.gst == "intra" or multi or rng.random() < 0.4
        for i, (r, b, v) in enumerate(t.breakdown):
            if d.gst == "intra":
                half = v / 2
                for tax in ("CGST", "SGST"):
                    label = _template_runs(lab["vat"], {"t": (tax, ()), "r": (st.pct(r / 2), ()), "b": (st.money(b), ())})
                    rows.append(dict(label=label, value=half, keys=()))
            else:
                label = _template_runs(lab["vat"], {"r": (st.pct(r), (f"vat_breakdown[{i}].rate",)), "b": (st.money(b), ())})
                rows.append(dict(label=label, value=v, keys=(f"vat_breakdown[{i}].amount",) + (() if total_row else ("vat_total",))))
        if total_row and rng.random() < (0.75 if d.gst == "intra" else 1.0):
            rows.append(dict(label=[(lab["vat_total"], ())], value=t.vat_total, keys=("vat_total",)))
        rows.append(dict(label=[(lab["gross"], ())], value=t.gross, keys=("gross_total",) + (() if t.prepaid else ("amount_due",)), bold=True, rule=True))
        return rows + self.prepaid_rows()

    def prepaid_rows(self) -> list[dict]:
        d, t, lab = self.d, self.d.totals, self.lab
        if not t.prepaid:
            return []
        dtext = self.st.date(d.issue_date.replace(day=1))
        return [dict(label=_template_runs(lab["prepaid"], {"d": (dtext, ())}), value=-t.prepaid, keys=("prepaid_amount",)),
                dict(label=[(lab["due_amount"], ())], value=t.amount_due, keys=("amount_due",), bold=True, rule=True)]

    def draw_totals(self):
        p, L, d = self.pdf, self.L, self.d
        if L.totals == "columns":
            return self.draw_totals_columns()
        rows = self.totals_rows()
        lead = self.lead * 1.05
        h = len(rows) * lead + 12 + (len(d.totals.breakdown) + 2) * lead * (1 if self.show_breakdown else 0)
        self.need(h)
        style = L.totals
        label_w = max(width("".join(t for t, *_ in r["label"]), self.fb, self.s) for r in rows)
        value_w = max(width(self.st.money(r["value"]), self.fb, self.s) for r in rows)
        vx = self.x1 - 4
        if style == "left":
            lx, align = self.x0, "left"
            vx = min(self.x1 - 4, max(self.x0 + 80 * MM, lx + label_w + value_w + 16))
        else:
            lx, align = max(self.x0 + (self.x1 - self.x0) * 0.42, self.x1 - 95 * MM), "left"
            lx = max(self.x0, min(lx, vx - value_w - label_w - 16))
            if style in ("right", "bar", "boxed") and self.rng.random() < 0.5:
                align = "right"
        label_right = vx - value_w - 12 if align == "right" else None
        top = self.y
        if style == "boxed":
            p.rect(lx - 6, top, self.x1 - lx + 6, len(rows) * lead + 8, fill=_tint(L.accent, 0.9), stroke=GREY, lw=0.4)
        y = top + lead * 0.85
        for r in rows:
            font = self.fb if r.get("bold") else self.f
            if r.get("rule") and style not in ("bar",):
                p.line(lx, y - lead * 0.78, self.x1, y - lead * 0.78, 0.6)
            color = BLACK
            if style == "bar" and r.get("bold"):
                p.rect(lx - 6, y - lead * 0.85, self.x1 - lx + 6, lead * 1.15, fill=L.accent)
                color = WHITE
            if label_right:
                p.runs(label_right, y, r["label"], font, self.s, "right", color)
            else:
                p.runs(lx, y, r["label"], font, self.s, color=color)
            self.money(vx, y, r["value"], r["keys"], font=font, color=color)
            y += lead
        if style == "bar":
            y += 4
        self.y = y
        if self.show_breakdown:
            self.vat_breakdown_table()
        self.y += self.lead * 0.6

    def draw_totals_columns(self):
        """The totals as ERP printouts show them: a column per amount (goods, net, VAT, rate,
        gross), a row per VAT rate and a sum row with the currency in the rate column. The
        labels stand only in the header: a total is known by its column and by adding up."""
        p, d, st, t, rng = self.pdf, self.d, self.st, self.d.totals, self.rng
        heads = COLUMN_TOTALS[d.lang]
        multi = len(t.breakdown) > 1
        extras = t.discount is not None or t.shipping is not None
        cols = (["goods"] if not extras and not d.gross_prices and rng.random() < 0.5 else []) + ["net", "vat", "rate", "gross"]
        if rng.random() < 0.4:
            cols[cols.index("vat")], cols[cols.index("rate")] = "rate", "vat"
        titles = {c: rng.choice(heads[c]) for c in cols}
        sum_row = multi or rng.random() < 0.6
        net_keys = ("net_total",) + (() if extras or d.gross_prices else ("line_total",))
        rows = []
        for i, (r, b, v) in enumerate(t.breakdown):
            keys = {"goods": (), "net": (f"vat_breakdown[{i}].base",), "vat": (f"vat_breakdown[{i}].amount",),
                    "rate": (f"vat_breakdown[{i}].rate",), "gross": ()}
            if not sum_row:   # the one rate's row is the totals' row
                keys["net"] += net_keys
                keys["vat"] += ("vat_total",)
                keys["gross"] += ("gross_total", "amount_due")
                keys["goods"] += ("line_total",)
            rows.append(({"goods": st.money(b, False), "net": st.money(b, False), "vat": st.money(v, False),
                          "rate": st.pct(r), "gross": st.money(b + v, False)}, keys, False))
        if sum_row:
            rows.append(({"goods": st.money(t.line_total, False), "net": st.money(t.net, False), "vat": st.money(t.vat_total, False),
                          "rate": d.currency if rng.random() < 0.7 else "", "gross": st.money(t.gross, False)},
                         {"goods": ("line_total",), "net": net_keys, "vat": ("vat_total",), "rate": ("currency",), "gross": ("gross_total", "amount_due")}, True))
        widths = [max(width(titles[c], self.fb, self.small), *(width(r[0][c], self.f, self.s) for r in rows)) + 16 for c in cols]
        total_w = sum(widths)
        span = self.x1 - self.x0
        gap = max(0.0, (span - total_w) / max(1, len(cols))) if rng.random() < 0.6 else 0.0
        x = self.x1 - total_w - gap * len(cols)
        rights = []
        for w in widths:
            x += w + gap
            rights.append(x - 4)
        lead = self.lead
        self.need((len(rows) + 2) * lead + 8)
        y = self.y + lead
        for c, rx in zip(cols, rights):
            p.text(rx, y, titles[c], self.fb, self.small, "right")
        if rng.random() < 0.6:
            p.line(rights[0] - widths[0] + 4, y + 3, self.x1, y + 3, 0.4)
        for values, keys, is_sum in rows:
            y += lead * (1.4 if is_sum else 1.0)
            if is_sum and rng.random() < 0.6:
                p.line(rights[0] - widths[0] + 4, y - lead * 0.8, self.x1, y - lead * 0.8, 0.6)
            font = self.fb if is_sum and rng.random() < 0.5 else self.f
            for c, rx in zip(cols, rights):
                if values[c]:
                    p.text(rx, y, values[c], font, self.s, "right", keys=keys[c])
        self.y = y + lead * 0.8

    def vat_breakdown_table(self):
        p, st, lab, t = self.pdf, self.st, self.lab, self.d.totals
        x = self.x0
        heads = [lab["rate_col_breakdown"], lab["base_col"], lab["amount_col"]]
        cells = [[st.pct(r) for r, _, _ in t.breakdown], [st.money(b, False) for _, b, _ in t.breakdown],
                 [st.money(v, False) for _, _, v in t.breakdown]]
        cw = [max(width(hd, self.fb, self.small), *(width(c, self.f, self.s) for c in col)) + 14 for hd, col in zip(heads, cells)]
        y = self.y + self.lead
        p.line(x, y - self.s, x + sum(cw), y - self.s, 0.4)
        for j, hd in enumerate(heads):
            p.text(x + sum(cw[:j + 1]) - 4, y, hd, self.fb, self.small, "right")
        p.line(x, y + 3, x + sum(cw), y + 3, 0.4)
        multi = len(t.breakdown) > 1
        for i, (r, b, v) in enumerate(t.breakdown):
            y += self.lead
            p.text(x + cw[0] - 4, y, st.pct(r), self.f, self.s, "right", keys=(f"vat_breakdown[{i}].rate",))
            p.text(x + cw[0] + cw[1] - 4, y, st.money(b, False), self.f, self.s, "right", keys=(f"vat_breakdown[{i}].base",))
            p.text(x + sum(cw) - 4, y, st.money(v, False), self.f, self.s, "right", keys=(f"vat_breakdown[{i}].amount",) + (() if multi else ()))
        p.line(x, y + 4, x + sum(cw), y + 4, 0.4)
        self.y = y + self.lead

    def notes(self):
        """VAT notes, payment terms, bank details, validity, closing."""
        d, st, lab = self.d, self.st, self.lab
        pay = PAYMENT[d.lang]
        if d.sender.country == "IN":
            self.indian_notes()
        elif d.vat_mode in VAT_NOTES[d.lang]:
            self.paragraph(self.rng.choice(VAT_NOTES[d.lang][d.vat_mode]), gap=0.3)
            if d.show_buyer_vat and d.sender is d.seller and d.seller.vat_id and self.rng.random() < 0.5:
                lbl = ("Unsere USt-IdNr.: " if d.lang == "de" else "Our VAT ID: ")
                self.paragraph(f"{lbl}{d.seller.vat_id}", keys_for={d.seller.vat_id: self.pkeys(d.seller, "vat_id")}, gap=0.3)
        if d.doc_type == "invoice":
            if d.payment == "transfer" and d.due_date and not (self.info_due and self.rng.random() < 0.5):
                ds = st.date(d.due_date)
                self.paragraph(self.rng.choice(pay["due_date"]).format(d=ds), keys_for={ds: ("due_date",)}, gap=0.3)
            elif d.payment == "transfer" and d.due_days:
                self.paragraph(self.rng.choice(pay["days"]).format(k=d.due_days), gap=0.3)
            elif d.payment == "debit":
                self.paragraph(self.rng.choice(pay["debit"]), gap=0.3)
            elif d.payment == "paid":
                self.paragraph(self.rng.choice(pay["paid"]), gap=0.3)
            if d.skonto:
                pct, sd, amt = d.skonto
                self.paragraph(self.rng.choice(pay["skonto"]).format(p=st.pct(pct), d=st.date(sd), a=st.money(amt)), gap=0.3)
            if d.payment == "transfer" and self.rng.random() < 0.4:
                self.paragraph(self.rng.choice(pay["ref"]).format(n=d.number), keys_for={d.number: ("invoice_number",)}, gap=0.3)
        elif d.doc_type == "receipt":
            self.paragraph(self.rng.choice(pay["paid"]), gap=0.3)
        elif d.doc_type == "quote" and d.valid_until and self.rng.random() < 0.5:
            ds = st.date(d.valid_until)
            txt = f"Dieses Angebot ist gültig bis {ds}." if d.lang == "de" else f"This quotation is valid until {ds}."
            self.paragraph(txt, keys_for={ds: ("valid_until",)}, gap=0.3)
        elif d.doc_type in ("order_confirmation", "order"):
            self.paragraph(lab["delivery_terms"], gap=0.3)
        for text in d.end_notes:
            self.paragraph(text, gap=0.3)
        if self.L.bank_in_body and d.sender.bank and d.sender.bank.iban and d.doc_type in ("invoice", "reminder", "order_confirmation", "quote"):
            self.bank_line()
        if d.doc_type in ("quote", "order_confirmation", "order") or (self.L.closing and d.doc_type != "receipt"):
            self.closing(sign=d.doc_type in ("order", "quote") or self.rng.random() < 0.4)

    def indian_notes(self):
        """Amount in words, as Indian invoices print it, and the bank account with its IFSC."""
        d, rng = self.d, self.rng
        if d.totals is not None and rng.random() < 0.7:
            words = rupees_in_words(d.totals.gross, d.currency)
            self.paragraph(f"{rng.choice(['Amount in words', 'Amount Chargeable (in words)', 'Total in words'])}: {words}", gap=0.3)
        s = d.sender
        if s.account and d.doc_type == "invoice" and rng.random() < 0.85:
            swift = f", SWIFT: {s.bank.bic}" if d.vat_mode == "export" else ""
            self.paragraph(f"Bank: {s.bank.name}, A/c No.: {s.account}, IFSC: {s.ifsc}{swift}", gap=0.3)

    def bank_line(self):
        b, lab = self.d.sender.bank, self.lab
        iban = _group(b.iban) if self.rng.random() < 0.8 else b.iban
        runs = [(f"{lab['bank']}: {b.name}, IBAN ", ()), (iban, self.bank_keys("iban")), (", BIC ", ()), (b.bic, self.bank_keys("bic"))]
        text = "".join(r[0] for r in runs)
        size = fit(text, self.f, self.s, self.x1 - self.x0)
        self.need(self.lead)
        self.y += self.lead * 0.85
        self.pdf.runs(self.x0, self.y, runs, self.f, size)
        self.y += self.lead * 0.6

    def body_items(self):
        d = self.d
        self.heading()
        if d.doc_type == "credit_note" and d.referenced:
            ref = d.referenced[0]
            num, ds = ref.number, self.st.date(ref.date)
            txt = (f"zu Rechnung Nr. {num} vom {ds}" if self.rng.random() < 0.5 else f"Korrektur der Rechnung {num} vom {ds}") if d.lang == "de" \
                else f"relating to invoice no. {num} dated {ds}"
            self.paragraph(txt, keys_for={num: ("referenced_invoices[0]",)}, gap=0.6)
        if d.paragraphs and d.other_kind == "pricelist":
            self.paragraph(d.subject, self.fb, self.s + 3)
            self.paragraph(d.paragraphs[0], gap=0.8)
        elif d.intro_notes:
            # Insurers write their premium invoices as letters: half of them open with the
            # salutation (a draw of its own, so the other half stay as they were).
            if d.insurance and random.Random(f"{self.seed}:premium-salutation").random() < 0.5:
                self.salutation()
            for i, text in enumerate(d.intro_notes):
                self.paragraph(text, gap=0.8 if i == len(d.intro_notes) - 1 else 0.3)
        elif self.L.intro and d.doc_type in ("invoice", "credit_note", "order_confirmation", "quote", "order", "delivery_note"):
            self.salutation()
            self.paragraph(self.rng.choice(INTRO[d.lang][d.doc_type]), gap=0.8)
        self.layout_table()
        self.draw_table()
        if d.totals and d.has_prices and not d.other_kind:
            self.draw_totals()
        if d.doc_type == "delivery_note":
            self.need(self.lead * 5)
            self.paragraph("Ware vollständig und in einwandfreiem Zustand erhalten:" if d.lang == "de" else "Goods received in good condition:", gap=2.5)
            self.pdf.line(self.x0, self.y + 8, self.x0 + 70 * MM, self.y + 8, 0.4)
            self.pdf.text(self.x0, self.y + 8 + self.small * 1.3, "Datum, Unterschrift" if d.lang == "de" else "Date, signature", self.f, self.small, color=GREY)
            self.y += 30
        if not d.other_kind:
            self.notes()

    # ------------------------------------------------------------------------------ reminder
    def body_reminder(self):
        d, p, st, lab = self.d, self.pdf, self.st, self.lab
        self.heading()
        self.salutation()
        if d.lang == "de":
            intro = self.rng.choice(["sicher ist es Ihrer Aufmerksamkeit entgangen, dass die folgenden Rechnungen noch nicht beglichen sind:",
                                     "bei der Durchsicht unserer Buchhaltung haben wir festgestellt, dass folgende Posten noch offen sind:",
                                     "leider konnten wir bis heute keinen Zahlungseingang für die nachstehenden Rechnungen feststellen:"])
        else:
            intro = self.rng.choice(["Our records show that the following invoices are still unpaid:",
                                     "We notice that the following items are overdue:"])
        self.paragraph(intro, gap=0.8)
        heads = (["Rechnung", "Datum", "Fällig seit", "Betrag", "Offen"] if d.lang == "de" else ["Invoice", "Date", "Due", "Amount", "Open"])
        wnum = max([width(r.number, self.f, self.s) for r in d.referenced] + [width(heads[0], self.fb, self.s)]) + 14
        wdate = max([width(st.date(r.due), self.f, self.s) for r in d.referenced] + [width(heads[2], self.fb, self.s)]) + 14
        wamt = max([width(st.money(r.amount, False), self.f, self.s) for r in d.referenced] + [width(heads[3], self.fb, self.s)]) + 14
        x = [self.x0, self.x0 + wnum, self.x0 + wnum + wdate, max(self.x1 - 38 * MM, self.x0 + wnum + 2 * wdate + wamt), self.x1]
        self.need(self.lead * (len(d.referenced) + 5))
        self.y += self.lead
        for j, hd in enumerate(heads):
            p.text(x[j] if j < 3 else x[j] - 4, self.y, hd, self.fb, self.s, "left" if j < 3 else "right")
        p.line(self.x0, self.y + 4, self.x1, self.y + 4, 0.5)
        for i, r in enumerate(d.referenced):
            self.y += self.lead
            p.text(x[0], self.y, r.number, self.f, self.s, keys=(f"referenced_invoices[{i}]",))
            p.text(x[1], self.y, st.date(r.date), self.f, self.s)
            p.text(x[2], self.y, st.date(r.due), self.f, self.s)
            p.text(x[3] - 4, self.y, st.money(r.amount, False), self.f, self.s, "right")
            p.text(x[4] - 4, self.y, st.money(r.amount - r.paid, False), self.f, self.s, "right")
        for name, fee in d.fees:
            self.y += self.lead
            p.text(x[0], self.y, name, self.f, self.s)
            p.text(x[4] - 4, self.y, st.money(fee, False), self.f, self.s, "right")
        p.line(self.x0, self.y + 5, self.x1, self.y + 5, 0.5)
        self.y += self.lead * 1.2
        lbl = lab["due_amount"] if self.rng.random() < 0.6 else ("Gesamtforderung" if d.lang == "de" else "Total outstanding")
        p.text(x[0], self.y, lbl, self.fb, self.s)
        self.money(x[4] - 4, self.y, d.totals.amount_due, ("amount_due",), font=self.fb)
        self.y += self.lead * 1.5
        ds = st.date(d.due_date)
        b = d.sender.bank
        if d.lang == "de":
            txt = f"Bitte überweisen Sie den offenen Betrag bis zum {ds} auf unser Konto bei der {b.name}, IBAN {_group(b.iban)}, BIC {b.bic}."
            tail = "Sollten Sie die Zahlung zwischenzeitlich veranlasst haben, betrachten Sie dieses Schreiben bitte als gegenstandslos."
        else:
            txt = f"Please transfer the outstanding amount by {ds} to our account with {b.name}, IBAN {_group(b.iban)}, BIC {b.bic}."
            tail = "If you have already made the payment, please disregard this letter."
        if b.iban:
            self.paragraph(txt, keys_for={ds: ("due_date",), _group(b.iban): ("iban",), b.bic: ("bic",)}, gap=0.6)
        self.paragraph(tail, gap=0.6)
        self.closing(sign=self.rng.random() < 0.5)

    # ------------------------------------------------------------------------------ prose documents
    def body_letter(self):
        d, p = self.d, self.pdf
        if d.subject:
            self.need(self.lead * 3)
            self.y += self.lead * 0.5
            p.text(self.x0, self.y, d.subject, self.fb, fit(d.subject, self.fb, self.s + 1, self.x1 - self.x0))
            self.y += self.lead * 1.5
        if d.other_kind != "newsletter":
            self.salutation()
        # Statements, remittance advices and bank statements list their items as a table
        # (text | amount) more often than as prose: a draw of its own, so that other
        # documents stay as they were.
        rows = []
        if d.other_kind in ("statement", "payment_advice", "bank_statement") and random.Random(f"{self.seed}:other_table").random() < 0.6:
            rows = [i for i, para in enumerate(d.paragraphs) if i > 0 and ": " in para and len(para.rsplit(": ", 1)[1]) <= 22 and any(c.isdigit() for c in para.rsplit(": ", 1)[1])]
        for i, para in enumerate(d.paragraphs):
            if rows and i == rows[0]:
                self.items_table([d.paragraphs[j].rsplit(": ", 1) for j in rows])
            elif i in rows:
                continue
            elif para == "{bank_block}":
                b = d.sender.bank
                lines = [("Kontoinhaber: " if d.lang == "de" else "Account holder: ", d.sender.name, ()),
                         ("Bank: ", b.name, ()), ("IBAN: ", _group(b.iban), ("iban",)), ("BIC: ", b.bic, ("bic",))]
                self.need(self.lead * 5)
                for lbl, val, keys in lines:
                    self.y += self.lead
                    p.runs(self.x0 + 10 * MM, self.y, [(lbl, ()), (val, keys)], self.f, self.s)
                self.y += self.lead
            elif para == "FORM":
                self.sepa_form()
            elif d.other_kind == "newsletter" and para == d.paragraphs[0]:
                self.paragraph(para, self.fb, self.s + 4, gap=0.6)
            elif d.other_kind == "tax_office" and para.startswith("Steuernummer"):
                self.paragraph(para, self.fb, self.s, gap=0.6)
            else:
                self.paragraph(para, gap=0.7)
        self.closing(sign=d.other_kind not in ("tax_office", "newsletter"))

    def items_table(self, rows: list[list[str]]):
        """Rows of (text, amount) under a header, the last one — the balance — set apart."""
        p, d = self.pdf, self.d
        heads = ("Buchung / Beleg", "Betrag") if d.lang == "de" else ("Item", "Amount")
        if d.other_kind == "bank_statement":
            heads = ("Buchung", "Betrag") if d.lang == "de" else ("Transaction", "Amount")
        self.need(self.lead * (len(rows) + 3))
        x_amount = self.x1 - 4
        self.y += self.lead * 0.6
        p.text(self.x0, self.y, heads[0], self.fb, self.small)
        p.text(x_amount, self.y, heads[1], self.fb, self.small, "right")
        p.line(self.x0, self.y + 3, self.x1, self.y + 3, 0.5)
        for n, (text, amount) in enumerate(rows):
            last = n == len(rows) - 1 and len(rows) > 2
            self.y += self.lead * (1.3 if last else 1.0)
            if last:
                p.line(self.x0, self.y - self.lead * 0.8, self.x1, self.y - self.lead * 0.8, 0.5)
            font = self.fb if last else self.f
            size = fit(text, font, self.s, x_amount - self.x0 - width(amount, font, self.s) - 16)
            p.text(self.x0, self.y, text, font, size)
            p.text(x_amount, self.y, amount, font, self.s, "right")
        self.y += self.lead * 1.2

    def sepa_form(self):
        p = self.pdf
        fields = ["Kontoinhaber (Vorname, Name)", "Straße und Hausnummer", "PLZ und Ort", "Kreditinstitut", "IBAN", "BIC", "Ort, Datum", "Unterschrift"]
        self.need(len(fields) * 30)
        for f in fields:
            self.y += 26
            p.rect(self.x0, self.y - 14, self.x1 - self.x0, 18, stroke=GREY, lw=0.5)
            p.text(self.x0, self.y + 12, f, self.f, self.small, color=GREY)
            if f == "IBAN":
                for k in range(22):
                    xx = self.x0 + k * (self.x1 - self.x0) / 22
                    p.line(xx, self.y - 14, xx, self.y + 4, 0.3, GREY)
        self.y += 24

    def body_contract(self):
        d, p = self.d, self.pdf
        spec = CONTRACTS[d.lang]
        cx = (self.x0 + self.x1) / 2
        self.y += 10
        p.text(cx, self.y, d.title, self.fb, self.L.heading_size + 2, "center")
        self.y += self.lead * 1.2
        if d.number:
            p.runs(cx, self.y, [("Vertragsnummer " if d.lang == "de" else "Contract no. ", ()), (d.number, ("document_number",))], self.f, self.s, "center")
            self.y += self.lead
        self.y += self.lead
        client_role, contractor_role = spec["roles"]
        for i, (party, role) in enumerate(((d.buyer, client_role), (d.seller, contractor_role))):
            p.text(cx, self.y, spec["between"] if i == 0 else spec["and"], self.f, self.s, "center")
            self.y += self.lead * 1.3
            p.text(cx, self.y, party.name, self.fb, self.s, "center", keys=self.pkeys(party, "name"))
            self.y += self.lead
            p.text(cx, self.y, f"{party.street}, {party.city_line()}", self.f, self.s, "center")
            self.y += self.lead
            p.text(cx, self.y, spec["hereafter"].format(role=role), self.f, self.s, "center")
            self.y += self.lead * 1.5
        b = d.seller.bank
        for n, (head, paras) in enumerate(d.sections, 1):
            self.need(self.lead * 4)
            self.y += self.lead * 0.6
            p.text(self.x0, self.y, f"§ {n} {head}", self.fb, self.s + 0.5)
            self.y += self.lead * 0.4
            for para in paras:
                keys = {_group(b.iban): ("iban",)} if b and b.iban and _group(b.iban) in para else {}
                self.paragraph(para, keys_for=keys, gap=0.4)
        self.need(110)
        self.y += 30
        date = self.st.date(d.issue_date)
        colw = (self.x1 - self.x0) / 2
        for j, (party, role) in enumerate(((d.buyer, client_role), (d.seller, contractor_role))):
            x = self.x0 + j * colw
            runs = [(f"{d.buyer.city if j == 0 else d.seller.city}, ", ()), (date, ("issue_date",) if j == 1 else ())]
            p.runs(x, self.y, runs, self.f, self.s)
            p.line(x, self.y + 3, x + colw - 20, self.y + 3, 0.4)
            p.text(x, self.y + 3 + self.small * 1.3, spec["place_date"], self.f, self.small, color=GREY)
            if j == 1 or self.rng.random() < 0.7:
                p.scribble(self.rng, x + 10, self.y + 45, 100)
            p.line(x, self.y + 55, x + colw - 20, self.y + 55, 0.4)
            p.text(x, self.y + 55 + self.small * 1.3, f"{role} – {party.name}", self.f, fit(f"{role} – {party.name}", self.f, self.small, colw - 20), color=GREY)
        self.y += 75

    # ------------------------------------------------------------------------------ thermal receipt
    def receipt_thermal(self):
        d, p, st, s = self.d, self.pdf, self.st, self.d.sender
        x0, x1, cx = self.x0, self.x1, self.W / 2
        sz, lead = self.s, self.s * 1.3
        y = 18.0
        p.text(cx, y, s.name, self.fb, fit(s.name, self.fb, sz + 1, x1 - x0), "center", keys=self.pkeys(s, "name"))
        for ln in [s.street, s.city_line(), f"Tel. {s.phone}"]:
            y += lead
            p.text(cx, y, ln, self.f, fit(ln, self.f, sz, x1 - x0), "center")
        if s.vat_id:
            y += lead
            p.runs(cx, y, [(self.lab["vat_id"] + " ", ()), (s.vat_id, self.pkeys(s, "vat_id"))], self.f, sz, "center")
        elif s.tax_number:
            y += lead
            p.runs(cx, y, [("St.-Nr. ", ()), (s.tax_number, self.pkeys(s, "tax_number"))], self.f, sz, "center")
        y += lead * 1.5
        p.line(x0, y - lead * 0.6, x1, y - lead * 0.6, 0.5, dash=[1.5, 1.5])
        time = f"{self.rng.randint(7, 21):02d}:{self.rng.randint(0, 59):02d}"
        left = [(st.date(d.issue_date), ("issue_date",)), (f"  {time}", ())]
        right = [(self.lab["number"] + " ", ()), (d.number, ("document_number",))]
        y += lead * 0.4
        p.runs(x0, y, left, self.f, sz)
        if width("".join(r[0] for r in left + right), self.f, sz) + 12 > x1 - x0:
            y += lead
        p.runs(x1, y, right, self.f, sz, "right")
        # What a fuel station's or a restaurant's slip adds (issue 25: Tankquittung,
        # Bewirtungsbeleg): a draw of its own, so that every other document stays as it was.
        kind = random.Random(f"{self.seed}:receipt-kind")
        fuel = s.trade == "tankstelle" and kind.random() < 0.6
        hospitality = s.trade == "gastro" and kind.random() < 0.6
        if fuel:
            y += lead
            pump = f"Säule {kind.randint(1, 12)}" if d.lang == "de" else f"Pump {kind.randint(1, 12)}"
            p.text(x0, y, pump, self.f, sz)
        if hospitality:
            y += lead
            table = f"Tisch {kind.randint(1, 40)}  Bedienung {kind.choice(['Anna', 'Mehmet', 'Lukas', 'Sofia', 'Jonas'])}" if d.lang == "de" else f"Table {kind.randint(1, 40)}  Server {kind.choice(['Anna', 'Tom', 'Lucy'])}"
            p.text(x0, y, table, self.f, sz)
        y += lead * 1.5
        rate_letter = {r: "AB"[i] if i < 2 else "C" for i, r in enumerate(sorted({ln.vat_rate for ln in d.lines}, reverse=True))}
        for ln in d.lines:
            name = ln.name[:34]
            p.text(x0, y, name, self.f, fit(name, self.f, sz, (x1 - x0) * 0.72))
            p.runs(x1, y, [(st.money(ln.amount, False), ()), (f" {rate_letter[ln.vat_rate]}", ())], self.f, sz, "right")
            if ln.qty != 1:
                y += lead
                p.text(x0 + 8, y, f"{st.qty(ln.qty)} x {st.price(ln.price)}", self.f, sz - 0.5)
            y += lead
        p.line(x0, y - lead * 0.5, x1, y - lead * 0.5, 0.5, dash=[1.5, 1.5])
        y += lead * 0.6
        t = d.totals
        p.text(x0, y, "SUMME" if d.lang == "de" else "TOTAL", self.fb, sz + 1.5)
        p.runs(x1, y, [(st.symbol + " ", ("currency",)), (st.money(t.gross, False), ())], self.fb, sz + 1.5, "right", keys=("gross_total",))
        y += lead * 1.6
        given = (t.gross / 10).to_integral_value(rounding="ROUND_CEILING") * 10
        if self.rng.random() < 0.5:
            p.text(x0, y, "Gegeben BAR" if d.lang == "de" else "Cash", self.f, sz)
            p.text(x1, y, st.money(given, False), self.f, sz, "right")
            y += lead
            p.text(x0, y, "Rückgeld" if d.lang == "de" else "Change", self.f, sz)
            p.text(x1, y, st.money(given - t.gross, False), self.f, sz, "right")
        else:
            p.text(x0, y, "EC-Karte" if d.lang == "de" else "Card payment", self.f, sz)
            p.text(x1, y, st.money(t.gross, False), self.f, sz, "right")
        y += lead * 1.6
        heads = ["MwSt", "Netto", "Steuer", "Brutto"] if d.lang == "de" else ["VAT", "Net", "Tax", "Gross"]
        colx = [x0, x0 + (x1 - x0) * 0.5, x0 + (x1 - x0) * 0.75, x1]
        for j, hd in enumerate(heads):
            p.text(colx[j], y, hd, self.f, sz - 0.5, "left" if j == 0 else "right")
        multi = len(t.breakdown) > 1
        for i, (r, b, v) in enumerate(t.breakdown):
            y += lead
            p.runs(colx[0], y, [(f"{rate_letter[r]} ", ()), (st.pct(r), (f"vat_breakdown[{i}].rate",))], self.f, sz - 0.5)
            p.text(colx[1], y, st.money(b, False), self.f, sz - 0.5, "right", keys=(f"vat_breakdown[{i}].base",) + (() if multi else ("net_total",)))
            p.text(colx[2], y, st.money(v, False), self.f, sz - 0.5, "right", keys=(f"vat_breakdown[{i}].amount",) + (() if multi else ("vat_total",)))
            p.text(colx[3], y, st.money(b + v, False), self.f, sz - 0.5, "right")
        y += lead * 2
        thanks = "Vielen Dank für Ihren Einkauf!" if d.lang == "de" else "Thank you for your visit!"
        p.text(cx, y, thanks, self.f, sz, "center")
        if fuel and kind.random() < 0.5:
            # The fuel slip's own title under the till's: "Tankquittung" for the books.
            y += lead * 1.5
            p.text(cx, y, "TANKQUITTUNG" if d.lang == "de" else "FUEL RECEIPT", self.fb, sz, "center")
        if hospitality:
            # The hospitality form German tax law asks for (§ 4 Abs. 5 Nr. 2 EStG), or a card
            # slip's tip and total lines: labels with blanks a person fills in by hand.
            y += lead * 2
            if d.lang == "de":
                p.text(cx, y, "Bewirtungsbeleg", self.fb, sz, "center")
                form = ["Bewirtete Person(en):", "Anlass der Bewirtung:", "Trinkgeld:", "Gesamtbetrag:", "Ort, Datum:", "Unterschrift:"]
            else:
                form = ["Tip:", "Total:", "Signature:"]
            for label in form:
                y += lead * 1.6
                p.text(x0, y, label, self.f, sz)
                p.line(x0 + width(label, self.f, sz) + 4, y + 1, x1, y + 1, 0.4)
        self.y = y + 20

    # ------------------------------------------------------------------------------ footer
    def footer_columns(self) -> list[list[tuple[str, str, tuple]]]:
        """Footer columns of (label, value, keys) lines: what a German letterhead footer holds.
        Drawn identically on every page, so its choices come from a fixed per-sender RNG."""
        s, lab, d = self.d.sender, self.lab, self.d
        rng = random.Random(f"{self.L.family}-{s.name}")
        c1 = [("", s.name, ()), ("", s.street, ()), ("", s.city_line(), ())]
        c2 = [(f"{lab['phone']} ", s.phone, ())] if s.phone else []
        if s.fax:
            c2.append(("Fax ", s.fax, ()))
        c2 += [("", x, ()) for x in (s.email, s.web) if x]
        c3 = []
        if s.bank and s.bank.iban:
            c3 = [("", s.bank.name, ()), ("IBAN ", _group(s.bank.iban), self.bank_keys("iban")), ("BIC ", s.bank.bic, self.bank_keys("bic"))]
        c4 = []
        if s.directors:
            c4.append((f"{lab['director']}: ", ", ".join(s.directors), ()))
        if s.register:
            c4.append(("", s.register, ()))
        if s.vat_id:
            c4.append((f"{lab['vat_id']}: ", s.vat_id, self.pkeys(s, "vat_id")))
        if s.tax_number and (not s.vat_id or rng.random() < 0.5):
            c4.append((f"{lab['tax_no']}: ", s.tax_number, self.pkeys(s, "tax_number")))
        if self.L.footer == "cols3" or d.doc_type == "order":
            cols = [c1 + c2[:2], c3, c4]
        else:
            cols = [c1, c2, c3, c4]
        return [c for c in cols if c]

    def footer_lines(self) -> list[list[tuple[str, str, tuple]]]:
        """Centred footers: the columns as lines, split where a line would not fit."""
        cols = self.footer_columns()
        if self.L.footer == "line":
            cols = [cols[0] + [t for t in cols[-1] if t[2]]]
        out = []
        for parts in cols:
            full = "  ·  ".join(a + b for a, b, _ in parts)
            if width(full, self.f, self.fsize) > self.x1 - self.x0 and len(parts) > 1:
                half = (len(parts) + 1) // 2
                out += [parts[:half], parts[half:]]
            else:
                out.append(parts)
        return out

    def footer_column_lines(self, col, cw) -> list[tuple[list, float]]:
        """(runs, size) per printed line of one footer column; long plain lines wrap."""
        out = []
        for lbl, value, keys in col:
            size = fit(lbl + value, self.f, self.fsize, cw - 6, 4.8)
            if keys or width(lbl + value, self.f, size) <= cw - 6:
                out.append(([(lbl, ()), (value, keys)], size))
            else:
                out += [([(ln, ())], size) for ln in wrap(lbl + value, self.f, size, cw - 6)]
        return out

    def _footer_height(self) -> float:
        kind = self.L.footer
        if kind == "none" or self.L.thermal:
            return 10
        if kind in ("cols3", "cols4"):
            cols = self.footer_columns()
            cw = (self.x1 - self.x0) / len(cols)
            return max(len(self.footer_column_lines(c, cw)) for c in cols) * self.fsize * 1.3 + 18
        return len(self.footer_lines()) * self.fsize * 1.35 + 16

    def footer(self):
        kind, p, sz = self.L.footer, self.pdf, self.fsize
        if kind == "none" or self.L.thermal:
            return
        top = self.H - self.footer_h + 4
        p.line(self.x0, top, self.x1, top, 0.4, GREY)
        if kind in ("cols3", "cols4"):
            cols = self.footer_columns()
            cw = (self.x1 - self.x0) / len(cols)
            for j, col in enumerate(cols):
                y = top + sz * 1.6
                for runs, size in self.footer_column_lines(col, cw):
                    p.runs(self.x0 + j * cw, y, runs, self.f, size, color=GREY)
                    y += sz * 1.3
        else:
            y = top + sz * 1.6
            for parts in self.footer_lines():
                runs = []
                for j, (lbl, value, keys) in enumerate(parts):
                    runs += ([("  ·  ", ())] if j else []) + [(lbl, ()), (value, keys)]
                full = "".join(r[0] for r in runs)
                p.runs((self.x0 + self.x1) / 2, y, runs, self.f, fit(full, self.f, sz, self.x1 - self.x0, 4.5), "center", GREY)
                y += sz * 1.35

    def page_number(self):
        n, N = self.pdf.page, self.N
        if N <= 1 and self.L.page_no != "footer":
            return
        if N <= 1 and self.d.doc_type not in INVOICE_LIKE:
            return
        text = self.lab["page"].replace("{n}", str(n)).replace("{N}", str(max(N, 1)))
        pos = self.L.page_no
        if pos == "top_right":
            if n > 1:
                self.pdf.text(self.x1, 15 * MM + 14, text, self.f, self.small, "right", GREY)
        elif pos == "bottom_right":
            self.pdf.text(self.x1, self.H - self.footer_h - 2, text, self.f, self.small, "right", GREY)
        else:
            self.pdf.text((self.x0 + self.x1) / 2, self.H - self.footer_h - 2, text, self.f, self.small, "center", GREY)


# Column headers of the ERP totals table ("columns" totals).
COLUMN_TOTALS = {
    "de": {"goods": ["Warenwert", "Positionssumme", "Summe Positionen"], "net": ["Nettobetrag", "Nettowert", "Netto", "Warenwert netto"],
           "vat": ["MwSt-Betrag", "USt-Betrag", "Steuerbetrag", "MwSt."], "rate": ["MwSt-%", "USt-%", "Steuersatz", "MwSt.-Satz"],
           "gross": ["Endbetrag", "Bruttobetrag", "Brutto", "Rechnungsbetrag", "Gesamt"]},
    "en": {"goods": ["Goods", "Line total", "Items"], "net": ["Net amount", "Net", "Net value"], "vat": ["VAT amount", "VAT", "Tax"],
           "rate": ["VAT %", "Rate", "Tax rate"], "gross": ["Total", "Gross", "Amount", "Invoice total"]},
}


def labels_salutation(lang: str, sex, last: str) -> str:
    return SALUTATION[lang][sex].format(n=last)


def _group(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def render(doc: Doc, lay: Layout, seed: str) -> tuple[bytes, int, dict]:
    """(pdf bytes, page count, recorded value boxes). Draws once to count pages, then again
    with the count known; both passes make the same random choices."""
    # A letterhead name set in two lines, its legal form on the second: a draw of its own,
    # so that documents without it stay byte for byte as they were.
    two_line_name = random.Random(f"{seed}:two_line_name").random() < 0.35
    r = Renderer(doc, lay, random.Random(seed), total_pages=0, seed=seed)
    r.two_line_name = two_line_name
    r.render()
    pages, used = r.pdf.page, r.y
    page_h = used + 12 if lay.thermal else None
    r = Renderer(doc, lay, random.Random(seed), total_pages=pages, page_h=page_h, seed=seed)
    r.two_line_name = two_line_name
    data = r.render()
    return data, r.pdf.page, r.pdf.fields


_ONES = ["", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
         "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"]
_TENS = ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]


def _below_1000(n: int) -> str:
    words = []
    if n >= 100:
        words += [_ONES[n // 100], "Hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else ""))
    elif n:
        words.append(_ONES[n])
    return " ".join(words)


def rupees_in_words(x: Decimal, currency: str) -> str:
    """'Indian Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Paise
    Seventy-Eight Only': crore, lakh, thousand as Indian invoices count."""
    whole, paise = int(abs(x)), int((abs(x) * 100) % 100)
    parts = []
    for unit, size in (("Crore", 10 ** 7), ("Lakh", 10 ** 5), ("Thousand", 1000)):
        if whole >= size:
            parts.append(f"{_below_1000(whole // size)} {unit}")
            whole %= size
    if whole:
        parts.append(_below_1000(whole))
    name, cents = ("Indian Rupees", "Paise") if currency == "INR" else ("US Dollars", "Cents")
    out = f"{name} {' '.join(parts) or 'Zero'}"
    if paise:
        out += f" and {cents} {_below_1000(paise)}"
    return out + " Only"
