//! Amounts: every amount with what its line says it is, the totals chosen jointly so that net + VAT = gross, the VAT breakdown.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct AmountCand {
    pub(super) value: Decimal,
    pub(super) page: u32,
    pub(super) bbox: BBox,
    pub(super) conf: f32,
    pub(super) order: usize,
    /// Label strength per role: gross, net, vat, due.
    pub(super) roles: [f32; 4],
    pub(super) currency: Option<&'static str>,
    /// The line mentions a VAT rate ("19 %").
    pub(super) rate: Option<Decimal>,
}

pub(super) const GROSS: usize = 0;

pub(super) const NET: usize = 1;

pub(super) const VAT: usize = 2;

pub(super) const DUE: usize = 3;

pub(super) fn rate_in(text: &str) -> Option<Decimal> {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = R.get_or_init(|| Regex::new(r"(\d{1,2}(?:[.,]\d{1,2})?)\s?%").unwrap());
    re.captures(text).and_then(|c| crate::extract::parse::parse_amount(&c[1]))
}

#[allow(clippy::string_slice)] // offsets come from matches on the same line
pub(super) fn amount_candidates(lines: &[TextLine]) -> Vec<AmountCand> {
    let mut out = Vec::new();
    for line in lines {
        let mut amounts = find_amounts(&line.text);
        // An amount alone in its cell that OCR broke ("1 6,39"): the joined value as well.
        if let Some(a) = crate::extract::parse::split_cell_amount(&line.text) {
            amounts.push(a);
        }
        if amounts.is_empty() {
            continue;
        }
        // The label text: this line left of the amount, or the lines left of it in its row.
        let row_left: String = left_of(lines, line).iter().rev().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ");
        for a in &amounts {
            let label_text = format!("{} {}", row_left, &line.text[..a.start]);
            if labels::carry_over().is_match(&label_text) || labels::not_a_total().is_match(&line.text[..a.start]) {
                continue;
            }
            let strength = |re: &Regex| -> f32 {
                match re.find_iter(&label_text).last() {
                    Some(m) => {
                        // Closer labels count more.
                        let dist = label_text.len() - m.end();
                        if dist < 40 {
                            1.0
                        } else {
                            0.8
                        }
                    }
                    None => 0.0,
                }
            };
            let due = strength(labels::amount_due());
            let mut roles = [strength(labels::gross_total()).max(0.6 * due), strength(labels::net_total()), strength(labels::vat_total()), due];
            // "Summe netto" is net, not gross: the more specific label wins.
            if roles[NET] > 0.0 || roles[VAT] > 0.0 {
                let explicit_gross = explicit_gross().is_match(&label_text);
                if !explicit_gross {
                    roles[GROSS] = 0.0;
                }
            }
            if roles[NET] > 0.0 && roles[VAT] > 0.0 {
                // "Netto 100,00 MwSt 19,00" on one line: the nearer label decides.
                let n = labels::net_total().find_iter(&label_text).last().map(|m| m.end()).unwrap_or(0);
                let v = labels::vat_total().find_iter(&label_text).last().map(|m| m.end()).unwrap_or(0);
                if n > v {
                    roles[VAT] = 0.0
                } else {
                    roles[NET] = 0.0
                }
            }
            let (bbox, conf) = line.locate(a.start, a.end);
            out.push(AmountCand { value: a.value, page: line.page, bbox, conf, order: line.order, roles, currency: a.currency, rate: rate_in(&line.text[..a.start]) });
        }
    }
    out
}

pub(super) fn explicit_gross() -> &'static Regex {
    static R: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?i)(brutto|gesamtbetrag|rechnungsbetrag|zu zahlen|zahlbetrag|amount due|grand total|ttc|incl)").expect("regex"))
}

pub(super) struct Totals {
    pub(super) net: Option<(AmountCand, f32)>,
    pub(super) vat: Option<(AmountCand, f32)>,
    pub(super) gross: Option<(AmountCand, f32)>,
    pub(super) due: Option<(AmountCand, f32)>,
    pub(super) consistent: bool,
}

pub(super) const VAT_RATES: [&str; 12] = ["0.19", "0.07", "0.20", "0.10", "0.055", "0.21", "0.16", "0.05", "0.081", "0.077", "0.25", "0.00"];

