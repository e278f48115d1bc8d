//! Identifiers with checksums or fixed shapes: IBAN (ISO 13616, mod-97), BIC, EU VAT IDs
//! (`USt-IdNr.`) and German tax numbers.

use regex::Regex;
use std::sync::OnceLock;

/// An Indian GSTIN: the state code, the holder's PAN, the entity number, "Z" and the check
/// character (one pattern for finding, repairing and telling them).
macro_rules! gstin {
    () => {
        r"\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z]Z[0-9A-Z]"
    };
}

/// IBAN lengths per country (the SEPA area and common others).
fn iban_length(country: &str) -> Option<usize> {
    Some(match country {
        "DE" => 22,
        "AT" => 20,
        "CH" | "LI" => 21,
        "FR" | "MC" | "IT" | "SM" => 27,
        "NL" => 18,
        "BE" => 16,
        "LU" => 20,
        "ES" => 24,
        "PT" => 25,
        "GB" => 22,
        "IE" => 22,
        "DK" | "FI" => 18,
        "SE" => 24,
        "NO" => 15,
        "PL" => 28,
        "CZ" | "SK" => 24,
        "HU" => 28,
        "SI" => 19,
        "HR" => 21,
        "GR" => 27,
        "RO" => 24,
        "BG" => 22,
        "EE" => 20,
        "LV" => 21,
        "LT" => 20,
        "MT" => 31,
        "CY" => 28,
        _ => return None,
    })
}

/// True when `iban` (upper case, no spaces) has the right length and passes mod-97.
#[allow(clippy::string_slice)] // the text is checked ASCII, or the offsets follow an ASCII prefix a regex matched
pub fn iban_valid(iban: &str) -> bool {
    if iban.len() < 15 || !iban.is_ascii() {
        return false;
    }
    let Some(len) = iban_length(&iban[..2]) else { return false };
    if iban.len() != len || !iban[2..4].chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

/// IBAN-shaped runs that `re` finds in `text`, spaces removed and cut to their country's
/// length (the regex may run into following text), with their byte range in `text`.
/// `accept` turns a run into the value to report, or drops it. A run shorter than its
/// country's length is offered as it is when `short_ok`.
#[allow(clippy::string_slice)] // the text is checked ASCII, or the offsets follow an ASCII prefix a regex matched
fn scan_ibans(text: &str, re: &Regex, short_ok: bool, accept: impl Fn(&str) -> Option<String>) -> Vec<(String, usize, usize)> {
    // ASCII upper case only: an IBAN is ASCII, and the byte offsets stay those of `text`.
    let upper = text.to_ascii_uppercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(m) = re.find_at(&upper, from) {
        // A run that is no IBAN may have swallowed the start of one ("…VERSAND.DE IBAN DE47
        // 1007 …" read from "DE IB…"): look again from its next character (its first is an
        // ASCII capital, one byte).
        from = m.start() + 1;
        let chars: Vec<(usize, char)> = m.as_str().char_indices().filter(|(_, c)| !c.is_whitespace()).collect();
        let compact: String = chars.iter().map(|(_, c)| *c).collect();
        let Some(len) = compact.get(..2).and_then(iban_length) else { continue };
        if compact.len() < len && !short_ok {
            continue;
        }
        let len = len.min(compact.len());
        if let Some(v) = accept(&compact[..len]) {
            let end = m.start() + chars[len - 1].0 + 1;
            out.push((v, m.start(), end));
            from = end;
        }
    }
    out
}

/// IBANs in a line of text; spaces inside the IBAN are allowed (printed groups of four).
pub fn find_ibans(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    // OCR reads a printed digit as its look-alike letter now and then ([`DIGIT_LOOKALIKES`]);
    // the check digits may be one.
    let re = R.get_or_init(|| Regex::new(r"\b([A-Z]{2}\s?[0-9OILSBZG]{2}(?:\s?[A-Z0-9]){11,30})").unwrap());
    scan_ibans(text, re, false, |iban| if iban_valid(iban) { Some(iban.to_string()) } else { ocr_repaired_iban(iban) })
}

/// IBAN-shaped strings whose checksum fails: a typing error on the letter, an OCR misreading
/// that [`find_ibans`] could not repair, or a sample number. Cut to the country's length
/// where the print is long enough; all digits in all-digit countries. Only for use after an
/// IBAN or bank label, and the `iban_checksum` check then sends the document to review.
#[allow(clippy::string_slice)] // the text is checked ASCII, or the offsets follow an ASCII prefix a regex matched
pub fn find_unchecked_ibans(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"\b([A-Z]{2}\s?[0-9]{2}(?:\s?[A-Z0-9]){11,30})\b").unwrap());
    scan_ibans(text, re, true, |iban| {
        let letters_in_digits = NUMERIC_IBAN.contains(&&iban[..2]) && !iban[2..].chars().all(|c| c.is_ascii_digit());
        (!iban_valid(iban) && !letters_in_digits).then(|| iban.to_string())
    })
}

