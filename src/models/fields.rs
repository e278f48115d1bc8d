//! The trained invoice field extractor: every candidate on the pages
//! ([`crate::extract::candidates`]) is scored per field by a logistic model over its
//! features — label words to its left, in its row and above it, position on the page,
//! pattern, font height, arithmetic relations to other amounts, checksums, and whether the
//! rules chose the same value — then the totals are decided jointly so that
//! net + VAT = gross where the page allows it. Fields without a model (BIC, tax number,
//! currency, …) and fields the models leave empty come from the rules.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use rust_decimal::Decimal;

use super::{token, Features, LinearModel};
use crate::extract::candidates::{candidates, Candidate, Kind};
use crate::extract::text::{self, TextLine};
use crate::extract::form::{self, Party};
use crate::extract::{checks, ids, role_field, rules, Extraction, FieldExtractor, ReadDocument};
use crate::index::{DocType, FieldValue, ModelInfo};
use crate::layout::Page;

/// Hash buckets of the field features.
pub const DIM: usize = 2048;

/// The fields with a model, and the kind of candidate each takes.
pub const MODEL_FIELDS: [(&str, Kind); 11] = [
    ("invoice_number", Kind::Number),
    ("issue_date", Kind::Date),
    ("due_date", Kind::Date),
    ("net_total", Kind::Amount),
    ("vat_total", Kind::Amount),
    ("gross_total", Kind::Amount),
    ("amount_due", Kind::Amount),
    ("iban", Kind::Iban),
    ("seller_vat_id", Kind::VatId),
    ("seller_name", Kind::Name),
    ("buyer_name", Kind::Name),
];

/// Below this probability a model's best candidate is not taken (the rules' value stays).
pub const MIN_PROBABILITY: f32 = 0.2;

/// A read document prepared for scoring: its lines, candidates and their features.
pub struct Scored {
    pub doc_type: DocType,
    pub lines: Vec<TextLine>,
    pub rules: Extraction,
    pub candidates: Vec<Candidate>,
    pub features: Vec<Features>,
    /// The main labels of the e-mail and web domains the document prints ("horn-brandt").
    pub domains: Vec<String>,
}

/// Candidates and features of one document (shared by training and inference).
pub fn prepare(doc: &ReadDocument) -> Scored {
    let lines = text::lines(doc.pages);
    let rules = rules::extract(doc, &lines);
    let heights: Vec<f32> = doc.pages.iter().map(|p| p.height).collect();
    let form = form::Form::read(&lines);
    let cands = candidates(&lines, &heights, rules::month_first(doc, &lines), &form.names);
    let ctx = Context::new(doc, &lines, &cands, form);
    let features = cands.iter().map(|c| ctx.features(c, &rules)).collect();
    let domains = ctx.domains.clone();
    Scored { doc_type: doc.doc_type, lines, rules, candidates: cands, features, domains }
}

struct Context<'a> {
    doc: &'a ReadDocument<'a>,
    lines: &'a [TextLine],
    /// Median word height per page.
    median_height: Vec<f32>,
    /// Distinct amounts per page.
    amounts: BTreeMap<u32, Vec<Decimal>>,
    max_amount: Decimal,
    /// Occurrences of each value.
    occurrences: HashMap<&'a str, usize>,
    dates: Vec<&'a str>,
    last_amount_line: usize,
    postcode_lines: Vec<usize>,
    /// The form's party sections and names.
    form: form::Form,
    /// First lines of name candidates that span two lines (a letterhead name with its
    /// legal form below): each of those lines alone is only part of a name.
    joined_names: Vec<usize>,
    /// The main labels of the e-mail and web domains the document prints ("horn-brandt").
    domains: Vec<String>,
    /// Per line: whether it carries contact or company data (phone, e-mail, IBAN, register):
    /// a letterhead's or footer's, never an address window's.
    contact: Vec<bool>,
    /// Garbled label words read as the label they stand for.
    lexicon: super::lexicon::Memo,
}

fn domain_re() -> &'static regex::Regex {
    static R: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| regex::Regex::new(r"(?i)(?:@|\bwww\.|https?://)([a-z0-9äöüß-]+)\.[a-z]{2,}").expect("regex"))
}

fn contact_re() -> &'static regex::Regex {
    static R: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        regex::Regex::new(r"(?i)(?:\b(?:tel|telefon|fon|phone|fax|e-?mail|mail|iban|bic|ust-?id\S*|hrb|hra|amtsgericht|registergericht|gesch[äa]ftsf[üu]hr\S*|vorstand|steuer-?nr\S*)\b|@|\bwww\.)")
            .expect("regex")
    })
}

/// A name reduced to how domains spell it: lower case, umlauts as ae/oe/ue, legal forms and
/// connectives dropped, one word per entry.
fn slug_words(name: &str) -> Vec<String> {
    const DROP: [&str; 22] = ["gmbh", "co", "kg", "ag", "ek", "e", "k", "ug", "haftungsbeschraenkt", "ohg", "ltd", "inc", "llc", "corp", "limited", "bv", "b", "v", "sas", "sarl", "und", "inh"];
    let mut s = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        match ch {
            'ä' => s.push_str("ae"),
            'ö' => s.push_str("oe"),
            'ü' => s.push_str("ue"),
            'ß' => s.push_str("ss"),
            c if c.is_alphanumeric() => s.push(c),
            _ => s.push(' '),
        }
    }
    s.split_whitespace().filter(|w| !DROP.contains(w)).map(str::to_string).collect()
}

/// Whether a printed domain is made from the name ("horn-brandt.de" for "Horn & Brandt GmbH").
fn domain_matches(name: &str, domains: &[String]) -> bool {
    let words = slug_words(name);
    let compact: String = words.concat();
    domains.iter().any(|d| {
        let d: String = d.chars().filter(|c| *c != '-').collect();
        (d.len() >= 4 && compact.contains(&d)) || words.first().is_some_and(|w| w.len() >= 4 && d.contains(w.as_str()))
    })
}

const VAT_RATES: [&str; 8] = ["0.19", "0.07", "0.20", "0.10", "0.21", "0.16", "0.081", "0.077"];

fn vat_ratio(net: Decimal, vat: Decimal) -> bool {
    if net <= Decimal::ZERO || vat <= Decimal::ZERO {
        return false;
    }
    let r = vat / net;
    VAT_RATES.iter().any(|s| (r - Decimal::from_str(s).expect("rate")).abs() < Decimal::new(3, 3)) || (r > Decimal::new(7, 2) && r < Decimal::new(19, 2))
}

fn postcode_city() -> &'static regex::Regex {
    static R: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| regex::Regex::new(r"\b(?:D-|DE-|A-|CH-)?\d{4,5}\s+\p{Lu}[\p{L}\-. ]+").expect("regex"))
}

/// A word for the customer as a whole word ("Verkäufer" is none).
/// A name candidate longer than its line: it continues on the next line.
fn spans_lines(c: &Candidate, line: &TextLine) -> bool {
    c.value.len() > line.text.trim().len() + 1
}

