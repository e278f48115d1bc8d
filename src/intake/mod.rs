//! Intake: where documents come from. Each channel turns what arrives into [`Document`]s
//! (original bytes + SHA-256) and acknowledges (deletes, moves, acks, answers) nothing before
//! the document is durably stored — processed or quarantined, or in production stored and
//! queued ([`sink`]).
//!
//! | channel | module |
//! |---|---|
//! | files and folders on the command line | [`files`] |
//! | e-mail (`.eml`): the message and its attachments | [`email`] |
//! | scanner hot folder (`mailroom watch`) | [`folder`] |
//! | HTTP upload (`mailroom serve`) | [`http`] |
//! | IMAP mailboxes (`mailroom fetch-mail`) | [`imap`] |

pub mod files;
pub mod folder;
pub mod http;
pub mod imap;
pub mod sink;

use crate::document::Document;

/// One received item: the document, or why it could not even be read.
pub enum Received {
    Document(Document),
    /// The source could not deliver the bytes (permission denied, vanished file): nothing to
    /// quarantine because there are no bytes; reported to the user instead.
    Unreadable {
        name: String,
        message: String,
    },
}