/// Countries whose IBAN is all digits after the country code.
const NUMERIC_IBAN: &[&str] = &["DE", "AT", "BE", "DK", "EE", "ES", "FI", "HR", "HU", "LT", "LU", "NO", "PL", "PT", "RS", "SI", "SK", "SE", "CZ"];

/// Letters OCR reads for digits in a scanned IBAN: `O` for 0, `I`/`L` for 1, `S` for 5
/// ("DES3" for "DE53"), `B` for 8, `Z` for 2, `G` for 6.
const DIGIT_LOOKALIKES: [(char, char); 7] = [('O', '0'), ('I', '1'), ('L', '1'), ('S', '5'), ('B', '8'), ('Z', '2'), ('G', '6')];

/// An IBAN whose OCR letters in digit positions ([`DIGIT_LOOKALIKES`]) are turned back
/// into digits — the check digits always, the whole account part in all-digit countries —
/// kept only when the result passes mod-97, which catches any single misreading, and, in an
/// all-digit country, is all digits.
#[allow(clippy::string_slice)] // the text is checked ASCII, or the offsets follow an ASCII prefix a regex matched
fn ocr_repaired_iban(iban: &str) -> Option<String> {
    let country = &iban[..2];
    let numeric = NUMERIC_IBAN.contains(&country);
    let digits_from = if numeric { iban.len() } else { 4 };
    let fixed: String = iban
        .char_indices()
        .map(|(i, c)| match DIGIT_LOOKALIKES.iter().find(|(letter, _)| *letter == c) {
            Some(&(_, digit)) if (2..digits_from).contains(&i) => digit,
            _ => c,
        })
        .collect();
    let shaped = !numeric || fixed[2..].chars().all(|c| c.is_ascii_digit());
    (fixed != iban && shaped && iban_valid(&fixed)).then_some(fixed)
}

/// VAT identification numbers (upper case, no spaces) in a text: the EU's, the Swiss UID,
/// and India's GSTIN (a state code, the holder's PAN, "Z" and a check character), which
/// an Indian supplier's GST invoice prints where a European one prints its VAT ID.
pub fn find_vat_ids(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| {
        Regex::new(concat!(
            r"\b(DE\s?\d{3}\s?\d{3}\s?\d{3}|ATU\s?\d{8}|FR\s?[0-9A-Z]{2}\s?\d{3}\s?\d{3}\s?\d{3}|NL\s?\d{9}B\d{2}|BE\s?0?\d{3}\.?\d{3}\.?\d{3}|IT\s?\d{11}|ES\s?[0-9A-Z]\d{7}[0-9A-Z]|LU\s?\d{8}|CHE[-\s]?\d{3}\.?\d{3}\.?\d{3}(?:\s?(?:MWST|TVA|IVA))?|GB\s?\d{9}|PL\s?\d{10}|CZ\s?\d{8,10}|DK\s?\d{8}|SE\s?\d{12}|IE\s?\d[0-9A-Z+*]\d{5}[A-Z]{1,2}|",
            gstin!(),
            r")\b",
        ))
        .unwrap()
    });
    let mut out: Vec<(String, usize, usize)> = re
        .find_iter(text)
        .map(|m| {
            let v: String = m.as_str().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            let v = v.trim_end_matches("MWST").trim_end_matches("TVA").trim_end_matches("IVA").to_string();
            (v, m.start(), m.end())
        })
        .collect();
    // A French key OCR read with letters for digits ("FRO1 444 017 173"): the key is
    // computed from the SIREN, so the repair is certain where it holds.
    for (v, _, _) in out.iter_mut() {
        if let Some(fixed) = ocr_repaired_fr_key(v) {
            *v = fixed;
        }
    }
    // A Swiss UID with a space OCR put between its digits ("CHE-41 9.613.477"): its check
    // digit decides.
    for (v, s, e) in spaced_swiss_uids(text) {
        if !out.iter().any(|(_, t, _)| *t == s) {
            out.push((v, s, e));
        }
    }
    let repaired: Vec<_> = ocr_repaired_de_vat_ids(text).into_iter().chain(lower_case_gstins(text)).filter(|(_, s, _)| !out.iter().any(|(_, t, _)| t == s)).collect();
    out.extend(repaired);
    out.sort_by_key(|(_, s, _)| *s);
    out
}

