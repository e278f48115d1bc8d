"""Synthetic but realistic content: people, companies, addresses, bank accounts, tax and VAT
identifiers (with valid checksums), document numbers, and line items by trade.

Everything here draws from a `random.Random` passed in, so a document's content depends only
on its own RNG. Nothing here knows about layout or PDF drawing.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from decimal import Decimal

from .fmt import MONTHS_DE, MONTHS_EN

# --------------------------------------------------------------------------------------------
# People and places

FIRST_M = ["Thomas", "Michael", "Andreas", "Stefan", "Jürgen", "Klaus", "Frank", "Markus", "Jörg",
           "Uwe", "Matthias", "Günter", "Sebastian", "Tobias", "Lukas", "Jan", "Florian", "Bernd",
           "Dieter", "Wolfgang", "Ralf", "Sven", "Björn", "Jens", "Holger", "Timo", "Fabian", "Moritz"]
FIRST_F = ["Sabine", "Petra", "Claudia", "Andrea", "Monika", "Susanne", "Katrin", "Julia", "Anna",
           "Stefanie", "Birgit", "Jutta", "Sandra", "Nicole", "Lena", "Laura", "Sophie", "Jana",
           "Ursula", "Heike", "Martina", "Anja", "Kerstin", "Doris", "Bärbel", "Miriam", "Franziska"]
SURNAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
            "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
            "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze",
            "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs",
            "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Friedrich",
            "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann",
            "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin",
            "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel",
            "Heinrich", "Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler",
            "Kuhn", "Kühn", "Pohl", "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer",
            "Arnold", "Wolff", "Pfeiffer", "Büttner", "Gräf", "Strauß", "Reuß", "Dreßler", "Oßwald"]
EN_FIRST = ["James", "Oliver", "Emily", "Sarah", "David", "Michael", "Emma", "Daniel", "Laura",
            "Thomas", "Jessica", "Matthew", "Hannah", "Robert", "Charlotte", "Peter", "Claire"]
EN_SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
               "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
               "Hall", "Wood", "Jackson", "Clarke", "Miller", "Anderson", "Murphy", "Kelly"]
NL_SURNAMES = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer"]
FR_SURNAMES = ["Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent", "Girard"]

CITIES = {
    "DE": [("80331", "München"), ("80939", "München"), ("10115", "Berlin"), ("10969", "Berlin"),
           ("12099", "Berlin"), ("20095", "Hamburg"), ("22761", "Hamburg"), ("50667", "Köln"),
           ("51063", "Köln"), ("60311", "Frankfurt am Main"), ("65929", "Frankfurt am Main"),
           ("70173", "Stuttgart"), ("70469", "Stuttgart"), ("40210", "Düsseldorf"),
           ("44137", "Dortmund"), ("45127", "Essen"), ("28195", "Bremen"), ("04109", "Leipzig"),
           ("01067", "Dresden"), ("30159", "Hannover"), ("90402", "Nürnberg"), ("47051", "Duisburg"),
           ("44787", "Bochum"), ("42103", "Wuppertal"), ("33602", "Bielefeld"), ("53111", "Bonn"),
           ("48143", "Münster"), ("76133", "Karlsruhe"), ("68159", "Mannheim"), ("86150", "Augsburg"),
           ("65183", "Wiesbaden"), ("41061", "Mönchengladbach"), ("38100", "Braunschweig"),
           ("24103", "Kiel"), ("09111", "Chemnitz"), ("06108", "Halle (Saale)"),
           ("39104", "Magdeburg"), ("79098", "Freiburg im Breisgau"), ("47798", "Krefeld"),
           ("55116", "Mainz"), ("23552", "Lübeck"), ("99084", "Erfurt"), ("18055", "Rostock"),
           ("34117", "Kassel"), ("66111", "Saarbrücken"), ("93047", "Regensburg"),
           ("85049", "Ingolstadt"), ("97070", "Würzburg"), ("89073", "Ulm"), ("74072", "Heilbronn"),
           ("75175", "Pforzheim"), ("37073", "Göttingen"), ("49074", "Osnabrück"),
           ("26122", "Oldenburg"), ("52062", "Aachen"), ("57072", "Siegen"), ("95444", "Bayreuth"),
           ("96047", "Bamberg"), ("83022", "Rosenheim"), ("87435", "Kempten (Allgäu)"),
           ("88212", "Ravensburg"), ("78462", "Konstanz"), ("72764", "Reutlingen"),
           ("73728", "Esslingen am Neckar"), ("71634", "Ludwigsburg"), ("63065", "Offenbach am Main"),
           ("64283", "Darmstadt"), ("35037", "Marburg"), ("36037", "Fulda"), ("54290", "Trier"),
           ("56068", "Koblenz"), ("67059", "Ludwigshafen am Rhein"), ("82319", "Starnberg"),
           ("85354", "Freising"), ("84028", "Landshut"), ("94032", "Passau"), ("59065", "Hamm"),
           ("58095", "Hagen"), ("32423", "Minden"), ("31134", "Hildesheim"), ("21335", "Lüneburg"),
           ("25746", "Heide"), ("17489", "Greifswald"), ("03046", "Cottbus"), ("07743", "Jena"),
           ("98527", "Suhl"), ("08056", "Zwickau"), ("02826", "Görlitz"), ("14467", "Potsdam"),
           ("15230", "Frankfurt (Oder)"), ("19053", "Schwerin"), ("29221", "Celle"),
           ("27568", "Bremerhaven"), ("91052", "Erlangen"), ("97421", "Schweinfurt"),
           ("63739", "Aschaffenburg"), ("77652", "Offenburg"), ("88045", "Friedrichshafen")],
    "AT": [("1010", "Wien"), ("1150", "Wien"), ("8010", "Graz"), ("4020", "Linz"),
           ("5020", "Salzburg"), ("6020", "Innsbruck"), ("9020", "Klagenfurt"), ("3100", "St. Pölten")],
    "CH": [("8001", "Zürich"), ("8400", "Winterthur"), ("3011", "Bern"), ("4051", "Basel"),
           ("6003", "Luzern"), ("9000", "St. Gallen"), ("1201", "Genève")],
    "NL": [("1012 AB", "Amsterdam"), ("3011 AD", "Rotterdam"), ("3511 LX", "Utrecht"),
           ("5611 AZ", "Eindhoven"), ("2511 BT", "Den Haag")],
    "FR": [("75008", "Paris"), ("69002", "Lyon"), ("67000", "Strasbourg"), ("13001", "Marseille")],
    "IE": [("D02 X285", "Dublin 2"), ("T12 R2NC", "Cork")],
    "GB": [("EC1A 1BB", "London"), ("M1 1AE", "Manchester"), ("B1 1TT", "Birmingham"),
           ("LS1 4AP", "Leeds"), ("BS1 5TR", "Bristol")],
    "US": [("NY 10001", "New York"), ("CA 94105", "San Francisco"), ("WA 98101", "Seattle"),
           ("TX 78701", "Austin"), ("MA 02110", "Boston")],
    "IN": [("560001", "Bengaluru"), ("560095", "Bengaluru"), ("400001", "Mumbai"), ("400093", "Mumbai"),
           ("110001", "New Delhi"), ("600002", "Chennai"), ("500081", "Hyderabad"), ("411001", "Pune"),
           ("700016", "Kolkata"), ("380009", "Ahmedabad"), ("122002", "Gurugram"), ("201301", "Noida")],
}
# Indian states by city: the GSTIN's first two digits are the state's code, and a GST
# invoice within one state charges CGST and SGST, between states IGST.
IN_STATES = {"Bengaluru": ("29", "Karnataka"), "Mumbai": ("27", "Maharashtra"), "New Delhi": ("07", "Delhi"),
             "Chennai": ("33", "Tamil Nadu"), "Hyderabad": ("36", "Telangana"), "Pune": ("27", "Maharashtra"),
             "Kolkata": ("19", "West Bengal"), "Ahmedabad": ("24", "Gujarat"), "Gurugram": ("06", "Haryana"),
             "Noida": ("09", "Uttar Pradesh")}
COUNTRY_NAMES = {
    "de": {"DE": "Deutschland", "AT": "Österreich", "CH": "Schweiz", "NL": "Niederlande",
           "FR": "Frankreich", "IE": "Irland", "GB": "Vereinigtes Königreich", "US": "USA", "IN": "Indien"},
    "en": {"DE": "Germany", "AT": "Austria", "CH": "Switzerland", "NL": "The Netherlands",
           "FR": "France", "IE": "Ireland", "GB": "United Kingdom", "US": "USA", "IN": "India"},
}
STREETS = {
    "DE": ["Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gartenstraße", "Schillerstraße",
           "Goethestraße", "Lindenstraße", "Am Mühlbach", "Friedrich-Ebert-Straße", "Ringstraße",
           "Kirchweg", "Gewerbepark", "Im Gewerbegebiet", "Robert-Bosch-Str.", "Carl-Zeiss-Straße",
           "Dorfstraße", "Marktplatz", "Am Hafen", "Poststraße", "Rosenweg", "Birkenallee",
           "Königsallee", "Maximilianstraße", "Kaiserstraße", "Lange Reihe", "Wiesenweg",
           "Feldstraße", "Mühlenweg", "Schloßstraße", "Große Straße", "Fußgängerzone",
           "Otto-Hahn-Str.", "Daimlerstraße", "Siemensstraße", "Tulpenfeld", "An der Weide",
           "Lessingstraße", "Weißdornweg", "Kastanienallee", "Hafenstraße", "Talstraße"],
    "AT": ["Mariahilfer Straße", "Landstraßer Hauptstraße", "Herrengasse", "Linzer Gasse"],
    "CH": ["Bahnhofstrasse", "Seestrasse", "Hauptgasse", "Industriestrasse"],
    "NL": ["Keizersgracht", "Herengracht", "Stationsplein", "Kerkstraat"],
    "FR": ["Rue de Rivoli", "Avenue des Champs", "Rue du Faubourg", "Boulevard Voltaire"],
    "IE": ["Grafton Street", "Baggot Street", "Harcourt Road"],
    "GB": ["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane"],
    "US": ["Main Street", "Market Street", "5th Avenue", "Oak Drive", "Pine Street"],
    "IN": ["MG Road", "Residency Road", "Nehru Place", "Anna Salai", "Linking Road", "Park Street",
           "Hitech City Road", "FC Road", "Koramangala 5th Block", "Andheri Kurla Road", "Sector 18",
           "Outer Ring Road", "Cyber City, DLF Phase 2"],
}
PHONE_PREFIX = {"DE": "+49", "AT": "+43", "CH": "+41", "NL": "+31", "FR": "+33", "IE": "+353",
                "GB": "+44", "US": "+1", "IN": "+91"}
TLD = {"DE": "de", "AT": "at", "CH": "ch", "NL": "nl", "FR": "fr", "IE": "ie", "GB": "co.uk", "US": "com", "IN": "in"}
EU = {"DE", "AT", "NL", "FR", "IE"}

# --------------------------------------------------------------------------------------------
# Trades: company name words and what they sell. Item: (de, en, unit, low, high, reduced VAT)
# Units are keys of UNITS.

UNITS = {
    # key: (UN/ECE rec 20 code, German spellings, English spellings)
    "pc": ("C62", ["Stk.", "Stück", "St.", "Stk"], ["pcs", "pc.", "ea.", "units"]),
    "h": ("HUR", ["Std.", "h", "Stunden", "Std"], ["hrs", "h", "hours"]),
    "kg": ("KGM", ["kg"], ["kg"]),
    "m": ("MTR", ["m", "lfm"], ["m"]),
    "m2": ("MTK", ["m²", "qm"], ["m²", "sqm"]),
    "l": ("LTR", ["l", "Liter"], ["l", "litres"]),
    "ls": ("LS", ["pauschal", "psch.", "Pausch.", "pschl."], ["lump sum", "flat", "LS"]),
    "day": ("DAY", ["Tag", "Tage", "PT"], ["day", "days"]),
    "mon": ("MON", ["Monat", "Mon."], ["month", "mo."]),
    "set": ("SET", ["Set", "Satz"], ["set"]),
    "pack": ("XPK", ["Pck.", "Pack", "Karton", "VE"], ["pack", "box", "carton"]),
    "pal": ("XPX", ["Pal.", "Palette"], ["pallet"]),
}

TRADES = {
    "sanitaer": {
        "words": ["Haustechnik", "Sanitär", "Heizung & Sanitär", "Installationen", "Bad & Wärme"],
        "en_words": ["Plumbing", "Heating Services"],
        "items": [
            ("Arbeitszeit Geselle", "Labour, journeyman", "h", 48, 72, False),
            ("Arbeitszeit Meister", "Labour, master craftsman", "h", 62, 89, False),
            ("Anfahrtspauschale", "Call-out charge", "ls", 25, 65, False),
            ("Kupferrohr 15 mm", "Copper pipe 15 mm", "m", 6, 14, False),
            ("Pressfitting Bogen 90° 15 mm", "Press fitting elbow 90° 15 mm", "pc", 3, 9, False),
            ("Waschtischarmatur Hansgrohe Talis E", "Basin mixer Hansgrohe Talis E", "pc", 95, 240, False),
            ("Thermostatventil Heimeier", "Thermostatic valve Heimeier", "pc", 18, 45, False),
            ("Wartung Gas-Brennwerttherme", "Service of gas condensing boiler", "ls", 120, 260, False),
            ("Spülkasten Geberit Sigma UP320", "Cistern Geberit Sigma UP320", "pc", 160, 320, False),
            ("Dichtungsmaterial und Kleinteile", "Sealing material and small parts", "ls", 8, 35, False),
            ("Entsorgung Altmaterial", "Disposal of old material", "ls", 15, 60, False),
        ]},
    "elektro": {
        "words": ["Elektrotechnik", "Elektro", "Elektroanlagen", "Gebäudetechnik"],
        "en_words": ["Electrical", "Electric Services"],
        "items": [
            ("Elektroinstallation, Monteur", "Electrical installation, fitter", "h", 52, 75, False),
            ("NYM-J 3x1,5 mm²", "Cable NYM-J 3x1.5 mm²", "m", 0.9, 2.4, False),
            ("Schuko-Steckdose Gira E2 reinweiß", "Socket outlet Gira E2 white", "pc", 7, 19, False),
            ("FI-Schutzschalter 40A 30mA", "RCD 40A 30mA", "pc", 39, 95, False),
            ("LED-Panel 62x62 cm 36 W", "LED panel 62x62 cm 36 W", "pc", 45, 120, False),
            ("E-Check nach DGUV V3", "Electrical safety test DGUV V3", "pc", 6, 14, False),
            ("Unterverteilung 3-reihig", "Sub-distribution board 3 rows", "pc", 110, 260, False),
            ("Kleinmaterial", "Small material", "ls", 10, 40, False),
        ]},
    "maler": {
        "words": ["Malerbetrieb", "Maler & Lackierer", "Farbe & Raum", "Malerwerkstätten"],
        "en_words": ["Decorators"],
        "items": [
            ("Wandflächen spachteln und schleifen", "Filling and sanding of walls", "m2", 6, 14, False),
            ("Dispersionsfarbe weiß, 2x streichen", "Emulsion paint white, two coats", "m2", 7, 15, False),
            ("Abdeckarbeiten", "Masking and covering", "ls", 60, 180, False),
            ("Raufaser tapezieren", "Hanging woodchip wallpaper", "m2", 9, 16, False),
            ("Lackierung Heizkörper", "Painting radiators", "pc", 35, 70, False),
            ("Arbeitszeit Malergeselle", "Labour, painter", "h", 45, 62, False),
        ]},
    "it": {
        "words": ["IT-Services", "Systemhaus", "Software", "Datentechnik", "Netzwerke", "Digital"],
        "en_words": ["IT Solutions", "Software", "Systems", "Cloud Services"],
        "items": [
            ("Microsoft 365 Business Standard (Lizenz/Monat)", "Microsoft 365 Business Standard (licence/month)", "pc", 11.7, 12.5, False),
            ("Wartungsvertrag Server, monatlich", "Server maintenance contract, monthly", "mon", 150, 690, False),
            ("Remote-Support", "Remote support", "h", 85, 140, False),
            ("Vor-Ort-Einsatz Techniker", "On-site engineer", "h", 95, 150, False),
            ("Notebook Lenovo ThinkPad T14 Gen 4", "Notebook Lenovo ThinkPad T14 Gen 4", "pc", 980, 1490, False),
            ("Monitor Dell P2723D 27\"", "Monitor Dell P2723D 27\"", "pc", 260, 390, False),
            ("Einrichtung Arbeitsplatz", "Workstation setup", "ls", 120, 290, False),
            ("Firewall-Lizenz Sophos XGS, 12 Monate", "Firewall licence Sophos XGS, 12 months", "pc", 420, 990, False),
            ("Webhosting Business, Jahresgebühr", "Web hosting business, annual fee", "pc", 96, 360, False),
            ("Domain .de, 12 Monate", "Domain .de, 12 months", "pc", 9, 24, False),
            ("Softwareentwicklung Senior", "Software development, senior", "h", 95, 145, False),
            ("Backup-Speicher 1 TB", "Backup storage 1 TB", "mon", 19, 49, False),
        ]},
    "buero": {
        "words": ["Bürobedarf", "Büroversand", "Office Center", "Papier & Büro"],
        "en_words": ["Office Supplies", "Stationery"],
        "items": [
            ("Kopierpapier A4 80 g/m², 500 Blatt", "Copy paper A4 80 gsm, 500 sheets", "pack", 4.2, 7.9, False),
            ("Ordner Leitz 180° 8 cm, blau", "Lever arch file Leitz 8 cm, blue", "pc", 2.9, 5.5, False),
            ("Kugelschreiber Schneider K15, blau", "Ballpoint pen Schneider K15, blue", "pc", 0.39, 0.99, False),
            ("Toner HP 59A schwarz", "Toner HP 59A black", "pc", 89, 149, False),
            ("Haftnotizen 76x76 mm, 12 Blöcke", "Sticky notes 76x76 mm, 12 pads", "pack", 6, 14, False),
            ("Briefumschläge DL mit Fenster, 1000 Stk.", "Envelopes DL with window, 1000", "pack", 18, 34, False),
            ("Textmarker Stabilo Boss, 4er-Set", "Highlighters Stabilo Boss, set of 4", "set", 3.5, 6.9, False),
            ("Heftgerät Leitz 5502", "Stapler Leitz 5502", "pc", 9, 19, False),
            ("Fachbuch Steuerrecht {y}", "Textbook tax law {y}", "pc", 39, 79, True),
        ]},
    "beratung": {
        "words": ["Consulting", "Unternehmensberatung", "Beratung & Partner", "Management Consulting"],
        "en_words": ["Consulting", "Advisory", "Partners"],
        "items": [
            ("Beratungsleistung Senior Consultant", "Consulting, senior consultant", "h", 120, 190, False),
            ("Beratungsleistung Consultant", "Consulting, consultant", "h", 85, 130, False),
            ("Workshop-Tag inkl. Vorbereitung", "Workshop day incl. preparation", "day", 1100, 1900, False),
            ("Tagessatz Projektleitung", "Daily rate, project management", "day", 950, 1450, False),
            ("Reisekosten pauschal", "Travel expenses, flat", "ls", 90, 350, False),
            ("Erstellung Konzeptpapier", "Preparation of concept paper", "ls", 600, 2400, False),
        ]},
    "steuer": {
        "words": ["Steuerberatung", "Steuerberatungsgesellschaft", "Treuhand"],
        "en_words": ["Tax Advisors"],
        "items": [
            ("Finanzbuchhaltung {m} {y}", "Bookkeeping {m} {y}", "ls", 180, 650, False),
            ("Lohnabrechnung je Mitarbeiter", "Payroll per employee", "pc", 18, 32, False),
            ("Umsatzsteuer-Voranmeldung", "VAT return (monthly)", "pc", 60, 180, False),
            ("Jahresabschluss {py}", "Annual financial statements {py}", "ls", 1800, 5200, False),
            ("Auslagenpauschale", "Expense allowance", "ls", 20, 20, False),
        ]},
    "logistik": {
        "words": ["Logistik", "Spedition", "Transporte", "Kurierdienst", "Lagerlogistik"],
        "en_words": ["Logistics", "Freight", "Haulage"],
        "items": [
            ("Fracht Komplettladung München–Hamburg", "Full truckload Munich–Hamburg", "ls", 780, 1450, False),
            ("Palettenstellplatz, monatlich", "Pallet storage, monthly", "pal", 8, 16, False),
            ("Kurierfahrt Express", "Express courier run", "pc", 45, 140, False),
            ("Stückgut", "General cargo", "kg", 0.18, 0.65, False),
            ("Maut- und Dieselzuschlag", "Toll and fuel surcharge", "ls", 25, 120, False),
            ("Kommissionierung je Position", "Picking per line", "pc", 0.45, 1.2, False),
            ("Verpackungsmaterial", "Packaging material", "ls", 12, 60, False),
        ]},
    "lebensmittel": {
        "words": ["Feinkost", "Getränkehandel", "Großhandel", "Bäckerei", "Frischeservice", "Süßwaren"],
        "en_words": ["Foods", "Catering Supplies"],
        "items": [
            ("Kaffeebohnen Crema, 1 kg", "Coffee beans crema, 1 kg", "pack", 14, 24, True),
            ("Mineralwasser still, Kasten 12x0,75 l", "Still water, crate 12x0.75 l", "pc", 6, 11, False),
            ("Milch 3,5 %, 1 l", "Milk 3.5 %, 1 l", "l", 0.99, 1.59, True),
            ("Butterbrezeln", "Butter pretzels", "pc", 0.9, 1.6, True),
            ("Obstkorb Büro, saisonal", "Office fruit basket, seasonal", "pc", 24, 45, True),
            ("Orangensaft, Kasten 6x1 l", "Orange juice, crate 6x1 l", "pc", 9, 16, False),
            ("Gouda mittelalt", "Gouda, medium aged", "kg", 9, 15, True),
            ("Pfand Kasten", "Crate deposit", "pc", 3.3, 3.3, False),
            ("Lieferpauschale", "Delivery charge", "ls", 5, 15, False),
        ]},
    "druck": {
        "words": ["Druckerei", "Druck & Medien", "Werbetechnik", "Digitaldruck"],
        "en_words": ["Print Services"],
        "items": [
            ("Visitenkarten 4/4-farbig, 500 Stk.", "Business cards 4/4 colour, 500", "pc", 29, 69, False),
            ("Flyer DIN A5, 135 g, 2.500 Stk.", "Flyers A5, 135 gsm, 2,500", "pc", 79, 189, False),
            ("Roll-up Display 85x200 cm", "Roll-up display 85x200 cm", "pc", 89, 179, False),
            ("Broschüre A4, 16 Seiten, 500 Stk.", "Brochure A4, 16 pages, 500", "pc", 390, 890, False),
            ("Satz und Layout", "Typesetting and layout", "h", 55, 85, False),
        ]},
    "kfz": {
        "words": ["Autohaus", "Kfz-Werkstatt", "Autoservice", "Kfz-Technik"],
        "en_words": ["Motors", "Auto Service"],
        "items": [
            ("Inspektion nach Herstellervorgabe", "Service to manufacturer schedule", "ls", 189, 420, False),
            ("Motoröl 5W-30", "Engine oil 5W-30", "l", 14, 24, False),
            ("Ölfilter", "Oil filter", "pc", 12, 29, False),
            ("Bremsbeläge vorne, Satz", "Front brake pads, set", "set", 59, 140, False),
            ("Arbeitswert", "Labour unit", "h", 89, 135, False),
            ("Hauptuntersuchung §29 StVZO", "Roadworthiness test", "ls", 139, 159, False),
            ("Reifenwechsel inkl. Wuchten", "Tyre change incl. balancing", "ls", 49, 89, False),
        ]},
    "reinigung": {
        "words": ["Gebäudereinigung", "Facility Services", "Reinigungsservice"],
        "en_words": ["Cleaning Services", "Facility Management"],
        "items": [
            ("Unterhaltsreinigung Büroflächen, {m}", "Office cleaning, {m}", "mon", 480, 1900, False),
            ("Glasreinigung", "Window cleaning", "m2", 1.2, 3.5, False),
            ("Sonderreinigung Teppichboden", "Carpet deep cleaning", "m2", 3, 7, False),
            ("Hygieneartikel Nachfüllung", "Hygiene supplies refill", "ls", 35, 140, False),
        ]},
    "gastro": {
        "words": ["Restaurant", "Gaststätte", "Café", "Brauhaus", "Trattoria"],
        "en_words": ["Restaurant", "Bistro"],
        "items": [
            ("Tagesgericht", "Dish of the day", "pc", 9.5, 16.9, True),
            ("Schnitzel Wiener Art", "Schnitzel", "pc", 14.5, 22.9, True),
            ("Salat der Saison", "Seasonal salad", "pc", 7.9, 12.5, True),
            ("Apfelschorle 0,4 l", "Apple spritzer 0.4 l", "pc", 3.2, 4.5, False),
            ("Pils 0,5 l", "Lager 0.5 l", "pc", 3.9, 5.2, False),
            ("Espresso", "Espresso", "pc", 2.2, 3.2, False),
            ("Mineralwasser 0,75 l", "Mineral water 0.75 l", "pc", 5.5, 7.9, False),
        ]},
    "tankstelle": {
        "words": ["Tankstelle", "Autohof", "Tank & Wasch"],
        "en_words": ["Service Station"],
        "items": [
            ("Super E10", "Petrol E10", "l", 1.65, 1.95, False),
            ("Diesel", "Diesel", "l", 1.55, 1.85, False),
            ("Autowäsche Premium", "Car wash premium", "pc", 9.9, 17.9, False),
            ("Scheibenreiniger 5 l", "Screen wash 5 l", "pc", 6.9, 11.9, False),
            ("Kaffee to go", "Coffee to go", "pc", 2.5, 3.9, False),
        ]},
    "hotel": {
        "words": ["Hotel", "Hotel & Tagungszentrum", "Gasthof", "Parkhotel"],
        "en_words": ["Hotel", "Inn"],
        "items": [
            ("Übernachtung Einzelzimmer", "Overnight stay, single room", "pc", 79, 169, True),
            ("Frühstück", "Breakfast", "pc", 12, 24, False),
            ("Tagungspauschale", "Conference package", "pc", 45, 89, False),
            ("Parkplatz", "Parking", "day", 8, 18, False),
            ("Getränke Minibar", "Minibar", "ls", 4, 25, False),
        ]},
}

# Legal forms: (suffix, is English form, weight)
DE_FORMS = [("GmbH", 40), ("GmbH & Co. KG", 14), ("AG", 5), ("e.K.", 8),
            ("UG (haftungsbeschränkt)", 6), ("OHG", 4), ("KG", 5), ("", 8)]
EN_FORMS = {"GB": ["Ltd", "Ltd.", "Limited", "LLP"], "IE": ["Ltd", "Limited", "DAC"],
            "US": ["Inc.", "LLC", "Corp."], "NL": ["B.V."], "FR": ["SAS", "SARL"],
            "AT": ["GmbH", "KG", "e.U."], "CH": ["AG", "GmbH"],
            "IN": ["Pvt. Ltd.", "Private Limited", "Pvt Ltd", "LLP", "Limited", "Pvt. Ltd."]}
IN_SURNAMES = ["Sharma", "Iyer", "Patel", "Reddy", "Mehta", "Nair", "Gupta", "Rao", "Agarwal", "Kapoor",
               "Menon", "Joshi", "Banerjee", "Kulkarni", "Chatterjee", "Pillai", "Desai", "Malhotra"]
IN_FIRST = ["Arjun", "Priya", "Rahul", "Ananya", "Vikram", "Sneha", "Rohan", "Kavya", "Aditya", "Meera",
            "Suresh", "Lakshmi", "Karthik", "Divya"]
IN_FANTASY = ["Sai", "Shree", "Trident", "Lotus", "Sunrise", "Everest", "Ganga", "Kaveri", "Nilgiri",
              "Pinnacle", "Srinivasa", "Orion", "Vedanta", "Aarav"]
FANTASY = ["Nordlicht", "Alpentec", "Rheinwerk", "Südstern", "Isartal", "Datenwerk", "Weserhof",
           "Elbufer", "Mainblick", "Bergkristall", "Lindenhof", "Sonnenfeld", "Grünwald",
           "Brückner", "Weitblick", "Novatec", "Prisma", "Kompass", "Quadrat", "Falkenstein",
           "Morgenrot", "Eichenhain", "Ostwind", "Ährenfeld", "Mühlbach", "Schönblick", "Würfel",
           "Großmann", "Fußwerk", "Blauwal", "Löwenzahn", "Vierlinden", "Donautal"]
EN_FANTASY = ["Brightwater", "Northgate", "Bluepeak", "Silverline", "Oakridge", "Redfield",
              "Greenway", "Stonebridge", "Clearview", "Harbourside", "Kingsley", "Westbrook"]

BANKS_DE = [("Deutsche Bank", "10070000", "DEUTDEBBXXX"), ("Commerzbank", "20040000", "COBADEHHXXX"),
            ("Sparkasse KölnBonn", "37050198", "COLSDE33XXX"), ("Stadtsparkasse München", "70150000", "SSKMDEMMXXX"),
            ("Berliner Sparkasse", "10050000", "BELADEBEXXX"), ("Hamburger Sparkasse", "20050550", "HASPDEHHXXX"),
            ("Kreissparkasse Ludwigsburg", "60450050", "SOLADES1LBG"), ("Frankfurter Volksbank", "50190000", "FFVBDEFFXXX"),
            ("Volksbank Stuttgart", "60090100", "VOBADESSXXX"), ("Postbank", "10010010", "PBNKDEFFXXX"),
            ("HypoVereinsbank", "70020270", "HYVEDEMMXXX"), ("GLS Bank", "43060967", "GENODEM1GLS"),
            ("Sparkasse Hannover", "25050180", "SPKHDE2HXXX"), ("Stadtsparkasse Düsseldorf", "30050110", "DUSSDEDDXXX"),
            ("Ostsächsische Sparkasse Dresden", "85050300", "OSDDDE81XXX"), ("Sparkasse Nürnberg", "76050101", "SSKNDE77XXX"),
            ("Raiffeisenbank Oberland", "70169614", "GENODEF1MIB"), ("Volksbank Mittelhessen", "51390000", "VBMHDE5FXXX"),
            ("Targobank", "30020900", "CMCIDEDDXXX"), ("Sparkasse Aachen", "39050000", "AACSDE33XXX")]
BANKS_FOREIGN = {
    "AT": [("Erste Bank", "20111", "GIBAATWWXXX"), ("Raiffeisen Landesbank", "32000", "RLNWATWWXXX")],
    "NL": [("ING Bank", "INGB", "INGBNL2A"), ("ABN AMRO", "ABNA", "ABNANL2A"), ("Rabobank", "RABO", "RABONL2U")],
    "FR": [("BNP Paribas", "30004", "BNPAFRPPXXX"), ("Société Générale", "30003", "SOGEFRPP")],
    "CH": [("UBS Switzerland", "00230", "UBSWCHZH80A"), ("Zürcher Kantonalbank", "00700", "ZKBKCHZZ80A")],
    "IE": [("Bank of Ireland", "BOFI", "BOFIIE2D"), ("AIB", "AIBK", "AIBKIE2D")],
    "GB": [("Barclays", "BARC", "BARCGB22"), ("HSBC UK", "HBUK", "HBUKGB4B"), ("Lloyds Bank", "LOYD", "LOYDGB2L")],
    "US": [("JPMorgan Chase Bank", "", "CHASUS33"), ("Bank of America", "", "BOFAUS3N")],
    # Indian banks: (name, IFSC, SWIFT); accounts have no IBAN.
    "IN": [("HDFC Bank", "HDFC0000240", "HDFCINBB"), ("State Bank of India", "SBIN0000813", "SBININBB"),
           ("ICICI Bank", "ICIC0000104", "ICICINBB"), ("Axis Bank", "UTIB0000004", "AXISINBB"),
           ("Kotak Mahindra Bank", "KKBK0000958", "KKBKINBB")],
}
COURTS = ["München", "Berlin-Charlottenburg", "Hamburg", "Köln", "Frankfurt am Main", "Stuttgart",
          "Düsseldorf", "Dortmund", "Hannover", "Leipzig", "Dresden", "Nürnberg", "Bremen",
          "Mannheim", "Augsburg", "Bonn", "Essen", "Freiburg", "Ulm", "Kiel", "Darmstadt"]

# --------------------------------------------------------------------------------------------
# Checksummed identifiers


def _mod97(s: str) -> int:
    n = "".join(str(int(c, 36)) for c in s)
    return int(n) % 97


def iban_from_bban(country: str, bban: str) -> str:
    """An IBAN with the ISO 13616 mod-97 check digits for `bban`."""
    check = 98 - _mod97(bban + country + "00")
    return f"{country}{check:02d}{bban}"


def iban_valid(iban: str) -> bool:
    return len(iban) >= 15 and _mod97(iban[4:] + iban[:4]) == 1


def _digits(rng, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def make_iban(rng, country: str, bank_code: str) -> str:
    if country == "DE":
        bban = bank_code + _digits(rng, 10)
    elif country == "AT":
        bban = bank_code + _digits(rng, 11)
    elif country == "CH":
        bban = bank_code + _digits(rng, 12)
    elif country == "NL":
        bban = bank_code + _digits(rng, 10)
    elif country in ("GB", "IE"):
        bban = bank_code + _digits(rng, 14)
    elif country == "FR":
        branch, account = _digits(rng, 5), _digits(rng, 11)
        key = 97 - (89 * int(bank_code) + 15 * int(branch) + 3 * int(account)) % 97
        bban = f"{bank_code}{branch}{account}{key:02d}"
    else:
        raise ValueError(country)
    return iban_from_bban(country, bban)


def de_vat_check_digit(first8: str) -> int:
    """ISO 7064 MOD 11,10 check digit of a German USt-IdNr. (as the BZSt computes it)."""
    product = 10
    for c in first8:
        s = (int(c) + product) % 10 or 10
        product = (2 * s) % 11
    return (11 - product) % 10


def de_vat_valid(vat: str) -> bool:
    d = vat[2:]
    return vat.startswith("DE") and len(d) == 9 and d.isdigit() and de_vat_check_digit(d[:8]) == int(d[8])


def make_vat_id(rng, country: str) -> str:
    """A VAT ID in the country's shape; DE, AT, FR and GB ones pass their check-digit rules."""
    if country == "DE":
        first = str(rng.randint(1, 3)) + _digits(rng, 7)
        return f"DE{first}{de_vat_check_digit(first)}"
    if country == "AT":
        d = _digits(rng, 7)
        s = sum((v // 10 + v % 10) for v in (int(c) * (2 if i % 2 else 1) for i, c in enumerate(d)))
        return f"ATU{d}{(10 - (s + 4) % 10) % 10}"
    if country == "FR":
        siren = str(rng.randint(100000000, 999999999))
        return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    if country == "GB":
        d = _digits(rng, 7)
        return f"GB{d}{(-sum(int(c) * w for c, w in zip(d, range(8, 1, -1)))) % 97:02d}"
    if country == "NL":
        return f"NL{_digits(rng, 9)}B{rng.choice(['01', '02'])}"
    if country == "IE":
        return f"IE{_digits(rng, 7)}{rng.choice('ABCDEFGHW')}"
    if country == "CH":
        while True:
            d = _digits(rng, 8)
            s = sum(int(c) * w for c, w in zip(d, [5, 4, 3, 2, 7, 6, 5, 4]))
            check = 11 - s % 11
            if check < 10:
                return f"CHE-{d[:3]}.{d[3:6]}.{d[6:]}{check} MWST"
            if check == 11:
                return f"CHE-{d[:3]}.{d[3:6]}.{d[6:]}0 MWST"
    if country == "US":
        return f"{_digits(rng, 2)}-{_digits(rng, 7)}"  # EIN; not an EU VAT ID
    raise ValueError(country)


GSTIN_CHARS = string.digits + string.ascii_uppercase


def gstin_check_char(first14: str) -> str:
    """The check character of an Indian GSTIN: a Luhn mod 36 over its first 14 characters."""
    total = 0
    for i, c in enumerate(first14):
        v = GSTIN_CHARS.index(c) * (2 if i % 2 else 1)
        total += v // 36 + v % 36
    return GSTIN_CHARS[(36 - total % 36) % 36]


def make_pan(rng, holder: str = "C") -> str:
    """An Indian PAN: three letters, the holder's kind (C company, F firm, P person), a letter,
    four digits, a letter."""
    letters = string.ascii_uppercase
    return "".join(rng.choice(letters) for _ in range(3)) + holder + rng.choice(letters) + _digits(rng, 4) + rng.choice(letters)


def make_gstin(rng, state: str, pan: str) -> str:
    """A GSTIN: state code, PAN, registration number in the state, 'Z', check character."""
    first = f"{state}{pan}{rng.choice('1111112')}Z"
    return first + gstin_check_char(first)


def make_tax_number(rng) -> str:
    """A German Steuernummer in one of the per-state shapes."""
    shape = rng.choice(["2/3/5", "3/3/5", "3/4/4", "5/5", "2/3/5"])
    parts = [int(p) for p in shape.split("/")]
    return "/".join(_digits(rng, n) if i else str(rng.randint(10 ** (n - 1), 10 ** n - 1))
                    for i, n in enumerate(parts))


# --------------------------------------------------------------------------------------------
# Parties


@dataclass
class Bank:
    name: str
    iban: str
    bic: str


@dataclass
class Party:
    name: str                     # company name exactly as printed, or a person's name
    country: str
    street: str
    postcode: str
    city: str
    is_company: bool = True
    contact: str | None = None    # "Frau Sabine Müller" / "Attn. John Smith"
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    web: str | None = None
    vat_id: str | None = None
    tax_number: str | None = None
    bank: Bank | None = None
    account: str | None = None    # an account number where banks use no IBAN (India)
    ifsc: str | None = None
    directors: list[str] = field(default_factory=list)
    register: str | None = None   # "Amtsgericht München, HRB 123456"
    trade: str = "buero"
    short: str = ""               # initials for the logo
    small_business: bool = False  # § 19 UStG

    def city_line(self) -> str:
        if self.country == "GB":
            return f"{self.city} {self.postcode}"
        if self.country == "US":
            return f"{self.city}, {self.postcode}"
        if self.country == "IN":
            state = IN_STATES.get(self.city, ("", ""))[1]
            return f"{self.city}, {state} - {self.postcode}" if state and len(self.street) < 24 else f"{self.city} - {self.postcode}"
        return f"{self.postcode} {self.city}"

    def address_lines(self, lang: str, with_country: bool) -> list[str]:
        lines = [self.street, self.city_line()]
        if with_country:
            lines.append(COUNTRY_NAMES[lang][self.country].upper() if self.country != "DE" else COUNTRY_NAMES[lang]["DE"])
        return lines


def person_name(rng, country: str = "DE", with_title: bool = False) -> tuple[str, str]:
    """(full name, 'm'/'f')."""
    sex = rng.choice("mf")
    if country in ("GB", "IE", "US"):
        first, last = rng.choice(EN_FIRST), rng.choice(EN_SURNAMES)
    elif country == "IN":
        first, last = rng.choice(IN_FIRST), rng.choice(IN_SURNAMES)
    elif country == "NL":
        first, last = rng.choice(FIRST_M + FIRST_F), rng.choice(NL_SURNAMES)
    elif country == "FR":
        first, last = rng.choice(["Julien", "Camille", "Nicolas", "Claire", "Antoine"]), rng.choice(FR_SURNAMES)
    else:
        first = rng.choice(FIRST_M if sex == "m" else FIRST_F)
        last = rng.choice(SURNAMES)
        if rng.random() < 0.1:
            last = f"{last}-{rng.choice(SURNAMES)}"
    title = "Dr. " if with_title and rng.random() < 0.15 else ""
    return f"{title}{first} {last}", sex


def _initials(name: str) -> str:
    words = [w for w in name.replace("&", " ").split() if w[:1].isalpha() and w[0].isupper()]
    return "".join(w[0] for w in words[:2]) or name[:2].upper()


def company_name(rng, country: str, trade: str) -> tuple[str, bool]:
    """(name, small_business). Names use umlauts, ß and the country's legal forms."""
    t = TRADES[trade]
    if country in ("DE", "AT", "CH") and rng.random() < 0.08 and trade in ("maler", "sanitaer", "elektro", "druck", "beratung", "it"):
        person, _ = person_name(rng, "DE")
        label = {"maler": "Malermeister", "sanitaer": "Installateurmeister", "elektro": "Elektromeister",
                 "druck": "Grafikdesign", "beratung": "Beratung", "it": "IT-Dienstleistungen"}[trade]
        return (f"{label} {person}" if rng.random() < 0.5 else f"{person} {label}"), country == "DE"
    if country in ("DE", "AT", "CH"):
        forms = DE_FORMS if country == "DE" else [(f, 10) for f in EN_FORMS[country]]
        form = rng.choices([f for f, _ in forms], [w for _, w in forms])[0]
        sur, sur2 = rng.choice(SURNAMES), rng.choice(SURNAMES)
        word = rng.choice(t["words"])
        if trade == "hotel":
            base = rng.choice([f"{word} {rng.choice(FANTASY)}", f"{word} Zur Post", f"{rng.choice(FANTASY)} {word}"])
        else:
            base = rng.choice([
                f"{sur} {word}", f"{sur} & {sur2}", f"{rng.choice(FANTASY)} {word}", f"Gebr. {sur}",
                f"{sur} & Söhne", f"{rng.choice(FANTASY)}", f"{word} {sur}", f"{sur} {word} {rng.choice(CITIES['DE'])[1].split()[0]}",
            ])
        if form == "e.K.":
            first, _ = person_name(rng, "DE")
            base = f"{base.split(' &')[0]} Inh. {first}" if rng.random() < 0.3 else base
        return (f"{base} {form}".strip() if form else base), False
    words = t["en_words"]
    forms = EN_FORMS[country]
    if country == "IN":
        sur, sur2 = rng.choice(IN_SURNAMES), rng.choice(IN_SURNAMES)
        base = rng.choice([f"{rng.choice(IN_FANTASY)} {rng.choice(words)}", f"{sur} {rng.choice(words)}",
                           f"{sur} & {sur2} {rng.choice(words)}", f"{rng.choice(IN_FANTASY)} {rng.choice(words)} India",
                           f"{rng.choice(EN_FANTASY)} {rng.choice(words)} India"])
    elif country in ("NL", "FR"):
        sur = rng.choice(NL_SURNAMES if country == "NL" else FR_SURNAMES)
        base = rng.choice([f"{rng.choice(EN_FANTASY)} {rng.choice(words)}", f"{sur} {rng.choice(words)}"])
    else:
        base = rng.choice([f"{rng.choice(EN_FANTASY)} {rng.choice(words)}", f"{rng.choice(EN_SURNAMES)} & {rng.choice(EN_SURNAMES)}",
                           f"{rng.choice(EN_FANTASY)} {rng.choice(words)} Europe"])
    return f"{base} {rng.choice(forms)}", False


def _slug(name: str) -> str:
    tr = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue", "é": "e", "è": "e"})
    words = [w for w in name.translate(tr).lower().replace("&", " ").replace(".", " ").split()
             if w not in ("gmbh", "co", "kg", "ag", "ek", "ug", "haftungsbeschraenkt)", "(haftungsbeschraenkt)",
                          "ohg", "ltd", "inc", "llc", "corp", "limited", "bv", "b", "v", "sas", "sarl", "gebr", "und", "inh")]
    slug = "-".join(words[:2]) if len("".join(words[:2])) <= 22 else words[0][:22]
    return "".join(c for c in slug if c.isalnum() or c == "-") or "firma"


def phone(rng, country: str) -> str:
    p = PHONE_PREFIX[country]
    if country == "DE":
        area = rng.choice(["30", "40", "89", "221", "69", "711", "211", "231", "421", "341", "351", "511", "911", "7141", "8031"])
        local = _digits(rng, rng.randint(5, 7))
        style = rng.random()
        if style < 0.4:
            return f"0{area} {local}"
        if style < 0.7:
            return f"0{area}/{local}"
        return f"{p} {area} {local}"
    return f"{p} {_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 4)}"


def make_company(rng, country: str, trade: str) -> Party:
    name, small = company_name(rng, country, trade)
    postcode, city = rng.choice(CITIES[country])
    street = f"{rng.choice(STREETS[country])} {rng.randint(1, 180)}{rng.choice(['', '', '', '', 'a', 'b'])}"
    if country == "IN":
        street = f"{rng.choice(['No. ', '#', 'Plot ', ''])}{rng.randint(1, 250)}{rng.choice(['', '/1', 'A', ', 2nd Floor', ', 4th Floor'])}, {rng.choice(STREETS[country])}"
    elif country in ("FR", "US", "GB", "IE") and rng.random() < 0.8:
        street = f"{rng.randint(1, 250)} {rng.choice(STREETS[country])}"
    slug = _slug(name)
    domain = f"{slug}.{TLD[country]}"
    p = Party(name=name, country=country, street=street, postcode=postcode, city=city, trade=trade,
              short=_initials(name), small_business=small)
    p.phone = phone(rng, country)
    p.fax = phone(rng, country) if rng.random() < 0.35 else None
    p.email = rng.choice(["info", "buchhaltung", "rechnung", "kontakt", "office", "service"] if country in ("DE", "AT", "CH")
                         else ["info", "accounts", "billing", "office", "hello"]) + "@" + domain
    p.web = "www." + domain
    if country == "DE":
        p.vat_id = None if small else make_vat_id(rng, "DE")
        p.tax_number = make_tax_number(rng)
        bname, blz, bic = rng.choice(BANKS_DE)
        p.bank = Bank(bname, make_iban(rng, "DE", blz), bic)
    elif country == "US":
        p.vat_id = None
        bname, _, bic = rng.choice(BANKS_FOREIGN["US"])
        p.bank = Bank(bname, "", bic)
    elif country == "IN":
        pan = make_pan(rng, "C" if "LLP" not in name else "F")
        p.vat_id = make_gstin(rng, IN_STATES[city][0], pan)
        bname, ifsc, bic = rng.choice(BANKS_FOREIGN["IN"])
        p.bank = Bank(bname, "", bic)
        p.account, p.ifsc = _digits(rng, rng.choice([11, 12, 14])), ifsc
        p.register = (f"CIN: {rng.choice('UL')}{rng.randint(10000, 99999)}{IN_STATES[city][1][:2].upper()}{rng.randint(1995, 2022)}PTC{_digits(rng, 6)}"
                      if "LLP" not in name else f"LLPIN: AA{rng.choice('ABC')}-{_digits(rng, 4)}") + f", PAN: {pan}"
    else:
        p.vat_id = make_vat_id(rng, country)
        bname, code, bic = rng.choice(BANKS_FOREIGN[country])
        p.bank = Bank(bname, make_iban(rng, country, code), bic)
    n_dir = rng.choice([1, 1, 1, 2, 2, 3])
    p.directors = [person_name(rng, country if country != "CH" else "DE", with_title=True)[0] for _ in range(n_dir)]
    if country == "DE" and not small:
        kind = "HRA" if ("KG" in name or "OHG" in name or "e.K." in name) else "HRB"
        p.register = f"Amtsgericht {rng.choice(COURTS)}, {kind} {rng.randint(1000, 259999)}"
    elif country == "AT":
        p.register = f"FN {rng.randint(100000, 599999)}{rng.choice('abcdkmpst')}, Handelsgericht Wien"
    elif country == "IN":
        pass
    elif country in ("GB", "IE"):
        p.register = f"Registered in {'England and Wales' if country == 'GB' else 'Ireland'} No. {_digits(rng, 8)}"
    elif country == "NL":
        p.register = f"KvK {_digits(rng, 8)}"
    return p


def make_person_party(rng, country: str = "DE") -> Party:
    name, sex = person_name(rng, country)
    postcode, city = rng.choice(CITIES[country])
    street = f"{rng.choice(STREETS[country])} {rng.randint(1, 120)}"
    p = Party(name=name, country=country, street=street, postcode=postcode, city=city, is_company=False)
    p.contact = ("Herrn " if sex == "m" else "Frau ") + name if country in ("DE", "AT", "CH") else None
    return p


# --------------------------------------------------------------------------------------------
# Document numbers and references


def document_number(rng, year: int, prefix: str = "RE") -> str:
    """A document number in one of the shapes ERPs print (RE-2025-00417, 2025/1187, 471102 …)."""
    n = rng.randint(1, 99999)
    yy = year % 100
    shape = rng.randrange(12)
    return [
        f"{prefix}-{year}-{n:05d}", f"{year}/{n % 10000:04d}", f"{rng.randint(100000, 999999)}",
        f"{ {'RE': 'INV', 'GS': 'CN', 'AB': 'OC', 'LS': 'DN', 'AN': 'QU', 'BE': 'PO'}.get(prefix, 'DOC')}-{rng.randint(10000, 99999)}",
        f"{prefix[0]}{yy:02d}-{n % 10000:04d}", f"A-{n % 100}/{year}", f"{prefix}{year}{n % 1000:03d}",
        f"{yy:02d}{rng.randint(10, 12):02d}{n % 1000:03d}", f"{prefix} {n % 100000}", f"{rng.randint(1000000, 9999999)}",
        f"{prefix}-{yy:02d}{n % 100000:05d}", f"{year}-{n % 1000:03d}",
    ][shape]


def customer_number(rng) -> str:
    return rng.choice([f"{rng.randint(10000, 99999)}", f"K-{rng.randint(1000, 99999)}", f"KD{rng.randint(100000, 999999)}",
                       f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}", f"D{rng.randint(10000, 99999)}"])


def order_number(rng, year: int) -> str:
    return rng.choice([f"4500{rng.randint(100000, 999999)}", f"PO-{year}-{rng.randint(100, 9999)}",
                       f"B{rng.randint(10000, 99999)}", f"{year % 100:02d}/{rng.randint(100, 999)}",
                       f"BE-{rng.randint(10000, 99999)}", f"{rng.randint(1000000, 9999999)}"])


def article_number(rng) -> str:
    return rng.choice([f"{rng.randint(10000, 99999)}", f"{rng.randint(100, 999)}-{rng.randint(100, 999)}",
                       f"A{rng.randint(1000, 9999)}", f"{''.join(rng.choice(string.ascii_uppercase) for _ in range(2))}-{rng.randint(1000, 99999)}"])


@dataclass
class ItemSpec:
    name: str
    unit_key: str
    price: Decimal
    reduced: bool


def pick_items(rng, trade: str, lang: str, n: int, when) -> list[ItemSpec]:
    """`n` items from a trade's catalogue (repeats allowed), prices drawn from the catalogue
    range, with 2 decimals and sometimes 3-4 for small unit prices. Month and year in item
    names follow the document date `when`."""
    cat = TRADES[trade]["items"]
    months = MONTHS_DE if lang == "de" else MONTHS_EN
    out = []
    for i in range(n):
        de, en, unit, lo, hi, reduced = cat[i % len(cat)] if i < len(cat) and rng.random() < 0.5 else rng.choice(cat)
        prev = when.month - 1 or 12
        name = (de if lang == "de" else en).format(m=months[prev - 1], y=when.year if prev != 12 else when.year - 1, py=when.year - 1)
        v = rng.uniform(lo, hi)
        if v < 2 and rng.random() < 0.4:
            price = Decimal(f"{v:.4f}")
        elif v > 40 and rng.random() < 0.5:
            price = Decimal(round(v)) - (Decimal("0.10") if rng.random() < 0.3 else 0)
        else:
            price = Decimal(f"{v:.2f}")
        out.append(ItemSpec(name, unit, price, reduced))
    return out