pub(super) fn plausible_vat(net: Decimal, vat: Decimal) -> bool {
    if net <= Decimal::ZERO {
        return vat == Decimal::ZERO || net < Decimal::ZERO;
    }
    let r = vat / net;
    // Single rates, or a mix between the reduced and the standard rate.
    VAT_RATES.iter().any(|s| (r - s.parse::<Decimal>().expect("rate")).abs() < Decimal::new(2, 3)) || (r > Decimal::new(5, 2) && r < Decimal::new(26, 2))
}

pub(super) fn choose_totals(amounts: &[AmountCand]) -> Totals {
    let by = |role: usize| -> Vec<&AmountCand> { amounts.iter().filter(|a| a.roles[role] > 0.0).collect() };
    let (grosses, nets, vats) = (by(GROSS), by(NET), by(VAT));
    // 1. A labelled triple that adds up. Later triples win ties: totals blocks come last.
    let mut best: Option<(f32, &AmountCand, &AmountCand, &AmountCand)> = None;
    for g in &grosses {
        for n in &nets {
            for v in &vats {
                // VAT is a share of the net amount: never more than it (credit notes: in size).
                if n.value + v.value == g.value && n.page == g.page && v.page == g.page && v.value.abs() <= n.value.abs() {
                    let s = g.roles[GROSS] + n.roles[NET] + v.roles[VAT] + 0.001 * g.order as f32;
                    if best.as_ref().map(|b| s > b.0).unwrap_or(true) {
                        best = Some((s, *n, *v, *g));
                    }
                }
            }
        }
    }
    // 2. A labelled gross with any two amounts that add up to it at a plausible VAT rate.
    if best.is_none() {
        for g in &grosses {
            for n in amounts.iter().filter(|a| a.page == g.page && a.order <= g.order) {
                for v in amounts.iter().filter(|a| a.page == g.page && a.order <= g.order) {
                    if std::ptr::eq(n, v) || n.value + v.value != g.value || !plausible_vat(n.value, v.value) || v.value.abs() > n.value.abs() {
                        continue;
                    }
                    // Nothing adds to itself: a zero VAT takes a net printed and labelled as such
                    // ("Gesamtbetrag 230,48" + "Abschläge 0,00" is no triple).
                    if std::ptr::eq(n, *g) || (v.value.is_zero() && n.roles[NET] <= 0.0) {
                        continue;
                    }
                    let s = g.roles[GROSS] + 0.5 * (n.roles[NET] + v.roles[VAT]) + 0.001 * g.order as f32;
                    if best.as_ref().map(|b| s > b.0).unwrap_or(true) {
                        best = Some((s, n, v, *g));
                    }
                }
            }
        }
    }
    // 3. No labelled gross adds up, but a labelled net and VAT do add up to an amount printed
    //    on the page ("Due payable: 571.04").
    if best.is_none() {
        for n in &nets {
            for v in &vats {
                if !plausible_vat(n.value, v.value) || v.value.abs() > n.value.abs() {
                    continue;
                }
                for g in amounts.iter().filter(|a| a.page == n.page && a.value == n.value + v.value && a.order >= n.order.max(v.order)) {
                    let s = 0.5 + n.roles[NET] + v.roles[VAT] + 0.5 * g.roles[DUE] + 0.001 * g.order as f32;
                    if best.as_ref().map(|b| s > b.0).unwrap_or(true) {
                        best = Some((s, *n, *v, g));
                    }
                }
            }
        }
    }
    let due = amounts.iter().filter(|a| a.roles[DUE] > 0.0).max_by(|a, b| a.roles[DUE].total_cmp(&b.roles[DUE]).then(a.order.cmp(&b.order))).cloned();
    if let Some((_, n, v, g)) = best {
        let due = due.map(|d| {
            let agrees = d.value == g.value;
            (d, if agrees { 0.95 } else { 0.7 })
        });
        return Totals { net: Some((n.clone(), 0.95)), vat: Some((v.clone(), 0.95)), gross: Some((g.clone(), 0.97)), due, consistent: true };
    }
    // 3. No arithmetic agreement: the strongest labels, last in the document.
    let pick = |v: &[&AmountCand], role: usize| v.iter().max_by(|a, b| a.roles[role].total_cmp(&b.roles[role]).then(a.order.cmp(&b.order))).map(|a| (*a).clone());
    let gross = pick(&grosses, GROSS).map(|g| (g, 0.6));
    // Without VAT (small businesses, § 19 UStG) the net total is the gross total.
    Totals { net: pick(&nets, NET).map(|a| (a, 0.5)), vat: pick(&vats, VAT).map(|a| (a, 0.5)), gross, due: due.map(|d| (d, 0.6)), consistent: false }
}