/// German VAT IDs that OCR misread ("DF144262548", "DE 19O 013 921"): letters that look like
/// digits turned back, E read as F, kept only when the check digit then holds.
#[allow(clippy::string_slice)] // the text is checked ASCII, or the offsets follow an ASCII prefix a regex matched
fn ocr_repaired_de_vat_ids(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"\b(?:D[EF]|0E)\s?[0-9OISBl]{3}\s?[0-9OISBl]{3}\s?[0-9OISBl]{3}\b").unwrap());
    re.find_iter(text)
        .filter_map(|m| {
            let digits: String = m.as_str()[2..]
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| match c {
                    'O' => '0',
                    'I' | 'l' => '1',
                    'S' => '5',
                    'B' => '8',
                    c => c,
                })
                .collect();
            let v = format!("DE{digits}");
            (v != m.as_str() && vat_id_checksum_ok(&v) == Some(true)).then_some((v, m.start(), m.end()))
        })
        .collect()
}

/// GSTINs with a letter OCR read in lower case ("27IFICQ0194D2zY": a small printed z, y
/// or o looks like its capital), kept when the check character then holds.
fn lower_case_gstins(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(concat!(r"(?i)\b", gstin!(), r"\b")).unwrap());
    re.find_iter(text).filter(|m| m.as_str().chars().any(|c| c.is_ascii_lowercase())).map(|m| (m.as_str().to_ascii_uppercase(), m.start(), m.end())).filter(|(v, _, _)| gstin_ok(v)).collect()
}

/// Swiss UIDs whose nine digits OCR broke up with spaces, kept when the check digit holds.
#[allow(clippy::string_slice)] // the text is checked ASCII, or the offsets follow an ASCII prefix a regex matched
fn spaced_swiss_uids(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"\bCHE[-\s]?(?:\d[\s.]{0,2}){8}\d\b(?:\s?(?:MWST|TVA|IVA))?").unwrap());
    re.find_iter(text)
        .filter_map(|m| {
            let digits: String = m.as_str()[3..].chars().filter(char::is_ascii_digit).collect();
            let v = format!("CHE{digits}");
            (digits.len() == 9 && swiss_uid_ok(&digits)).then_some((v, m.start(), m.end()))
        })
        .collect()
}

/// The Swiss UID check digit: weights 5 4 3 2 7 6 5 4 over the first eight digits, mod 11.
fn swiss_uid_ok(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 9 {
        return false;
    }
    let sum: u32 = d[..8].iter().zip([5, 4, 3, 2, 7, 6, 5, 4]).map(|(a, w)| a * w).sum();
    let check = (11 - sum % 11) % 11;
    check != 10 && check == d[8]
}

