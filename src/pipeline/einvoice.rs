//! The straight-through path for e-invoices: a standalone CII/UBL XML, or a PDF carrying its
//! invoice XML (ZUGFeRD, Factur-X). The XML is the invoice: every field comes from it with
//! confidence 1.0, no OCR runs, and the XML is archived as the legal original (GoBD) beside
//! the PDF, which is kept byte for byte.

use rust_decimal::Decimal;

use crate::document::{Artefacts, Document, MediaType};
use crate::einvoice::{self, EInvoice, EInvoiceError, Syntax};
use crate::index::{Check, CheckName, DocTypeResult, DocumentIndex, ErrorKind, ModelInfo, Models, SourceFormat};
use crate::layout::Page;
use crate::limits::Limits;
use crate::pages::{self, PageContent};

use super::Failure;

pub fn models() -> Models {
    let v = env!("CARGO_PKG_VERSION").to_string();
    Models { classifier: ModelInfo { name: "einvoice-type-code".into(), version: v.clone() }, extractor: ModelInfo { name: "einvoice-xml".into(), version: v } }
}

fn xml_failure(e: EInvoiceError) -> Failure {
    let kind = match e {
        EInvoiceError::Hostile(_) => ErrorKind::HostileXml,
        EInvoiceError::Malformed(_) => ErrorKind::Corrupt,
        EInvoiceError::NotAnInvoice => ErrorKind::UnsupportedFormat,
    };
    Failure { kind, message: e.to_string() }
}

/// `Some` when `doc` is an e-invoice (and then the whole result), `None` to go the paper way.
pub fn try_process(doc: &Document, limits: &Limits) -> Option<Result<(DocumentIndex, Artefacts), Failure>> {
    match doc.media_type {
        MediaType::Xml => Some(standalone(doc)),
        MediaType::Pdf => match pages::pdf::embedded_invoice_xml(&doc.bytes) {
            Ok(Some((name, xml))) => match einvoice::parse(&xml) {
                Ok(inv) => Some(hybrid(doc, limits, name, xml, inv)),
                // A broken embedded XML: the PDF is still a readable document; read it as paper
                // and say why in the log.
                Err(e) => {
                    tracing::warn!(document = %doc.sha256, "embedded invoice XML ignored: {e}");
                    None
                }
            },
            _ => None,
        },
        _ => None,
    }
}

fn standalone(doc: &Document) -> Result<(DocumentIndex, Artefacts), Failure> {
    let inv = einvoice::parse(&doc.bytes).map_err(xml_failure)?;
    let format = match inv.syntax {
        Syntax::UblInvoice | Syntax::UblCreditNote => SourceFormat::XrechnungUbl,
        Syntax::Cii | Syntax::Zugferd1 => SourceFormat::XrechnungCii,
    };
    let index = build_index(doc, &inv, format, 0, Vec::new());
    let artefacts = Artefacts { pdfa: None, words: None, attachments: xml_attachments(&inv), linked: Vec::new() };
    Ok((index, artefacts))
}

fn hybrid(doc: &Document, limits: &Limits, xml_name: String, xml: Vec<u8>, inv: EInvoice) -> Result<(DocumentIndex, Artefacts), Failure> {
    // The visible pages, from the text layer only, to compare with what the XML says.
    let mut pages: Vec<Page> = Vec::new();
    let outline = pages::pdf::produce_text_only(&doc.bytes, limits, &mut |c| {
        if let PageContent::Text(p) = c {
            pages.push(p);
        }
        true
    })
    .map_err(|e| Failure { kind: e.kind, message: e.message })?;
    let checks = visible_checks(&inv, &pages);
    let index = build_index(doc, &inv, SourceFormat::Zugferd, outline.pages, checks);
    let mut attachments = vec![(xml_name, xml)];
    attachments.extend(xml_attachments(&inv));
    let words = (!pages.is_empty()).then(|| serde_json::to_vec(&pages).expect("pages serialise"));
    Ok((index, Artefacts { pdfa: None, words, attachments, linked: Vec::new() }))
}

fn xml_attachments(inv: &EInvoice) -> Vec<(String, Vec<u8>)> {
    inv.attachments
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let content = a.content.clone().filter(|c| !c.is_empty())?;
            Some((a.filename.clone().unwrap_or_else(|| format!("attachment-{}.bin", i + 1)), content))
        })
        .collect()
}

fn build_index(doc: &Document, inv: &EInvoice, format: SourceFormat, pages: u32, extra_checks: Vec<Check>) -> DocumentIndex {
    let mut checks = inv.checks();
    checks.extend(extra_checks);
    let needs_review = checks.iter().any(|c| !c.passed);
    let language = None;
    DocumentIndex {
        source_format: Some(format),
        pages,
        language,
        doc_type: Some(DocTypeResult { label: inv.doc_type(), confidence: 1.0 }),
        fields: inv.fields(),
        line_items: inv.line_items(),
        vat_breakdown: inv.vat_breakdown(),
        checks,
        needs_review,
        einvoice: Some(inv.index_json()),
        models: Some(models()),
        ..DocumentIndex::processed(doc.sha256.clone(), doc.source.clone())
    }
}

/// Ways an amount may be printed: `1234.56`, `1.234,56`, `1234,56`, `1,234.56`.
fn printed_amounts(v: Decimal) -> Vec<String> {
    let plain = format!("{:.2}", v.abs());
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    vec![plain.clone(), format!("{int},{frac}"), format!("{grouped},{frac}"), format!("{},{frac}", grouped.replace('.', ",")).replacen(&format!(",{frac}"), &format!(".{frac}"), 1)]
}

/// Hybrid PDFs whose visible content disagrees with their XML exist in the wild: flag them.
fn visible_checks(inv: &EInvoice, pages: &[Page]) -> Vec<Check> {
    if pages.is_empty() {
        return Vec::new(); // image-only PDF: nothing to compare without OCR
    }
    let text: String = pages.iter().map(|p| p.text()).collect::<Vec<_>>().join("\n");
    let compact: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    if let Some(n) = &inv.number {
        let passed = compact.contains(n.trim());
        out.push(Check {
            name: CheckName::parse("hybrid_invoice_number_visible"),
            passed,
            message: if passed { "the XML's invoice number appears on the PDF".into() } else { format!("the XML says invoice number {n}, which does not appear on the PDF") },
        });
    }
    if let Some(g) = inv.totals.tax_inclusive {
        let passed = printed_amounts(g).iter().any(|p| compact.contains(p.as_str()));
        out.push(Check {
            name: CheckName::parse("hybrid_gross_total_visible"),
            passed,
            message: if passed { "the XML's gross total appears on the PDF".into() } else { format!("the XML says gross total {g:.2}, which does not appear on the PDF") },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_looked_for_in_every_notation() {
        let p = printed_amounts(Decimal::new(123456, 2));
        assert!(p.contains(&"1234.56".to_string()));
        assert!(p.contains(&"1.234,56".to_string()));
        assert!(p.contains(&"1,234.56".to_string()));
        assert!(p.contains(&"1234,56".to_string()));
    }
}