fn shape(tok: &str) -> String {
    let mut s = String::new();
    for c in tok.chars() {
        let k = if c.is_ascii_digit() {
            '9'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if !s.ends_with(k) || !(k == '9' || k == 'a') {
            s.push(k);
        }
    }
    s
}

impl<'a> Context<'a> {
    fn new(doc: &'a ReadDocument<'a>, lines: &'a [TextLine], cands: &'a [Candidate], form: form::Form) -> Self {
        let median_height = doc
            .pages
            .iter()
            .map(|p| {
                let mut h: Vec<f32> = p.words.iter().map(|w| w.height()).filter(|h| *h > 0.0).collect();
                h.sort_by(f32::total_cmp);
                h.get(h.len() / 2).copied().unwrap_or(10.0)
            })
            .collect();
        let mut amounts: BTreeMap<u32, Vec<Decimal>> = BTreeMap::new();
        let mut max_amount = Decimal::ZERO;
        let mut occurrences: HashMap<&str, usize> = HashMap::new();
        let mut dates = Vec::new();
        let mut last_amount_line = 0;
        for c in cands {
            *occurrences.entry(c.value.as_str()).or_default() += 1;
            if let Some(a) = c.amount {
                let v = amounts.entry(c.page).or_default();
                if !v.contains(&a) {
                    v.push(a);
                }
                max_amount = max_amount.max(a.abs());
                last_amount_line = last_amount_line.max(c.line);
            }
            if c.kind == Kind::Date && !dates.contains(&c.value.as_str()) {
                dates.push(c.value.as_str());
            }
        }
        dates.sort();
        let postcode_lines = lines.iter().enumerate().filter(|(_, l)| l.page == 1 && postcode_city().is_match(&l.text)).map(|(i, _)| i).collect();
        let joined_names = cands.iter().filter(|c| c.kind == Kind::Name && spans_lines(c, &lines[c.line])).map(|c| c.line).collect();
        let mut domains: Vec<String> = Vec::new();
        for l in lines {
            for m in domain_re().captures_iter(&l.text) {
                let d = slug_words(&m[1].replace('-', " ")).join("-");
                if !d.is_empty() && !domains.contains(&d) {
                    domains.push(d);
                }
            }
        }
        let contact = lines.iter().map(|l| contact_re().is_match(&l.text)).collect();
        Context { doc, lines, median_height, amounts, max_amount, occurrences, dates, last_amount_line, postcode_lines, form, joined_names, domains, contact, lexicon: Default::default() }
    }

    fn features(&self, c: &Candidate, rules: &Extraction) -> Features {
        let mut f = Features::new(DIM);
        let line = &self.lines[c.line];
        let page = &self.doc.pages[(c.page as usize).saturating_sub(1).min(self.doc.pages.len() - 1)];
        f.flag("bias");
        f.add(&format!("dt:{}", self.doc.doc_type.as_str()), 1.0);
        // Label words: the same line to the left, nearest first.
        let left: Vec<String> = line.text[..c.start].split_whitespace().map(token).filter(|t| !t.is_empty()).collect();
        for (k, t) in left.iter().rev().take(4).enumerate() {
            f.flag(&format!("l:{t}"));
            if k == 0 {
                f.flag(&format!("l1:{t}"));
            }
        }
        if left.is_empty() {
            f.flag("l:none");
        }
        for t in line.text[c.end..].split_whitespace().map(token).filter(|t| !t.is_empty()).take(2) {
            f.flag(&format!("rt:{t}"));
        }
        // The row: the nearest line to the left on the same visual row (a label column).
        let cy = (c.bbox[1] + c.bbox[3]) / 2.0;
        let h = (c.bbox[3] - c.bbox[1]).max(1.0);
        let row_left = text::left_of(self.lines, line).first().copied();
        if let Some(r) = row_left {
            for t in r.text.split_whitespace().map(token).filter(|t| !t.is_empty()).rev().take(3) {
                f.flag(&format!("r:{t}"));
            }
        }
        // A label that speaks of the customer ("Ihre USt-IdNr.", "N° TVA client") in any language.
        let label_left = &line.text[..c.start];
        if crate::extract::labels::buyer_marker().is_match(label_left) || row_left.is_some_and(|r| crate::extract::labels::buyer_marker().is_match(&r.text)) {
            f.flag("lbl:buyer");
        }
        // Above: the nearest line over the candidate (a column header or a label above).
        let above = self
            .lines
            .iter()
            .filter(|l| l.page == c.page && l.bbox[3] <= c.bbox[1] + 0.3 * h && c.bbox[1] - l.bbox[3] < 3.0 * h && l.bbox[0] < c.bbox[2] && l.bbox[2] > c.bbox[0])
            .max_by(|a, b| a.bbox[3].total_cmp(&b.bbox[3]));
        if let Some(a) = above {
            for t in a.text.split_whitespace().map(token).filter(|t| !t.is_empty()).take(4) {
                f.flag(&format!("a:{t}"));
            }
        }
        // The key of the key–value pair wherever it stands — before the value, in the label
        // column or above it (a form's box): a label learnt in one place is known in another.
        let mut keys: Vec<String> = left.iter().rev().take(3).cloned().collect();
        for l in row_left.into_iter().chain(above) {
            keys.extend(l.text.split_whitespace().map(token).filter(|t| !t.is_empty() && t.chars().any(char::is_alphabetic)).take(4));
        }
        keys.sort();
        keys.dedup();
        for k in &keys {
            f.flag(&format!("k:{k}"));
            // Its letter trigrams: a key OCR garbled ("Beleadstum") still shares most of them.
            let chars: Vec<char> = k.chars().collect();
            if chars.len() >= 5 {
                for w in chars.windows(3) {
                    f.add(&format!("k3:{}", w.iter().collect::<String>()), 0.3);
                }
            }
            // Whose number or date: a credit note's "Rechnung Nr." is the invoice it credits.
            if matches!(c.kind, Kind::Number | Kind::Date) {
                f.flag(&format!("{}|k:{k}", self.doc.doc_type.as_str()));
            }
            // A label OCR garbled ("Beleadstum") read as the label word it is nearest to.
            if let Some(w) = self.lexicon.canonical(k) {
                f.add(&format!("k:{w}"), 0.8);
                if matches!(c.kind, Kind::Number | Kind::Date) {
                    f.add(&format!("{}|k:{w}", self.doc.doc_type.as_str()), 0.8);
                }
            }
        }
        // Geometry.
        let (w, ph) = (page.width.max(1.0), page.height.max(1.0));
        let bx = (((c.bbox[0] + c.bbox[2]) / 2.0 / w) * 5.0).clamp(0.0, 4.0) as u32;
        let by = ((cy / ph) * 10.0).clamp(0.0, 9.0) as u32;
        f.flag(&format!("x{bx}"));
        f.flag(&format!("y{by}"));
        f.flag(&format!("xy{bx}{}", by / 3));
        f.flag(if c.page == 1 { "pg1" } else { "pgN" });
        if c.page as usize == self.doc.pages.len() {
            f.flag("pglast");
        }
        let rel = h / self.median_height.get((c.page as usize).saturating_sub(1)).copied().unwrap_or(10.0).max(1.0);
        f.flag(match rel {
            r if r < 0.9 => "h:small",
            r if r < 1.2 => "h:normal",
            r if r < 1.6 => "h:large",
            _ => "h:huge",
        });
        if c.conf < 0.7 {
            f.flag("ocr:poor");
        }
        // A form's section heading above ("Verkäufer", "Käufer").
        match self.form.sections.get(c.line).copied().flatten() {
            Some(Party::Seller) => f.flag("sec:seller"),
            Some(Party::Buyer) => f.flag("sec:buyer"),
            None => {}
        }
        // What the rules chose (party names as issuer and addressee: see role_field).
        for (name, v) in &rules.fields {
            if same_value(name, &v.value, &c.value) {
                f.flag(&format!("rule:{}", role_field(name, self.doc.doc_type)));
            }
        }
        let occ = self.occurrences.get(c.value.as_str()).copied().unwrap_or(1);
        f.flag(&format!("occ{}", occ.min(3)));
        match c.kind {
            Kind::Amount => self.amount_features(c, line, &mut f),
            Kind::Date => {
                let rank = self.dates.iter().position(|d| *d == c.value).unwrap_or(0);
                if rank == 0 {
                    f.flag("d:earliest");
                }
                if rank + 1 == self.dates.len() {
                    f.flag("d:latest");
                }
                if self.dates.len() == 1 {
                    f.flag("d:only");
                }
            }
            Kind::Number => {
                f.flag(&format!("sh:{}", shape(&c.value)));
                // Its letters: "RE", "INV", "GS" start invoice and credit note numbers, "PO", "KD", "HRB" others.
                let prefix: String = c.value.chars().take_while(|ch| ch.is_alphabetic()).flat_map(char::to_lowercase).collect();
                if !prefix.is_empty() && prefix.len() <= 4 {
                    f.flag(&format!("np:{prefix}"));
                }
                f.flag(&format!("len{}", c.value.len().min(16) / 3));
                if c.value.chars().any(char::is_alphabetic) {
                    f.flag("n:letters");
                }
                if postcode_city().find(&line.text[c.start..]).is_some_and(|m| m.start() == 0) {
                    f.flag("n:postcode");
                }
            }
            Kind::Iban => {
                if ids::iban_valid(&c.value) {
                    f.flag("iban:valid");
                }
            }
            Kind::VatId => {
                if ids::vat_id_checksum_ok(&c.value) == Some(true) {
                    f.flag("vat:valid");
                }
                f.flag(&format!("vat:{}", &c.value[..2.min(c.value.len())]));
            }
            Kind::Name => {
                self.name_features(c, line, &mut f);
                if beside_seller_vat_id(line, rules) {
                    f.flag("nm:seller_vat_band");
                }
            }
        }
        f
    }

    fn amount_features(&self, c: &Candidate, line: &TextLine, f: &mut Features) {
        let a = c.amount.unwrap_or_default();
        if a.abs() == self.max_amount {
            f.flag("amt:max");
        }
        let page_amounts = self.amounts.get(&c.page).map(Vec::as_slice).unwrap_or(&[]);
        let larger = page_amounts.iter().filter(|b| **b > a).count();
        f.flag(&format!("amt:rank{}", larger.min(4)));
        if c.currency {
            f.flag("amt:currency");
        }
        if a < Decimal::ZERO {
            f.flag("amt:negative");
        }
        if a == Decimal::ZERO {
            f.flag("amt:zero");
        }
        if line.text.contains('%') {
            f.flag("amt:percent_line");
        }
        if c.line == self.last_amount_line {
            f.flag("amt:last_line");
        }
        // Arithmetic relations with the other amounts of the page.
        let (mut gross_of, mut net_of, mut vat_of, mut sum_of) = (false, false, false, false);
        for &x in page_amounts {
            for &y in page_amounts {
                if x == a || y == a {
                    continue;
                }
                if x + y == a {
                    sum_of = true;
                    if vat_ratio(x, y) {
                        gross_of = true;
                    }
                }
                if a + x == y {
                    if vat_ratio(a, x) {
                        net_of = true;
                    }
                    if vat_ratio(x, a) {
                        vat_of = true;
                    }
                }
            }
        }
        for (on, name) in [(gross_of, "amt:gross_of_pair"), (net_of, "amt:net_of_pair"), (vat_of, "amt:vat_of_pair"), (sum_of, "amt:sum_of_pair")] {
            if on {
                f.flag(name);
            }
        }
        // Its column: the header above ("Nettobetrag" over an ERP's totals table, where the
        // sum row has no label of its own), and whether it sums the amounts above it.
        let (header, above) = self.column_above(c);
        if let Some(hd) = header {
            for t in hd.text.split_whitespace().map(token).filter(|t| !t.is_empty()).take(3) {
                f.flag(&format!("col:{t}"));
            }
        }
        if above.len() >= 2 && a != Decimal::ZERO && above.iter().copied().sum::<Decimal>() == a {
            f.flag("amt:col_sum");
        }
    }

    /// The lines above a candidate in its column, nearest first, up to the first line with
    /// words (the column's header, when it is a short one): the header, and the amounts
    /// of the lines passed on the way.
    fn column_above(&self, c: &Candidate) -> (Option<&'a TextLine>, Vec<Decimal>) {
        let h = (c.bbox[3] - c.bbox[1]).max(1.0);
        let mut up: Vec<&TextLine> = self
            .lines
            .iter()
            .filter(|l| l.page == c.page && l.bbox[3] <= c.bbox[1] + 0.3 * h && c.bbox[1] - l.bbox[3] < 15.0 * h && l.bbox[0] < c.bbox[2] && l.bbox[2] > c.bbox[0])
            .collect();
        up.sort_by(|a, b| b.bbox[3].total_cmp(&a.bbox[3]));
        let mut amounts = Vec::new();
        for l in up {
            if l.text.chars().filter(|ch| ch.is_alphabetic()).count() >= 3 {
                let header = (l.text.split_whitespace().count() <= 4).then_some(l);
                return (header, amounts);
            }
            let found = crate::extract::parse::find_amounts(&l.text);
            if found.len() != 1 {
                break;
            }
            amounts.push(found[0].value);
        }
        (None, amounts)
    }

    fn name_features(&self, c: &Candidate, line: &TextLine, f: &mut Features) {
        // Whose name: a sender's stands with its phone, e-mail, bank and register (letterhead,
        // footer) and its domain is made from it; an addressee's stands alone in the window.
        if domain_matches(&c.value, &self.domains) {
            f.flag("nm:domain");
        }
        if self.contact[c.line] {
            f.flag("nm:contact_line");
        }
        let near = (c.line + 1..(c.line + 7).min(self.lines.len())).any(|j| {
            let l = &self.lines[j];
            l.page == line.page && self.contact[j] && l.bbox[0] < line.bbox[2] && l.bbox[2] > line.bbox[0]
        });
        if near {
            f.flag("nm:contact_below");
        }
        if spans_lines(c, line) {
            f.flag("nm:multiline");
        } else if self.joined_names.contains(&c.line) {
            f.flag("nm:joined_head");
        } else if c.line > 0 && self.joined_names.contains(&(c.line - 1)) {
            f.flag("nm:joined_tail");
        }
        // The whole value of a form's "Name:", or only one of its lines.
        for n in &self.form.names {
            if n.value == c.value {
                f.flag("nm:form_value");
            } else if n.lines.contains(&c.line) {
                f.flag("nm:form_part");
            }
        }
        if rules::company_suffix().is_match(&c.value) {
            f.flag("nm:company");
        }
        if c.start > 0 || c.end < line.text.len() {
            f.flag("nm:segment");
            if c.start == 0 {
                f.flag("nm:first_segment");
            }
        }
        let parts = line.text.split(['·', '|', '•', '●', '∙']).count();
        if parts >= 3 && postcode_city().is_match(&line.text) {
            f.flag("nm:return_line");
        }
        if self.postcode_lines.iter().any(|&p| p > c.line && p <= c.line + 3 && self.lines[p].page == line.page) {
            f.flag("nm:above_postcode");
        }
        if self.postcode_lines.contains(&c.line) {
            f.flag("nm:postcode_line");
        }
        if c.value.chars().any(|ch| ch.is_ascii_digit()) {
            f.flag("nm:digits");
        }
        if c.value.chars().filter(|ch| ch.is_alphabetic()).all(char::is_uppercase) {
            f.flag("nm:caps");
        }
        f.flag(&format!("nm:words{}", c.value.split_whitespace().count().min(6)));
        for t in c.value.split_whitespace().map(token).filter(|t| !t.is_empty()).take(6) {
            f.flag(&format!("w:{t}"));
        }
        // The line before (a "Rechnungsempfänger:" label, a salutation).
        if c.line > 0 && self.lines[c.line - 1].page == line.page {
            for t in self.lines[c.line - 1].text.split_whitespace().map(token).filter(|t| !t.is_empty()).take(3) {
                f.flag(&format!("pl:{t}"));
            }
        }
    }
}

/// Whether the seller's VAT ID (as the rules read it) is printed level with the name or just
/// under it, in any column: the legal footer and the letterhead state the registered name
/// beside the VAT ID (§ 14 UStG; EN 16931 BT-27 is the registered name), a goods supplier
/// or a brand named elsewhere on the page does not.
fn beside_seller_vat_id(line: &TextLine, rules: &Extraction) -> bool {
    let Some(vat) = rules.fields.get("seller_vat_id") else { return false };
    let (Some(page), Some(b)) = (vat.page, vat.bbox) else { return false };
    let h = (line.bbox[3] - line.bbox[1]).max(1.0);
    page == line.page && b[1] < line.bbox[3] + 3.0 * h && b[3] > line.bbox[1] - h
}

/// Values compared as the evaluation compares them.
pub fn same_value(field: &str, a: &str, b: &str) -> bool {
    crate::eval::normalise(field, a) == crate::eval::normalise(field, b)
}

/// The field extractor over the trained models; the rules fill what they do not cover.
pub struct TrainedExtractor {
    models: Vec<LinearModel>,
}

impl TrainedExtractor {
    pub fn new(models: Vec<LinearModel>) -> Self {
        TrainedExtractor { models }
    }

    /// The shipped models, if `models/fields-v1.json` holds any.
    pub fn shipped() -> Option<Self> {
        super::shipped::fields().filter(|m| !m.is_empty()).map(Self::new)
    }

    fn model(&self, field: &str) -> Option<&LinearModel> {
        self.models.iter().find(|m| m.name == field)
    }

    /// Per field with a model: each candidate value's probability (the best of its places),
    /// best first, with the index of the candidate that carries it.
    pub fn rank(&self, s: &Scored) -> BTreeMap<&'static str, Vec<(usize, f32)>> {
        let mut out = BTreeMap::new();
        for (field, kind) in MODEL_FIELDS {
            let Some(m) = self.model(field) else { continue };
            let mut best: HashMap<&str, (usize, f32)> = HashMap::new();
            for (i, c) in s.candidates.iter().enumerate().filter(|(_, c)| c.kind == kind) {
                let p = m.probability(&s.features[i]);
                let e = best.entry(c.value.as_str()).or_insert((i, p));
                if p > e.1 {
                    *e = (i, p);
                }
            }
            let mut v: Vec<(usize, f32)> = best.into_values().collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            out.insert(field, v);
        }
        out
    }
}

