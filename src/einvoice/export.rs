//! Writes an EN 16931 CII D16B invoice (XRechnung 3.0 when every XRechnung field is known,
//! plain EN 16931 otherwise). Values are only ever copied, never invented: when a field EN 16931
//! demands is unknown, export fails and says which.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::mapping::compact_upper;
use super::model::*;
use super::xml::{date_str, dec_str};
use crate::index::{DocumentIndex, FieldValue, LineItem, VatBreakdown};
use crate::vocab::Field;

pub const GUIDELINE_EN16931: &str = "urn:cen.eu:en16931:2017";
pub const GUIDELINE_XRECHNUNG: &str = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// Fields EN 16931 requires are unknown; they are listed.
    #[error("cannot write an EN 16931 invoice, these required values are unknown: {}", .0.join(", "))]
    Missing(Vec<String>),
    /// The data break an EN 16931 rule, so an export would not validate.
    #[error("cannot write an EN 16931 invoice, the data break these rules: {}", .0.join("; "))]
    Inconsistent(Vec<String>),
}

/// Writes CII from the index data; when the parsed e-invoice is given it is the source (it is
/// richer), otherwise the model is built from the fields, line items and VAT breakdown.
pub fn to_cii(fields: &BTreeMap<Field, FieldValue>, line_items: &[LineItem], vat_breakdown: &[VatBreakdown], einvoice: Option<&EInvoice>) -> Result<String, ExportError> {
    match einvoice {
        Some(e) => write_cii(e),
        None => write_cii(&model_from_index(fields, line_items, vat_breakdown, None)?),
    }
}

/// Writes CII for an index record (uses its `doc_type` for the type code).
pub fn index_to_cii(idx: &DocumentIndex, einvoice: Option<&EInvoice>) -> Result<String, ExportError> {
    if let Some(e) = einvoice {
        return write_cii(e);
    }
    let code = idx.doc_type.as_ref().map(|d| match d.label {
        crate::index::DocType::CreditNote => "381",
        _ => "380",
    });
    write_cii(&model_from_index(&idx.fields, &idx.line_items, &idx.vat_breakdown, code)?)
}

fn model_from_index(fields: &BTreeMap<Field, FieldValue>, line_items: &[LineItem], vat: &[VatBreakdown], type_code: Option<&str>) -> Result<EInvoice, ExportError> {
    let f = |k: Field| fields.get(&k).map(|v| v.value.clone());
    let d = |k: Field| f(k).and_then(|v| dec_str(&v));
    let mut missing = Vec::new();
    let mut breakdown = Vec::new();
    for v in vat {
        let rate = dec_str(&v.rate);
        // Only a positive rate tells the category (S); 0 % could be Z, E, AE, K, G or O.
        let category = match rate {
            Some(r) if r > Decimal::ZERO => Some("S".to_string()),
            _ => {
                missing.push(format!("VAT category of the {} % breakdown", v.rate));
                None
            }
        };
        breakdown.push(VatSubtotal { category, rate, taxable_amount: dec_str(&v.base), tax_amount: dec_str(&v.amount), ..Default::default() });
    }
    if !missing.is_empty() {
        return Err(ExportError::Missing(missing));
    }
    let lines = line_items
        .iter()
        .map(|l| {
            let rate = l.vat_rate.as_deref().and_then(dec_str);
            Line {
                id: l.line_id.clone(),
                name: l.name.clone(),
                quantity: l.quantity.as_deref().and_then(dec_str),
                unit_code: l.unit_code.clone(),
                net_unit_price: l.net_unit_price.as_deref().and_then(dec_str),
                net_amount: l.net_line_amount.as_deref().and_then(dec_str),
                vat_category: rate.filter(|r| *r > Decimal::ZERO).map(|_| "S".to_string()),
                vat_rate: rate,
                ..Default::default()
            }
        })
        .collect::<Vec<_>>();
    let line_total = if lines.iter().all(|l| l.net_amount.is_some()) && !lines.is_empty() { Some(lines.iter().filter_map(|l| l.net_amount).sum()) } else { None };
    Ok(EInvoice {
        syntax: Syntax::Cii,
        guideline: None,
        profile: Profile::En16931,
        number: f(Field::InvoiceNumber),
        type_code: type_code.map(str::to_string).or(Some("380".into())),
        issue_date: f(Field::IssueDate),
        currency: f(Field::Currency),
        tax_currency: None,
        due_date: f(Field::DueDate),
        period_start: None,
        period_end: None,
        payment_terms: f(Field::PaymentTerms),
        notes: vec![],
        preceding_invoice: None,
        buyer_reference: None,
        order_reference: f(Field::OrderReference),
        contract_reference: None,
        payment_reference: None,
        seller: Party {
            name: f(Field::SellerName),
            vat_id: f(Field::SellerVatId),
            tax_number: f(Field::SellerTaxNumber),
            address: Address { country: f(Field::SellerVatId).as_deref().and_then(vat_id_country), ..printed_address(f(Field::SellerAddress).as_deref()) },
            ..Default::default()
        },
        buyer: Party {
            name: f(Field::BuyerName),
            vat_id: f(Field::BuyerVatId),
            address: Address { country: f(Field::BuyerVatId).as_deref().and_then(vat_id_country), ..Default::default() },
            ..Default::default()
        },
        payee: None,
        delivery: Delivery { date: f(Field::DeliveryDate), ..Default::default() },
        payment_means: if f(Field::Iban).is_some() {
            // An IBAN printed for payment is a credit transfer (UNTDID 4461 code 30); whether
            // it is a SEPA one (58) the page does not say.
            vec![PaymentMeans { code: Some("30".into()), iban: f(Field::Iban), bic: f(Field::Bic), ..Default::default() }]
        } else {
            vec![]
        },
        allowances_charges: vec![],
        vat_breakdown: breakdown,
        totals: Totals {
            line_total,
            tax_exclusive: d(Field::NetTotal),
            tax_total: d(Field::VatTotal),
            tax_inclusive: d(Field::GrossTotal),
            amount_due: d(Field::AmountDue),
            tax_total_in_currency: 1,
            ..Default::default()
        },
        lines,
        attachments: vec![],
    })
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => o.push(c),
        }
    }
    o
}

