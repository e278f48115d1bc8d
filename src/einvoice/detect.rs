//! Recognises an e-invoice syntax from the root element and its namespace.

use roxmltree::Document;

use super::model::Syntax;

pub const NS_CII: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
pub const NS_ZF1: &str = "urn:ferd:CrossIndustryDocument:invoice:1p0";
pub const NS_UBL_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
pub const NS_UBL_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";

/// The syntax of an e-invoice XML, by content (root element + namespace); None when it is none
/// of CII D16B, ZUGFeRD 1.0, UBL Invoice or UBL CreditNote, or when the XML is unreadable or hostile.
pub fn detect(xml: &[u8]) -> Option<Syntax> {
    let text = super::xml::decode(xml).ok()?;
    let doc = super::xml::load(&text).ok()?;
    detect_doc(&doc)
}

pub(crate) fn detect_doc(doc: &Document) -> Option<Syntax> {
    let root = doc.root_element();
    let ns = root.tag_name().namespace().unwrap_or("");
    match (root.tag_name().name(), ns) {
        ("CrossIndustryInvoice", NS_CII) => Some(Syntax::Cii),
        ("CrossIndustryDocument", NS_ZF1) => Some(Syntax::Zugferd1),
        ("Invoice", NS_UBL_INVOICE) => Some(Syntax::UblInvoice),
        ("CreditNote", NS_UBL_CREDIT_NOTE) => Some(Syntax::UblCreditNote),
        _ => None,
    }
}