fn field_value(c: &Candidate, p: f32) -> FieldValue {
    FieldValue { value: c.value.clone(), confidence: p.clamp(0.0, 1.0), page: Some(c.page), bbox: Some(c.bbox) }
}

/// A name the model took from one line of a name the rules read over two lines ("MVM
/// Musterhafter" / "Versicherungsverein Musterstadt a.G."): the candidate of the whole name.
fn whole_name(s: &Scored, field: &str, chosen: usize) -> Option<usize> {
    let c = &s.candidates[chosen];
    if c.kind != Kind::Name {
        return None;
    }
    let rules = s.rules.value(role_field(field, s.doc_type))?;
    s.candidates.iter().position(|w| {
        w.kind == Kind::Name && w.value == rules && w.value != c.value && w.value.contains(c.value.as_str()) && spans_lines(w, &s.lines[w.line]) && (w.line == c.line || w.line + 1 == c.line)
    })
}

/// Issuer and addressee are two parties: when both models take the same name, the one
/// whose second choice costs less gives way.
fn distinct_parties(s: &Scored, ranked: &BTreeMap<&'static str, Vec<(usize, f32)>>, best: &mut BTreeMap<&str, (usize, f32)>) {
    let (Some(sel), Some(buy)) = (ranked.get("seller_name"), ranked.get("buyer_name")) else { return };
    let (Some(&s0), Some(&b0)) = (sel.first(), buy.first()) else { return };
    let value = |i: usize| &s.candidates[i].value;
    if !same_value("seller_name", value(s0.0), value(b0.0)) {
        return;
    }
    let next = |v: &[(usize, f32)], taken: usize| v.iter().copied().find(|(i, _)| !same_value("seller_name", value(*i), value(taken)));
    let keep_seller = next(buy, s0.0).map(|b1| s0.1 * b1.1);
    let keep_buyer = next(sel, b0.0).map(|s1| s1.1 * b0.1);
    match (keep_seller, keep_buyer) {
        (Some(a), Some(b)) if b > a => {
            best.insert("seller_name", next(sel, b0.0).expect("found above"));
        }
        (Some(_), _) => {
            best.insert("buyer_name", next(buy, s0.0).expect("found above"));
        }
        (None, Some(_)) => {
            best.insert("seller_name", next(sel, b0.0).expect("found above"));
        }
        (None, None) => {}
    }
}