#[allow(clippy::string_slice)] // the cuts are at ASCII '-' checked just before
fn d102(s: &str) -> Option<String> {
    let d = date_str(s);
    let b = d.as_bytes();
    (b.len() == 10 && b[4] == b'-' && b[7] == b'-').then(|| format!("{}{}{}", &d[0..4], &d[5..7], &d[8..10]))
}

fn b64(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

struct W {
    s: String,
}

impl W {
    fn open(&mut self, t: &str) {
        let _ = write!(self.s, "<{t}>");
    }
    fn close(&mut self, t: &str) {
        let _ = write!(self.s, "</{t}>");
    }
    fn el(&mut self, t: &str, v: Option<&str>) {
        if let Some(v) = v {
            let _ = write!(self.s, "<{t}>{}</{t}>", esc(v));
        }
    }
    fn el_attr(&mut self, t: &str, a: &str, av: Option<&str>, v: Option<&str>) {
        if let Some(v) = v {
            match av {
                Some(av) => {
                    let _ = write!(self.s, "<{t} {a}=\"{}\">{}</{t}>", esc(av), esc(v));
                }
                None => self.el(t, Some(v)),
            }
        }
    }
    fn amt(&mut self, t: &str, v: Option<Decimal>) {
        if let Some(v) = v {
            let _ = write!(self.s, "<{t}>{}</{t}>", v);
        }
    }
    fn date(&mut self, t: &str, v: &str) {
        let _ = write!(self.s, "<{t}><udt:DateTimeString format=\"102\">{v}</udt:DateTimeString></{t}>");
    }
}

/// What EN 16931 requires and is unknown.
/// The parts of a printed address as the index holds it (`Industriestraße 14, 70565
/// Stuttgart`): the last part is post code and city when it starts with a post code; the
/// parts before it are address lines. The country is not guessed from it.
fn printed_address(s: Option<&str>) -> Address {
    let Some(s) = s else { return Address::default() };
    let mut parts: Vec<String> = s.split(", ").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    let mut a = Address::default();
    if let Some(last) = parts.last() {
        if let Some((pc, city)) = last.split_once(' ') {
            if (4..=5).contains(&pc.len()) && pc.chars().all(|c| c.is_ascii_digit()) && !city.trim().is_empty() {
                a.post_code = Some(pc.to_string());
                a.city = Some(city.trim().to_string());
                parts.pop();
            }
        }
    }
    a.lines = parts.into_iter().take(3).collect();
    a
}

/// The country (ISO 3166-1 alpha-2) a VAT ID is registered in: its prefix, with Greece's
/// `EL` as `GR` and Northern Ireland's `XI` as `GB`. A scanned invoice's parties have no
/// parsed address; their VAT IDs are the country evidence the page gives.
pub fn vat_id_country(vat_id: &str) -> Option<String> {
    let p = vat_id.get(..2)?.to_ascii_uppercase();
    if !p.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    Some(match p.as_str() {
        "EL" => "GR".into(),
        "XI" => "GB".into(),
        _ => p,
    })
}

fn missing_en16931(e: &EInvoice) -> Vec<String> {
    let mut m = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            m.push(what.to_string());
        }
    };
    need(e.number.is_some(), "invoice number (BT-1)");
    need(e.type_code.is_some(), "invoice type code (BT-3)");
    need(e.issue_date.as_deref().and_then(d102).is_some(), "issue date (BT-2)");
    need(e.currency.is_some(), "currency (BT-5)");
    need(e.seller.name.is_some(), "seller name (BT-27)");
    need(e.seller.address.country.is_some(), "seller country (BT-40)");
    need(e.buyer.name.is_some(), "buyer name (BT-44)");
    need(e.buyer.address.country.is_some(), "buyer country (BT-55)");
    let t = &e.totals;
    need(t.line_total.is_some(), "sum of line net amounts (BT-106)");
    need(t.tax_exclusive.is_some(), "total without VAT (BT-109)");
    need(t.tax_inclusive.is_some(), "total with VAT (BT-112)");
    need(t.amount_due.is_some(), "amount due (BT-115)");
    need(!e.lines.is_empty(), "invoice lines (BG-25)");
    need(!e.vat_breakdown.is_empty(), "VAT breakdown (BG-23)");
    for (i, l) in e.lines.iter().enumerate() {
        let n = l.id.clone().unwrap_or_else(|| format!("#{}", i + 1));
        need(l.id.is_some(), &format!("line {n}: line id (BT-126)"));
        need(l.quantity.is_some(), &format!("line {n}: quantity (BT-129)"));
        need(l.unit_code.is_some(), &format!("line {n}: unit code (BT-130)"));
        need(l.net_amount.is_some(), &format!("line {n}: net amount (BT-131)"));
        need(l.net_unit_price.is_some(), &format!("line {n}: net price (BT-146)"));
        need(l.name.is_some(), &format!("line {n}: item name (BT-153)"));
        need(l.vat_category.is_some(), &format!("line {n}: VAT category (BT-151)"));
    }
    for v in &e.vat_breakdown {
        need(v.category.is_some(), "VAT category code (BT-118)");
        need(v.taxable_amount.is_some(), "VAT category taxable amount (BT-116)");
        need(v.tax_amount.is_some(), "VAT category tax amount (BT-117)");
    }
    for a in &e.allowances_charges {
        need(a.amount.is_some(), "allowance/charge amount (BT-92/BT-99)");
        need(a.vat_category.is_some(), "allowance/charge VAT category (BT-95/BT-102)");
        need(a.reason.is_some() || a.reason_code.is_some(), "allowance/charge reason (BT-97/BT-104)");
    }
    for p in &e.payment_means {
        need(p.code.is_some(), "payment means type code (BT-81)");
    }
    m
}

