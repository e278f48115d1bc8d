//! Reads UN/CEFACT CII D16B (ZUGFeRD 2.x, Factur-X, XRechnung CII) and ZUGFeRD 1.0
//! `CrossIndustryDocument` into the EN 16931 model. Both share most element names; where
//! they differ, the path step lists both (`D16B|ZF1`).

use roxmltree::{Document, Node};

use super::model::*;
use super::xml::*;

const CTX: &str = "ExchangedDocumentContext|SpecifiedExchangedDocumentContext";
const DOC: &str = "ExchangedDocument|HeaderExchangedDocument";
const TX: &str = "SupplyChainTradeTransaction|SpecifiedSupplyChainTradeTransaction";
const AGR: &str = "ApplicableHeaderTradeAgreement|ApplicableSupplyChainTradeAgreement";
const DEL: &str = "ApplicableHeaderTradeDelivery|ApplicableSupplyChainTradeDelivery";
const SET: &str = "ApplicableHeaderTradeSettlement|ApplicableSupplyChainTradeSettlement";
const SUM: &str = "SpecifiedTradeSettlementHeaderMonetarySummation|SpecifiedTradeSettlementMonetarySummation";
const RATE: &str = "RateApplicablePercent|ApplicablePercent";
const DOC_ID: &str = "IssuerAssignedID|ID";