/// A name printed more than once (letterhead, return line, footer) in the spelling that
/// kept its umlauts and accents: OCR drops them ("Krüger Cafe") far more often than it
/// invents them.
fn best_spelling(s: &Scored, chosen: usize) -> usize {
    let c = &s.candidates[chosen];
    if c.kind != Kind::Name {
        return chosen;
    }
    let folded = |v: &str| v.split_whitespace().map(super::token).collect::<String>();
    let accents = |v: &str| v.chars().filter(|ch| ch.is_alphabetic() && !ch.is_ascii()).count();
    let key = folded(&c.value);
    s.candidates
        .iter()
        .enumerate()
        .filter(|(_, o)| o.kind == Kind::Name && folded(&o.value) == key)
        .max_by(|(i, a), (j, b)| accents(&a.value).cmp(&accents(&b.value)).then((*i == chosen).cmp(&(*j == chosen))))
        .map(|(i, _)| i)
        .unwrap_or(chosen)
}

/// Below this probability a name is not taken for the registered seller, however well it
/// stands beside the VAT ID and matches the domain.
const MIN_REGISTERED_SELLER: f32 = 0.25;

/// The issuer is the legal entity that signs the page: when the model's issuer stands
/// neither beside the issuer's VAT ID nor matches a printed e-mail or web domain, and another
/// likely name does both (the legal footer "MUSTERLIEFERANT GMBH … USt-IdNr: DE123456789"
/// with "www.musterlieferant.de", against a goods supplier "KOSTENLIEFERANT GMBH" under the
/// heading "Lieferant"), that name is taken, at its own probability, so that the document
/// goes to review. Two independent signs of the registered name outweigh a heading.
fn registered_seller(s: &Scored, ranked: &BTreeMap<&'static str, Vec<(usize, f32)>>, best: &mut BTreeMap<&str, (usize, f32)>) {
    let (Some(&(chosen, _)), Some(sellers)) = (best.get("seller_name"), ranked.get("seller_name")) else { return };
    let registered = |i: usize| {
        let c = &s.candidates[i];
        beside_seller_vat_id(&s.lines[c.line], &s.rules) && domain_matches(&c.value, &s.domains)
    };
    let signs = |i: usize| beside_seller_vat_id(&s.lines[s.candidates[i].line], &s.rules) || domain_matches(&s.candidates[i].value, &s.domains);
    if signs(chosen) {
        return;
    }
    let buyer = best.get("buyer_name").map(|b| s.candidates[b.0].value.as_str());
    let other = sellers.iter().copied().find(|&(i, p)| {
        p >= MIN_REGISTERED_SELLER && i != chosen && registered(i) && !buyer.is_some_and(|b| same_value("seller_name", b, &s.candidates[i].value))
    });
    if let Some(other) = other {
        best.insert("seller_name", other);
    }
}

