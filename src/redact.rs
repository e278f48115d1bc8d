//! Secrets never reach a message or a log: connection URLs are shown with their password
//! replaced. Used wherever a broker or database URL is named (errors, `mailroom check`, logs).

/// `amqp://user:secret@host/` → `amqp://user:***@host/`, for messages and logs.
#[allow(clippy::string_slice)] // offsets of ASCII delimiters found in the same URL
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s && url[s + 3..at].contains(':') => {
            let user = url[s + 3..at].split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("amqp://guest:secret@10.0.0.1:5672/%2f"), "amqp://guest:***@10.0.0.1:5672/%2f");
        assert_eq!(redact_url("amqp://host/"), "amqp://host/");
        assert_eq!(redact_url("postgresql://postgres@db/x"), "postgresql://postgres@db/x");
    }
}