pub(super) fn amount_field(c: (AmountCand, f32)) -> FieldValue {
    let (a, score) = c;
    FieldValue::read(format_amount(a.value), (score * a.conf).clamp(0.0, 1.0), Some(a.page), Some(a.bbox), crate::index::Origin::Rules)
}

pub(super) fn vat_breakdown(amounts: &[AmountCand]) -> Vec<VatBreakdown> {
    // Lines with a rate and two amounts where amount = base × rate.
    let mut out: Vec<VatBreakdown> = Vec::new();
    // Grouped by visual row, not by text line: a rate's label and its amounts often sit in
    // separate columns ("zzgl. 19 % USt auf 1.227,00 €" … "233,13 €").
    let mut by_row: Vec<Vec<&AmountCand>> = Vec::new();
    let mut sorted: Vec<&AmountCand> = amounts.iter().collect();
    let cy = |a: &AmountCand| (a.bbox[1] + a.bbox[3]) / 2.0;
    sorted.sort_by(|a, b| a.page.cmp(&b.page).then(cy(a).total_cmp(&cy(b))));
    for a in sorted {
        match by_row.last_mut() {
            Some(row) if row[0].page == a.page && (row.iter().any(|r| r.order == a.order) || (cy(row[0]) - cy(a)).abs() < 0.5 * (row[0].bbox[3] - row[0].bbox[1]).max(a.bbox[3] - a.bbox[1])) => {
                row.push(a)
            }
            _ => by_row.push(vec![a]),
        }
    }
    for group in &by_row {
        let Some(rate) = group.iter().find_map(|a| a.rate) else { continue };
        for base in group {
            for tax in group {
                if std::ptr::eq(*base, *tax) {
                    continue;
                }
                let expect = (base.value * rate / Decimal::from(100)).round_dp(2);
                if expect == tax.value && tax.value != Decimal::ZERO {
                    let entry = VatBreakdown { rate: format_amount(rate), base: format_amount(base.value), amount: format_amount(tax.value) };
                    if !out.contains(&entry) {
                        out.push(entry);
                    }
                }
            }
        }
    }
    out
}

/// What a till slip's arithmetic says its total is: the cash tendered less the change given
/// ("CASH 100.00", "CHANGE 65.20": 34.80; "Gegeben Bar 5,00", "Rückgeld 1,70": 3,30). Each
/// amount stands on its label's line or to its right in the same row (a label column).
pub(crate) fn paid_less_change(lines: &[TextLine]) -> Option<Decimal> {
    static PAID: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let paid = PAID.get_or_init(|| Regex::new(r"(?i)\b(?:cash|bar|gegeben|tendered|tunai|received|erhalten)\b").expect("regex"));
    static CHANGE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let change = CHANGE.get_or_init(|| Regex::new(r"(?i)\b(?:change|r[üu]ckgeld|wechselgeld|zur[üu]ck|baki)\b").expect("regex"));
    let amount_by = |label: &Regex, not: &Regex| -> Option<Decimal> {
        lines.iter().filter(|l| label.is_match(&l.text) && !not.is_match(&l.text)).find_map(|l| {
            let after = label.find(&l.text).map(|m| m.end()).unwrap_or(0);
            let on_line = find_amounts(l.text.get(after..).unwrap_or_default()).into_iter().last().map(|a| a.value);
            on_line.or_else(|| right_of(lines, l).into_iter().find_map(|r| find_amounts(&r.text).into_iter().last().map(|a| a.value)))
        })
    };
    let tendered = amount_by(paid, change)?;
    let given_back = amount_by(change, paid)?;
    (tendered > given_back && given_back >= Decimal::ZERO).then(|| tendered - given_back)
}
