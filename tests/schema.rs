//! The published JSON Schema must list exactly the values the code can write, and real
//! indexes must use only what it allows.

mod common;
use common::*;
use mailroom::document::MediaType;
use mailroom::index::{Channel, DocType, ErrorKind, Origin, ReviewState, SourceFormat};
use mailroom::vocab::Field;
use serde_json::Value;

fn schema() -> Value {
    serde_json::from_slice(&std::fs::read(root().join("schema/mailroom.document-1.schema.json")).unwrap()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().filter_map(|x| x.as_str().map(str::to_string)).collect()
}

#[test]
fn schema_enumerates_every_value_the_code_knows() {
    let s = schema();
    let p = &s["properties"];
    let kinds = strings(&p["error"]["oneOf"][1]["properties"]["kind"]["enum"]);
    assert_eq!(kinds, ErrorKind::ALL.iter().map(|k| k.as_str().to_string()).collect::<Vec<_>>());
    let labels = strings(&p["doc_type"]["oneOf"][1]["properties"]["label"]["enum"]);
    assert_eq!(labels, DocType::ALL.iter().map(|d| d.as_str().to_string()).collect::<Vec<_>>());
    let source = &p["source"]["properties"];
    assert_eq!(strings(&source["channel"]["enum"]), Channel::ALL.iter().map(|c| c.as_str().to_string()).collect::<Vec<_>>());
    assert_eq!(strings(&source["media_type"]["enum"]), MediaType::ALL.iter().map(|m| m.mime().to_string()).collect::<Vec<_>>());
    assert_eq!(strings(&p["source_format"]["enum"]), SourceFormat::ALL.iter().map(|f| f.as_str().to_string()).collect::<Vec<_>>());
    // An attachment names its e-mail; documents that came on their own have no parent.
    assert_eq!(source["parent"]["pattern"], "^[0-9a-f]{64}$");
    assert!(!strings(&p["source"]["required"]).contains(&"parent".to_string()), "parent is optional");
    assert_eq!(strings(&p["review"]["properties"]["state"]["enum"]), ReviewState::ALL.iter().map(|r| r.as_str().to_string()).collect::<Vec<_>>());
    assert!(!strings(&s["required"]).contains(&"review".to_string()), "review is optional");
    let fields: Vec<String> = p["fields"]["properties"].as_object().unwrap().keys().cloned().collect();
    let mut expected: Vec<String> = Field::ALL.iter().map(|f| f.to_string()).collect();
    let mut got = fields.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
}

/// The schema's `fields` block as the vocabulary ([`Field`]) writes it: every field, in
/// vocabulary order, its value's pattern from [`Field::value_pattern`].
fn fields_block() -> String {
    const REST: &str = r#"            "confidence": {
              "type": "number",
              "minimum": 0,
              "maximum": 1
            },
            "page": {
              "type": [
                "integer",
                "null"
              ],
              "minimum": 1,
              "description": "1-based page; null for values read from XML."
            },
            "bbox": {
              "type": [
                "array",
                "null"
              ],
              "items": {
                "type": "number"
              },
              "minItems": 4,
              "maxItems": 4,
              "description": "[x0, y0, x1, y1] in PDF points, origin top-left of the upright page; null for values read from XML, set by a person, or read from an e-mail's text."
            },
"#;
    let origins: Vec<String> = Origin::ALL.iter().map(|o| format!("                    \"{}\"", o.as_str())).collect();
    let source = format!(
        "            \"source\": {{\n              \"type\": \"object\",\n              \"additionalProperties\": false,\n              \"required\": [\n                \"from\"\n              ],\n              \"description\": \"Where the value came from: the e-invoice's XML, the rules, the trained model, computed from other values, or a person (by: who). Absent on indexes written before it was recorded.\",\n              \"properties\": {{\n                \"from\": {{\n                  \"enum\": [\n{}\n                  ]\n                }},\n                \"by\": {{\n                  \"type\": \"string\"\n                }},\n                \"confirmed_by\": {{\n                  \"type\": \"string\",\n                  \"description\": \"The person who confirmed a read value by approving the document.\"\n                }}\n              }}\n            }}\n",
        origins.join(",\n")
    );
    let entries: Vec<String> = Field::ALL
        .iter()
        .map(|f| {
            let value = match f.value_pattern() {
                Some(p) => format!("\"pattern\": {}", serde_json::to_string(p).unwrap()),
                None => "\"description\": \"Normalised: dates YYYY-MM-DD, amounts with a dot and two decimals, currency ISO 4217, IBAN and VAT ID upper case without spaces.\"".to_string(),
            };
            format!(
                "        \"{f}\": {{\n          \"type\": \"object\",\n          \"additionalProperties\": false,\n          \"required\": [\n            \"value\",\n            \"confidence\",\n            \"page\",\n            \"bbox\"\n          ],\n          \"properties\": {{\n            \"value\": {{\n              \"type\": \"string\",\n              {value}\n            }},\n{REST}{source}          }}\n        }}"
            )
        })
        .collect();
    format!("      \"properties\": {{\n{}\n      }}", entries.join(",\n"))
}

