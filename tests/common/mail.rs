//! E-mails made in the tests: headers, a text body, attachments (base64, as mail clients send
//! them) and forwarded e-mails (message/rfc822), with CRLF line endings as on the wire.

use base64::Engine;

pub struct Mail {
    headers: Vec<(String, String)>,
    text: String,
    parts: Vec<Part>,
}

enum Part {
    File {
        name: String,
        content_type: String,
        bytes: Vec<u8>,
    },
    Message(Vec<u8>),
    /// Headers and body exactly as given (for broken parts).
    Raw(String),
}

fn wrap76(data: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n")
}

impl Mail {
    pub fn new(from: &str, subject: &str) -> Mail {
        let headers = vec![
            ("From".into(), from.into()),
            ("To".into(), "Buchhaltung <buchhaltung@kunde.example>".into()),
            ("Subject".into(), subject.into()),
            ("Date".into(), "Mon, 3 Nov 2025 09:15:00 +0100".into()),
            ("Message-ID".into(), format!("<{}@mailroom.test>", subject.len())),
            ("MIME-Version".into(), "1.0".into()),
        ];
        Mail { headers, text: String::new(), parts: Vec::new() }
    }

    pub fn text(mut self, text: &str) -> Mail {
        self.text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        self
    }

    pub fn attach(mut self, name: &str, content_type: &str, bytes: &[u8]) -> Mail {
        self.parts.push(Part::File { name: name.into(), content_type: content_type.into(), bytes: bytes.to_vec() });
        self
    }

    pub fn forward(mut self, message: &[u8]) -> Mail {
        self.parts.push(Part::Message(message.to_vec()));
        self
    }

    /// A part written out as given: `headers` (CRLF-separated) and `body`.
    pub fn raw_part(mut self, headers: &str, body: &str) -> Mail {
        self.parts.push(Part::Raw(format!("{headers}\r\n\r\n{body}")));
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        let text_headers = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit";
        if self.parts.is_empty() {
            out.push_str(&format!("{text_headers}\r\n\r\n{}\r\n", self.text));
            return out.into_bytes();
        }
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let boundary = format!("=_mailroom_{}_{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        out.push_str(&format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n"));
        out.push_str(&format!("--{boundary}\r\n{text_headers}\r\n\r\n{}\r\n", self.text));
        let mut bytes = out.into_bytes();
        for part in &self.parts {
            bytes.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match part {
                Part::File { name, content_type, bytes: data } => {
                    bytes.extend_from_slice(
                        format!(
                            "Content-Type: {content_type}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                            wrap76(data)
                        )
                        .as_bytes(),
                    );
                }
                Part::Message(m) => {
                    bytes.extend_from_slice(b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n");
                    bytes.extend_from_slice(m);
                    bytes.extend_from_slice(b"\r\n");
                }
                Part::Raw(r) => {
                    bytes.extend_from_slice(r.as_bytes());
                    bytes.extend_from_slice(b"\r\n");
                }
            }
        }
        bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        bytes
    }
}

/// A German payment reminder, sent as plain e-mail text.
pub fn reminder() -> Vec<u8> {
    Mail::new("Müller Bürobedarf GmbH <buchhaltung@mueller-buero.example>", "Zahlungserinnerung zu Rechnung RE-2025-0815")
        .text(
            "Sehr geehrte Damen und Herren,\n\n\
             bei der Durchsicht unserer Konten haben wir festgestellt, dass unsere Rechnung\n\
             RE-2025-0815 vom 02.10.2025 über 1.190,00 EUR noch nicht beglichen ist. Der Betrag\n\
             ist seit dem 16.10.2025 überfällig.\n\n\
             Bitte überweisen Sie den offenen Betrag bis zum 14.11.2025 auf unser Konto\n\
             IBAN DE89 3704 0044 0532 0130 00. Sollten Sie die Zahlung bereits veranlasst haben,\n\
             betrachten Sie diese Zahlungserinnerung bitte als gegenstandslos.\n\n\
             Mit freundlichen Grüßen\n\
             Müller Bürobedarf GmbH\n",
        )
        .bytes()
}

/// An e-mail like a supplier's: a short cover text with the invoice as a PDF and a scan as a PNG.
pub fn with_pdf_and_png(pdf: &[u8], png: &[u8]) -> Vec<u8> {
    Mail::new("Schmidt Elektrotechnik <rechnung@schmidt-elektro.example>", "Rechnung 2025-114 mit Beleg")
        .text("Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie unsere Rechnung als PDF und den unterschriebenen Beleg als Scan.\n\nMit freundlichen Grüßen\nSchmidt Elektrotechnik\n")
        .attach("Rechnung-2025-114.pdf", "application/pdf", pdf)
        .attach("scan-beleg.png", "image/png", png)
        .bytes()
}

/// A forwarded e-mail (message/rfc822) that carries an XRechnung XML.
pub fn forwarded_xrechnung(xml: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let inner = Mail::new("Lieferant AG <einvoice@lieferant.example>", "XRechnung 123456XX")
        .text("Sehr geehrte Damen und Herren,\n\nanbei die elektronische Rechnung im Format XRechnung.\n")
        .attach("xrechnung-123456XX.xml", "text/xml; charset=utf-8", xml)
        .bytes();
    let outer = Mail::new("Anna Becker <a.becker@kunde.example>", "WG: XRechnung 123456XX")
        .text("Hallo Buchhaltung,\n\nbitte die weitergeleitete Nachricht bearbeiten.\n\nGruß\nAnna\n")
        .forward(&inner)
        .bytes();
    (outer, inner)
}