/// The issue date is no deadline: when the issue-date model's best date is the due-date
/// model's best too and more a due date than an issue date ("Fälligkeit 29.11.2018"), an
/// earlier date nearly as likely to be the issue date is taken ("… vom 30.10.2018"). A
/// due date on the issue date ("zahlbar sofort") stays possible: it needs no second date.
fn distinct_dates(s: &Scored, ranked: &BTreeMap<&'static str, Vec<(usize, f32)>>, best: &mut BTreeMap<&str, (usize, f32)>) {
    let (Some(&issue), Some(&due)) = (best.get("issue_date"), best.get("due_date")) else { return };
    let value = |i: usize| s.candidates[i].value.as_str();
    if value(issue.0) != value(due.0) || due.1 <= issue.1 {
        return;
    }
    let second = ranked.get("issue_date").and_then(|v| v.iter().copied().find(|(i, _)| value(*i) < value(issue.0)));
    if let Some(alt) = second.filter(|alt| alt.1 >= 0.5 * issue.1) {
        best.insert("issue_date", alt);
    }
}

/// Confidence of a total computed from the two others: below the review threshold, for a
/// person to see that the page did not show it.
const DERIVED_CONFIDENCE: f32 = 0.7;

/// One total of three not read, the two others read with confidence: the third is what
/// makes them add up, when that is a plausible VAT share — the VAT a premium invoice
/// only states as "included", a VAT line that OCR lost. It carries no place on the page.
fn derive_missing_total(ex: &mut Extraction) -> Option<&'static str> {
    let plausible = |net: Decimal, vat: Decimal| net > Decimal::ZERO && vat >= Decimal::ZERO && vat <= net * Decimal::new(27, 2);
    // A net equal to the gross beside a positive VAT cannot be: the page prints prices with
    // the VAT included ("inklusive 19 % Versicherungsteuer 220,00 €", "enthaltene
    // Versicherungsteuer (35,13 €)") and the net model took the gross. The net is what the VAT
    // leaves, as doubtful as the less certain of the two. Only for a doubtful net and a VAT
    // at a usual rate of it: a page without VAT (small business, exempt) has net = gross,
    // and the VAT model's best guess there is some stray amount.
    let raw = |f: &str| ex.fields.get(f).and_then(|v| Decimal::from_str(&v.value).ok().map(|d| (d, v.confidence)));
    if let (Some((net, pn)), Some((vat, pv)), Some((gross, pg))) = (raw("net_total"), raw("vat_total"), raw("gross_total")) {
        if net == gross && pn < 0.5 && vat_ratio(gross - vat, vat) {
            let value = crate::extract::parse::format_amount(gross - vat);
            ex.fields.insert("net_total".into(), FieldValue { value, confidence: DERIVED_CONFIDENCE.min(pv).min(pg), page: None, bbox: None });
            return Some("net_total");
        }
    }
    let read = |f: &str| ex.fields.get(f).filter(|v| v.confidence >= 0.8).and_then(|v| Decimal::from_str(&v.value).ok());
    let (n, v, g) = (read("net_total"), read("vat_total"), read("gross_total"));
    let missing = |f: &str| !ex.fields.contains_key(f);
    let (field, value) = match (n, v, g) {
        (Some(n), None, Some(g)) if missing("vat_total") && plausible(n, g - n) => ("vat_total", g - n),
        (None, Some(v), Some(g)) if missing("net_total") && plausible(g - v, v) => ("net_total", g - v),
        (Some(n), Some(v), None) if missing("gross_total") && plausible(n, v) => ("gross_total", n + v),
        _ => return None,
    };
    let value = crate::extract::parse::format_amount(value);
    ex.fields.insert(field.to_string(), FieldValue { value, confidence: DERIVED_CONFIDENCE, page: None, bbox: None });
    Some(field)
}