/// A field added to the vocabulary reaches the published schema: the file's `fields` block
/// is exactly what the vocabulary writes. `MAILROOM_BLESS=1` rewrites the block in the file
/// (then review the diff), so the vocabulary stays the one place to edit.
#[test]
fn the_schema_fields_are_the_vocabulary() {
    let path = root().join("schema/mailroom.document-1.schema.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("\n    \"fields\": {").expect("a fields property");
    let props = start + text[start..].find("\n      \"properties\": {").expect("fields.properties") + 1;
    let end = props + text[props..].find("\n      }").expect("the end of fields.properties") + "\n      }".len();
    let want = fields_block();
    if text[props..end] != want && std::env::var_os("MAILROOM_BLESS").is_some() {
        std::fs::write(&path, format!("{}{want}{}", &text[..props], &text[end..])).unwrap();
        return;
    }
    assert!(
        text[props..end] == want,
        "schema/mailroom.document-1.schema.json's fields differ from the vocabulary (src/vocab.rs); run the test with MAILROOM_BLESS=1 to rewrite them, then review the diff"
    );
    let parsed: Value = serde_json::from_str(&text).expect("the schema is JSON");
    assert_eq!(parsed["properties"]["fields"]["properties"].as_object().unwrap().len(), Field::ALL.len());
}

#[test]
fn real_indexes_use_only_allowed_keys_and_values() {
    let s = schema();
    let p = &s["properties"];
    let archive = tempfile::tempdir().unwrap();
    // An e-mail with an attachment, so that `parent` and the e-mail's values are checked too.
    let inbox = tempfile::tempdir().unwrap();
    let xml = std::fs::read_to_string(fixture("documents/xrechnung-cii.xml")).unwrap().replacen("<ram:ID>123456XX</ram:ID>", "<ram:ID>RE-MAIL-1</ram:ID>", 1).into_bytes();
    let eml = inbox.path().join("fwd.eml");
    std::fs::write(&eml, common::mail::forwarded_xrechnung(&xml).0).unwrap();
    let run = process(archive.path(), &[fixture("documents/born-digital-invoice.pdf"), fixture("documents/invoice-page.png"), fixture("documents/xrechnung-cii.xml"), fixture("bad/empty.pdf"), eml]);
    assert_eq!(run.indexes.len(), 7, "{}", run.stderr());
    assert_eq!(run.indexes.iter().filter(|i| i["source"].get("parent").is_some()).count(), 2, "the forwarded e-mail and its XML");
    let source_keys: Vec<String> = p["source"]["properties"].as_object().unwrap().keys().cloned().collect();
    let id_pattern = regex::Regex::new("^[0-9a-f]{64}$").unwrap();
    let (amount, date) = (regex::Regex::new(r"^-?\d+\.\d{2}$").unwrap(), regex::Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap());
    let top: Vec<String> = p.as_object().unwrap().keys().cloned().collect();
    for idx in &run.indexes {
        for k in idx["source"].as_object().unwrap().keys() {
            assert!(source_keys.contains(k), "source key {k} is not in the schema");
        }
        if let Some(parent) = idx["source"].get("parent") {
            assert!(id_pattern.is_match(parent.as_str().unwrap()), "{parent}");
        }
        for k in idx.as_object().unwrap().keys() {
            assert!(top.contains(k), "index key {k} is not in the schema");
        }
        for k in strings(&s["required"]) {
            assert!(idx.get(&k).is_some(), "required key {k} missing");
        }
        assert!(strings(&p["status"]["enum"]).contains(&idx["status"].as_str().unwrap().to_string()));
        assert!(strings(&p["source"]["properties"]["channel"]["enum"]).contains(&idx["source"]["channel"].as_str().unwrap().to_string()));
        assert!(strings(&p["source"]["properties"]["media_type"]["enum"]).contains(&idx["source"]["media_type"].as_str().unwrap().to_string()));
        if let Some(f) = idx["source_format"].as_str() {
            assert!(strings(&p["source_format"]["enum"]).contains(&f.to_string()));
        }
        for (name, f) in idx["fields"].as_object().unwrap() {
            assert!(name.parse::<Field>().is_ok(), "unknown field {name}");
            let v = f["value"].as_str().unwrap();
            if name.ends_with("_total") || name == "amount_due" {
                assert!(amount.is_match(v), "{name}={v}");
            }
            if name.ends_with("_date") {
                assert!(date.is_match(v), "{name}={v}");
            }
            // Where the value came from: the e-invoice's own XML, else what read the page.
            let from = f["source"]["from"].as_str().unwrap_or_else(|| panic!("{name} has no source: {f}"));
            assert!(Origin::ALL.iter().any(|o| o.as_str() == from), "{name}: {from}");
            if idx["source_format"] == "xrechnung_cii" {
                assert_eq!(from, "xml", "{name}");
            }
        }
        if let Some(r) = idx.get("review") {
            assert!(ReviewState::ALL.iter().any(|s| s.as_str() == r["state"].as_str().unwrap()), "{r}");
        }
    }
}
