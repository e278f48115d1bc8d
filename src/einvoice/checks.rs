//! EN 16931 business rules on the model: the totals rules BR-CO-10/13/15/16 and the VAT
//! category rules for S, Z, E, AE and K (BR-IC). Each mirrors the official Schematron
//! (`en16931-validation`, CII and UBL flavours differ slightly in rounding and tolerance),
//! including XPath `round()` (half towards positive infinity) and absent-value semantics.

use rust_decimal::Decimal;

use super::model::*;
use crate::index::{Check, CheckName};

/// Rule ids this module implements.
pub const RULES: [&str; 19] = [
    "BR-CO-10", "BR-CO-13", "BR-CO-15", "BR-CO-16", "BR-S-08", "BR-S-09", "BR-S-10", "BR-Z-08", "BR-Z-09", "BR-Z-10", "BR-E-08", "BR-E-09", "BR-E-10", "BR-AE-08", "BR-AE-09", "BR-AE-10", "BR-IC-08",
    "BR-IC-09", "BR-IC-10",
];

/// XPath 2.0 `round(x * 100) div 100`.
fn r2(x: Decimal) -> Decimal {
    let h = Decimal::new(5, 1);
    (x * Decimal::ONE_HUNDRED + h).floor() / Decimal::ONE_HUNDRED
}

fn s(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_else(|| "(missing)".into())
}

fn eq(a: Option<Decimal>, b: Option<Decimal>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a == b)
}

struct Out(Vec<Check>);

impl Out {
    fn add(&mut self, name: &str, passed: bool, ok: &str, fail: String) {
        if let Some(c) = self.0.iter_mut().find(|c| c.name == name) {
            if !passed {
                if c.passed {
                    c.passed = false;
                    c.message = fail;
                } else {
                    c.message.push_str("; ");
                    c.message.push_str(&fail);
                }
            }
            return;
        }
        self.0.push(Check { name: CheckName::parse(name), passed, message: if passed { ok.to_string() } else { fail } });
    }
}

impl EInvoice {
    fn is_ubl(&self) -> bool {
        matches!(self.syntax, Syntax::UblInvoice | Syntax::UblCreditNote)
    }

    /// Runs the implemented EN 16931 rules; one `Check` per rule id that applies to this invoice.
    pub fn checks(&self) -> Vec<Check> {
        let mut o = Out(Vec::new());
        let t = &self.totals;
        let ubl = self.is_ubl();
        let totals_present = *t != Totals::default();

        if totals_present {
            // BR-CO-10
            let sum: Decimal = self.lines.iter().filter_map(|l| l.net_amount).sum();
            let want = r2(sum);
            o.add(
                "BR-CO-10",
                eq(t.line_total, Some(want)),
                "sum of line net amounts equals BT-106",
                format!("sum of invoice line net amounts is {} but BT-106 (line total) is {}", want.normalize(), s(t.line_total)),
            );

            // BR-CO-13
            let (lt, at, ct, te) = (t.line_total, t.allowance_total, t.charge_total, t.tax_exclusive);
            let add = |a: Option<Decimal>, b: Option<Decimal>| Some(a? + b?);
            let sub = |a: Option<Decimal>, b: Option<Decimal>| Some(a? - b?);
            let rr = |a: Option<Decimal>| a.map(r2);
            let expected = rr(add(sub(lt, at.or(Some(Decimal::ZERO))), ct.or(Some(Decimal::ZERO))));
            let pass13 = if ubl {
                (ct.is_some() && at.is_some() && eq(te, rr(sub(add(lt, ct), at))))
                    || (ct.is_none() && at.is_some() && eq(te, rr(sub(lt, at))))
                    || (ct.is_some() && at.is_none() && eq(te, rr(add(lt, ct))))
                    || (ct.is_none() && at.is_none() && eq(te, lt))
            } else {
                eq(te, rr(add(sub(lt, at), ct))) || (ct.is_none() && eq(te, rr(sub(lt, at)))) || (at.is_none() && eq(te, rr(add(lt, ct)))) || (ct.is_none() && at.is_none() && eq(te, rr(lt)))
            };
            o.add(
                "BR-CO-13",
                pass13,
                "BT-109 = BT-106 - BT-107 + BT-108",
                format!("BT-109 (total without VAT) is {} but BT-106 {} - allowances {} + charges {} = {}", s(te), s(lt), s(at), s(ct), s(expected)),
            );

            // BR-CO-15
            if self.currency.is_some() {
                let (ti, tt) = (t.tax_inclusive, t.tax_total);
                let one = t.tax_total_in_currency == 1;
                let pass15 = if ubl { one && eq(ti, rr(add(te, tt))) } else { (one && eq(ti, rr(add(te, tt)))) || eq(ti, te) };
                let why = if !one { format!("; there are {} VAT totals in the invoice currency instead of one", t.tax_total_in_currency) } else { String::new() };
                o.add("BR-CO-15", pass15, "BT-112 = BT-109 + BT-110", format!("BT-112 (total with VAT) is {} but BT-109 {} + BT-110 {} = {}{}", s(ti), s(te), s(tt), s(rr(add(te, tt))), why));
            }

            // BR-CO-16
            let (d, g, p, r) = (t.amount_due, t.tax_inclusive, t.prepaid, t.rounding);
            let pass16 = if ubl {
                (p.is_some() && r.is_none() && eq(d, rr(sub(g, p))))
                    || (p.is_none() && r.is_none() && eq(d, g))
                    || (p.is_some() && r.is_some() && eq(rr(sub(d, r)), rr(sub(g, p))))
                    || (p.is_none() && r.is_some() && eq(rr(sub(d, r)), g))
            } else {
                eq(d, add(sub(g, p), r)) || (p.is_none() && eq(d, add(g, r))) || (r.is_none() && eq(d, sub(g, p))) || (p.is_none() && r.is_none() && eq(d, g))
            };
            let z = Some(Decimal::ZERO);
            o.add(
                "BR-CO-16",
                pass16,
                "BT-115 = BT-112 - BT-113 + BT-114",
                format!("BT-115 (amount due) is {} but BT-112 {} - prepaid {} + rounding {} = {}", s(d), s(g), s(p), s(r), s(add(sub(g, p.or(z)), r.or(z)))),
            );
        }

        for v in &self.vat_breakdown {
            let cat = v.category.as_deref().unwrap_or("");
            match cat {
                "S" => self.check_s(&mut o, v),
                "Z" => self.check_exempt_like(&mut o, v, "Z", "BR-Z", false),
                "E" => self.check_exempt_like(&mut o, v, "E", "BR-E", true),
                "AE" => self.check_exempt_like(&mut o, v, "AE", "BR-AE", true),
                "K" => self.check_exempt_like(&mut o, v, "K", "BR-IC", true),
                _ => {}
            }
        }
        o.0
    }