/// The gross of this invoice when what is due adds an earlier claim still unpaid
/// ("vierteljährlicher Beitrag inklusive 19 % Versicherungsteuer 220,00 €", "Ausstehende
/// Forderung am Ausstellungstag 220,00 €", "zu zahlender Beitrag 440,00 €"): the models, which
/// learnt from invoices whose amount due is their gross, take the amount due for the gross.
/// The gross is then the amount due less the arrears, printed on a line of its own.
fn gross_before_arrears(s: &Scored, ranked: &BTreeMap<&'static str, Vec<(usize, f32)>>, gross: Decimal, due: Option<Decimal>) -> Option<(usize, f32)> {
    if due != Some(gross) || gross <= Decimal::ZERO {
        return None;
    }
    let labelled = |c: &Candidate| {
        let line = &s.lines[c.line];
        let left = text::left_of(&s.lines, line).first().map(|l| l.text.as_str()).unwrap_or("");
        crate::extract::labels::arrears().is_match(&line.text[..c.start]) || crate::extract::labels::arrears().is_match(left)
    };
    let arrears = s.candidates.iter().filter(|c| c.kind == Kind::Amount && labelled(c)).filter_map(|c| c.amount.map(|a| (c.line, a)));
    let grosses = ranked.get("gross_total")?;
    arrears.filter(|(_, a)| *a > Decimal::ZERO && *a < gross).find_map(|(arrears_line, a)| {
        grosses.iter().find(|(i, _)| s.candidates[*i].amount == Some(gross - a) && s.candidates[*i].line != arrears_line).map(|&(i, q)| (i, q.max(0.7)))
    })
}

/// What is due when the page prints a prepayment beside its label ("Erhaltene Anzahlungen
/// -50,00", "abzgl. Anzahlung"): the amount that is the gross less it, wherever it stands.
/// Invoices with prepayments are rare in the training corpus, so the arithmetic decides.
fn due_after_prepayment(s: &Scored, ranked: &BTreeMap<&'static str, Vec<(usize, f32)>>, gross: Decimal) -> Option<(usize, f32)> {
    let labelled = |c: &Candidate| {
        let line = &s.lines[c.line];
        let left = text::left_of(&s.lines, line).first().map(|l| l.text.as_str()).unwrap_or("");
        crate::extract::labels::prepaid().is_match(&line.text[..c.start]) || crate::extract::labels::prepaid().is_match(left)
    };
    let prepaid: Vec<Decimal> = s.candidates.iter().filter(|c| c.kind == Kind::Amount && labelled(c)).filter_map(|c| c.amount).filter(|a| !a.is_zero() && a.abs() < gross.abs()).collect();
    let due = ranked.get("amount_due")?;
    prepaid.iter().find_map(|p| {
        let rest = gross - p.abs();
        due.iter().find(|(i, _)| s.candidates[*i].amount == Some(rest)).map(|&(i, q)| (i, q.max(0.85)))
    })
}

/// What is due after a payment the page prints apart from its label ("Residual 1,453.76 €"
/// under "Total 2,076.76 €", the payment of 623.00 € in a table of payments): the rules'
/// labelled amount due, when it is the gross less an amount printed on the page that is not
/// the VAT. The generator prints no such residuals, so the model does not know the labels.
fn due_after_a_printed_payment(s: &Scored, ranked: &BTreeMap<&'static str, Vec<(usize, f32)>>, gross: Decimal, [net, vat]: [Option<Decimal>; 2]) -> Option<(usize, f32)> {
    let rules_due = Decimal::from_str(s.rules.value("amount_due")?).ok()?;
    if rules_due.is_sign_negative() != gross.is_sign_negative() || rules_due.abs() >= gross.abs() || rules_due.is_zero() || Some(rules_due) == net {
        return None;
    }
    let paid = gross.abs() - rules_due.abs();
    let printed = s.candidates.iter().any(|c| c.kind == Kind::Amount && c.amount.map(|a| a.abs()) == Some(paid) && vat.map(|v| v.abs()) != Some(paid));
    if !printed {
        return None;
    }
    ranked.get("amount_due")?.iter().find(|(i, _)| s.candidates[*i].amount == Some(rules_due)).map(|&(i, q)| (i, q.max(0.7)))
}

/// The totals decided together: the combination of net, VAT and gross with the highest
/// joint probability among those that add up, where adding up counts strongly. Two of the
/// three come from each field's best few candidates (and the rules' labelled triple); the
/// third may be any candidate of its field that completes them — an ERP's sum row under a
/// column header ("Nettobetrag" … "448,99") is often no likely net on its own.
fn joint_totals(s: &Scored, ranked: &BTreeMap<&'static str, Vec<(usize, f32)>>) -> Option<[(usize, f32); 3]> {
    const FIELDS: [&str; 3] = ["net_total", "vat_total", "gross_total"];
    // The six best values of each, and the rules' value where the rules found totals that add up.
    let top = |f: &str| {
        let all = ranked.get(f).cloned().unwrap_or_default();
        let mut v: Vec<(usize, f32)> = all.iter().take(6).copied().collect();
        if s.rules.totals_consistent {
            if let Some(r) = s.rules.value(f) {
                if let Some(c) = all.iter().find(|(i, _)| same_value(f, &s.candidates[*i].value, r)) {
                    if !v.contains(c) {
                        v.push(*c);
                    }
                }
            }
        }
        v
    };
    // A credit note's amounts lose their sign (extract::credit_note_signs), and OCR drops a
    // minus now and then: its totals add up in size.
    let sized = s.doc_type == DocType::CreditNote;
    let amount = |i: usize| {
        let a = s.candidates[i].amount.unwrap_or_default();
        if sized {
            a.abs()
        } else {
            a
        }
    };
    let all: Vec<&[(usize, f32)]> = FIELDS.iter().map(|f| ranked.get(f).map(Vec::as_slice).unwrap_or(&[])).collect();
    let find = |field: usize, value: Decimal| all[field].iter().find(|(i, _)| amount(*i) == value).copied();
    let rules_agree = |t: &[(usize, f32); 3]| {
        s.rules.totals_consistent && FIELDS.iter().zip(t).all(|(f, (i, _))| s.rules.value(f).is_some_and(|r| same_value(f, r, &s.candidates[*i].value)))
    };
    let tops: Vec<Vec<(usize, f32)>> = FIELDS.iter().map(|f| top(f)).collect();
    let mut triples: Vec<[(usize, f32); 3]> = Vec::new();
    for &a in &tops[0] {
        for &b in &tops[1] {
            if let Some(g) = find(2, amount(a.0) + amount(b.0)) {
                triples.push([a, b, g]);
            }
        }
        for &g in &tops[2] {
            if let Some(b) = find(1, amount(g.0) - amount(a.0)) {
                triples.push([a, b, g]);
            }
        }
    }
    for &b in &tops[1] {
        for &g in &tops[2] {
            if let Some(a) = find(0, amount(g.0) - amount(b.0)) {
                triples.push([a, b, g]);
            }
        }
    }
    let mut best: Option<(f32, [(usize, f32); 3])> = None;
    for t in triples {
        let [n, v, g] = t;
        // Three places on the page, and the VAT a share of the net: less in size, of the
        // same sign ("Zahlbetrag" = gross + "abzgl. Anzahlung -486,53" is no triple).
        let (na, va) = (amount(n.0), amount(v.0));
        if n.0 == v.0 || n.0 == g.0 || v.0 == g.0 || va.abs() >= na.abs() || (va.is_sign_negative() != na.is_sign_negative() && !va.is_zero()) {
            continue;
        }
        // A field the model is sure of is not given up for an unlikely value that adds up
        // (a receipt's VAT row "net + VAT = 245,55" against its total "€ 1.342,63").
        if tops.iter().zip(&t).any(|(top, x)| top.first().is_some_and(|f| f.1 >= 0.9 && f.0 != x.0 && x.1 < f.1 / 5.0)) {
            continue;
        }
        let mut score: f32 = t.iter().map(|x| x.1.max(1e-4).ln()).sum();
        if rules_agree(&t) {
            score += 2.0;
        }
        if best.map(|b| score > b.0).unwrap_or(true) {
            best = Some((score, t));
        }
    }
    let independent: f32 = tops.iter().map(|v| v.first().map(|x| x.1.max(1e-4).ln()).unwrap_or(0.0)).sum();
    // Adding up is worth a factor of e^6 against the independent choice (e^2 more when
    // the rules' labelled triple is the same).
    let best = best.filter(|b| b.0 + 6.0 >= independent).map(|b| b.1);
    let gross = tops[2].first().copied();
    match (best, gross) {
        (Some(b), Some(g)) if b[2].0 == g.0 => Some(b),
        (_, Some(g)) => sum_row(s, &all, g, sized).or(best),
        (b, None) => b,
    }
}

