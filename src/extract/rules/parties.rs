//! Parties: the seller's and the buyer's names (letterhead, address window, legal footer), and what is no name.

use super::*;

/// A legal form ("GmbH", "& Co. KG", "a.G.", "Ltd."), with its closing dot.
pub(crate) fn company_suffix() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)\b(?:ug\s*\(\s*haftungsbeschr\p{L}*\s*\)?|gmbh|ag|kg|ug|ohg|gbr|mbh|ltd|limited|inc|llc|sas|sarl|plc|kgaa|se|co|a\.\s?g|e\.\s?[kvg]|s\.a|b\.v|s\.a\.r\.l)(?:\b\.?|$|\s)")
            .unwrap()
    })
}

/// A party's name as it is spelt: whitespace collapsed and the legal forms in their one
/// spelling, which OCR and typists vary ("e.K" → "e.K.", "Co.KG" → "Co. KG",
/// "UG (haftungsbeschrankt)" → "UG (haftungsbeschränkt)").
pub fn canonical_name(raw: &str) -> String {
    static R: std::sync::OnceLock<[(Regex, &str); 4]> = std::sync::OnceLock::new();
    let forms = R.get_or_init(|| {
        [
            (Regex::new(r"(?i)\bUG\s*\(\s*haftungsbeschr\p{L}*\s*\)?").expect("regex"), "UG (haftungsbeschränkt)"),
            (Regex::new(r"\bCo\.\s*KG\b").expect("regex"), "Co. KG"),
            (Regex::new(r"\be\.\s?K\b\.?").expect("regex"), "e.K."),
            (Regex::new(r"\be\.\s?V\b\.?").expect("regex"), "e.V."),
        ]
    });
    static CLOSING: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    // The signer's company under the closing formula ("Kind regards" / "Gebr. Thomas e.K."):
    // the formula is no part of the name.
    let closing = CLOSING.get_or_init(|| {
        Regex::new(r"(?i)^(?:mit\s+freundlichen\s+gr(?:ü|ue|u)(?:ß|ss)en|freundliche\s+gr(?:ü|ue|u)(?:ß|ss)e|(?:kind|best|warm)\s+regards|yours\s+(?:sincerely|faithfully))[,.]?\s+").expect("regex")
    });
    // A lone dot or colon is a speck OCR read ("Druckerei Engel . GmbH", "Elektroanlagen
    // Schmidt : UG"); no name has punctuation standing alone between its words.
    let speck = |w: &str| w.chars().all(|c| matches!(c, '.' | ':' | ',' | ';' | '\'' | '`' | '·'));
    let joined = raw.split_whitespace().filter(|w| !speck(w)).collect::<Vec<_>>().join(" ");
    let mut v = closing.replace(&joined, "").into_owned();
    for (re, spelling) in forms {
        v = re.replace_all(&v, *spelling).into_owned();
    }
    v = spaced_name(&v);
    v = initials_as_letters(&v);
    // Legal forms spelt without a dot keep none at the end of a name ("Gebr. Braun GmbH.").
    static DOTLESS: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let dotless = DOTLESS.get_or_init(|| Regex::new(r"\b(GmbH|AG|KG|OHG|GbR|UG|SE|SARL|SAS|LLC|PLC|KGaA)\.$").expect("regex"));
    dotless.replace(&v, "$1").into_owned()
}

