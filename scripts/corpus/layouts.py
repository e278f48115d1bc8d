"""Layout families: ~20 recognisably different document templates, each with its own range
of random variation (fonts, sizes, colours, label wording, column sets, spacing).

A family fixes the structure: the letterhead kind, where the address and the info block
sit (DIN 5008 form A or B, free, right), the table style, the totals block and the footer.
`pick(rng, family, doc)` turns a family into one concrete `Layout` for a document; render.py
draws it. Which families are held out of training is decided in generate.py.
"""
from __future__ import annotations

from dataclasses import dataclass

FONTS = {
    # name: (regular file, bold file) under /usr/share/fonts/truetype
    "LiberationSans": ("liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf"),
    "LiberationSerif": ("liberation2/LiberationSerif-Regular.ttf", "liberation2/LiberationSerif-Bold.ttf"),
    "LiberationMono": ("liberation2/LiberationMono-Regular.ttf", "liberation2/LiberationMono-Bold.ttf"),
    "DejaVuSans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "DejaVuSerif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "DejaVuSansMono": ("dejavu/DejaVuSansMono.ttf", "dejavu/DejaVuSansMono-Bold.ttf"),
    "FreeSans": ("freefont/FreeSans.ttf", "freefont/FreeSansBold.ttf"),
    "FreeSerif": ("freefont/FreeSerif.ttf", "freefont/FreeSerifBold.ttf"),
    "FreeMono": ("freefont/FreeMono.ttf", "freefont/FreeMonoBold.ttf"),
    "Carlito": ("crosextra/Carlito-Regular.ttf", "crosextra/Carlito-Bold.ttf"),
    "Caladea": ("crosextra/Caladea-Regular.ttf", "crosextra/Caladea-Bold.ttf"),
    "OpenSans": ("open-sans/OpenSans-Regular.ttf", "open-sans/OpenSans-Bold.ttf"),
    "Lato": ("lato/Lato-Regular.ttf", "lato/Lato-Bold.ttf"),
}
SANS = ["LiberationSans", "DejaVuSans", "FreeSans", "Carlito", "OpenSans", "Lato"]
SERIF = ["LiberationSerif", "DejaVuSerif", "FreeSerif", "Caladea"]
MONO = ["LiberationMono", "DejaVuSansMono", "FreeMono"]

PALETTES = {
    "mono": [(0.1, 0.1, 0.1), (0.25, 0.25, 0.25)],
    "blue": [(0.05, 0.23, 0.45), (0.0, 0.36, 0.62), (0.12, 0.3, 0.55)],
    "green": [(0.0, 0.4, 0.3), (0.2, 0.45, 0.2)],
    "red": [(0.62, 0.1, 0.12), (0.75, 0.2, 0.1)],
    "warm": [(0.85, 0.45, 0.05), (0.6, 0.35, 0.1), (0.5, 0.2, 0.4)],
    "any": [(0.05, 0.23, 0.45), (0.0, 0.4, 0.3), (0.62, 0.1, 0.12), (0.85, 0.45, 0.05), (0.3, 0.3, 0.35), (0.35, 0.15, 0.5)],
}