/// A French VAT ID whose key has a letter that looks like a digit (`O`, `I`, `L`), turned
/// into the digit when the key then matches the SIREN.
#[allow(clippy::string_slice)] // the text is checked ASCII, or the offsets follow an ASCII prefix a regex matched
fn ocr_repaired_fr_key(vat: &str) -> Option<String> {
    let rest = vat.strip_prefix("FR")?;
    let key = rest.get(..2)?;
    if key.chars().all(|c| c.is_ascii_digit()) || !key.chars().all(|c| c.is_ascii_digit() || matches!(c, 'O' | 'I' | 'L')) {
        return None;
    }
    let digits: String = key
        .chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    let fixed = format!("FR{digits}{}", &rest[2..]);
    (vat_id_checksum_ok(&fixed) == Some(true)).then_some(fixed)
}

/// The French key: two digits, (12 + 3 × (SIREN mod 97)) mod 97. `None` for the
/// letter keys of newer numbers, which follow another rule.
#[allow(clippy::string_slice)] // the text is checked ASCII, or the offsets follow an ASCII prefix a regex matched
fn fr_key_ok(rest: &str) -> Option<bool> {
    if rest.len() != 11 || !rest.is_ascii() {
        return Some(false);
    }
    let key: u64 = rest[..2].parse().ok()?;
    let siren: u64 = rest[2..].parse().ok().filter(|_| rest[2..].chars().all(|c| c.is_ascii_digit()))?;
    Some(key == (12 + 3 * (siren % 97)) % 97)
}

/// Check digits of a VAT ID where the country's rule is known: the German USt-IdNr.
/// (ISO 7064, MOD 11,10), the French key and the Indian GSTIN. Other countries: shape only
/// (`None`).
pub fn vat_id_checksum_ok(vat: &str) -> Option<bool> {
    if is_gstin(vat) {
        return Some(gstin_ok(vat));
    }
    if let Some(rest) = vat.strip_prefix("FR") {
        return fr_key_ok(rest);
    }
    let digits = vat.strip_prefix("DE")?;
    if digits.len() != 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Some(false);
    }
    let d: Vec<u32> = digits.chars().map(|c| c as u32 - '0' as u32).collect();
    let mut product = 10;
    for &x in &d[..8] {
        let mut sum = (x + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    let check = (11 - product) % 10;
    Some(check == d[8])
}

/// Whether `v` has the shape of an Indian GSTIN (`27AAPFU0939F1ZV`).
pub(crate) fn is_gstin(v: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(concat!("^", gstin!(), "$")).expect("regex")).is_match(v)
}

/// A GSTIN's check character: Luhn mod 36 over the first 14 characters, the weights 1 and
/// 2 alternating from the left.
fn gstin_ok(v: &str) -> bool {
    let value = |c: char| c.to_digit(36);
    let Some(values) = v.chars().map(value).collect::<Option<Vec<u32>>>() else { return false };
    let Some((&check, body)) = values.split_last() else { return false };
    let sum: u32 = body.iter().enumerate().map(|(i, &x)| x * if i % 2 == 1 { 2 } else { 1 }).map(|p| p / 36 + p % 36).sum();
    (36 - sum % 36) % 36 == check
}

/// BICs (8 or 11 characters); only meaningful next to a BIC/SWIFT label.
pub fn find_bics(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"\b([A-Z]{4}(?:DE|AT|CH|FR|NL|BE|LU|IT|ES|GB|PL|CZ|DK|SE|IE|PT|LI|US|IN)[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b").unwrap());
    re.find_iter(text).map(|m| (m.as_str().to_string(), m.start(), m.end())).collect()
}

/// German tax numbers (`Steuernummer`): `12/345/67890`, `123/456/78901`, `21 815 08150`.
pub fn find_tax_numbers(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"\b(\d{2,3}/\d{3,4}/\d{4,5}(?:/\d)?|\d{2,3} \d{3,4} \d{4,5})\b").unwrap());
    re.find_iter(text).map(|m| (m.as_str().to_string(), m.start(), m.end())).collect()
}

/// Whether `v` is whole the shape of an identifier `finder` reads (one match, all of it).
fn whole(finder: fn(&str) -> Vec<(String, usize, usize)>, v: &str) -> bool {
    matches!(finder(v).as_slice(), [(found, s, e)] if found == v && *s == 0 && *e == v.len())
}