/// The spaces OCR loses or misplaces in a name, put back: around a parenthesis
/// ("Centre(M)Sdn." → "Centre (M) Sdn."), after an abbreviation's dot ("MR.D.I.Y." → "MR.
/// D.I.Y.", but "shop.com" stays), and in the Malaysian "SDN BHD", whose D OCR reads as O or
/// I and whose words it glues to the name ("CUISINESDN BHD", "SON BHD", "SDNBHD").
fn spaced_name(v: &str) -> String {
    static R: std::sync::OnceLock<[Regex; 6]> = std::sync::OnceLock::new();
    let [misread, glued, sdnbhd, open, close, abbreviation] = R.get_or_init(|| {
        [
            Regex::new(r"(?i)\b(s)[o0i](n\.?\s*bhd\b)").expect("regex"),
            Regex::new(r"(?i)(\p{L})(sdn\.?\s*bhd\b)").expect("regex"),
            Regex::new(r"(?i)\b(sdn\.?)(bhd\b)").expect("regex"),
            Regex::new(r"([\p{L}.])\(").expect("regex"),
            Regex::new(r"\)(\p{L})").expect("regex"),
            Regex::new(r"\b(\p{L}{2,})\.(\p{L}+)").expect("regex"),
        ]
    });
    let v = misread.replace_all(v, |c: &regex::Captures| {
        let d = if c[2].starts_with(char::is_uppercase) { 'D' } else { 'd' };
        format!("{}{d}{}", &c[1], &c[2])
    });
    let v = glued.replace_all(&v, "$1 $2");
    let v = sdnbhd.replace_all(&v, "$1 $2");
    let v = open.replace_all(&v, "$1 (");
    let v = close.replace_all(&v, ") $1");
    const DOMAINS: [&str; 12] = ["com", "de", "net", "org", "eu", "my", "at", "ch", "co", "uk", "info", "biz"];
    abbreviation.replace_all(&v, |c: &regex::Captures| if DOMAINS.contains(&c[2].to_lowercase().as_str()) { c[0].to_string() } else { format!("{}. {}", &c[1], &c[2]) }).into_owned()
}

/// An initialism's letters OCR read as digits put back: "MR. D.1.Y." is "MR. D.I.Y.". A run
/// of single characters each followed by a dot, at least two of them letters, spells letters:
/// a "1" there is an I and a "0" an O.
fn initials_as_letters(v: &str) -> String {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let initials = R.get_or_init(|| Regex::new(r"\b(?:[\p{L}01]\.){3,}").expect("regex"));
    initials
        .replace_all(v, |c: &regex::Captures| {
            let run = &c[0];
            if run.chars().filter(|ch| ch.is_alphabetic()).count() < 2 {
                return run.to_string();
            }
            run.chars()
                .map(|ch| match ch {
                    '1' => 'I',
                    '0' => 'O',
                    other => other,
                })
                .collect()
        })
        .into_owned()
}

/// Whether `above` is the first half of a name whose legal form stands on the next line
/// `line` ("MVM Musterhafter" / "Versicherungsverein Musterstadt a.G."): directly above,
/// left-aligned, short, without digits, a label or a legal form of its own.
pub(crate) fn name_continues(above: &TextLine, line: &TextLine) -> bool {
    name_continues_within(above, line, 3, line.height())
}

pub(super) fn name_continues_within(above: &TextLine, line: &TextLine, max_words: usize, h: f32) -> bool {
    let t = above.text.trim();
    above.page == line.page
        && above.bbox[3] <= line.bbox[1] + 0.3 * h
        && line.bbox[1] - above.bbox[3] < 0.8 * h
        && (above.bbox[0] - line.bbox[0]).abs() < 1.5 * h
        && t.split_whitespace().count() <= max_words
        && t.chars().any(char::is_alphabetic)
        && !t.chars().any(|c| c.is_ascii_digit() || c == ':' || c == '@')
        && !company_suffix().is_match(t)
        && crate::extract::form::heading(t).is_none()
}

/// The name printed over `above` and `line`, its legal form on the second line ("MVM
/// Musterhafter" / "Versicherungsverein Musterstadt a.G."), when they are such a pair.
/// A second line that is the legal form alone ("Jäger Facility Services Regensburg" /
/// "GmbH & Co. KG") leaves no doubt whose it is: the first may be longer.
pub(crate) fn two_line_name(above: &TextLine, line: &TextLine) -> Option<String> {
    let form_only = legal_form_alone(&line.text);
    let max_words = if form_only { 6 } else { 3 };
    // A legal form alone, often in smaller print ("GmbH & Co. KG"), stands a little further
    // off than its own height: the spacing then goes by the name's line.
    let h = if form_only { line.height().max(above.height()) } else { line.height() };
    (company_suffix().is_match(&line.text) && name_continues_within(above, line, max_words, h))
        .then(|| format!("{} {}", above.text.trim(), line.text.trim()).split_whitespace().collect::<Vec<_>>().join(" "))
}

