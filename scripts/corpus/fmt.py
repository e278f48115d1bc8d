"""How values are printed: money, quantities, percentages and dates in the German, English,
US, UK and Swiss conventions, and the reverse (parsing printed forms back to normalised
values), which the checker uses.

A document picks one `Style` and prints every value with it, as one ERP would.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]

SYMBOLS = {"EUR": ["€", "EUR"], "CHF": ["CHF", "Fr."], "GBP": ["£", "GBP"], "USD": ["$", "USD", "US$"],
           "INR": ["₹", "Rs.", "INR", "₹"]}
def q2(x: Decimal) -> Decimal:
    """Round half up to cents, as invoicing software does."""
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Style:
    """Number and date conventions of one document."""
    dec: str = ","            # decimal separator
    group: str = "."          # thousands separator ('' for none); 'lakh': Indian 1,23,456.78
    symbol: str = "€"         # currency as printed in totals
    symbol_pos: str = "after"  # 'after' ('1.234,56 €'), 'before' ('€ 1.234,56'), 'glued' ('€1,234.56')
    table_symbol: bool = False  # whether table cells carry the symbol too
    date_fmt: str = "dmy_dot"
    qty_decimals: int = -1    # -1: as needed; else a fixed number of decimals
    pct_fmt: str = "{} %"     # how a VAT rate prints
    neg_trailing: bool = False  # SAP-style '123,45-'

    def number(self, x: Decimal, places: int = 2) -> str:
        neg = x < 0
        x = abs(x)
        s = f"{x:.{places}f}"
        whole, _, frac = s.partition(".")
        if self.group == "lakh" and len(whole) > 3:
            # Indian grouping: the last three digits, then pairs (12,34,567.00).
            head, parts = whole[:-3], [whole[-3:]]
            while len(head) > 2:
                parts.insert(0, head[-2:])
                head = head[:-2]
            parts.insert(0, head)
            whole = ",".join(parts)
        elif self.group and len(whole) > 3:
            parts = []
            while len(whole) > 3:
                parts.insert(0, whole[-3:])
                whole = whole[:-3]
            parts.insert(0, whole)
            whole = self.group.join(parts)
        out = whole + (self.dec + frac if frac else "")
        if neg:
            out = out + "-" if self.neg_trailing else "-" + out
        return out

    def money(self, x: Decimal, symbol: bool = True, places: int = 2) -> str:
        n = self.number(x, places)
        if not symbol:
            return n
        if self.symbol_pos == "after":
            return f"{n} {self.symbol}"
        if self.symbol_pos == "glued":
            return f"-{self.symbol}{n[1:]}" if n.startswith("-") else f"{self.symbol}{n}"
        return f"{self.symbol} {n}"

    def price(self, x: Decimal, symbol: bool = False) -> str:
        """A unit price: two decimals unless the price needs more (0,8403)."""
        places = 2 if x == x.quantize(CENT) else len(str(x.normalize()).partition(".")[2])
        return self.money(x, symbol, min(max(places, 2), 4))

    def qty(self, x: Decimal) -> str:
        if self.qty_decimals > 0 or (self.qty_decimals == 0 and x == x.to_integral()):
            return self.number(x, self.qty_decimals)
        places = 0 if x == x.to_integral() else len(str(x.normalize()).partition(".")[2])
        return self.number(x, places)

    def pct(self, rate: Decimal) -> str:
        r = rate.normalize()
        s = f"{r:f}" if r != r.to_integral() else str(int(r))
        if "{:.2f}" in self.pct_fmt or "{:.1f}" in self.pct_fmt:
            return self.pct_fmt.format(float(rate)).replace(".", self.dec)
        return self.pct_fmt.format(s.replace(".", self.dec))

    def date(self, d: dt.date) -> str:
        return format_date(d, self.date_fmt)


def format_date(d: dt.date, fmt: str) -> str:
    if fmt == "dmy_dot":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if fmt == "dmy_dot_short":
        return f"{d.day}.{d.month}.{d.year % 100:02d}"
    if fmt == "dmy_dot_yy":
        return f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}"
    if fmt == "d_month_de":
        return f"{d.day}. {MONTHS_DE[d.month - 1]} {d.year}"
    if fmt == "iso":
        return d.isoformat()
    if fmt == "month_d_y":
        return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"
    if fmt == "d_month_en":
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    if fmt == "mdy_slash":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if fmt == "dmy_slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if fmt == "dmy_dash":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if fmt == "d_mon_y_dash":
        return f"{d.day:02d}-{MONTHS_EN[d.month - 1][:3]}-{d.year}"
    raise ValueError(fmt)


def pick_style(rng, lang: str, currency: str, seller_country: str) -> Style:
    """Number/date conventions that fit the document's language, currency and sender."""
    sym = SYMBOLS[currency]
    if seller_country == "IN":
        # Indian invoices: lakh grouping mostly, day first with slashes, dashes or "15-Oct-2024".
        s = Style(dec=".", group=rng.choice(["lakh", "lakh", "lakh", ","]),
                  date_fmt=rng.choice(["dmy_slash", "dmy_dash", "d_mon_y_dash", "d_mon_y_dash", "d_month_en", "dmy_dot"]),
                  pct_fmt=rng.choice(["{}%", "{} %", "{:.2f}%"]))
        s.symbol = rng.choice(sym)
        s.symbol_pos = "glued" if s.symbol == "₹" and rng.random() < 0.6 else "before"
        s.table_symbol = rng.random() < 0.2
        s.qty_decimals = rng.choices([-1, 2, 0], [60, 30, 10])[0]
        return s
    if currency == "USD" or seller_country == "US":
        s = Style(dec=".", group=",", date_fmt=rng.choice(["mdy_slash", "month_d_y", "month_d_y", "iso"]),
                  pct_fmt=rng.choice(["{}%", "{} %"]))
    elif currency == "GBP" or seller_country in ("GB", "IE"):
        s = Style(dec=".", group=",", date_fmt=rng.choice(["dmy_slash", "d_month_en", "d_month_en", "iso"]),
                  pct_fmt=rng.choice(["{}%", "{} %"]))
    elif seller_country == "CH" and rng.random() < 0.7:
        s = Style(dec=".", group=rng.choice(["'", "’", "'"]), date_fmt=rng.choice(["dmy_dot", "d_month_de"] if lang == "de" else ["dmy_dot", "d_month_en"]),
                  pct_fmt=rng.choice(["{}%", "{} %"]))
    elif lang == "de":
        s = Style(dec=",", group=rng.choice([".", ".", ".", ""]),
                  date_fmt=rng.choices(["dmy_dot", "dmy_dot_short", "dmy_dot_yy", "d_month_de", "iso"], [60, 8, 8, 16, 8])[0],
                  pct_fmt=rng.choice(["{} %", "{} %", "{}%", "{:.2f} %", "{:.1f}%"]))
    else:
        de_conv = rng.random() < 0.35  # German company writing English keeps its number format
        s = Style(dec="," if de_conv else ".", group="." if de_conv else rng.choice([",", ",", ""]),
                  date_fmt=rng.choices(["d_month_en", "month_d_y", "iso", "dmy_dot"], [35, 25, 15, 25])[0],
                  pct_fmt=rng.choice(["{}%", "{} %", "{:.2f}%"]))
    s.symbol = rng.choice(sym) if currency != "EUR" or lang == "de" else rng.choice(["€", "EUR", "€"])
    if s.symbol in ("€", "EUR") and s.dec == ",":
        s.symbol_pos = rng.choices(["after", "before"], [80, 20])[0]
    elif s.symbol in ("$", "£", "€") and s.dec == ".":
        s.symbol_pos = rng.choices(["glued", "before", "after"], [70, 20, 10])[0]
    else:
        s.symbol_pos = rng.choices(["before", "after"], [70, 30])[0]
    s.table_symbol = rng.random() < 0.3
    s.qty_decimals = rng.choices([-1, 2, 0], [70, 25, 5])[0]
    return s


