//! The trained invoice field extractor: every candidate on the pages
//! ([`crate::extract::candidates`]) is scored per field by a logistic model over its
//! features — label words to its left, in its row and above it, position on the page,
//! pattern, font height, arithmetic relations to other amounts, checksums, and whether the
//! rules chose the same value. [`super::decide`] then takes the fields together (net + VAT =
//! gross where the page allows it, two distinct parties, …). Fields without a model (BIC,
//! tax number, currency, …) and fields the models leave empty come from the rules.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use rust_decimal::Decimal;

use super::{token, Features, LinearModel};
use crate::extract::candidates::{candidates, Candidate, Kind};
use crate::extract::form::{self, Party};
use crate::extract::text::{self, TextLine};
use crate::extract::{ids, role_field, rules, Extraction, FieldExtractor, ReadDocument};
use crate::index::{DocType, ModelInfo};
use crate::layout::Page;
use crate::vocab::Field;

/// Hash buckets of the field features.
pub const DIM: usize = 2048;

/// The fields with a model, and the kind of candidate each takes: the fields the vocabulary
/// says a model reads ([`Field::model_reads`], a test keeps the two the same), in the order
/// the shipped models were trained in (training samples negatives by this position).
pub const MODEL_FIELDS: [(Field, Kind); 11] = [
    (Field::InvoiceNumber, Kind::Number),
    (Field::IssueDate, Kind::Date),
    (Field::DueDate, Kind::Date),
    (Field::NetTotal, Kind::Amount),
    (Field::VatTotal, Kind::Amount),
    (Field::GrossTotal, Kind::Amount),
    (Field::AmountDue, Kind::Amount),
    (Field::Iban, Kind::Iban),
    (Field::SellerVatId, Kind::VatId),
    (Field::SellerName, Kind::Name),
    (Field::BuyerName, Kind::Name),
];

/// Per model field, its candidates' values by probability, best first: (candidate, probability).
pub type Ranked = BTreeMap<Field, Vec<(usize, f32)>>;

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
    let domains = ctx.domains;
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
pub(super) fn domain_matches(name: &str, domains: &[String]) -> bool {
    let words = slug_words(name);
    let compact: String = words.concat();
    domains.iter().any(|d| {
        let d: String = d.chars().filter(|c| *c != '-').collect();
        (d.len() >= 4 && compact.contains(&d)) || words.first().is_some_and(|w| w.len() >= 4 && d.contains(w.as_str()))
    })
}

const VAT_RATES: [&str; 8] = ["0.19", "0.07", "0.20", "0.10", "0.21", "0.16", "0.081", "0.077"];