pub(super) fn name_with_line_above(lines: &[&TextLine], at: usize, name: &str) -> String {
    let l = lines[at];
    match at.checked_sub(1).map(|k| lines[k]) {
        Some(p) if l.text.trim_start().starts_with(name) && name_continues(p, l) => format!("{} {name}", p.text.trim()),
        _ => name.to_string(),
    }
}

pub(super) fn postcode_city() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"\b(?:D-|DE-|A-|CH-)?\d{4,5}\s+\p{Lu}[\p{L}\-. ]+").unwrap())
}

/// A line that is only the salutation of the address below it ("Herrn", "Firma", "To").
pub(super) fn salutation_alone() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)^(herrn?|frau|firma|an|to|mr\.?|mrs\.?|ms\.?)$").expect("regex"))
}

/// Whether a line may be a party's name: no e-mail or web address, fewer digits than letters,
/// no heading over an address ("Adresse de livraison", "Käufer").
pub(super) fn could_be_a_name(t: &str) -> bool {
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    !t.contains('@') && !t.to_lowercase().contains("http") && !t.to_lowercase().contains("www.") && digits < letters && !no_party_name(t)
}

/// A line that is only a legal form ("GmbH & Co. KG" under the name it belongs to).
pub(super) fn legal_form_alone(t: &str) -> bool {
    company_suffix().is_match(t) && company_suffix().replace_all(t, "").chars().all(|c| !c.is_alphanumeric())
}

/// A heading over an address ("Adresse de livraison", "Käufer:"), its street or country
/// line, a contact person's line ("z. Hd. Frau Lorenz"), a field label or a legal form
/// alone: nobody's name.
pub(crate) fn no_party_name(t: &str) -> bool {
    use super::labels::{address_heading, contact_person, country_line, label_line, street_line};
    [address_heading(), country_line(), contact_person(), label_line(), street_line()].iter().any(|r| r.is_match(t)) || crate::extract::form::heading(t).is_some() || legal_form_alone(t)
}

