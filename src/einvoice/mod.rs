//! Structured e-invoices: ZUGFeRD 1.0, ZUGFeRD 2.x / Factur-X / XRechnung (CII D16B) and UBL 2.1.
//!
//! [`parse`] reads any of them into one EN 16931 model ([`EInvoice`]); the model maps to the
//! index (`fields`, `line_items`, `vat_breakdown`, `index_json`), checks the EN 16931 business
//! rules ([`EInvoice::checks`]) and can be written back as CII ([`export::to_cii`]).
//! Hostile XML (DTDs, deep nesting, huge files) is refused, nothing is ever fetched.

pub mod checks;
mod cii;
mod detect;
pub mod export;
mod mapping;
pub mod model;
mod ubl;
pub(crate) mod xml;

pub use detect::detect;
pub use export::{to_cii, ExportError};
pub use model::*;

/// Why an XML could not be read as an e-invoice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EInvoiceError {
    /// DTD/DOCTYPE (XXE, entity bombs), absurd nesting or size: refused without reading further.
    #[error("hostile XML refused: {0}")]
    Hostile(String),
    /// Not well-formed XML, or an encoding we cannot read.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// Well-formed XML, but not a CII, ZUGFeRD 1.0 or UBL invoice / credit note.
    #[error("not an e-invoice: the XML root is not a CII CrossIndustryInvoice, ZUGFeRD 1.0 CrossIndustryDocument or UBL Invoice/CreditNote")]
    NotAnInvoice,
}

/// Parses an e-invoice XML (CII D16B, ZUGFeRD 1.0, UBL 2.1 Invoice or CreditNote).
pub fn parse(xml: &[u8]) -> Result<EInvoice, EInvoiceError> {
    let text = xml::decode(xml)?;
    let doc = xml::load(&text)?;
    let syntax = detect::detect_doc(&doc).ok_or(EInvoiceError::NotAnInvoice)?;
    Ok(match syntax {
        Syntax::Cii | Syntax::Zugferd1 => cii::parse(&doc, syntax),
        Syntax::UblInvoice | Syntax::UblCreditNote => ubl::parse(&doc, syntax),
    })
}

#[cfg(test)]
mod tests;
