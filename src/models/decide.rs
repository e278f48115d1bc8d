//! The joint decision over the field models' ranked candidates: each field's likeliest
//! value, then the corrections that no single field's model can make — issuer and addressee
//! two parties, the registered issuer, issue date no deadline, net + VAT = gross, the amount
//! due after prepayments and arrears, a total computed from the two others — over the
//! rules' values for whatever the models leave open.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::fields::{beside_seller_vat_id, domain_matches, same_value, spans_lines, vat_ratio, Ranked, Scored, MIN_PROBABILITY, MODEL_FIELDS};
use crate::extract::candidates::{Candidate, Kind};
use crate::extract::text;
use crate::extract::{role_field, Extraction, ReadDocument};
use crate::index::Origin;
use crate::index::{DocType, FieldValue};
use crate::vocab::Field;

fn field_value(c: &Candidate, p: f32) -> FieldValue {
    FieldValue::read(c.value.clone(), p.clamp(0.0, 1.0), Some(c.page), Some(c.bbox), Origin::Model)
}

/// A name the model took from one line of a name the rules read over two lines ("MVM
/// Musterhafter" / "Versicherungsverein Musterstadt a.G."): the candidate of the whole name.
fn whole_name(s: &Scored, field: Field, chosen: usize) -> Option<usize> {
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
fn distinct_parties(s: &Scored, ranked: &Ranked, best: &mut BTreeMap<Field, (usize, f32)>) {
    let (Some(sel), Some(buy)) = (ranked.get(&Field::SellerName), ranked.get(&Field::BuyerName)) else { return };
    let (Some(&s0), Some(&b0)) = (sel.first(), buy.first()) else { return };
    let value = |i: usize| &s.candidates[i].value;
    if !same_value(Field::SellerName, value(s0.0), value(b0.0)) {
        return;
    }
    let next = |v: &[(usize, f32)], taken: usize| v.iter().copied().find(|(i, _)| !same_value(Field::SellerName, value(*i), value(taken)));
    let keep_seller = next(buy, s0.0).map(|b1| s0.1 * b1.1);
    let keep_buyer = next(sel, b0.0).map(|s1| s1.1 * b0.1);
    match (keep_seller, keep_buyer) {
        (Some(a), Some(b)) if b > a => {
            best.insert(Field::SellerName, next(sel, b0.0).expect("found above"));
        }
        (Some(_), _) => {
            best.insert(Field::BuyerName, next(buy, s0.0).expect("found above"));
        }
        (None, Some(_)) => {
            best.insert(Field::SellerName, next(sel, b0.0).expect("found above"));
        }
        (None, None) => {}
    }
}

/// How sure the chosen value is against the likeliest other value of its field. The model
/// scores each candidate on its own, so two names can both look like the seller's (0.97 and
/// 0.96: the letterhead's and the delivery address's); then it is one or the other, and the
/// chance it is the chosen one is that of "this right, that wrong" among the two ways of
/// exactly one being right. Where the other value is unlikely this changes nothing.
fn uncontested(s: &Scored, ranked: &Ranked, field: Field, (chosen, p): (usize, f32)) -> f32 {
    let value = |i: usize| s.candidates[i].value.as_str();
    match ranked.get(&field).and_then(|v| v.iter().find(|(i, _)| !same_value(field, value(*i), value(chosen)))) {
        Some(&(_, other)) => against(p, other),
        None => p,
    }
}

/// `p` for one value against `other` for another of the same field: at most the chance of
/// "this right, that wrong" among the two ways of exactly one of them being right.
fn against(p: f32, other: f32) -> f32 {
    let (this_only, that_only) = (p * (1.0 - other), other * (1.0 - p));
    if this_only + that_only <= 0.0 {
        // Both certain: a tie.
        return p.min(0.5);
    }
    p.min(this_only / (this_only + that_only))
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
/// stands beside the VAT ID and matches the domain: the least the models take any value at.
/// (0.25 until retraining with receipts put the Kostenrechnung's footer name at 0.24: two
/// independent signs on a value the model would take at all are worth more than its rank.)
const MIN_REGISTERED_SELLER: f32 = MIN_PROBABILITY;

/// The issuer is the legal entity that signs the page: when the model's issuer stands
/// neither beside the issuer's VAT ID nor matches a printed e-mail or web domain, and another
/// likely name does both (the legal footer "MUSTERLIEFERANT GMBH … USt-IdNr: DE123456789"
/// with "www.musterlieferant.de", against a goods supplier "KOSTENLIEFERANT GMBH" under the
/// heading "Lieferant"), that name is taken, at its own probability, so that the document
/// goes to review. Two independent signs of the registered name outweigh a heading.
fn registered_seller(s: &Scored, ranked: &Ranked, best: &mut BTreeMap<Field, (usize, f32)>) {
    let (Some(&(chosen, _)), Some(sellers)) = (best.get(&Field::SellerName), ranked.get(&Field::SellerName)) else { return };
    // Beside the VAT ID, and matching a printed domain.
    let signs = |i: usize| {
        let c = &s.candidates[i];
        (beside_seller_vat_id(&s.lines[c.line], &s.rules), domain_matches(&c.value, &s.domains))
    };
    let registered = |i: usize| signs(i) == (true, true);
    if signs(chosen) != (false, false) {
        return;
    }
    let buyer = best.get(&Field::BuyerName).map(|b| s.candidates[b.0].value.as_str());
    let other = sellers.iter().copied().find(|&(i, p)| p >= MIN_REGISTERED_SELLER && i != chosen && registered(i) && !buyer.is_some_and(|b| same_value(Field::SellerName, b, &s.candidates[i].value)));
    if let Some(other) = other {
        best.insert(Field::SellerName, other);
    }
}

/// A till slip's total is what its cash tendered less its change comes to, where that
/// amount is printed ([`crate::extract::rules::paid_less_change`]): arithmetic the page
/// itself shows, so taken at 0.9 at least — over the cash tendered, which is the largest
/// amount and so often the likelier gross.
fn paid_less_change(s: &Scored, ranked: &Ranked) -> Option<(usize, f32)> {
    let total = crate::extract::rules::paid_less_change(&s.lines)?;
    ranked.get(&Field::GrossTotal)?.iter().find(|(i, _)| s.candidates[*i].amount == Some(total)).map(|&(i, p)| (i, p.max(0.9)))
}

/// A till slip's total as paid, where the till rounds cash to 5 cents or sen and prints the
/// rounding ("Total Sales 177.22", "Rounding Adjustment -0.02", "Total 177.20"): the amount
/// printed on or just after the rounding line that is a multiple of 0.05 within 0.10 of the
/// total before rounding. What the shop was paid is what the expense books.
fn cash_rounded(s: &Scored, gross: Decimal, p: f32) -> Option<(usize, f32)> {
    static ROUNDING: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let rounding = ROUNDING.get_or_init(|| regex::Regex::new(r"(?i)\b(?:rounding|rundung|afronding|arrondi)").expect("regex"));
    let at = s.lines.iter().find(|l| rounding.is_match(&l.text))?;
    let twentieth = Decimal::new(5, 2);
    s.candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == Kind::Amount && s.lines[c.line].page == at.page && s.lines[c.line].order >= at.order && s.lines[c.line].order <= at.order + 3)
        .find(|(_, c)| c.amount.is_some_and(|a| a != gross && (a - gross).abs() <= Decimal::new(10, 2) && (a % twentieth).is_zero() && a > Decimal::ZERO))
        .map(|(i, _)| (i, p.max(0.85)))
}

/// Parties never swap identifiers: a VAT ID the rules read as the buyer's (beside "Ihre
/// USt-IdNr.", "Customer VAT") is not the seller's, however likely the model finds it. The
/// next of the model's values is taken, or the rules' (a seller's ID printed in a shape that
/// fails its check, read doubtful beside its label).
fn sellers_own_vat_id(s: &Scored, ranked: &Ranked, best: &mut BTreeMap<Field, (usize, f32)>) {
    let Some(buyers) = s.rules.value(Field::BuyerVatId) else { return };
    let Some(&(chosen, _)) = best.get(&Field::SellerVatId) else { return };
    if !same_value(Field::SellerVatId, buyers, &s.candidates[chosen].value) {
        return;
    }
    let next = ranked.get(&Field::SellerVatId).and_then(|v| v.iter().copied().find(|&(i, _)| !same_value(Field::SellerVatId, buyers, &s.candidates[i].value)));
    match next {
        Some(n) => best.insert(Field::SellerVatId, n),
        None => best.remove(&Field::SellerVatId),
    };
}

/// The issue date is no deadline: when the issue-date model's best date is the due-date
/// model's best too and more a due date than an issue date ("Fälligkeit 29.11.2018"), an
/// earlier date nearly as likely to be the issue date is taken ("… vom 30.10.2018"). A
/// due date on the issue date ("zahlbar sofort") stays possible: it needs no second date.
fn distinct_dates(s: &Scored, ranked: &Ranked, best: &mut BTreeMap<Field, (usize, f32)>) {
    let (Some(&issue), Some(&due)) = (best.get(&Field::IssueDate), best.get(&Field::DueDate)) else { return };
    let value = |i: usize| s.candidates[i].value.as_str();
    if value(issue.0) != value(due.0) || due.1 <= issue.1 {
        return;
    }
    let second = ranked.get(&Field::IssueDate).and_then(|v| v.iter().copied().find(|(i, _)| value(*i) < value(issue.0)));
    if let Some(alt) = second.filter(|alt| alt.1 >= 0.5 * issue.1) {
        best.insert(Field::IssueDate, alt);
    }
}

/// Once every decision is made on the models' probabilities: a value the model chose is as
/// sure as the model's probability times OCR's confidence in the value's least sure word, as the
/// rules' values are (a text layer reads at 1). The model chooses among what was read and
/// cannot know a 5 read as an 8; a person should check a value OCR was unsure of.
fn as_sure_as_read(s: &Scored, ex: &mut Extraction) {
    for v in ex.fields.values_mut() {
        if !v.source.as_ref().is_some_and(|p| p.from == Origin::Model) {
            continue;
        }
        let read = s.candidates.iter().find(|c| Some(c.bbox) == v.bbox && Some(c.page) == v.page && c.value == v.value);
        if let Some(c) = read {
            v.confidence = (v.confidence * c.conf.clamp(0.0, 1.0)).clamp(0.0, 1.0);
        }
    }
}

/// Confidence of a total computed from the two others: below the review threshold, for a
/// person to see that the page did not show it.
const DERIVED_CONFIDENCE: f32 = 0.7;

/// One total of three not read, the two others read with confidence: the third is what
/// makes them add up, when that is a plausible VAT share — the VAT a premium invoice
/// only states as "included", a VAT line that OCR lost. It carries no place on the page.
fn derive_missing_total(ex: &mut Extraction) -> Option<Field> {
    let plausible = |net: Decimal, vat: Decimal| net > Decimal::ZERO && vat >= Decimal::ZERO && vat <= net * Decimal::new(27, 2);
    // A net equal to the gross beside a positive VAT cannot be: the page prints prices with
    // the VAT included ("inklusive 19 % Versicherungsteuer 220,00 €", "enthaltene
    // Versicherungsteuer (35,13 €)") and the net model took the gross. The net is what the VAT
    // leaves, as doubtful as the less certain of the two. Only for a doubtful net and a VAT
    // at a usual rate of it: a page without VAT (small business, exempt) has net = gross,
    // and the VAT model's best guess there is some stray amount.
    let raw = |f: Field| ex.fields.get(&f).and_then(|v| Decimal::from_str(&v.value).ok().map(|d| (d, v.confidence)));
    // The same where the net model found nothing likely at all: the net is not printed.
    if let (net, Some((vat, pv)), Some((gross, pg))) = (raw(Field::NetTotal), raw(Field::VatTotal), raw(Field::GrossTotal)) {
        if net.is_none_or(|(net, pn)| net == gross && pn < 0.5) && vat > Decimal::ZERO && vat_ratio(gross - vat, vat) {
            let value = crate::extract::parse::format_amount(gross - vat);
            ex.fields.insert(Field::NetTotal, FieldValue::read(value, DERIVED_CONFIDENCE.min(pv).min(pg), None, None, Origin::Computed));
            return Some(Field::NetTotal);
        }
    }
    let read = |f: Field| raw(f).filter(|(_, p)| *p >= 0.8).map(|(d, _)| d);
    let (n, v, g) = (read(Field::NetTotal), read(Field::VatTotal), read(Field::GrossTotal));
    let missing = |f: Field| !ex.fields.contains_key(&f);
    let (field, value) = match (n, v, g) {
        (Some(n), None, Some(g)) if missing(Field::VatTotal) && plausible(n, g - n) => (Field::VatTotal, g - n),
        (None, Some(v), Some(g)) if missing(Field::NetTotal) && plausible(g - v, v) => (Field::NetTotal, g - v),
        (Some(n), Some(v), None) if missing(Field::GrossTotal) && plausible(n, v) => (Field::GrossTotal, n + v),
        _ => return None,
    };
    let value = crate::extract::parse::format_amount(value);
    ex.fields.insert(field, FieldValue::read(value, DERIVED_CONFIDENCE, None, None, Origin::Computed));
    Some(field)
}

/// Whether `label` stands left of the candidate on its line or in its row's label column.
#[allow(clippy::string_slice)] // candidate offsets come from matches on the same line
fn labelled(s: &Scored, c: &Candidate, label: &regex::Regex) -> bool {
    let line = &s.lines[c.line];
    let left = text::left_of(&s.lines, line).first().map(|l| l.text.as_str()).unwrap_or("");
    label.is_match(&line.text[..c.start]) || label.is_match(left)
}

/// The gross of this invoice when what is due adds an earlier claim still unpaid
/// ("vierteljährlicher Beitrag inklusive 19 % Versicherungsteuer 220,00 €", "Ausstehende
/// Forderung am Ausstellungstag 220,00 €", "zu zahlender Beitrag 440,00 €"): the models, which
/// learnt from invoices whose amount due is their gross, take the amount due for the gross.
/// The gross is then the amount due less the arrears, printed on a line of its own.
fn gross_before_arrears(s: &Scored, ranked: &Ranked, gross: Decimal, due: Option<Decimal>) -> Option<(usize, f32)> {
    if due != Some(gross) || gross <= Decimal::ZERO {
        return None;
    }
    let arrears = s.candidates.iter().filter(|c| c.kind == Kind::Amount && labelled(s, c, crate::extract::labels::arrears())).filter_map(|c| c.amount.map(|a| (c.line, a)));
    let grosses = ranked.get(&Field::GrossTotal)?;
    arrears
        .filter(|(_, a)| *a > Decimal::ZERO && *a < gross)
        .find_map(|(arrears_line, a)| grosses.iter().find(|(i, _)| s.candidates[*i].amount == Some(gross - a) && s.candidates[*i].line != arrears_line).map(|&(i, q)| (i, q.max(0.7))))
}

/// What is due when the page prints a prepayment beside its label ("Erhaltene Anzahlungen
/// -50,00", "abzgl. Anzahlung"): the amount that is the gross less it, wherever it stands.
/// Invoices with prepayments are rare in the training corpus, so the arithmetic decides.
fn due_after_prepayment(s: &Scored, ranked: &Ranked, gross: Decimal) -> Option<(usize, f32)> {
    let prepaid: Vec<Decimal> = s
        .candidates
        .iter()
        .filter(|c| c.kind == Kind::Amount && labelled(s, c, crate::extract::labels::prepaid()))
        .filter_map(|c| c.amount)
        .filter(|a| !a.is_zero() && a.abs() < gross.abs())
        .collect();
    let due = ranked.get(&Field::AmountDue)?;
    prepaid.iter().find_map(|p| {
        let rest = gross - p.abs();
        due.iter().find(|(i, _)| s.candidates[*i].amount == Some(rest)).map(|&(i, q)| (i, q.max(0.85)))
    })
}

/// What is due after a payment the page prints apart from its label ("Residual 1,453.76 €"
/// under "Total 2,076.76 €", the payment of 623.00 € in a table of payments): the rules'
/// labelled amount due, when it is the gross less an amount printed on the page that is not
/// the VAT. The generator prints no such residuals, so the model does not know the labels.
fn due_after_a_printed_payment(s: &Scored, ranked: &Ranked, gross: Decimal, [net, vat]: [Option<Decimal>; 2]) -> Option<(usize, f32)> {
    let rules_due = Decimal::from_str(s.rules.value(Field::AmountDue)?).ok()?;
    if rules_due.is_sign_negative() != gross.is_sign_negative() || rules_due.abs() >= gross.abs() || rules_due.is_zero() || Some(rules_due) == net {
        return None;
    }
    let paid = gross.abs() - rules_due.abs();
    let printed = s.candidates.iter().any(|c| c.kind == Kind::Amount && c.amount.map(|a| a.abs()) == Some(paid) && vat.map(|v| v.abs()) != Some(paid));
    if !printed {
        return None;
    }
    ranked.get(&Field::AmountDue)?.iter().find(|(i, _)| s.candidates[*i].amount == Some(rules_due)).map(|&(i, q)| (i, q.max(0.7)))
}

/// The totals decided together: the combination of net, VAT and gross with the highest
/// joint probability among those that add up, where adding up counts strongly. Two of the
/// three come from each field's best few candidates (and the rules' labelled triple); the
/// third may be any candidate of its field that completes them — an ERP's sum row under a
/// column header ("Nettobetrag" … "448,99") is often no likely net on its own.
pub(super) fn joint_totals(s: &Scored, ranked: &Ranked) -> Option<[(usize, f32); 3]> {
    const FIELDS: [Field; 3] = [Field::NetTotal, Field::VatTotal, Field::GrossTotal];
    // The six best values of each, and the rules' value where the rules found totals that add up.
    let top = |f: Field| {
        let all = ranked.get(&f).cloned().unwrap_or_default();
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
    let amount = |i: usize| sized_amount(&s.candidates[i], sized).unwrap_or_default();
    let all: Vec<&[(usize, f32)]> = FIELDS.iter().map(|f| ranked.get(f).map(Vec::as_slice).unwrap_or(&[])).collect();
    let find = |field: usize, value: Decimal| all[field].iter().find(|(i, _)| amount(*i) == value).copied();
    let rules_agree = |t: &[(usize, f32); 3]| s.rules.totals_consistent && FIELDS.into_iter().zip(t).all(|(f, (i, _))| s.rules.value(f).is_some_and(|r| same_value(f, r, &s.candidates[*i].value)));
    let tops: Vec<Vec<(usize, f32)>> = FIELDS.into_iter().map(top).collect();
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
        // No VAT or GST is charged at more than 28 % (India's top GST rate; Hungary's VAT is
        // 27 %): a till slip's change + total = cash tendered ("65,20 + 34,80 = 100,00") is
        // no net, VAT and gross.
        if va.abs() > na.abs() * Decimal::new(28, 2) + Decimal::new(2, 2) {
            continue;
        }
        // A shipping or packing charge beside its label is no VAT ("Versandkosten 6,90" +
        // "25.227,60" = "25.234,50" on an invoice without VAT).
        let vat_candidate = &s.candidates[v.0];
        if labelled(s, vat_candidate, crate::extract::labels::charge()) && !labelled(s, vat_candidate, crate::extract::labels::vat_total()) {
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
    // No VAT at all adds up too: net and gross the same amount (reverse charge, an exempt
    // supply, a small business) where no VAT is likely. A shipping line under the subtotal
    // ("1.306,00" + "19,00" = "1.325,00") is then no VAT.
    if let (Some(n), Some(g)) = (tops[0].first(), tops[2].first()) {
        let no_vat = amount(n.0) == amount(g.0) && !amount(g.0).is_zero();
        let vat_likely = tops[1].first().map_or(0.0, |v| v.1);
        let score = n.1.max(1e-4).ln() + g.1.max(1e-4).ln() + (1.0 - vat_likely).max(1e-4).ln();
        if no_vat && best.is_none_or(|b| score >= b.0) {
            return None;
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

/// A candidate's amount as the totals add up: in size on a credit note.
fn sized_amount(c: &Candidate, sized: bool) -> Option<Decimal> {
    c.amount.map(|a| if sized { a.abs() } else { a })
}

/// Net and VAT printed left of the gross in its row, adding up to it: the sum row of an ERP's
/// totals table ("-7,90 0,23 -7,67 -1,12 EUR -8,79" under "Warenwert … Nettobetrag
/// MwSt-Betrag … Endbetrag"), whose values have no label of their own beside them, so the
/// models find them unlikely one by one. Only for the gross the model finds likeliest: the
/// rows above it (one per VAT rate) add up as well.
fn sum_row(s: &Scored, all: &[&[(usize, f32)]], gross: (usize, f32), sized: bool) -> Option<[(usize, f32); 3]> {
    let g = &s.candidates[gross.0];
    let amount = |c: &Candidate| sized_amount(c, sized);
    let h = (g.bbox[3] - g.bbox[1]).max(1.0);
    let in_row = |c: &Candidate| c.page == g.page && c.bbox[2] <= g.bbox[0] && (c.bbox[1] + c.bbox[3] - g.bbox[1] - g.bbox[3]).abs() < h;
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

/// An amount field of the extraction as a number.
fn total(ex: &Extraction, field: Field) -> Option<Decimal> {
    ex.value(field).and_then(|v| Decimal::from_str(v).ok())
}

/// The extraction from a prepared document and its ranked candidates: the models' choices,
/// decided together where fields depend on each other, over the rules' values.
pub(super) fn decide(doc: &ReadDocument, s: &Scored, ranked: &Ranked) -> Extraction {
    let mut ex = s.rules.clone();
    let mut best: BTreeMap<Field, (usize, f32)> = ranked.iter().filter_map(|(f, v)| v.first().map(|b| (*f, *b))).collect();
    distinct_parties(s, ranked, &mut best);
    registered_seller(s, ranked, &mut best);
    distinct_dates(s, ranked, &mut best);
    sellers_own_vat_id(s, ranked, &mut best);
    for (field, _) in MODEL_FIELDS {
        let Some(&best) = best.get(&field) else { continue };
        // Party models speak of issuer and addressee; an order's issuer is the buyer.
        let target = role_field(field, doc.doc_type);
        // A till slip's shop heads it, where the rules look; the name models learnt letters.
        // The model's value stays where it is the same name, better spaced ("Tan kstelle").
        if field == Field::SellerName && doc.doc_type == DocType::Receipt {
            let unspaced = |v: &str| v.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect::<String>();
            if ex.value(target).is_some_and(|r| unspaced(r) != unspaced(&s.candidates[best.0].value)) {
                continue;
            }
        }
        // Below the threshold the rules' value stays; where the rules have none, a party's
        // name the model still finds likelier than not-so-unlikely is taken, doubtful.
        let name_without_rules = matches!(field, Field::SellerName | Field::BuyerName) && !ex.fields.contains_key(&target) && best.1 >= MIN_PROBABILITY / 2.0;
        if best.1 >= MIN_PROBABILITY || name_without_rules {
            let sure = uncontested(s, ranked, field, best);
            let chosen = whole_name(s, field, best.0).unwrap_or(best.0);
            let chosen = best_spelling(s, chosen);
            let c = &s.candidates[chosen];
            // A slip's name without a legal form is at most UNINCORPORATED_SLIP_NAME sure, and
            // one that may go on in a line OCR was unsure of is no surer than that line.
            let doubt = (field == Field::SellerName && doc.doc_type == DocType::Receipt).then(|| crate::extract::rules::receipt_name_doubt(&s.lines, &s.lines[c.line], &c.value)).flatten();
            ex.fields.insert(target, field_value(c, doubt.map_or(sure, |d| sure.min(d))));
        } else if let Some(f) = ex.fields.get_mut(&target) {
            // The rules' value where the model finds nothing likely, at the model's doubt.
            f.confidence = f.confidence.min(0.5);
        }
    }
    if let Some([n, v, g]) = joint_totals(s, ranked) {
        // Adding up makes each of the three more certain.
        for ((field, (i, p)), other) in [Field::NetTotal, Field::VatTotal, Field::GrossTotal].into_iter().zip([n, v, g]).zip([v.1.min(g.1), n.1.min(g.1), n.1.min(v.1)]) {
            let boosted = 1.0 - (1.0 - p) * (1.0 - other);
            ex.fields.insert(field, field_value(&s.candidates[i], boosted.max(p)));
        }
    }
    if let Some((i, p)) = paid_less_change(s, ranked) {
        ex.fields.insert(Field::GrossTotal, field_value(&s.candidates[i], p));
    }
    if let Some(gross) = total(&ex, Field::GrossTotal).filter(|_| doc.doc_type == DocType::Receipt) {
        if let Some((i, p)) = cash_rounded(s, gross, ex.fields.get(&Field::GrossTotal).map_or(0.0, |f| f.confidence)) {
            ex.fields.insert(Field::GrossTotal, field_value(&s.candidates[i], p));
        }
    }
    if let Some(gross) = total(&ex, Field::GrossTotal) {
        if let Some((i, p)) = gross_before_arrears(s, ranked, gross, total(&ex, Field::AmountDue)) {
            ex.fields.insert(Field::GrossTotal, field_value(&s.candidates[i], p));
        }
    }
    let derived = derive_missing_total(&mut ex);
    let net_vat = [total(&ex, Field::NetTotal), total(&ex, Field::VatTotal)];
    if let Some((i, p)) = total(&ex, Field::GrossTotal).and_then(|g| due_after_prepayment(s, ranked, g).or_else(|| due_after_a_printed_payment(s, ranked, g, net_vat))) {
        ex.fields.insert(Field::AmountDue, field_value(&s.candidates[i], p));
    }
    let consistent = matches!((total(&ex, Field::NetTotal), total(&ex, Field::VatTotal), total(&ex, Field::GrossTotal)), (Some(n), Some(v), Some(g)) if n + v == g);
    ex.totals_consistent = consistent;
    as_sure_as_read(s, &mut ex);
    crate::extract::finish(doc, &mut ex);
    if let Some(field) = derived {
        // Said in the index, so that nobody takes the value for one read off the page.
        ex.checks.push(crate::index::Check { name: crate::index::CheckName::TotalDerived, passed: true, message: format!("{field} not found on the page: computed from the other two totals") });
    }
    ex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extraction(fields: &[(&str, &str, f32)]) -> Extraction {
        let mut ex = Extraction::default();
        for (f, v, p) in fields {
            ex.fields.insert(f.parse().unwrap(), FieldValue { value: v.to_string(), confidence: *p, page: None, bbox: None, source: None });
        }
        ex
    }

    #[test]
    fn a_doubtful_net_equal_to_the_gross_gives_way_to_the_gross_less_its_included_vat() {
        let mut ex = extraction(&[("net_total", "220.00", 0.31), ("vat_total", "35.13", 0.30), ("gross_total", "220.00", 0.7)]);
        assert_eq!(derive_missing_total(&mut ex), Some(Field::NetTotal));
        let net = &ex.fields[&Field::NetTotal];
        assert_eq!((net.value.as_str(), net.confidence, net.bbox), ("184.87", 0.30, None));
    }

    #[test]
    fn a_value_another_value_rivals_is_doubtful_and_one_without_a_rival_is_not() {
        // The letterhead's and the delivery address's names, both likely sellers: a toss-up.
        let contested = against(0.969, 0.961);
        assert!((0.5..0.6).contains(&contested), "{contested}");
        // An unlikely second value changes nothing; a likely one below takes a little.
        assert_eq!(against(0.97, 0.05), 0.97);
        assert_eq!(against(0.9, 0.5), 0.9);
        assert!(against(0.9, 0.8) < 0.8, "{}", against(0.9, 0.8));
        assert_eq!(against(1.0, 1.0), 0.5);
    }

    /// A credit note whose `second_row` (19,00) stands between the items' subtotal
    /// (1.306,00) and the net amount (1.325,00), as the models rank its amounts.
    fn totals_ranked(second_row: &str, vat_likely: f32) -> Option<[(usize, f32); 3]> {
        use crate::layout::{Page, TextSource, Word};
        let rows = [(380.0, "Subtotal 1.306,00 EUR"), (394.0, second_row), (408.0, "Net amount 1.325,00 EUR"), (422.0, "Credit total 1.325,00 EUR")];
        let mut words = Vec::new();
        for (y, row) in rows {
            let mut x = 360.0;
            for t in row.split(' ') {
                let w = 5.0 * t.chars().count() as f32;
                words.push(Word { text: t.to_string(), bbox: [x, y, x + w, y + 9.0], confidence: 0.95 });
                x += w + 3.0;
            }
        }
        let pages = [Page::from_words(1, 595.0, 842.0, TextSource::Ocr, 0, words)];
        let doc = ReadDocument { pages: &pages, language: Some("en"), doc_type: DocType::CreditNote, words: None };
        let s = super::super::fields::prepare(&doc);
        let at = |value: &str, y: f32| s.candidates.iter().position(|c| c.kind == Kind::Amount && c.value == value && (c.bbox[1] - y).abs() < 2.0).expect("the amount is a candidate");
        let ranked: Ranked = [
            (Field::NetTotal, vec![(at("1325.00", 408.0), 1.0), (at("1306.00", 380.0), 0.345)]),
            (Field::VatTotal, vec![(at("19.00", 394.0), vat_likely)]),
            (Field::GrossTotal, vec![(at("1325.00", 422.0), 0.99), (at("1325.00", 408.0), 0.3)]),
        ]
        .into_iter()
        .collect();
        joint_totals(&s, &ranked)
    }

    #[test]
    fn no_vat_adds_up_too_and_a_charge_under_the_subtotal_is_then_no_vat() {
        // Unlikely VAT: net = gross stands, as each model chose.
        assert_eq!(totals_ranked("Surcharge 19,00 EUR", 0.1), None);
        // Likely VAT: subtotal + VAT = total.
        let [net, vat, _] = totals_ranked("Surcharge 19,00 EUR", 0.95).expect("a triple that adds up");
        assert_eq!((net.1, vat.1), (0.345, 0.95));
        let [_, vat, _] = totals_ranked("VAT 19,00 EUR", 0.95).expect("a triple that adds up");
        assert_eq!(vat.1, 0.95);
    }

    #[test]
    fn a_shipping_charge_beside_its_label_is_never_the_vat() {
        for row in ["Shipping & handling 19,00 EUR", "Versandkosten 19,00 EUR"] {
            assert_eq!(totals_ranked(row, 0.95), None, "{row}");
        }
    }

    #[test]
    fn a_page_without_vat_keeps_its_net_equal_to_the_gross() {
        // A sure net (a small business's "Gesamt 39.957,54") beside a stray VAT guess.
        let mut ex = extraction(&[("net_total", "39957.54", 1.0), ("vat_total", "2147.16", 0.15), ("gross_total", "39957.54", 1.0)]);
        assert_eq!(derive_missing_total(&mut ex), None);
        assert_eq!(ex.value(Field::NetTotal), Some("39957.54"));
        // A doubtful net, but the VAT is no usual share of what it would leave.
        let mut ex = extraction(&[("net_total", "39957.54", 0.3), ("vat_total", "17.00", 0.23), ("gross_total", "39957.54", 1.0)]);
        assert_eq!(derive_missing_total(&mut ex), None);
        assert_eq!(ex.value(Field::NetTotal), Some("39957.54"));
    }
}