/// Seller and buyer names from the letter's layout (DIN 5008): the recipient's address
/// stands in the window at the top left, with the sender's one-line return address just
/// above it; the sender's name also heads the letter.
/// Issuer (letterhead, return line) and addressee (address window) by position, or seller
/// and buyer by a form's headings; the last value says whether a form named either.
#[allow(clippy::type_complexity)]
#[allow(clippy::string_slice)] // offsets come from a regex match on the same line
pub(super) fn parties(lines: &[TextLine]) -> (Option<(Cand, f32)>, Option<(Cand, f32)>, Option<(Cand, f32)>, bool) {
    let first: Vec<&TextLine> = lines.iter().filter(|l| l.page == 1).collect();
    let mut seller: Option<(Cand, f32)> = None;
    let mut buyer: Option<(Cand, f32)> = None;
    let mut seller_address: Option<(Cand, f32)> = None;
    // A form names the parties under their headings ("Verkäufer" / "Name: …").
    for n in crate::extract::form::party_names(lines) {
        let cand = Some((Cand { value: n.value.clone(), score: 0.9, page: n.page, bbox: n.bbox, order: lines[n.lines[0]].order }, n.conf));
        match n.party {
            crate::extract::form::Party::Seller => seller = cand,
            crate::extract::form::Party::Buyer => buyer = cand,
        }
    }
    let from_form = seller.is_some() || buyer.is_some();
    // Return-address line: several parts separated by · | • or " - ", one of them a postcode + city.
    for l in &first {
        if l.bbox[1] > 330.0 || seller.is_some() {
            continue;
        }
        // OCR reads a small separator dot as "e" or "©" now and then ("Bei Spiel GmbH e Ecke12 © 12345 …").
        let parts: Vec<&str> = l.text.split(['·', '|', '•', '●', '∙', '©']).flat_map(|p| p.split(" - ")).flat_map(|p| p.split(" e ")).map(str::trim).filter(|p| !p.is_empty()).collect();
        if parts.len() >= 3 && parts.iter().any(|p| postcode_city().is_match(p)) {
            let name = parts[0].trim_matches([',', ' ']).to_string();
            let (bbox, conf) = l.locate(0, parts[0].len().min(l.text.len()));
            seller = Some((Cand { value: name, score: 0.8, page: 1, bbox, order: l.order }, conf));
            let addr = parts[1..].join(", ");
            seller_address = Some((Cand { value: addr, score: 0.7, page: 1, bbox: l.bbox, order: l.order }, conf));
            // The recipient is the first line below it.
            let (x0, x1) = (l.bbox[0], l.bbox[2]);
            for b in below(lines, l, x0, x1, 3.0) {
                let t = b.text.trim();
                if t.is_empty() || salutation_alone().is_match(t) {
                    continue;
                }
                // The sender's contact line under its return address is nobody's name.
                if !could_be_a_name(t) {
                    break;
                }
                let (bbox, conf) = b.locate(0, b.text.len());
                buyer = Some((Cand { value: t.to_string(), score: 0.75, page: 1, bbox, order: b.order }, conf));
                break;
            }
            break;
        }
    }
    // Otherwise: the address block left of centre in the window area with a postcode line.
    if buyer.is_none() {
        let window: Vec<&&TextLine> = first.iter().filter(|l| l.bbox[1] > 90.0 && l.bbox[1] < 330.0 && l.bbox[0] < 300.0).collect();
        if let Some(pc) = window.iter().position(|l| postcode_city().is_match(&l.text)) {
            // The name is 1–3 lines above the postcode line.
            let start = pc.saturating_sub(3);
            for l in &window[start..pc] {
                let t = l.text.trim();
                if t.len() < 3 || salutation_alone().is_match(t) || t.chars().filter(|c| c.is_ascii_digit()).count() > 3 || no_party_name(t) {
                    continue;
                }
                let (bbox, conf) = l.locate(0, l.text.len());
                buyer = Some((Cand { value: t.to_string(), score: 0.6, page: 1, bbox, order: l.order }, conf));
                break;
            }
        }
    }
    if seller.is_none() {
        // A company name in the letterhead, or in the footer.
        let buyer_text = buyer.as_ref().map(|b| b.0.value.clone()).unwrap_or_default();
        let head = first.iter().filter(|l| l.bbox[1] < 200.0).chain(first.iter().filter(|l| l.bbox[1] >= 700.0));
        let head: Vec<&TextLine> = head.copied().collect();
        for (k, l) in head.iter().enumerate() {
            // The last legal form on the line: "Grundbesitz GmbH & Co." ends after "Co.".
            if let Some(m) = company_suffix().find_iter(&l.text).last() {
                let name = l.text[..m.end()].trim();
                let name = name.rsplit(['·', '|', ',']).next().unwrap_or(name).trim();
                if name.len() >= 4 && name != buyer_text && !buyer_text.contains(name) {
                    let name = name_with_line_above(&head, k, name);
                    let (bbox, conf) = l.locate(0, m.end());
                    seller = Some((Cand { value: name, score: 0.6, page: 1, bbox, order: l.order }, conf));
                    break;
                }
            }
        }
    }
    (seller, buyer, seller_address, from_form)
}