/// Whether everything XRechnung 3.0 demands beyond EN 16931 is known.
fn xrechnung_complete(e: &EInvoice) -> bool {
    let s = &e.seller;
    let b = &e.buyer;
    e.buyer_reference.is_some()
        && s.address.city.is_some()
        && s.address.post_code.is_some()
        && b.address.city.is_some()
        && b.address.post_code.is_some()
        && s.contact.name.is_some()
        && s.contact.phone.is_some()
        && s.contact.email.is_some()
        && s.electronic_address.is_some()
        && s.electronic_address_scheme.is_some()
        && b.electronic_address.is_some()
        && b.electronic_address_scheme.is_some()
        && (s.vat_id.is_some() || s.tax_number.is_some())
        && !e.payment_means.is_empty()
        && e.payment_means.iter().all(|p| p.code.is_some())
}

/// Writes the model as EN 16931 CII D16B.
pub fn write_cii(e: &EInvoice) -> Result<String, ExportError> {
    let missing = missing_en16931(e);
    if !missing.is_empty() {
        return Err(ExportError::Missing(missing));
    }
    let failed: Vec<String> = e.checks().into_iter().filter(|c| !c.passed).map(|c| format!("{}: {}", c.name, c.message)).collect();
    if !failed.is_empty() {
        return Err(ExportError::Inconsistent(failed));
    }
    let mut w = W { s: String::with_capacity(8192) };
    w.s.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\" ",
        "xmlns:ram=\"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100\" ",
        "xmlns:qdt=\"urn:un:unece:uncefact:data:standard:QualifiedDataType:100\" ",
        "xmlns:udt=\"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100\">"
    ));
    write_document(&mut w, e);
    w.open("rsm:SupplyChainTradeTransaction");
    for l in &e.lines {
        write_line(&mut w, l);
    }
    write_agreement(&mut w, e);
    write_delivery(&mut w, e);
    write_settlement(&mut w, e);
    w.close("rsm:SupplyChainTradeTransaction");
    w.close("rsm:CrossIndustryInvoice");
    w.s.push('\n');
    Ok(w.s)
}