/// What is printed where a VAT ID should stand, in a shape no country's VAT ID has (a digit
/// too many or too few: `DE04123456789`, `DE13572468`): an EU or Swiss prefix and 6 to 14
/// letters and digits, mostly digits. Only meaningful beside a VAT ID label; the shapes
/// [`find_vat_ids`] reads are left to it.
pub fn find_unchecked_vat_ids(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"\b(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI|CHE)[-\s]?[0-9A-Z](?:[\s.]?\d|[A-Z]){5,13}\b").expect("regex"));
    re.find_iter(text)
        .filter_map(|m| {
            let v: String = m.as_str().chars().filter(char::is_ascii_alphanumeric).collect();
            let digits = v.chars().filter(char::is_ascii_digit).count();
            (digits >= 6 && digits + 3 >= v.len() && !whole(find_vat_ids, &v)).then(|| (v, m.start(), m.end()))
        })
        .collect()
}

/// Whether a seller VAT ID read off the page has the shape of its country's VAT IDs.
pub fn vat_id_shape_ok(vat: &str) -> bool {
    whole(find_vat_ids, vat)
}

/// What is printed beside a BIC label in a shape no BIC has (`COBADEFF1`): bank and country
/// letters and 1 to 6 more letters or digits. [`find_bics`]'s shapes are left to it.
pub fn find_unchecked_bics(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"\b[A-Z]{6}[A-Z0-9]{1,6}\b").expect("regex"));
    re.find_iter(text).filter(|m| !whole(find_bics, m.as_str())).map(|m| (m.as_str().to_string(), m.start(), m.end())).collect()
}

/// Whether a BIC read off the page has a BIC's shape.
pub fn bic_shape_ok(bic: &str) -> bool {
    whole(find_bics, bic)
}

/// What is printed beside a tax number label in a shape no German tax number has
/// (`12/3456/789`): 7 to 13 digits in groups, kept as printed.
pub fn find_unchecked_tax_numbers(text: &str) -> Vec<(String, usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"\b\d[\d/ ]{5,17}\d\b").expect("regex"));
    re.find_iter(text)
        .filter_map(|m| {
            let v = m.as_str().trim();
            let digits = v.chars().filter(char::is_ascii_digit).count();
            ((7..=13).contains(&digits) && !whole(find_tax_numbers, v)).then(|| (v.to_string(), m.start(), m.end()))
        })
        .collect()
}