# Each family: lists of allowed options per component (one is drawn per document).
FAMILIES: dict[str, dict] = {
    "klassik": dict(header=["plain_sender"], address=["din_a"], info=["right_grid"], table=["rules"],
                    totals=["right"], footer=["cols3"], fonts=SERIF + ["LiberationSans"], palette="mono"),
    "firmenkopf": dict(header=["name_right"], address=["din_b"], info=["right_grid"], table=["grid"],
                       totals=["right", "breakdown"], footer=["cols4"], fonts=SANS, palette="blue"),
    "logo_links": dict(header=["logo_left"], address=["din_b"], info=["right_aligned"], table=["zebra"],
                       totals=["boxed"], footer=["cols3"], fonts=SANS, palette="any"),
    "seitenleiste": dict(header=["sidebar"], address=["din_a"], info=["left_list"], table=["grid_light"],
                         totals=["right"], footer=["none"], fonts=["LiberationSans", "FreeSans", "DejaVuSans"], palette="warm"),
    "farbband": dict(header=["band"], address=["din_b"], info=["row"], table=["filled_header"],
                     totals=["bar"], footer=["cols4"], fonts=SANS, palette="any"),
    "erp_mono": dict(header=["mono"], address=["din_a"], info=["right_grid"], table=["dashed"],
                     totals=["right"], footer=["centered"], fonts=MONO, palette="mono"),
    "zentriert": dict(header=["centered"], address=["din_b"], info=["boxed_right"], table=["rules"],
                      totals=["breakdown"], footer=["centered"], fonts=SERIF, palette="mono"),
    "handwerk": dict(header=["logo_left"], address=["din_a"], info=["heading_inline"], table=["zebra", "grid"],
                     totals=["right"], footer=["cols3"], fonts=SANS + SERIF, palette="any"),
    "wortmarke": dict(header=["wordmark"], address=["din_b"], info=["right_aligned"], table=["frame"],
                      totals=["left"], footer=["cols4"], fonts=["Lato", "OpenSans", "Carlito"], palette="any"),
    "us_style": dict(header=["title_right"], address=["free"], info=["boxed_right"], table=["filled_header"],
                     totals=["right"], footer=["line"], fonts=SANS, palette="any"),
    "minimal": dict(header=["plain_sender"], address=["din_b"], info=["row"], table=["plain"],
                    totals=["right"], footer=["cols3"], fonts=["Lato", "OpenSans", "Carlito", "DejaVuSans"], palette="mono"),
    "formular": dict(header=["name_right"], address=["din_a"], info=["grid_box"], table=["grid"],
                     totals=["boxed"], footer=["centered"], fonts=SANS, palette="mono"),
    "linke_leiste": dict(header=["left_bar"], address=["din_a"], info=["right_grid"], table=["zebra"],
                         totals=["breakdown"], footer=["cols4"], fonts=SANS + SERIF, palette="any"),
    "kompakt": dict(header=["logo_left"], address=["din_a"], info=["right_aligned"], table=["grid"],
                    totals=["right"], footer=["cols4"], fonts=["LiberationSans", "DejaVuSans", "Carlito", "FreeSans"],
                    palette="blue", small=True),
    "brief_formal": dict(header=["centered"], address=["din_a"], info=["left_list"], table=["rules"],
                         totals=["sentence"], footer=["centered"], fonts=SERIF, palette="mono"),
    "streifen": dict(header=["band_thin"], address=["din_b"], info=["boxed_right"], table=["rules", "zebra"],
                     totals=["boxed"], footer=["cols3"], fonts=SANS, palette="any"),
    "adresse_rechts": dict(header=["name_left"], address=["right"], info=["left_list"], table=["rules"],
                           totals=["right"], footer=["cols3"], fonts=SANS + SERIF, palette="any"),
    "startup": dict(header=["big_title"], address=["din_b"], info=["row"], table=["zebra"],
                    totals=["bar"], footer=["cols3"], fonts=["Lato", "OpenSans", "Carlito"], palette="any"),
    "kontaktblock": dict(header=["logo_right"], address=["din_a"], info=["right_aligned"], table=["filled_header", "grid_light"],
                         totals=["right"], footer=["cols3"], fonts=SANS, palette="any", contact_block=True),
    # The data sheet of an e-invoice viewer (ZUGFeRD/XRechnung visualisation): no
    # letterhead, parties in labelled sections. Drawn for invoices and credit notes only,
    # chosen in generate.py by a draw of its own.
    "datenblatt": dict(header=["none"], address=["parties_form"], info=["left_list"], table=["rules", "grid_light"],
                       totals=["right"], footer=["none"], fonts=["LiberationSans", "DejaVuSans", "FreeSans"], palette="mono"),
    "thermal": dict(header=["thermal"], address=["none"], info=["thermal"], table=["thermal"],
                    totals=["thermal"], footer=["none"], fonts=MONO, palette="mono", thermal=True),
}
RECEIPT_ONLY = {"thermal"}
# Families chosen only by their own draw in generate.py, never by the family choice.
SPECIAL = {"datenblatt"}