/// The document context (the guideline: XRechnung where complete, else EN 16931) and the
/// document's number, type, date and notes.
fn write_document(w: &mut W, e: &EInvoice) {
    let guideline = if xrechnung_complete(e) { GUIDELINE_XRECHNUNG } else { GUIDELINE_EN16931 };
    w.open("rsm:ExchangedDocumentContext");
    w.open("ram:GuidelineSpecifiedDocumentContextParameter");
    w.el("ram:ID", Some(guideline));
    w.close("ram:GuidelineSpecifiedDocumentContextParameter");
    w.close("rsm:ExchangedDocumentContext");

    w.open("rsm:ExchangedDocument");
    w.el("ram:ID", e.number.as_deref());
    w.el("ram:TypeCode", e.type_code.as_deref());
    w.date("ram:IssueDateTime", &d102(e.issue_date.as_deref().unwrap_or_default()).unwrap_or_default());
    for n in &e.notes {
        w.open("ram:IncludedNote");
        w.el("ram:Content", Some(n));
        w.close("ram:IncludedNote");
    }
    w.close("rsm:ExchangedDocument");
}

/// Buyer reference, the parties, order and contract references, attached documents.
fn write_agreement(w: &mut W, e: &EInvoice) {
    w.open("ram:ApplicableHeaderTradeAgreement");
    w.el("ram:BuyerReference", e.buyer_reference.as_deref());
    write_party(w, "ram:SellerTradeParty", &e.seller, true);
    write_party(w, "ram:BuyerTradeParty", &e.buyer, false);
    if let Some(o) = &e.order_reference {
        w.open("ram:BuyerOrderReferencedDocument");
        w.el("ram:IssuerAssignedID", Some(o));
        w.close("ram:BuyerOrderReferencedDocument");
    }
    if let Some(c) = &e.contract_reference {
        w.open("ram:ContractReferencedDocument");
        w.el("ram:IssuerAssignedID", Some(c));
        w.close("ram:ContractReferencedDocument");
    }
    for a in &e.attachments {
        let Some(id) = &a.id else { continue };
        w.open("ram:AdditionalReferencedDocument");
        w.el("ram:IssuerAssignedID", Some(id));
        w.el("ram:URIID", a.uri.as_deref());
        w.el("ram:TypeCode", Some(a.type_code.as_deref().unwrap_or("916")));
        w.el("ram:Name", a.description.as_deref());
        if let (Some(c), Some(m), Some(f)) = (&a.content, &a.mime_type, &a.filename) {
            let _ = write!(w.s, "<ram:AttachmentBinaryObject mimeCode=\"{}\" filename=\"{}\">{}</ram:AttachmentBinaryObject>", esc(m), esc(f), b64(c));
        }
        w.close("ram:AdditionalReferencedDocument");
    }
    w.close("ram:ApplicableHeaderTradeAgreement");
}

