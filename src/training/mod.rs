//! Training and evaluation: everything that measures or fits the models, and nothing the
//! run-time path needs. `mailroom train` reads a corpus (OCR cached in the [`cache`]), fits
//! the classifier, the first-page detector and the field extractor ([`train`]), measures them
//! with [`eval`] and writes the model card ([`card`]). Nothing outside `cli` imports this
//! module: the shipped weights reach the run-time code as files in `models/`.

pub mod cache;
pub mod card;
pub mod eval;
pub mod receipts;
pub mod train;