pub(super) fn vat_ratio(net: Decimal, vat: Decimal) -> bool {
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
pub(super) fn spans_lines(c: &Candidate, line: &TextLine) -> bool {
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
        f.flag("bias");
        f.add(&format!("dt:{}", self.doc.doc_type.as_str()), 1.0);
        self.label_features(c, line, &mut f);
        self.geometry_features(c, &mut f);
        self.context_features(c, rules, &mut f);
        self.kind_features(c, line, rules, &mut f);
        f
    }

    /// The words that label the candidate: left of it on its line, in its row's label
    /// column, above it; and the key of the key–value pair wherever it stands.
    #[allow(clippy::string_slice)] // candidate offsets come from matches on the same line
    fn label_features(&self, c: &Candidate, line: &TextLine, f: &mut Features) {
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
    }

    /// Where the candidate stands: its place on the page, which page, how large its print is
    /// and how sure OCR was of it.
    fn geometry_features(&self, c: &Candidate, f: &mut Features) {
        let page = &self.doc.pages[(c.page as usize).saturating_sub(1).min(self.doc.pages.len() - 1)];
        let cy = (c.bbox[1] + c.bbox[3]) / 2.0;
        let h = (c.bbox[3] - c.bbox[1]).max(1.0);
        let (w, ph) = (page.width.max(1.0), page.height.max(1.0));
        let bx = (((c.bbox[0] + c.bbox[2]) / 2.0 / w) * 5.0).clamp(0.0, 4.0) as u32;
        let by = ((cy / ph) * 10.0).clamp(0.0, 9.0) as u32;
        f.flag(&format!("y{by}"));
        // Where a name stands across the page says less than for other fields: windows and
        // letterheads stand left or right by the country's custom, the block around it tells
        // the party. A weaker feature costs more weight to use (regularised harder).
        let across = if c.kind == Kind::Name { 0.3 } else { 1.0 };
        f.add(&format!("x{bx}"), across);
        f.add(&format!("xy{bx}{}", by / 3), across);
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
    }

    /// The candidate's context: the form section it stands in, what the rules chose, how
    /// often its value is printed.
    fn context_features(&self, c: &Candidate, rules: &Extraction, f: &mut Features) {
        // A form's section heading above ("Verkäufer", "Käufer").
        match self.form.sections.get(c.line).copied().flatten() {
            Some(Party::Seller) => f.flag("sec:seller"),
            Some(Party::Buyer) => f.flag("sec:buyer"),
            None => {}
        }
        // What the rules chose (party names as issuer and addressee: see role_field).
        for (name, v) in &rules.fields {
            if same_value(*name, &v.value, &c.value) {
                f.flag(&format!("rule:{}", role_field(*name, self.doc.doc_type)));
            }
        }
        let occ = self.occurrences.get(c.value.as_str()).copied().unwrap_or(1);
        f.flag(&format!("occ{}", occ.min(3)));
    }

    /// What only a candidate of its kind has: an amount's rank and arithmetic, a date's
    /// order, a number's shape, an IBAN's or VAT ID's checksum, a name's block.
    #[allow(clippy::string_slice)] // candidate offsets come from matches on the same line
    fn kind_features(&self, c: &Candidate, line: &TextLine, rules: &Extraction, f: &mut Features) {
        match c.kind {
            Kind::Amount => self.amount_features(c, line, f),
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
                f.flag(&format!("vat:{}", c.value.chars().take(2).collect::<String>()));
            }
            Kind::Name => {
                self.name_features(c, line, f);
                if beside_seller_vat_id(line, rules) {
                    f.flag("nm:seller_vat_band");
                }
            }
        }
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
        let mut up: Vec<&TextLine> =
            self.lines.iter().filter(|l| l.page == c.page && l.bbox[3] <= c.bbox[1] + 0.3 * h && c.bbox[1] - l.bbox[3] < 15.0 * h && l.bbox[0] < c.bbox[2] && l.bbox[2] > c.bbox[0]).collect();
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
        // An address block in any column: the name over a postcode and city in its column,
        // a letterhead's when phone, e-mail or bank lines follow in that column. The window
        // stands left in DIN 5008 letters, right in many Swiss, Austrian and French ones.
        let h = (line.bbox[3] - line.bbox[1]).max(1.0);
        let under = |l: &TextLine, rows: f32| l.page == line.page && l.bbox[1] > line.bbox[1] + 0.5 * h && l.bbox[1] - line.bbox[3] < rows * h && l.bbox[0] < c.bbox[2] && l.bbox[2] > c.bbox[0];
        if self.postcode_lines.iter().any(|&p| under(&self.lines[p], 5.0)) {
            let letterhead = self.lines.iter().zip(&self.contact).any(|(l, &k)| k && under(l, 8.0));
            f.flag(if letterhead { "nm:sender_block" } else { "nm:address_block" });
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
pub(super) fn beside_seller_vat_id(line: &TextLine, rules: &Extraction) -> bool {
    let Some(vat) = rules.fields.get(&Field::SellerVatId) else { return false };
    let (Some(page), Some(b)) = (vat.page, vat.bbox) else { return false };
    let h = (line.bbox[3] - line.bbox[1]).max(1.0);
    page == line.page && b[1] < line.bbox[3] + 3.0 * h && b[3] > line.bbox[1] - h
}

/// Values compared as the evaluation compares them.
pub fn same_value(field: Field, a: &str, b: &str) -> bool {
    field.comparable(a) == field.comparable(b)
}

/// The field extractor over the trained models; the rules fill what they do not cover.
pub struct TrainedExtractor {
    models: Vec<LinearModel>,
    /// [`super::weights_version`] of the models.
    version: String,
}

impl TrainedExtractor {
    pub fn new(models: Vec<LinearModel>) -> Self {
        let version = super::weights_version(models.first().map(|m| m.version.as_str()).unwrap_or_default(), &models);
        TrainedExtractor { models, version }
    }

    /// The shipped models, if `models/fields-v1.json` holds any.
    pub fn shipped() -> Option<Self> {
        super::shipped::fields().filter(|m| !m.is_empty()).map(Self::new)
    }

    fn model(&self, field: Field) -> Option<&LinearModel> {
        self.models.iter().find(|m| m.name == field.as_str())
    }

    /// Per field with a model: each candidate value's probability (the best of its places),
    /// best first, with the index of the candidate that carries it.
    pub fn rank(&self, s: &Scored) -> Ranked {
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

impl FieldExtractor for TrainedExtractor {
    fn model(&self) -> ModelInfo {
        ModelInfo { name: "fields-logistic".into(), version: self.version.clone() }
    }

    fn extract(&self, doc: &ReadDocument) -> Extraction {
        let s = prepare(doc);
        let ranked = self.rank(&s);
        super::decide::decide(doc, &s, &ranked)
    }
}

/// Training examples of one document: per model field, each candidate's features and
/// whether its value is the ground truth's. `gt` maps field names to normalised values.
pub fn examples(pages: &[Page], doc_type: DocType, language: Option<&str>, gt: &BTreeMap<String, String>) -> Vec<(usize, Features, bool)> {
    let doc = ReadDocument { pages, language, doc_type, words: None };
    let s = prepare(&doc);
    let mut out = Vec::new();
    for (k, (field, kind)) in MODEL_FIELDS.iter().enumerate() {
        let truth = gt.get(role_field(*field, doc_type).as_str());
        for (i, c) in s.candidates.iter().enumerate().filter(|(_, c)| c.kind == *kind) {
            let label = truth.is_some_and(|t| stands_for(*field, c, doc_type, t));
            out.push((k, s.features[i].clone(), label));
        }
    }
    out
}

/// Whether candidate `c` is the printed form of `value`. A credit note printed negative is
/// indexed positive (extract::credit_note_signs): its printed amount stands for the value.
fn stands_for(field: Field, c: &Candidate, doc_type: DocType, value: &str) -> bool {
    let turned = c.amount.filter(|_| doc_type == DocType::CreditNote).map(|a| crate::extract::parse::format_amount(-a));
    same_value(field, value, &c.value) || turned.as_deref().is_some_and(|n| same_value(field, value, n))
}

/// Why the extractor chose what it chose, for `mailroom explain`: per model field its best
/// candidates with their probability and the line they stand on, the value taken (model or
/// rules), and the totals' joint choice. `only` limits it to one field.
pub fn explain(extractor: &TrainedExtractor, doc: &ReadDocument, only: Option<Field>, top: usize) -> String {
    use std::fmt::Write;
    let s = prepare(doc);
    let ranked = extractor.rank(&s);
    let chosen = super::decide::decide(doc, &s, &ranked);
    let mut out = String::new();
    let _ = writeln!(out, "document type: {}, language: {}", doc.doc_type.as_str(), doc.language.unwrap_or("?"));
    for (field, _) in MODEL_FIELDS {
        if only.is_some_and(|o| o != field) {
            continue;
        }
        let target = role_field(field, doc.doc_type);
        let taken = chosen.value(target).unwrap_or("–");
        let rules = s.rules.value(target).unwrap_or("–");
        let role = if target != field { format!(" (the {} model: an order's sender is its buyer)", if field == Field::SellerName { "issuer" } else { "addressee" }) } else { String::new() };
        let _ = writeln!(out, "\n{target}{role}: {taken}  (rules: {rules}{})", if extractor.model(field).is_none() { "; no model" } else { "" });
        for &(i, p) in ranked.get(&field).map(Vec::as_slice).unwrap_or(&[]).iter().take(top) {
            let c = &s.candidates[i];
            let line = &s.lines[c.line];
            let mark = if stands_for(field, c, doc.doc_type, taken) { '*' } else { ' ' };
            let _ = writeln!(out, " {mark} {p:.3}  {:<28} p{} {:>4.0},{:<4.0} | {}", c.value, c.page, c.bbox[0], c.bbox[1], line.text);
        }
    }
    if only.is_none_or(|o| [Field::NetTotal, Field::VatTotal, Field::GrossTotal].contains(&o)) {
        match super::decide::joint_totals(&s, &ranked) {
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

    #[test]
    fn the_model_fields_are_the_fields_the_vocabulary_says_a_model_reads() {
        let mut with_model: Vec<Field> = MODEL_FIELDS.iter().map(|(f, _)| *f).collect();
        with_model.sort();
        let mut said: Vec<Field> = Field::ALL.into_iter().filter(|f| f.model_reads()).collect();
        said.sort();
        assert_eq!(with_model, said);
    }
}
