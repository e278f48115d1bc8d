//! Limits on what one document may cost to read: file size, pages, pixels, e-mail nesting.
//! Shared by every stage that opens untrusted bytes (the e-mail reader, the pages), so that
//! a hostile file is refused with the same figures wherever it is opened.

/// Bounds that keep a hostile or absurd file from exhausting the machine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_file_bytes: u64,
    /// Most pages per document.
    pub max_pages: u32,
    /// Most pixels of one decoded page image.
    pub max_pixels: u64,
    /// Most levels of e-mails forwarded inside an e-mail.
    pub email_max_depth: u32,
    /// Most MIME parts in one e-mail, nested ones included.
    pub email_max_parts: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_bytes: 256 * 1024 * 1024, max_pages: 2000, max_pixels: 120_000_000, email_max_depth: 5, email_max_parts: 500 }
    }
}