/// Where and when the goods or services were delivered.
fn write_delivery(w: &mut W, e: &EInvoice) {
    w.open("ram:ApplicableHeaderTradeDelivery");
    let ship_addr = e.delivery.address.as_ref().filter(|a| a.country.is_some());
    if e.delivery.party_name.is_some() || e.delivery.location_id.is_some() || ship_addr.is_some() {
        w.open("ram:ShipToTradeParty");
        w.el("ram:ID", e.delivery.location_id.as_deref());
        w.el("ram:Name", e.delivery.party_name.as_deref());
        if let Some(a) = ship_addr {
            write_address(w, a);
        }
        w.close("ram:ShipToTradeParty");
    }
    if let Some(d) = e.delivery.date.as_deref().and_then(d102) {
        w.open("ram:ActualDeliverySupplyChainEvent");
        w.date("ram:OccurrenceDateTime", &d);
        w.close("ram:ActualDeliverySupplyChainEvent");
    }
    w.close("ram:ApplicableHeaderTradeDelivery");
}

/// Currency, payee, payment means, the VAT breakdown, period, allowances and charges,
/// payment terms, the totals and the preceding invoice.
fn write_settlement(w: &mut W, e: &EInvoice) {
    w.open("ram:ApplicableHeaderTradeSettlement");
    w.el("ram:CreditorReferenceID", e.payment_means.iter().find_map(|p| p.creditor_id.as_deref()));
    w.el("ram:PaymentReference", e.payment_reference.as_deref());
    if e.tax_currency.is_some() && e.tax_currency != e.currency {
        w.el("ram:TaxCurrencyCode", e.tax_currency.as_deref());
    }
    w.el("ram:InvoiceCurrencyCode", e.currency.as_deref());
    if let Some(p) = &e.payee {
        if p.name.is_some() {
            w.open("ram:PayeeTradeParty");
            w.el("ram:Name", p.name.as_deref());
            w.close("ram:PayeeTradeParty");
        }
    }
    for p in &e.payment_means {
        write_payment_means(w, p);
    }
    for v in &e.vat_breakdown {
        w.open("ram:ApplicableTradeTax");
        w.amt("ram:CalculatedAmount", v.tax_amount);
        w.el("ram:TypeCode", Some("VAT"));
        w.el("ram:ExemptionReason", v.exemption_reason.as_deref());
        w.amt("ram:BasisAmount", v.taxable_amount);
        w.el("ram:CategoryCode", v.category.as_deref());
        w.el("ram:ExemptionReasonCode", v.exemption_reason_code.as_deref());
        w.amt("ram:RateApplicablePercent", v.rate);
        w.close("ram:ApplicableTradeTax");
    }
    let (ps, pe) = (e.period_start.as_deref().and_then(d102), e.period_end.as_deref().and_then(d102));
    if ps.is_some() || pe.is_some() {
        w.open("ram:BillingSpecifiedPeriod");
        if let Some(d) = &ps {
            w.date("ram:StartDateTime", d);
        }
        if let Some(d) = &pe {
            w.date("ram:EndDateTime", d);
        }
        w.close("ram:BillingSpecifiedPeriod");
    }
    for a in &e.allowances_charges {
        write_ac(w, a);
    }
    let mandate = e.payment_means.iter().find_map(|p| p.mandate_reference.as_deref());
    let due = e.due_date.as_deref().and_then(d102);
    if e.payment_terms.is_some() || due.is_some() || mandate.is_some() {
        w.open("ram:SpecifiedTradePaymentTerms");
        w.el("ram:Description", e.payment_terms.as_deref());
        if let Some(d) = &due {
            w.date("ram:DueDateDateTime", d);
        }
        w.el("ram:DirectDebitMandateID", mandate);
        w.close("ram:SpecifiedTradePaymentTerms");
    }
    write_totals(w, e);
    if let Some(p) = &e.preceding_invoice {
        w.open("ram:InvoiceReferencedDocument");
        w.el("ram:IssuerAssignedID", Some(p));
        w.close("ram:InvoiceReferencedDocument");
    }
    w.close("ram:ApplicableHeaderTradeSettlement");
}