/// Net and VAT printed left of the gross in its row, adding up to it: the sum row of an ERP's
/// totals table ("-7,90 0,23 -7,67 -1,12 EUR -8,79" under "Warenwert … Nettobetrag
/// MwSt-Betrag … Endbetrag"), whose values have no label of their own beside them, so the
/// models find them unlikely one by one. Only for the gross the model finds likeliest: the
/// rows above it (one per VAT rate) add up as well.
fn sum_row(s: &Scored, all: &[&[(usize, f32)]], gross: (usize, f32), sized: bool) -> Option<[(usize, f32); 3]> {
    let g = &s.candidates[gross.0];
    let amount = |c: &Candidate| c.amount.map(|a| if sized { a.abs() } else { a });
    let in_row = |c: &Candidate| {
        let h = (g.bbox[3] - g.bbox[1]).max(1.0);
        c.page == g.page && c.bbox[2] <= g.bbox[0] && (c.bbox[1] + c.bbox[3] - g.bbox[1] - g.bbox[3]).abs() < h
    };
    let row = |field: usize| all[field].iter().copied().filter(|(i, _)| in_row(&s.candidates[*i])).collect::<Vec<_>>();
    let (nets, vats) = (row(0), row(1));
    let target = amount(g)?;
    let mut found: Option<(f32, [(usize, f32); 3])> = None;
    for &n in &nets {
        for &v in &vats {
            let (nc, vc) = (&s.candidates[n.0], &s.candidates[v.0]);
            let (Some(na), Some(va)) = (amount(nc), amount(vc)) else { continue };
            // The net before the VAT, the VAT a share of it of the same sign.
            if nc.bbox[2] > vc.bbox[0] || na + va != target || va.abs() >= na.abs() || va.is_zero() || va.is_sign_negative() != na.is_sign_negative() {
                continue;
            }
            let p = n.1 * v.1;
            if found.is_none_or(|f| p > f.0) {
                found = Some((p, [n, v, gross]));
            }
        }
    }
    found.map(|f| f.1)
}

impl FieldExtractor for TrainedExtractor {
    fn model(&self) -> ModelInfo {
        let version = self.models.first().map(|m| m.version.clone()).unwrap_or_default();
        ModelInfo { name: "fields-logistic".into(), version }
    }

    fn extract(&self, doc: &ReadDocument) -> Extraction {
        let s = prepare(doc);
        let ranked = self.rank(&s);
        decide(doc, &s, &ranked)
    }
}

/// The extraction from a prepared document and its ranked candidates: the models' choices,
/// decided together where fields depend on each other, over the rules' values.
fn decide(doc: &ReadDocument, s: &Scored, ranked: &BTreeMap<&'static str, Vec<(usize, f32)>>) -> Extraction {
    let mut ex = s.rules.clone();
    let mut best: BTreeMap<&str, (usize, f32)> = ranked.iter().filter_map(|(f, v)| v.first().map(|b| (*f, *b))).collect();
    distinct_parties(s, ranked, &mut best);
    registered_seller(s, ranked, &mut best);
    distinct_dates(s, ranked, &mut best);
    for (field, _) in MODEL_FIELDS {
        let Some(&best) = best.get(field) else { continue };
        // Party models speak of issuer and addressee; an order's issuer is the buyer.
        let target = role_field(field, doc.doc_type);
        // Below the threshold the rules' value stays; where the rules have none, a party's
        // name the model still finds likelier than not-so-unlikely is taken, doubtful.
        let name_without_rules = matches!(field, "seller_name" | "buyer_name") && !ex.fields.contains_key(target) && best.1 >= MIN_PROBABILITY / 2.0;
        if best.1 >= MIN_PROBABILITY || name_without_rules {
            let chosen = whole_name(s, field, best.0).unwrap_or(best.0);
            let chosen = best_spelling(s, chosen);
            ex.fields.insert(target.to_string(), field_value(&s.candidates[chosen], best.1));
        } else if let Some(f) = ex.fields.get_mut(target) {
            // The rules' value where the model finds nothing likely, at the model's doubt.
            f.confidence = f.confidence.min(0.5);
        }
    }
    if let Some([n, v, g]) = joint_totals(s, ranked) {
        // Adding up makes each of the three more certain.
        for ((field, (i, p)), other) in ["net_total", "vat_total", "gross_total"].into_iter().zip([n, v, g]).zip([v.1.min(g.1), n.1.min(g.1), n.1.min(v.1)]) {
            let boosted = 1.0 - (1.0 - p) * (1.0 - other);
            ex.fields.insert(field.to_string(), field_value(&s.candidates[i], boosted.max(p)));
        }
    }
    let amount = |ex: &Extraction, f: &str| ex.value(f).and_then(|v| Decimal::from_str(v).ok());
    if let Some(gross) = amount(&ex, "gross_total") {
        if let Some((i, p)) = gross_before_arrears(s, ranked, gross, amount(&ex, "amount_due")) {
            ex.fields.insert("gross_total".to_string(), field_value(&s.candidates[i], p));
        }
    }
    let derived = derive_missing_total(&mut ex);
    let gross = ex.value("gross_total").and_then(|g| Decimal::from_str(g).ok());
    let net_vat = [ex.value("net_total"), ex.value("vat_total")].map(|v| v.and_then(|v| Decimal::from_str(v).ok()));
    if let Some((i, p)) = gross.and_then(|g| due_after_prepayment(s, ranked, g).or_else(|| due_after_a_printed_payment(s, ranked, g, net_vat))) {
        ex.fields.insert("amount_due".to_string(), field_value(&s.candidates[i], p));
    }
    let total = |f: &str| ex.value(f).and_then(|v| Decimal::from_str(v).ok());
    let consistent = matches!((total("net_total"), total("vat_total"), total("gross_total")), (Some(n), Some(v), Some(g)) if n + v == g);
    ex.totals_consistent = consistent;
    // The item table, checked against the net total chosen here.
    ex.line_items = crate::extract::table::line_items(doc.pages, ex.value("net_total"), &ex.vat_breakdown);
    crate::extract::credit_note_signs(doc.doc_type, &mut ex);
    ex.checks = checks::run(&ex);
    if let Some(field) = derived {
        // Said in the index, so that nobody takes the value for one read off the page.
        ex.checks.push(crate::index::Check { name: "total_derived".into(), passed: true, message: format!("{field} not found on the page: computed from the other two totals") });
    }
    ex
}

