//! Unit tests for the e-invoice module.
use super::*;

#[test]
fn base64_roundtrip() {
    assert_eq!(xml::base64_decode("SGVsbG8sIFdvcmxkIQ==").unwrap(), b"Hello, World!");
    assert_eq!(xml::base64_decode("SGVs\nbG8").unwrap(), b"Hello");
}

#[test]
fn dates() {
    assert_eq!(xml::date_str("20240131"), "2024-01-31");
    assert_eq!(xml::date_str("2024-01-31"), "2024-01-31");
}

#[test]
fn garbage_never_panics() {
    for s in ["", "<", "<a>", "<?xml version='1.0'?><x/>", "\u{feff}<Invoice/>"] {
        assert!(parse(s.as_bytes()).is_err());
    }
}

fn minimal_cii(type_code: &str) -> String {
    format!(
        r#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:factur-x.eu:1p0:minimum</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>R-1</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="102">20240131</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement/><ram:ApplicableHeaderTradeDelivery/><ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
<ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:TaxBasisTotalAmount>100</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">19</ram:TaxTotalAmount><ram:GrandTotalAmount>119</ram:GrandTotalAmount><ram:DuePayableAmount>119.5</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"#
    )
}

#[test]
fn doc_types_and_profile() {
    use crate::index::DocType;
    for (code, want) in [
        ("380", DocType::Invoice),
        ("381", DocType::CreditNote),
        ("261", DocType::CreditNote),
        ("384", DocType::Invoice),
        ("875", DocType::Invoice),
        ("220", DocType::Order),
        ("231", DocType::OrderConfirmation),
    ] {
        let inv = parse(minimal_cii(code).as_bytes()).unwrap();
        assert_eq!(inv.doc_type(), want, "{code}");
        assert_eq!(inv.profile, Profile::Minimum);
        assert!(!inv.is_german_einvoice());
    }
    assert_eq!(detect(minimal_cii("380").as_bytes()), Some(Syntax::Cii));
}

#[test]
fn fields_and_checks_of_minimal() {
    let inv = parse(minimal_cii("380").as_bytes()).unwrap();
    let f = inv.fields();
    assert_eq!(f[&crate::vocab::Field::IssueDate].value, "2024-01-31");
    assert_eq!(f[&crate::vocab::Field::NetTotal].value, "100.00");
    assert_eq!(f[&crate::vocab::Field::AmountDue].value, "119.50");
    let c16 = inv.checks().into_iter().find(|c| c.name == "BR-CO-16").unwrap();
    assert!(!c16.passed);
    assert!(c16.message.contains("119.5") && c16.message.contains("119"), "{}", c16.message);
}

#[test]
fn export_refuses_missing_values() {
    let inv = parse(minimal_cii("380").as_bytes()).unwrap();
    match to_cii(&inv.fields(), &inv.line_items(), &inv.vat_breakdown(), Some(&inv)) {
        Err(ExportError::Missing(m)) => assert!(m.iter().any(|x| x.contains("seller name"))),
        other => panic!("{other:?}"),
    }
    // From the index alone a 0 % breakdown has no known category: refused, not guessed.
    let vb = vec![crate::index::VatBreakdown { rate: "0".into(), base: "10.00".into(), amount: "0.00".into() }];
    assert!(matches!(to_cii(&inv.fields(), &[], &vb, None), Err(ExportError::Missing(_))));
}