/// One means of payment: direct debit account, or the payee's account and bank.
fn write_payment_means(w: &mut W, p: &PaymentMeans) {
    w.open("ram:SpecifiedTradeSettlementPaymentMeans");
    w.el("ram:TypeCode", p.code.as_deref());
    let direct_debit = matches!(p.code.as_deref(), Some("59") | Some("49"));
    if let (true, Some(iban)) = (direct_debit, &p.debtor_iban) {
        w.open("ram:PayerPartyDebtorFinancialAccount");
        w.el("ram:IBANID", Some(&compact_upper(iban)));
        w.close("ram:PayerPartyDebtorFinancialAccount");
    }
    if p.iban.is_some() || p.account_id.is_some() {
        {
            w.open("ram:PayeePartyCreditorFinancialAccount");
            w.el("ram:IBANID", p.iban.as_deref().map(compact_upper).as_deref());
            w.el("ram:AccountName", p.account_name.as_deref());
            w.el("ram:ProprietaryID", p.account_id.as_deref());
            w.close("ram:PayeePartyCreditorFinancialAccount");
            if let Some(bic) = &p.bic {
                w.open("ram:PayeeSpecifiedCreditorFinancialInstitution");
                w.el("ram:BICID", Some(bic));
                w.close("ram:PayeeSpecifiedCreditorFinancialInstitution");
            }
        }
    }
    w.close("ram:SpecifiedTradeSettlementPaymentMeans");
}