pub(crate) fn parse(doc: &Document, syntax: Syntax) -> EInvoice {
    let root = doc.root_element();
    let guideline = ptext(root, &[CTX, "GuidelineSpecifiedDocumentContextParameter", "ID"]);
    let profile = guideline.as_deref().map(Profile::from_guideline).unwrap_or(Profile::Unknown);
    let hdr = ch(root, DOC);
    let tx = ch(root, TX);
    let agr = tx.and_then(|t| ch(t, AGR));
    let del = tx.and_then(|t| ch(t, DEL));
    let set = tx.and_then(|t| ch(t, SET));

    let mut inv = EInvoice {
        syntax,
        guideline,
        profile,
        number: hdr.and_then(|h| ptext(h, &["ID"])),
        type_code: hdr.and_then(|h| ptext(h, &["TypeCode"])),
        issue_date: hdr.and_then(|h| date(ch(h, "IssueDateTime"))),
        currency: set.and_then(|s| ptext(s, &["InvoiceCurrencyCode"])),
        tax_currency: set.and_then(|s| ptext(s, &["TaxCurrencyCode"])),
        due_date: None,
        period_start: set.and_then(|s| date(path(s, &["BillingSpecifiedPeriod", "StartDateTime"]))),
        period_end: set.and_then(|s| date(path(s, &["BillingSpecifiedPeriod", "EndDateTime"]))),
        payment_terms: None,
        notes: hdr.map(|h| chs(h, "IncludedNote").filter_map(|n| text(ch(n, "Content"))).collect()).unwrap_or_default(),
        preceding_invoice: set.and_then(|s| ptext(s, &["InvoiceReferencedDocument", DOC_ID])),
        buyer_reference: agr.and_then(|a| ptext(a, &["BuyerReference"])),
        order_reference: agr.and_then(|a| ptext(a, &["BuyerOrderReferencedDocument", DOC_ID])),
        contract_reference: agr.and_then(|a| ptext(a, &["ContractReferencedDocument", DOC_ID])),
        payment_reference: set.and_then(|s| ptext(s, &["PaymentReference"])),
        seller: agr.and_then(|a| ch(a, "SellerTradeParty")).map(party).unwrap_or_default(),
        buyer: agr.and_then(|a| ch(a, "BuyerTradeParty")).map(party).unwrap_or_default(),
        payee: set.and_then(|s| ch(s, "PayeeTradeParty")).map(party),
        delivery: Delivery::default(),
        payment_means: Vec::new(),
        allowances_charges: Vec::new(),
        vat_breakdown: Vec::new(),
        totals: Totals::default(),
        lines: Vec::new(),
        attachments: Vec::new(),
    };

    if let Some(d) = del {
        let ship = ch(d, "ShipToTradeParty");
        inv.delivery = Delivery {
            date: date(path(d, &["ActualDeliverySupplyChainEvent", "OccurrenceDateTime"])),
            party_name: ship.and_then(|p| ptext(p, &["Name"])),
            location_id: ship.and_then(|p| text(ch(p, "ID|GlobalID"))),
            address: ship.and_then(|p| ch(p, "PostalTradeAddress")).map(address),
        };
    }

    if let Some(a) = agr {
        for r in chs(a, "AdditionalReferencedDocument") {
            let bin = ch(r, "AttachmentBinaryObject");
            inv.attachments.push(Attachment {
                id: text(ch(r, DOC_ID)),
                description: text(ch(r, "Name")),
                filename: attr(bin, "filename"),
                mime_type: attr(bin, "mimeCode"),
                content: bin.and_then(|b| text(Some(b))).and_then(|s| base64_decode(&s)),
                uri: text(ch(r, "URIID")),
                type_code: text(ch(r, "TypeCode")),
            });
        }
    }

    if let Some(s) = set {
        let creditor_id = ptext(s, &["CreditorReferenceID"]);
        let terms: Vec<Node> = chs(s, "SpecifiedTradePaymentTerms").collect();
        let mandate = terms.iter().find_map(|t| ptext(*t, &["DirectDebitMandateID"]));
        for pm in chs(s, "SpecifiedTradeSettlementPaymentMeans") {
            inv.payment_means.push(PaymentMeans {
                code: ptext(pm, &["TypeCode"]),
                iban: ptext(pm, &["PayeePartyCreditorFinancialAccount", "IBANID"]),
                account_id: ptext(pm, &["PayeePartyCreditorFinancialAccount", "ProprietaryID"]),
                debtor_iban: ptext(pm, &["PayerPartyDebtorFinancialAccount", "IBANID"]),
                bic: ptext(pm, &["PayeeSpecifiedCreditorFinancialInstitution", "BICID"]),
                account_name: ptext(pm, &["PayeePartyCreditorFinancialAccount", "AccountName"]),
                mandate_reference: mandate.clone(),
                creditor_id: creditor_id.clone(),
            });
        }
        if inv.payment_means.is_empty() && (mandate.is_some() || creditor_id.is_some()) {
            inv.payment_means.push(PaymentMeans { mandate_reference: mandate, creditor_id, ..Default::default() });
        }
        let descs: Vec<String> = terms.iter().filter_map(|t| text_ws(ch(*t, "Description"))).collect();
        if !descs.is_empty() {
            inv.payment_terms = Some(descs.join(" "));
        }
        inv.due_date = terms.iter().find_map(|t| date(ch(*t, "DueDateDateTime")));

        for t in chs(s, "ApplicableTradeTax") {
            inv.vat_breakdown.push(VatSubtotal {
                category: ptext(t, &["CategoryCode"]),
                rate: pdec(t, &[RATE]),
                taxable_amount: pdec(t, &["BasisAmount"]),
                tax_amount: pdec(t, &["CalculatedAmount"]),
                exemption_reason: ptext(t, &["ExemptionReason"]),
                exemption_reason_code: ptext(t, &["ExemptionReasonCode"]),
            });
        }
        for ac in chs(s, "SpecifiedTradeAllowanceCharge") {
            inv.allowances_charges.push(allowance_charge(ac));
        }
        if let Some(m) = ch(s, SUM) {
            let cur = inv.currency.clone();
            let taxes: Vec<Node> = chs(m, "TaxTotalAmount").collect();
            let in_cur: Vec<&Node> = taxes.iter().filter(|t| cur.is_some() && t.attribute("currencyID").map(str::trim) == cur.as_deref()).collect();
            let other = taxes.iter().find(|t| inv.tax_currency.is_some() && inv.tax_currency != cur && t.attribute("currencyID").map(str::trim) == inv.tax_currency.as_deref());
            inv.totals = Totals {
                line_total: pdec(m, &["LineTotalAmount"]),
                allowance_total: pdec(m, &["AllowanceTotalAmount"]),
                charge_total: pdec(m, &["ChargeTotalAmount"]),
                tax_exclusive: pdec(m, &["TaxBasisTotalAmount"]),
                tax_total: in_cur.first().map(|n| dec(Some(**n))).unwrap_or_else(|| taxes.first().and_then(|n| dec(Some(*n)))),
                tax_total_accounting: other.and_then(|n| dec(Some(*n))),
                tax_inclusive: pdec(m, &["GrandTotalAmount"]),
                prepaid: pdec(m, &["TotalPrepaidAmount"]),
                rounding: pdec(m, &["RoundingAmount"]),
                amount_due: pdec(m, &["DuePayableAmount"]),
                tax_total_in_currency: in_cur.len() as u32,
            };
        }
    }

    if let Some(t) = tx {
        inv.lines = chs(t, "IncludedSupplyChainTradeLineItem").map(line).collect();
    }
    inv
}