# --------------------------------------------------------------------------------------------
# Parsing printed values back (used by check.py)

CURRENCY = r"(?:€|EUR|CHF|Fr\.|£|GBP|\$|USD|US\$|₹|Rs\.|INR)"


def parse_amounts(token: str) -> set[Decimal]:
    """Every value a printed number could mean (German, English or Swiss separators)."""
    t = re.sub(CURRENCY, "", token).strip().replace("−", "-").replace(" ", "")
    neg = t.startswith("-") or t.endswith("-")
    t = t.strip("-")
    if not re.fullmatch(r"\d[\d.,'’]*", t):
        return set()
    out = set()
    for dec, group in ((",", "."), (".", ","), (".", "'"), (".", "’"), (",", ""), (".", "")):
        s = t
        if group:
            s = s.replace(group, "")
        if s.count(dec) > 1 or any(c in s for c in ".,'’" if c != dec):
            continue
        try:
            v = Decimal(s.replace(dec, "."))
        except Exception:
            continue
        out.add(-v if neg else v)
    return out


_MONTHS = {m.lower(): i + 1 for i, m in enumerate(MONTHS_DE)} | {m.lower(): i + 1 for i, m in enumerate(MONTHS_EN)}
_MON3 = {m[:3].lower(): i + 1 for i, m in enumerate(MONTHS_EN)}
DATE_RES = [
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\b"), "dmy"),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), "slash"),
    (re.compile(r"\b(\d{1,2})-(\d{1,2})-(\d{4})\b"), "dmy"),
    (re.compile(r"\b(\d{1,2})-([A-Z][a-z]{2})-(\d{4})\b"), "d_mon"),
    (re.compile(r"\b(\d{1,2})\.? ([A-Za-zäÄ]+) (\d{4})\b"), "d_month"),
    (re.compile(r"\b([A-Z][a-z]+) (\d{1,2}), (\d{4})\b"), "month_d"),
]


def parse_dates(text: str) -> set[str]:
    """ISO dates of every date-like string in `text` (both readings of a slash date)."""
    out = set()

    def add(y, m, d):
        y = int(y)
        y = y + 2000 if y < 100 else y
        try:
            out.add(dt.date(y, int(m), int(d)).isoformat())
        except ValueError:
            pass
    for rx, kind in DATE_RES:
        for m in rx.finditer(text):
            a, b, c = m.groups()
            if kind == "dmy":
                add(c, b, a)
            elif kind == "ymd":
                add(a, b, c)
            elif kind == "slash":
                add(c, a, b)
                add(c, b, a)
            elif kind == "d_mon" and b.lower() in _MON3:
                add(c, _MON3[b.lower()], a)
            elif kind == "d_month" and b.lower() in _MONTHS:
                add(c, _MONTHS[b.lower()], a)
            elif kind == "month_d" and a.lower() in _MONTHS:
                add(c, _MONTHS[a.lower()], b)
    return out