/// The document totals (BG-22).
fn write_totals(w: &mut W, e: &EInvoice) {
    let cur = e.currency.as_deref().unwrap_or_default();
    let t = &e.totals;
    w.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    w.amt("ram:LineTotalAmount", t.line_total);
    w.amt("ram:ChargeTotalAmount", t.charge_total);
    w.amt("ram:AllowanceTotalAmount", t.allowance_total);
    w.amt("ram:TaxBasisTotalAmount", t.tax_exclusive);
    if let Some(tt) = t.tax_total {
        let _ = write!(w.s, "<ram:TaxTotalAmount currencyID=\"{}\">{}</ram:TaxTotalAmount>", esc(cur), tt);
    }
    if let (Some(ta), Some(tc)) = (t.tax_total_accounting, &e.tax_currency) {
        if e.tax_currency != e.currency {
            let _ = write!(w.s, "<ram:TaxTotalAmount currencyID=\"{}\">{}</ram:TaxTotalAmount>", esc(tc), ta);
        }
    }
    w.amt("ram:RoundingAmount", t.rounding);
    w.amt("ram:GrandTotalAmount", t.tax_inclusive);
    w.amt("ram:TotalPrepaidAmount", t.prepaid);
    w.amt("ram:DuePayableAmount", t.amount_due);
    w.close("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
}

fn write_ac(w: &mut W, a: &AllowanceCharge) {
    w.open("ram:SpecifiedTradeAllowanceCharge");
    w.open("ram:ChargeIndicator");
    w.el("udt:Indicator", Some(if a.is_charge { "true" } else { "false" }));
    w.close("ram:ChargeIndicator");
    if a.base_amount.is_some() {
        w.amt("ram:CalculationPercent", a.percent);
    }
    w.amt("ram:BasisAmount", a.base_amount);
    w.amt("ram:ActualAmount", a.amount);
    w.el("ram:ReasonCode", a.reason_code.as_deref());
    w.el("ram:Reason", a.reason.as_deref());
    w.open("ram:CategoryTradeTax");
    w.el("ram:TypeCode", Some("VAT"));
    w.el("ram:CategoryCode", a.vat_category.as_deref());
    w.amt("ram:RateApplicablePercent", a.vat_rate);
    w.close("ram:CategoryTradeTax");
    w.close("ram:SpecifiedTradeAllowanceCharge");
}

fn write_line(w: &mut W, l: &Line) {
    w.open("ram:IncludedSupplyChainTradeLineItem");
    w.open("ram:AssociatedDocumentLineDocument");
    w.el("ram:LineID", l.id.as_deref());
    w.el("ram:ParentLineID", l.parent_id.as_deref());
    w.el("ram:LineStatusReasonCode", l.status_reason.as_deref());
    w.close("ram:AssociatedDocumentLineDocument");
    w.open("ram:SpecifiedTradeProduct");
    w.el("ram:SellerAssignedID", l.seller_item_id.as_deref());
    w.el("ram:Name", l.name.as_deref());
    w.el("ram:Description", l.description.as_deref());
    w.close("ram:SpecifiedTradeProduct");
    w.open("ram:SpecifiedLineTradeAgreement");
    w.open("ram:NetPriceProductTradePrice");
    w.amt("ram:ChargeAmount", l.net_unit_price);
    if let (Some(b), Some(u)) = (l.price_base_quantity, &l.unit_code) {
        let _ = write!(w.s, "<ram:BasisQuantity unitCode=\"{}\">{}</ram:BasisQuantity>", esc(u), b);
    }
    w.close("ram:NetPriceProductTradePrice");
    w.close("ram:SpecifiedLineTradeAgreement");
    w.open("ram:SpecifiedLineTradeDelivery");
    w.el_attr("ram:BilledQuantity", "unitCode", l.unit_code.as_deref(), l.quantity.map(|q| q.to_string()).as_deref());
    w.close("ram:SpecifiedLineTradeDelivery");
    w.open("ram:SpecifiedLineTradeSettlement");
    w.open("ram:ApplicableTradeTax");
    w.el("ram:TypeCode", Some("VAT"));
    w.el("ram:CategoryCode", l.vat_category.as_deref());
    w.amt("ram:RateApplicablePercent", l.vat_rate);
    w.close("ram:ApplicableTradeTax");
    w.open("ram:SpecifiedTradeSettlementLineMonetarySummation");
    w.amt("ram:LineTotalAmount", l.net_amount);
    w.close("ram:SpecifiedTradeSettlementLineMonetarySummation");
    w.close("ram:SpecifiedLineTradeSettlement");
    w.close("ram:IncludedSupplyChainTradeLineItem");
    // Nested sub-lines (UBL SubInvoiceLine, ZUGFeRD 1 EXTENDED) have no place in EN 16931 CII:
    // as lines of their own they would count twice in BR-CO-10, so they are not written.
}

fn write_address(w: &mut W, a: &Address) {
    w.open("ram:PostalTradeAddress");
    w.el("ram:PostcodeCode", a.post_code.as_deref());
    let names = ["ram:LineOne", "ram:LineTwo", "ram:LineThree"];
    for (n, v) in names.iter().zip(a.lines.iter()) {
        w.el(n, Some(v));
    }
    w.el("ram:CityName", a.city.as_deref());
    w.el("ram:CountryID", a.country.as_deref());
    w.el("ram:CountrySubDivisionName", a.subdivision.as_deref());
    w.close("ram:PostalTradeAddress");
}

fn write_party(w: &mut W, tag: &str, p: &Party, seller: bool) {
    w.open(tag);
    if seller {
        for id in &p.ids {
            w.el("ram:ID", Some(id));
        }
    }
    w.el("ram:Name", p.name.as_deref());
    if p.legal_id.is_some() || p.trading_name.is_some() {
        w.open("ram:SpecifiedLegalOrganization");
        w.el("ram:ID", p.legal_id.as_deref());
        w.el("ram:TradingBusinessName", p.trading_name.as_deref().filter(|t| Some(*t) != p.name.as_deref()));
        w.close("ram:SpecifiedLegalOrganization");
    }
    let c = &p.contact;
    if c.name.is_some() || c.phone.is_some() || c.email.is_some() {
        w.open("ram:DefinedTradeContact");
        w.el("ram:PersonName", c.name.as_deref());
        if let Some(ph) = &c.phone {
            w.open("ram:TelephoneUniversalCommunication");
            w.el("ram:CompleteNumber", Some(ph));
            w.close("ram:TelephoneUniversalCommunication");
        }
        if let Some(em) = &c.email {
            w.open("ram:EmailURIUniversalCommunication");
            w.el("ram:URIID", Some(em));
            w.close("ram:EmailURIUniversalCommunication");
        }
        w.close("ram:DefinedTradeContact");
    }
    write_address(w, &p.address);
    if let (Some(a), Some(s)) = (&p.electronic_address, &p.electronic_address_scheme) {
        w.open("ram:URIUniversalCommunication");
        w.el_attr("ram:URIID", "schemeID", Some(s), Some(a));
        w.close("ram:URIUniversalCommunication");
    }
    if let Some(t) = &p.tax_number {
        w.open("ram:SpecifiedTaxRegistration");
        w.el_attr("ram:ID", "schemeID", Some("FC"), Some(t));
        w.close("ram:SpecifiedTaxRegistration");
    }
    if let Some(v) = &p.vat_id {
        w.open("ram:SpecifiedTaxRegistration");
        w.el_attr("ram:ID", "schemeID", Some("VA"), Some(v));
        w.close("ram:SpecifiedTaxRegistration");
    }
    w.close(tag);
}