/// A till receipt's seller: the shop's name heads the slip, above its address. Of the top
/// lines that could be a name — no title ("TAX INVOICE", "Kassenbon"), no registration,
/// phone or date line, no logo speck — the first that carries an incorporated legal form
/// ("… SDN BHD", "… GmbH"): a brand or a logo OCR read as letters often stands above the
/// company that issued the slip, and the company is the seller the books need. Without
/// one, the first such line. The name ends with its last legal form ("… SDN BHD 862725-X"),
/// loses a registration number printed after it ("99 SPEED MART S/B (519537-X)"), and takes
/// its legal form when that stands alone on the next line ("MPH BOOKSTORES" / "SDN BHD").
pub(super) fn receipt_seller(lines: &[TextLine]) -> Option<(Cand, f32)> {
    static TITLE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let title = TITLE.get_or_init(|| {
        Regex::new(r"(?i)^\W*(?:(?:simplified\s*|full\s*)?tax\s*invoice|invoice|receipt|cash\s+(?:sale|bill|receipt)|official\s+receipt|bill|kassenbon|kassenbeleg|quittung|beleg|bon|rechnung|welcome(?:\s+to)?|willkommen(?:\s+bei)?|herzlich\s+willkommen|copy|kopie|duplicate|original)\W*$").expect("regex")
    });
    static NOT_A_NAME: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let not_a_name = NOT_A_NAME.get_or_init(|| {
        Regex::new(r"(?i)\b(?:reg(?:istration)?\.?\s*(?:no|nr)|co\.?\s*-?\s*reg|gst|sst|vat|ust|st\.?-?nr|steuer|tel(?:efon|ephone)?\b|fax|phone|e-?mail|www|http|date|datum|time|zeit|cashier|kasse|tisch|table|bon\s*-?\s*nr|invoice\s*no|receipt\s*no)").expect("regex")
    });
    static REGISTRATION: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let registration = REGISTRATION.get_or_init(|| Regex::new(r"\s*\(?\s*\d[\dA-Z]*-?[A-Z]?\s*\)?\s*$").expect("regex"));
    let mut top: Vec<&TextLine> = lines.iter().filter(|l| l.page == 1).collect();
    top.sort_by(|a, b| a.bbox[1].total_cmp(&b.bbox[1]));
    let mut names: Vec<(usize, String, bool)> = Vec::new();
    for (k, line) in top.iter().take(10).enumerate() {
        let t = line.text.trim();
        let bare = registration.replace(t, "");
        let letters = t.chars().filter(|c| c.is_alphabetic()).count();
        // A logo OCR read as letters ("3 (guyery", "a lat"): a name is mostly letters, with
        // a word of three or more that starts upper case.
        let printed = bare.chars().filter(|c| !c.is_whitespace()).count();
        let word = t.split_whitespace().any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3 && w.chars().find(|c| c.is_alphabetic()).is_some_and(char::is_uppercase));
        if letters < 4 || 5 * letters < 3 * printed || !word || title.is_match(t) || not_a_name.is_match(t) || !find_dates(t, false).is_empty() || !could_be_a_name(t) || postcode_city().is_match(t) {
            continue;
        }
        let incorporated = incorporated_form().find_iter(t).last();
        let mut name = match incorporated {
            Some(m) => t.get(..m.end()).unwrap_or(t).trim().to_string(),
            None => bare.trim().to_string(),
        };
        if let Some(next) = top.get(k + 1).filter(|n| incorporated.is_none() && (legal_form_alone(&n.text) || receipt_legal_form_alone(&n.text))) {
            name = format!("{name} {}", registration.replace(next.text.trim(), "").trim());
        }
        if name.chars().filter(|c| c.is_alphabetic()).count() < 4 {
            continue;
        }
        names.push((k, name, incorporated.is_some()));
    }
    // Only the first few lines head the slip: a company named further down is the landlord
    // or the mall ("Dimiliki oleh …" stays in its own line and counts only near the top).
    let chosen = names.iter().find(|(k, _, inc)| *inc && *k < 6).or(names.first())?;
    let (mut first, mut name) = (chosen.0, chosen.1.clone());
    if chosen.2 {
        // A long company name set over two or three lines in one size ("AIK HUAT HARDWARE" /
        // "ENTERPRISE (SETIA" / "ALAM) SDN BHD"): the lines right above join it. A brand
        // above is no part of it: it repeats a word of the company's ("GUARDIAN" / "Guardian
        // Health And Beauty Sdn Bhd"), stands in another size, or is a firm of its own.
        let words = |t: &str| t.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 3).map(str::to_lowercase).collect::<Vec<_>>();
        while first > 0 && chosen.0 - first < 2 {
            let (above, below) = (top[first - 1], top[first]);
            let adjacent = continues(above, below);
            let shared = words(&above.text).iter().any(|w| words(&name).contains(w));
            if !adjacent || shared || company_suffix().is_match(&above.text) || !names.iter().any(|(k, _, _)| *k == first - 1) {
                break;
            }
            first -= 1;
            name = format!("{} {name}", above.text.trim());
        }
    }
    let line = top[first];
    let (bbox, conf) = line.locate(0, line.text.len());
    let conf = receipt_name_doubt(lines, top[chosen.0], &name).map_or(conf, |d| conf.min(d));
    Some((Cand { value: name, score: 0.85, page: 1, bbox, order: line.order }, conf))
}