/// Training examples of one document: per model field, each candidate's features and
/// whether its value is the ground truth's. `gt` maps field names to normalised values.
pub fn examples(pages: &[Page], doc_type: DocType, language: Option<&str>, gt: &BTreeMap<String, String>) -> Vec<(usize, Features, bool)> {
    let doc = ReadDocument { pages, language, doc_type };
    let s = prepare(&doc);
    let mut out = Vec::new();
    for (k, (field, kind)) in MODEL_FIELDS.iter().enumerate() {
        let truth = gt.get(role_field(field, doc_type));
        for (i, c) in s.candidates.iter().enumerate().filter(|(_, c)| c.kind == *kind) {
            let label = truth.is_some_and(|t| stands_for(field, c, doc_type, t));
            out.push((k, s.features[i].clone(), label));
        }
    }
    out
}

/// Whether candidate `c` is the printed form of `value`. A credit note printed negative is
/// indexed positive (extract::credit_note_signs): its printed amount stands for the value.
fn stands_for(field: &str, c: &Candidate, doc_type: DocType, value: &str) -> bool {
    let turned = c.amount.filter(|_| doc_type == DocType::CreditNote).map(|a| crate::extract::parse::format_amount(-a));
    same_value(field, value, &c.value) || turned.as_deref().is_some_and(|n| same_value(field, value, n))
}

/// Why the extractor chose what it chose, for `mailroom explain`: per model field its best
/// candidates with their probability and the line they stand on, the value taken (model or
/// rules), and the totals' joint choice. `only` limits it to one field.
pub fn explain(extractor: &TrainedExtractor, doc: &ReadDocument, only: Option<&str>, top: usize) -> String {
    use std::fmt::Write;
    let s = prepare(doc);
    let ranked = extractor.rank(&s);
    let chosen = decide(doc, &s, &ranked);
    let mut out = String::new();
    let _ = writeln!(out, "document type: {}, language: {}", doc.doc_type.as_str(), doc.language.unwrap_or("?"));
    for (field, _) in MODEL_FIELDS {
        if only.is_some_and(|o| o != field) {
            continue;
        }
        let target = role_field(field, doc.doc_type);
        let taken = chosen.value(target).unwrap_or("–");
        let rules = s.rules.value(target).unwrap_or("–");
        let role = if target != field { format!(" (the {} model: an order's sender is its buyer)", if field == "seller_name" { "issuer" } else { "addressee" }) } else { String::new() };
        let _ = writeln!(out, "\n{target}{role}: {taken}  (rules: {rules}{})", if extractor.model(field).is_none() { "; no model" } else { "" });
        for &(i, p) in ranked.get(field).map(Vec::as_slice).unwrap_or(&[]).iter().take(top) {
            let c = &s.candidates[i];
            let line = &s.lines[c.line];
            let mark = if stands_for(field, c, doc.doc_type, taken) { '*' } else { ' ' };
            let _ = writeln!(out, " {mark} {p:.3}  {:<28} p{} {:>4.0},{:<4.0} | {}", c.value, c.page, c.bbox[0], c.bbox[1], line.text);
        }
    }
    if only.is_none_or(|o| ["net_total", "vat_total", "gross_total"].contains(&o)) {
        match joint_totals(&s, &ranked) {
            Some([n, v, g]) => {
                let val = |(i, _): (usize, f32)| s.candidates[i].value.clone();
                let sizes = if doc.doc_type == DocType::CreditNote { " (a credit note's totals add up in size)" } else { "" };
                let _ = writeln!(out, "\ntotals chosen together: net {} + VAT {} = gross {}{sizes}", val(n), val(v), val(g));
            }
            None => {
                let _ = writeln!(out, "\ntotals: no triple among the best candidates adds up; each field chosen on its own");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extraction(fields: &[(&str, &str, f32)]) -> Extraction {
        let mut ex = Extraction::default();
        for (f, v, p) in fields {
            ex.fields.insert(f.to_string(), FieldValue { value: v.to_string(), confidence: *p, page: None, bbox: None });
        }
        ex
    }

    #[test]
    fn a_doubtful_net_equal_to_the_gross_gives_way_to_the_gross_less_its_included_vat() {
        let mut ex = extraction(&[("net_total", "220.00", 0.31), ("vat_total", "35.13", 0.30), ("gross_total", "220.00", 0.7)]);
        assert_eq!(derive_missing_total(&mut ex), Some("net_total"));
        let net = &ex.fields["net_total"];
        assert_eq!((net.value.as_str(), net.confidence, net.bbox), ("184.87", 0.30, None));
    }

    #[test]
    fn a_page_without_vat_keeps_its_net_equal_to_the_gross() {
        // A sure net (a small business's "Gesamt 39.957,54") beside a stray VAT guess.
        let mut ex = extraction(&[("net_total", "39957.54", 1.0), ("vat_total", "2147.16", 0.15), ("gross_total", "39957.54", 1.0)]);
        assert_eq!(derive_missing_total(&mut ex), None);
        assert_eq!(ex.value("net_total"), Some("39957.54"));
        // A doubtful net, but the VAT is no usual share of what it would leave.
        let mut ex = extraction(&[("net_total", "39957.54", 0.3), ("vat_total", "17.00", 0.23), ("gross_total", "39957.54", 1.0)]);
        assert_eq!(derive_missing_total(&mut ex), None);
        assert_eq!(ex.value("net_total"), Some("39957.54"));
    }
}
