//! Reads UBL 2.1 `Invoice` and `CreditNote` (EN 16931 / XRechnung UBL) into the EN 16931 model.

use roxmltree::{Document, Node};

use super::model::*;
use super::xml::*;

pub(crate) fn parse(doc: &Document, syntax: Syntax) -> EInvoice {
    let r = doc.root_element();
    let guideline = ptext(r, &["CustomizationID"]);
    let profile = guideline.as_deref().map(Profile::from_guideline).unwrap_or(Profile::Unknown);
    let currency = ptext(r, &["DocumentCurrencyCode"]);
    let tax_currency = ptext(r, &["TaxCurrencyCode"]);

    let mut inv = EInvoice {
        syntax,
        guideline,
        profile,
        number: ptext(r, &["ID"]),
        type_code: text(ch(r, "InvoiceTypeCode|CreditNoteTypeCode")),
        issue_date: ptext(r, &["IssueDate"]).map(|d| date_str(&d)),
        currency: currency.clone(),
        tax_currency: tax_currency.clone(),
        due_date: ptext(r, &["DueDate"]).or_else(|| chs(r, "PaymentMeans").find_map(|p| ptext(p, &["PaymentDueDate"]))).map(|d| date_str(&d)),
        period_start: ptext(r, &["InvoicePeriod", "StartDate"]).map(|d| date_str(&d)),
        period_end: ptext(r, &["InvoicePeriod", "EndDate"]).map(|d| date_str(&d)),
        payment_terms: {
            let v: Vec<String> = chs(r, "PaymentTerms").filter_map(|t| text_ws(ch(t, "Note"))).collect();
            if v.is_empty() {
                None
            } else {
                Some(v.join(" "))
            }
        },
        notes: chs(r, "Note").filter_map(|n| text(Some(n))).collect(),
        preceding_invoice: ptext(r, &["BillingReference", "InvoiceDocumentReference", "ID"]),
        buyer_reference: ptext(r, &["BuyerReference"]),
        order_reference: ptext(r, &["OrderReference", "ID"]),
        contract_reference: ptext(r, &["ContractDocumentReference", "ID"]),
        payment_reference: chs(r, "PaymentMeans").find_map(|p| ptext(p, &["PaymentID"])),
        seller: path(r, &["AccountingSupplierParty", "Party"]).map(party).unwrap_or_default(),
        buyer: path(r, &["AccountingCustomerParty", "Party"]).map(party).unwrap_or_default(),
        payee: ch(r, "PayeeParty").map(party),
        delivery: Delivery::default(),
        payment_means: Vec::new(),
        allowances_charges: chs(r, "AllowanceCharge").map(allowance_charge).collect(),
        vat_breakdown: Vec::new(),
        totals: Totals::default(),
        lines: chs(r, "InvoiceLine|CreditNoteLine").map(line).collect(),
        attachments: Vec::new(),
    };

    if let Some(d) = ch(r, "Delivery") {
        let loc = ch(d, "DeliveryLocation");
        inv.delivery = Delivery {
            date: ptext(d, &["ActualDeliveryDate"]).map(|s| date_str(&s)),
            party_name: ptext(d, &["DeliveryParty", "PartyName", "Name"]),
            location_id: loc.and_then(|l| ptext(l, &["ID"])),
            address: loc.and_then(|l| ch(l, "Address")).map(address),
        };
    }

    let creditor_id = path(r, &["AccountingSupplierParty", "Party"])
        .into_iter()
        .chain(ch(r, "PayeeParty"))
        .flat_map(|p| chs(p, "PartyIdentification").collect::<Vec<_>>())
        .filter_map(|pi| ch(pi, "ID"))
        .find(|id| id.attribute("schemeID") == Some("SEPA"))
        .and_then(|id| text(Some(id)));
    for pm in chs(r, "PaymentMeans") {
        let acct = ch(pm, "PayeeFinancialAccount");
        let mandate = ch(pm, "PaymentMandate");
        inv.payment_means.push(PaymentMeans {
            code: ptext(pm, &["PaymentMeansCode"]),
            iban: acct.and_then(|a| ptext(a, &["ID"])),
            account_id: None,
            debtor_iban: mandate.and_then(|m| ptext(m, &["PayerFinancialAccount", "ID"])),
            bic: acct.and_then(|a| ptext(a, &["FinancialInstitutionBranch", "ID"])),
            account_name: acct.and_then(|a| ptext(a, &["Name"])),
            mandate_reference: mandate.and_then(|m| ptext(m, &["ID"])),
            creditor_id: creditor_id.clone(),
        });
    }

    for dr in chs(r, "AdditionalDocumentReference") {
        let att = ch(dr, "Attachment");
        let bin = att.and_then(|a| ch(a, "EmbeddedDocumentBinaryObject"));
        inv.attachments.push(Attachment {
            id: ptext(dr, &["ID"]),
            description: ptext(dr, &["DocumentDescription"]),
            filename: attr(bin, "filename"),
            mime_type: attr(bin, "mimeCode"),
            content: bin.and_then(|b| text(Some(b))).and_then(|s| base64_decode(&s)),
            uri: att.and_then(|a| ptext(a, &["ExternalReference", "URI"])),
            type_code: ptext(dr, &["DocumentTypeCode"]),
        });
    }

    let tax_totals: Vec<Node> = chs(r, "TaxTotal").collect();
    let amt_cur = |n: &Node, c: &Option<String>| c.is_some() && ch(*n, "TaxAmount").and_then(|a| a.attribute("currencyID")).map(str::trim) == c.as_deref();
    let main = tax_totals.iter().find(|t| amt_cur(t, &currency)).or_else(|| tax_totals.first());
    if let Some(t) = main {
        for st in chs(*t, "TaxSubtotal") {
            let c = ch(st, "TaxCategory");
            inv.vat_breakdown.push(VatSubtotal {
                category: c.and_then(|c| ptext(c, &["ID"])),
                rate: c.and_then(|c| pdec(c, &["Percent"])),
                taxable_amount: pdec(st, &["TaxableAmount"]),
                tax_amount: pdec(st, &["TaxAmount"]),
                exemption_reason: c.and_then(|c| ptext(c, &["TaxExemptionReason"])),
                exemption_reason_code: c.and_then(|c| ptext(c, &["TaxExemptionReasonCode"])),
            });
        }
    }
    let m = ch(r, "LegalMonetaryTotal");
    let g = |n: &str| m.and_then(|m| pdec(m, &[n]));
    inv.totals = Totals {
        line_total: g("LineExtensionAmount"),
        allowance_total: g("AllowanceTotalAmount"),
        charge_total: g("ChargeTotalAmount"),
        tax_exclusive: g("TaxExclusiveAmount"),
        tax_total: main.and_then(|t| pdec(*t, &["TaxAmount"])),
        tax_total_accounting: if tax_currency.is_some() && tax_currency != currency { tax_totals.iter().find(|t| amt_cur(t, &tax_currency)).and_then(|t| pdec(*t, &["TaxAmount"])) } else { None },
        tax_inclusive: g("TaxInclusiveAmount"),
        prepaid: g("PrepaidAmount"),
        rounding: g("PayableRoundingAmount"),
        amount_due: g("PayableAmount"),
        tax_total_in_currency: tax_totals.iter().filter(|t| amt_cur(t, &currency)).count() as u32,
    };
    inv
}