/// Whether a tax number read off the page has the shape of a German tax number.
pub fn tax_number_shape_ok(number: &str) -> bool {
    whole(find_tax_numbers, number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_misread_by_ocr_is_repaired_only_when_it_validates() {
        assert_eq!(find_ibans("IBAN: DEO2 1203 0000 0000 2020 51")[0].0, "DE02120300000000202051");
        assert_eq!(find_ibans("IBAN DE02 12O3 0000 0000 2020 5I")[0].0, "DE02120300000000202051");
        // A repair that does not give a valid IBAN is no IBAN.
        assert!(find_ibans("IBAN: DEO2 1203 0000 0000 2020 52").is_empty());
        // A 5 read as S, an 8 as B, a 6 as G, a 2 as Z.
        assert_eq!(find_ibans("IBAN DES3 7016 9614 4728 9919 96")[0].0, "DE53701696144728991996");
        assert_eq!(find_ibans("IBAN DESO 2005 0550 3480 1929 71")[0].0, "DE50200505503480192971");
        assert_eq!(find_ibans("IBAN DEB9 3704 0044 0532 0130 00")[0].0, "DE89370400440532013000");
        assert_eq!(find_ibans("IBAN DE89 3704 0044 0532 0130 0O")[0].0, "DE89370400440532013000");
        assert_eq!(find_ibans("IBAN DE02 1Z03 0000 0000 Z0Z0 51")[0].0, "DE02120300000000202051");
        // Capitals that are no IBAN stay none, however their letters map.
        assert!(find_ibans("DESIGN STUDIO GMBH MUENCHEN BERLIN").is_empty());
        assert!(find_ibans("DESSOUS BOUTIQUE LEIPZIG GMBH").is_empty());
        // A run that is no IBAN does not swallow the one after it.
        let footer = "kontakt@neumann-bueroversand.de IBAN DE47 1007 0000 7875 4226 03 Amtsgericht Leipzig";
        assert_eq!(find_ibans(footer).iter().map(|(v, _, _)| v.as_str()).collect::<Vec<_>>(), ["DE47100700007875422603"]);
        assert_eq!(find_unchecked_ibans("Web: shop.de IBAN DE12 1234 5678 9012 3456 78").iter().map(|(v, _, _)| v.as_str()).collect::<Vec<_>>(), ["DE12123456789012345678"]);
    }

    #[test]
    fn a_printed_iban_whose_checksum_fails_is_found_only_by_the_unchecked_finder() {
        let printed = "IBAN: DE12 1234 5678 9012 3456 78";
        assert!(find_ibans(printed).is_empty());
        assert_eq!(find_unchecked_ibans(printed)[0].0, "DE12123456789012345678");
        // Valid IBANs are find_ibans' business; letters in an all-digit country are no IBAN.
        assert!(find_unchecked_ibans("DE89 3704 0044 0532 0130 00").is_empty());
        assert!(find_unchecked_ibans("DE12 ABCD 5678 9012 3456 78").is_empty());
    }

    #[test]
    fn iban_ranges_are_byte_ranges_of_the_text() {
        // Full Unicode upper-casing would turn "ﬁ" (3 bytes) into "FI" (2) and shift them.
        let text = "Empfänger ﬁrma: IBAN DE89 3704 0044 0532 0130 00";
        let (v, s, e) = find_ibans(text)[0].clone();
        assert_eq!((v.as_str(), &text[s..e]), ("DE89370400440532013000", "DE89 3704 0044 0532 0130 00"));
    }

    #[test]
    fn iban_mod97() {
        assert!(iban_valid("DE89370400440532013000"));
        assert!(!iban_valid("DE89370400440532013001"));
        assert!(iban_valid("DE88200800000970375700"));
        let found = find_ibans("IBAN: DE88 2008 0000 0970 3757 00 BIC: DRESDEFF200");
        assert_eq!(found[0].0, "DE88200800000970375700");
        assert!(find_ibans("IBAN DE89 3704 0044 0532 0130 01").is_empty());
    }

    #[test]
    fn vat_ids() {
        let v = find_vat_ids("USt-IdNr.: DE 136 695 976");
        assert_eq!(v[0].0, "DE136695976");
        assert_eq!(vat_id_checksum_ok("DE136695976"), Some(true));
        assert_eq!(vat_id_checksum_ok("DE136695977"), Some(false));
        assert_eq!(find_vat_ids("VAT ATU12345678")[0].0, "ATU12345678");
    }

    #[test]
    fn identifiers_in_shapes_no_rule_allows_are_found_only_by_the_unchecked_finders() {
        for (printed, vat) in [("USt-IdNr.: DE04123456789", "DE04123456789"), ("USt-IdNr. DE 1357 2468", "DE13572468"), ("UID ATU1234567", "ATU1234567")] {
            assert!(find_vat_ids(printed).is_empty(), "{printed}");
            assert_eq!(find_unchecked_vat_ids(printed).first().map(|v| v.0.as_str()), Some(vat), "{printed}");
            assert!(!vat_id_shape_ok(vat));
        }
        // A shape the checked finder reads is left to it; words are no VAT IDs.
        assert!(find_unchecked_vat_ids("USt-IdNr.: DE136695976").is_empty());
        assert!(find_unchecked_vat_ids("DEUTSCHLAND GmbH").is_empty());
        assert!(vat_id_shape_ok("DE136695976"));
        assert_eq!(find_unchecked_bics("BIC: COBADEFF1").first().map(|v| v.0.as_str()), Some("COBADEFF1"));
        assert!(find_unchecked_bics("BIC: COBADEFFXXX").is_empty());
        assert!(bic_shape_ok("COBADEFFXXX") && !bic_shape_ok("COBADEFF1"));
        assert_eq!(find_unchecked_tax_numbers("Steuernummer: 12/3456/789").first().map(|v| v.0.as_str()), Some("12/3456/789"));
        assert!(find_unchecked_tax_numbers("Steuernummer: 143/815/08152").is_empty());
        assert!(tax_number_shape_ok("143/815/08152") && !tax_number_shape_ok("12/3456/789"));
    }

    #[test]
    fn an_indian_gstin_is_a_vat_id_with_its_check_character() {
        // Made here: state 29, a PAN-shaped AAACM1234E, entity 1, "Z", and its check character.
        let found = find_vat_ids("GSTIN: 29AAACM1234E1ZW  PAN: AAACM1234E");
        assert_eq!(found.iter().map(|(v, _, _)| v.as_str()).collect::<Vec<_>>(), ["29AAACM1234E1ZW"]);
        assert_eq!(vat_id_checksum_ok("29AAACM1234E1ZW"), Some(true));
        assert_eq!(vat_id_checksum_ok("29AAACM1234E1ZX"), Some(false), "one character off");
        assert!(vat_id_shape_ok("29AAACM1234E1ZX"), "the shape holds; the check fails for review");
        assert!(find_vat_ids("GST NO: 001329332224").is_empty(), "a Malaysian GST number is no GSTIN");
        // A small z read by OCR: in capitals where the check character holds, else none.
        assert_eq!(find_vat_ids("GST Reg. No.: 29AAACM1234E1zW")[0].0, "29AAACM1234E1ZW");
        assert!(find_vat_ids("GST Reg. No.: 29AAACM1234E1zX").is_empty());
    }

    #[test]
    fn tax_numbers_and_bics() {
        assert_eq!(find_tax_numbers("Steuernummer: 22/815/0815/4 x")[0].0, "22/815/0815/4");
        assert_eq!(find_tax_numbers("St.-Nr. 123/456/78901")[0].0, "123/456/78901");
        assert_eq!(find_bics("BIC: DRESDEFF200")[0].0, "DRESDEFF200");
    }
}

#[cfg(test)]
mod ocr_vat_tests {
    use super::*;

    #[test]
    fn a_misread_german_vat_id_is_repaired_only_when_its_check_digit_holds() {
        assert_eq!(vat_id_checksum_ok("DE144262548"), Some(true));
        assert_eq!(find_vat_ids("USt-ldNr,; DF144262548").first().map(|v| v.0.as_str()), Some("DE144262548"));
        assert_eq!(find_vat_ids("USt-IdNr. DE 1442625 48").len(), 0, "no grouping of that shape");
        // A wrong digit is not 'repaired' into some valid number.
        assert!(find_vat_ids("DF144262549").is_empty());
    }

    #[test]
    fn a_swiss_uid_broken_up_by_ocr_is_read_when_its_check_digit_holds() {
        assert!(swiss_uid_ok("419613477"));
        assert_eq!(find_vat_ids("VAT Reg. No.: CHE-41 9.613.477 MWST")[0].0, "CHE419613477");
        assert_eq!(find_vat_ids("UID CHE-419.613.477 MWST")[0].0, "CHE419613477");
        assert!(find_vat_ids("CHE-41 9.613.478").is_empty(), "a wrong check digit is no UID");
    }

    #[test]
    fn a_french_key_read_with_a_letter_is_repaired_only_when_it_matches_the_siren() {
        assert_eq!(vat_id_checksum_ok("FR01444017173"), Some(true));
        assert_eq!(vat_id_checksum_ok("FR11999999998"), Some(true));
        assert_eq!(vat_id_checksum_ok("FR02444017173"), Some(false));
        assert_eq!(find_vat_ids("N° TVA : FRO1 444 017 173")[0].0, "FR01444017173");
        // A letter that gives no matching key stays as read, for a person to see.
        assert_eq!(find_vat_ids("TVA FRO2444017173")[0].0, "FRO2444017173");
    }
}