/// How sure a till slip's name without an incorporated legal form can be, however well OCR
/// read it. Such a heading is as often a brand, a branch or the start of a longer name
/// ("EIGHT OUNCE" of "EIGHT OUNCE COFFEE CO.", a fuel brand over the station's operator)
/// as the seller. Counted per shop on the development receipts, where 75 of the 116 come
/// from five shops: of the 17 shops whose name the rules read without a legal form, it was
/// right for 0.53 (0.71 of the 7 read with confidence ≥ 0.8), against 0.98 of the 16 with
/// one read as surely. Below the review threshold, so a person checks it.
pub const UNINCORPORATED_SLIP_NAME: f32 = 0.7;
const _: () = assert!(UNINCORPORATED_SLIP_NAME < crate::extract::REVIEW_THRESHOLD, "a slip's name without a legal form goes to review");

/// How sure a till slip's name can be, whatever OCR's confidence in its own words; `None`
/// for a name that ends in its incorporated legal form. Without one it is at most
/// [`UNINCORPORATED_SLIP_NAME`], and it may go on in the line right under it, set in its
/// size ("AIK HUAT HARDWARE" / "ENTERPRISE (SETIA" / "ALAM) SDN BHD", its "SDN BHD"
/// misread): where OCR was unsure of that line, the name read may be only its start, and
/// is no surer than that line.
pub(crate) fn receipt_name_doubt(lines: &[TextLine], last: &TextLine, name: &str) -> Option<f32> {
    if incorporated_form().is_match(name) {
        return None;
    }
    let overlaps = |n: &TextLine| n.bbox[0] < last.bbox[2] && last.bbox[0] < n.bbox[2];
    let next = lines.iter().filter(|n| n.page == last.page && n.order != last.order && n.bbox[1] > last.bbox[1] && overlaps(n)).min_by(|a, b| a.bbox[1].total_cmp(&b.bbox[1]));
    let could_go_on = |next: &TextLine| next.text.chars().filter(|c| c.is_alphabetic()).count() >= 3 && !postcode_city().is_match(&next.text);
    let going_on = next.filter(|n| continues(last, n) && could_go_on(n)).map(|n| n.locate(0, n.text.len()).1);
    Some(going_on.map_or(UNINCORPORATED_SLIP_NAME, |d| d.min(UNINCORPORATED_SLIP_NAME)))
}

/// Whether `below` is set right under `above` in about its size: the next line of one name.
fn continues(above: &TextLine, below: &TextLine) -> bool {
    let (ha, hb) = (above.bbox[3] - above.bbox[1], below.bbox[3] - below.bbox[1]);
    below.bbox[1] - above.bbox[3] < 0.8 * hb && ha < 1.33 * hb && hb < 1.33 * ha
}