fn allowance_charge(ac: Node) -> AllowanceCharge {
    let c = ch(ac, "TaxCategory");
    AllowanceCharge {
        is_charge: ptext(ac, &["ChargeIndicator"]).map(|s| s == "true" || s == "1").unwrap_or(false),
        amount: pdec(ac, &["Amount"]),
        base_amount: pdec(ac, &["BaseAmount"]),
        percent: pdec(ac, &["MultiplierFactorNumeric"]),
        reason: ptext(ac, &["AllowanceChargeReason"]),
        reason_code: ptext(ac, &["AllowanceChargeReasonCode"]),
        vat_category: c.and_then(|c| ptext(c, &["ID"])),
        vat_rate: c.and_then(|c| pdec(c, &["Percent"])),
    }
}

fn line(l: Node) -> Line {
    let item = ch(l, "Item");
    let qty = ch(l, "InvoicedQuantity|CreditedQuantity");
    let price = ch(l, "Price");
    let tax = item.and_then(|i| ch(i, "ClassifiedTaxCategory"));
    Line {
        id: ptext(l, &["ID"]),
        parent_id: None,
        status_reason: None,
        name: item.and_then(|i| text_ws(ch(i, "Name"))),
        description: item.and_then(|i| text_ws(ch(i, "Description"))),
        seller_item_id: item.and_then(|i| ptext(i, &["SellersItemIdentification", "ID"])),
        quantity: dec(qty),
        unit_code: attr(qty, "unitCode"),
        net_unit_price: price.and_then(|p| pdec(p, &["PriceAmount"])),
        price_base_quantity: price.and_then(|p| pdec(p, &["BaseQuantity"])),
        net_amount: pdec(l, &["LineExtensionAmount"]),
        vat_category: tax.and_then(|t| ptext(t, &["ID"])),
        vat_rate: tax.and_then(|t| pdec(t, &["Percent"])),
        children: chs(l, "SubInvoiceLine|SubCreditNoteLine").map(line).collect(),
    }
}

fn address(a: Node) -> Address {
    let mut lines: Vec<String> = ["StreetName", "AdditionalStreetName"].iter().filter_map(|n| ptext(a, &[n])).collect();
    lines.extend(chs(a, "AddressLine").filter_map(|l| ptext(l, &["Line"])));
    Address { lines, post_code: ptext(a, &["PostalZone"]), city: ptext(a, &["CityName"]), subdivision: ptext(a, &["CountrySubentity"]), country: ptext(a, &["Country", "IdentificationCode"]) }
}

fn party(p: Node) -> Party {
    let mut vat_id = None;
    let mut tax_number = None;
    for ts in chs(p, "PartyTaxScheme") {
        let scheme = ptext(ts, &["TaxScheme", "ID"]).unwrap_or_default();
        let id = ptext(ts, &["CompanyID"]);
        if scheme.eq_ignore_ascii_case("VAT") {
            if vat_id.is_none() {
                vat_id = id;
            }
        } else if tax_number.is_none() {
            tax_number = id;
        }
    }
    let le = ch(p, "PartyLegalEntity");
    let c = ch(p, "Contact");
    Party {
        name: le.and_then(|l| text_ws(ch(l, "RegistrationName"))).or_else(|| text_ws(path(p, &["PartyName", "Name"]))),
        trading_name: text_ws(path(p, &["PartyName", "Name"])),
        ids: chs(p, "PartyIdentification").filter_map(|i| ptext(i, &["ID"])).collect(),
        address: ch(p, "PostalAddress").map(address).unwrap_or_default(),
        vat_id,
        tax_number,
        legal_id: le.and_then(|l| ptext(l, &["CompanyID"])),
        electronic_address: ptext(p, &["EndpointID"]),
        electronic_address_scheme: attr(ch(p, "EndpointID"), "schemeID"),
        contact: Contact { name: c.and_then(|c| ptext(c, &["Name"])), phone: c.and_then(|c| ptext(c, &["Telephone"])), email: c.and_then(|c| ptext(c, &["ElectronicMail"])) },
    }
}
