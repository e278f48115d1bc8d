//! Intake: where documents come from. Each source turns what arrives into [`Document`]s
//! (original bytes + SHA-256) and is told when a document is durably stored, so that it
//! acknowledges (deletes, moves, acks) nothing before that.

pub mod files;

use crate::document::Document;

/// One received item: the document, or why it could not even be read.
pub enum Received {
    Document(Document),
    /// The source could not deliver the bytes (permission denied, vanished file): nothing to
    /// quarantine because there are no bytes; reported to the user instead.
    Unreadable { name: String, message: String },
}