/// The legal forms of an incorporated company, which end its name: "SDN BHD" (with OCR's
/// "SON BHD" and "SDNBHD"), "S/B", "PTE LTD", "GmbH", "GmbH & Co. KG", "UG
/// (haftungsbeschränkt)", "AG", "Ltd", "Inc", "SARL". Not "Co." and not "Enterprise":
/// those end a trading name as often as a company's.
fn incorporated_form() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)(?:s[do0i]n\.?\s*bhd\b\.?|\b(?:s/b\b|bhd\b\.?|pte\.?\s*ltd\b\.?|pvt\.?\s*ltd\b\.?|ug\s*\(\s*haftungsbeschr\p{L}*\s*\)|co\.?\s*kg\b|gmbh\b|ltd\b\.?|limited\b|inc\b\.?|llc\b|sarl\b|plc\b|ohg\b|ag\b|e\.\s?k\b\.?))").expect("regex")
    })
}

/// Legal forms of the shops on receipts from abroad, alone on a line ("SDN BHD", "S/B", "PTE LTD").
fn receipt_legal_form_alone(t: &str) -> bool {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)^\W*(?:sdn\.?\s*bhd\.?|bhd\.?|s/b|pte\.?\s*ltd\.?|pvt\.?\s*ltd\.?)\W*(?:\(?\s*\d[\dA-Z]*-?[A-Z]?\s*\)?)?\s*$").expect("regex")).is_match(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_gets_back_the_spaces_ocr_lost() {
        for (read, name) in [
            ("ENW Hardware Centre(M)Sdn. Bhd.", "ENW Hardware Centre (M) Sdn. Bhd."),
            ("MR.D.I.Y.(M) SON BHD", "MR. D.I.Y. (M) SDN BHD"),
            ("UROKO JAPANESE CUISINESDN BHD", "UROKO JAPANESE CUISINE SDN BHD"),
            ("Eco-Shop MarketingSdn Bhd", "Eco-Shop Marketing Sdn Bhd"),
            ("KEDAI MAJU SIN BHD", "KEDAI MAJU SDN BHD"),
            ("KEDAI MAJU SDNBHD", "KEDAI MAJU SDN BHD"),
            ("Gebr.Braun GmbH", "Gebr. Braun GmbH"),
            ("shop.com GmbH", "shop.com GmbH"),
            ("Fritz Müller e.K.", "Fritz Müller e.K."),
            ("SIN THYE & COMPANY", "SIN THYE & COMPANY"),
            ("Holz & Co.KG", "Holz & Co. KG"),
            ("MR. D.1.Y. (M) SDN BHD", "MR. D.I.Y. (M) SDN BHD"),
            ("A.0.K. Bau GmbH", "A.O.K. Bau GmbH"),
            ("Haus 1.0.1. GmbH", "Haus 1.0.1. GmbH"),
            ("Müller e.K.", "Müller e.K."),
        ] {
            assert_eq!(canonical_name(read), name, "{read}");
        }
    }

    #[test]
    fn the_incorporated_form_ends_a_name_and_co_is_none() {
        let end = |t: &str| incorporated_form().find_iter(t).last().map(|m| t.get(..m.end()).unwrap().trim().to_string());
        assert_eq!(end("MOONLIGHT CAKE HOUSE SDN BHD GOZTZOI-U").as_deref(), Some("MOONLIGHT CAKE HOUSE SDN BHD"));
        assert_eq!(end("Holzbau Meier GmbH & Co. KG Filiale 3").as_deref(), Some("Holzbau Meier GmbH & Co. KG"));
        assert_eq!(end("Kaffee Klatsch UG (haftungsbeschränkt)").as_deref(), Some("Kaffee Klatsch UG (haftungsbeschränkt)"));
        assert_eq!(end("THAI TEA & CO."), None);
        assert_eq!(end("FY EAGLE ENTERPRISE"), None);
    }
}