# Table column sets (keys: pos art desc qty unit price disc vat amount); render.py adds
# a VAT column where rates differ between lines and a discount column where lines have one.
COLUMN_SETS = [
    ["pos", "art", "desc", "qty", "unit", "price", "amount"],
    ["pos", "desc", "qty", "unit", "price", "vat", "amount"],
    ["pos", "qty", "unit", "desc", "price", "amount"],
    ["desc", "qty", "price", "amount"],
    ["pos", "art", "desc", "qty", "price", "amount"],
    ["art", "desc", "qty", "unit", "price", "vat", "amount"],
    ["qty", "desc", "price", "amount"],
    ["pos", "desc", "qty", "price", "vat", "amount"],
]


@dataclass
class Layout:
    family: str
    header: str
    address: str
    info: str
    table: str
    totals: str
    footer: str
    font: str
    accent: tuple
    base_size: float
    columns: list[str]
    page: tuple = (595.2756, 841.8898)  # A4 in points
    margin_l: float = 70.87             # 25 mm
    margin_r: float = 56.69             # 20 mm
    fold_marks: bool = False
    return_line: bool = True
    return_underline: bool = False
    intro: bool = True
    closing: bool = True
    bank_in_body: bool = False
    page_no: str = "footer"              # footer | top_right | bottom_right | none-on-single
    heading_size: float = 16
    heading_caps: bool = False
    heading_with_number: bool = False
    qty_with_unit: bool = False
    contact_block: bool = False
    thermal: bool = False
    small: bool = False


def families_for(doc_type: str) -> list[str]:
    return [f for f in FAMILIES if f not in SPECIAL and (f not in RECEIPT_ONLY or doc_type == "receipt")]


def pick(rng, family: str, doc) -> Layout:
    """A concrete layout of `family` for `doc` (random variation inside the family)."""
    f = FAMILIES[family]
    font = rng.choice(f["fonts"])
    base = rng.choice([8.5, 9, 9, 9.5, 10, 10, 10.5, 11]) if not f.get("small") else rng.choice([7.5, 8, 8])
    if font in MONO:
        base = min(base, 9)
    lay = Layout(family=family, header=rng.choice(f["header"]), address=rng.choice(f["address"]), info=rng.choice(f["info"]),
                 table=rng.choice(f["table"]), totals=rng.choice(f["totals"]), footer=rng.choice(f["footer"]),
                 font=font, accent=rng.choice(PALETTES[f["palette"]]), base_size=base,
                 columns=list(rng.choice(COLUMN_SETS)), contact_block=f.get("contact_block", False),
                 thermal=f.get("thermal", False), small=f.get("small", False))
    if doc.sender.country == "US" and not lay.thermal:
        lay.page = (612.0, 792.0)        # US Letter
        lay.margin_l = lay.margin_r = 54.0
    else:
        lay.margin_l = rng.choice([62.36, 70.87, 70.87, 68.0])   # 22 / 25 mm
        lay.margin_r = rng.choice([42.52, 51.02, 56.69])          # 15 / 18 / 20 mm
    lay.fold_marks = rng.random() < (0.5 if lay.address.startswith("din") else 0.0)
    lay.return_line = lay.address != "free" and rng.random() < 0.9
    lay.return_underline = rng.random() < 0.4
    lay.intro = rng.random() < 0.45
    lay.closing = rng.random() < 0.35
    lay.bank_in_body = lay.footer in ("none", "line", "centered") and rng.random() < 0.7 or rng.random() < 0.1
    lay.page_no = rng.choice(["footer", "footer", "top_right", "bottom_right"])
    lay.heading_size = rng.choice([13, 14, 15, 16, 18, 20]) if family != "startup" else rng.choice([24, 28, 30])
    lay.heading_caps = rng.random() < 0.2
    lay.heading_with_number = lay.info == "heading_inline" or rng.random() < 0.25
    lay.qty_with_unit = "unit" not in lay.columns and rng.random() < 0.6
    if family == "erp_mono" and rng.random() < 0.5:
        doc.style.neg_trailing = True    # SAP-style '123,45-'
    if lay.thermal:
        lay.page = (226.77, 0.0)         # 80 mm roll; the height follows the content
        lay.margin_l = lay.margin_r = 11.0
        lay.base_size = rng.choice([7.5, 8, 8.5])
    return lay