    /// (sum of lines, sum of charges, sum of allowances) of a category (and rate).
    fn category_sums(&self, cat: &str, rate: Option<Decimal>) -> (Decimal, Decimal, Decimal) {
        let rate_ok = |r: Option<Decimal>| rate.is_none() || (r.is_some() && r == rate);
        let lines = self.lines.iter().filter(|l| l.vat_category.as_deref() == Some(cat) && rate_ok(l.vat_rate)).filter_map(|l| l.net_amount).sum();
        let acs = |charge: bool| self.allowances_charges.iter().filter(|a| a.is_charge == charge && a.vat_category.as_deref() == Some(cat) && rate_ok(a.vat_rate)).filter_map(|a| a.amount).sum();
        (lines, acs(true), acs(false))
    }

    fn check_s(&self, o: &mut Out, v: &VatSubtotal) {
        let ubl = self.is_ubl();
        let one = Decimal::ONE;
        // BR-S-08
        if let Some(rate) = v.rate {
            let (l, c, a) = self.category_sums("S", Some(rate));
            let (pass, want) = if ubl {
                let exists = self.lines.iter().any(|x| x.vat_category.as_deref() == Some("S") && x.vat_rate == Some(rate))
                    || self.allowances_charges.iter().any(|x| x.vat_category.as_deref() == Some("S") && x.vat_rate == Some(rate));
                let want = l + c - a;
                (exists && matches!(v.taxable_amount, Some(b) if b - one < want && b + one > want), want)
            } else {
                let want = r2(l) + r2(c) - r2(a);
                (v.taxable_amount == Some(want), want)
            };
            o.add(
                "BR-S-08",
                pass,
                "VAT category taxable amounts match lines, allowances and charges",
                format!("standard rate {}%: taxable amount is {} but lines + charges - allowances = {}", rate.normalize(), s(v.taxable_amount), want.normalize()),
            );
        }
        // BR-S-09
        let want = match (v.taxable_amount, v.rate) {
            (Some(b), Some(r)) => Some(if ubl { r2(b.abs() * (r / Decimal::ONE_HUNDRED)) } else { (b.abs() * r + Decimal::new(5, 1)).floor() / Decimal::ONE_HUNDRED }),
            _ => None,
        };
        let pass = matches!((v.tax_amount, want), (Some(t), Some(w)) if t.abs() - one < w && t.abs() + one > w);
        o.add(
            "BR-S-09",
            pass,
            "VAT category tax amounts = taxable amount x rate",
            format!("standard rate {}%: VAT amount is {} but taxable amount {} x rate = {}", s(v.rate), s(v.tax_amount), s(v.taxable_amount), s(want)),
        );
        // BR-S-10
        o.add(
            "BR-S-10",
            v.exemption_reason.is_none() && v.exemption_reason_code.is_none(),
            "no exemption reason for standard rated VAT",
            format!(
                "standard rate {}% has an exemption reason ({}) although only exempt categories may have one",
                s(v.rate),
                v.exemption_reason.clone().or(v.exemption_reason_code.clone()).unwrap_or_default()
            ),
        );
    }

    fn check_exempt_like(&self, o: &mut Out, v: &VatSubtotal, cat: &str, prefix: &str, reason_required: bool) {
        let ubl = self.is_ubl();
        let one = Decimal::ONE;
        let (l, c, a) = self.category_sums(cat, None);
        let (pass, want) = if ubl {
            let want = l + c - a;
            (!self.lines.is_empty() && v.taxable_amount == Some(want), want)
        } else {
            let want = r2(l) + r2(c) - r2(a);
            (matches!(v.taxable_amount, Some(b) if b - one < want && b + one > want), want)
        };
        o.add(
            &format!("{prefix}-08"),
            pass,
            "VAT category taxable amount matches lines, allowances and charges",
            format!("category {cat}: taxable amount is {} but lines + charges - allowances = {}", s(v.taxable_amount), want.normalize()),
        );
        o.add(&format!("{prefix}-09"), v.tax_amount == Some(Decimal::ZERO), "VAT amount is 0", format!("category {cat}: VAT amount is {} but must be 0", s(v.tax_amount)));
        let has_reason = v.exemption_reason.is_some() || v.exemption_reason_code.is_some();
        if reason_required {
            o.add(&format!("{prefix}-10"), has_reason, "exemption reason given", format!("category {cat}: no VAT exemption reason (BT-120) or reason code (BT-121) given"));
        } else {
            o.add(&format!("{prefix}-10"), !has_reason, "no exemption reason for zero rated VAT", format!("category {cat}: has an exemption reason although zero rated VAT must not have one"));
        }
    }
}