fn allowance_charge(ac: Node) -> AllowanceCharge {
    let ind = ptext(ac, &["ChargeIndicator", "Indicator"]).unwrap_or_default();
    AllowanceCharge {
        is_charge: ind == "true" || ind == "1",
        amount: pdec(ac, &["ActualAmount"]),
        base_amount: pdec(ac, &["BasisAmount"]),
        percent: pdec(ac, &["CalculationPercent"]),
        reason: ptext(ac, &["Reason"]),
        reason_code: ptext(ac, &["ReasonCode"]),
        vat_category: ptext(ac, &["CategoryTradeTax", "CategoryCode"]),
        vat_rate: pdec(ac, &["CategoryTradeTax", RATE]),
    }
}

fn line(l: Node) -> Line {
    let d = ch(l, "AssociatedDocumentLineDocument");
    let p = ch(l, "SpecifiedTradeProduct");
    let a = ch(l, "SpecifiedLineTradeAgreement|SpecifiedSupplyChainTradeAgreement");
    let dl = ch(l, "SpecifiedLineTradeDelivery|SpecifiedSupplyChainTradeDelivery");
    let s = ch(l, "SpecifiedLineTradeSettlement|SpecifiedSupplyChainTradeSettlement");
    let price = a.and_then(|a| ch(a, "NetPriceProductTradePrice"));
    let qty = dl.and_then(|d| ch(d, "BilledQuantity"));
    let tax = s.and_then(|s| ch(s, "ApplicableTradeTax"));
    Line {
        id: d.and_then(|d| ptext(d, &["LineID"])),
        parent_id: d.and_then(|d| ptext(d, &["ParentLineID"])),
        status_reason: d.and_then(|d| ptext(d, &["LineStatusReasonCode"])),
        name: p.and_then(|p| text_ws(ch(p, "Name"))),
        description: p.and_then(|p| text_ws(ch(p, "Description"))),
        seller_item_id: p.and_then(|p| ptext(p, &["SellerAssignedID"])),
        quantity: dec(qty),
        unit_code: attr(qty, "unitCode"),
        net_unit_price: price.and_then(|p| pdec(p, &["ChargeAmount"])),
        price_base_quantity: price.and_then(|p| pdec(p, &["BasisQuantity"])),
        net_amount: s.and_then(|s| pdec(s, &["SpecifiedTradeSettlementLineMonetarySummation|SpecifiedTradeSettlementMonetarySummation", "LineTotalAmount"])),
        vat_category: tax.and_then(|t| ptext(t, &["CategoryCode"])),
        vat_rate: tax.and_then(|t| pdec(t, &[RATE])),
        children: l
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "IncludedSubordinateTradeLineItem")
            .filter(|n| n.ancestors().skip(1).find(|a| a.tag_name().name() == "IncludedSubordinateTradeLineItem" || *a == l) == Some(l))
            .map(line)
            .collect(),
    }
}

fn address(a: Node) -> Address {
    Address {
        lines: ["LineOne", "LineTwo", "LineThree"].iter().filter_map(|n| ptext(a, &[n])).collect(),
        post_code: ptext(a, &["PostcodeCode"]),
        city: ptext(a, &["CityName"]),
        subdivision: ptext(a, &["CountrySubDivisionName"]),
        country: ptext(a, &["CountryID"]),
    }
}

fn party(p: Node) -> Party {
    let mut vat_id = None;
    let mut tax_number = None;
    for r in chs(p, "SpecifiedTaxRegistration") {
        let id = ch(r, "ID");
        match id.and_then(|i| i.attribute("schemeID")).map(str::trim) {
            Some("VA") if vat_id.is_none() => vat_id = text(id),
            Some("FC") if tax_number.is_none() => tax_number = text(id),
            _ => {}
        }
    }
    let c = ch(p, "DefinedTradeContact");
    Party {
        name: text_ws(ch(p, "Name")),
        trading_name: ptext(p, &["SpecifiedLegalOrganization", "TradingBusinessName"]),
        ids: chs(p, "ID|GlobalID").filter_map(|n| text(Some(n))).collect(),
        address: ch(p, "PostalTradeAddress").map(address).unwrap_or_default(),
        vat_id,
        tax_number,
        legal_id: ptext(p, &["SpecifiedLegalOrganization", "ID"]),
        electronic_address: ptext(p, &["URIUniversalCommunication", "URIID"]),
        electronic_address_scheme: attr(path(p, &["URIUniversalCommunication", "URIID"]), "schemeID"),
        contact: Contact {
            name: c.and_then(|c| ptext(c, &["PersonName"]).or_else(|| ptext(c, &["DepartmentName"]))),
            phone: c.and_then(|c| ptext(c, &["TelephoneUniversalCommunication", "CompleteNumber"])),
            email: c.and_then(|c| ptext(c, &["EmailURIUniversalCommunication", "URIID"])),
        },
    }
}
