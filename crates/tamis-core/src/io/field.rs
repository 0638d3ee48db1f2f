//! Pulling one string field out of a JSON line without building the whole value. The visitor walks the
//! object, descends only into the keys on the path and skips (but still validates) everything else, so a
//! malformed line is always reported.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::chat::{ChatScope, Message, scoped_text};

use crate::error::{Error, Location, Result};

/// A dotted path to a field: `text`, `meta.body`. Keys themselves cannot contain dots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    keys: Vec<String>,
    dotted: String,
}

impl FieldPath {
    pub fn parse(dotted: &str) -> Result<FieldPath> {
        let keys: Vec<String> = dotted.split('.').map(str::to_owned).collect();
        if keys.iter().any(String::is_empty) {
            return Err(Error::InvalidArgument(format!(
                "invalid field path '{dotted}': expected names separated by single dots, like 'text' or 'meta.body'"
            )));
        }
        Ok(FieldPath {
            keys,
            dotted: dotted.to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.dotted
    }

    /// Returns the string at this path in the JSON object on `line`.
    pub fn extract<'a>(&self, line: &'a [u8]) -> Result<Cow<'a, str>, RecordError> {
        self.extract_with(line, None)
    }

    /// Like [`FieldPath::extract`]; with `chat`, the field is a list of chat messages and the text is the
    /// messages in that scope.
    pub fn extract_with<'a>(
        &self,
        line: &'a [u8],
        chat: Option<ChatScope>,
    ) -> Result<Cow<'a, str>, RecordError> {
        match self.find(line, chat)? {
            Found::String(text) => Ok(text),
            Found::Number(_) => Err(RecordError::WrongType("a number")),
            Found::Missing => Err(RecordError::Missing),
            Found::Other(kind) => Err(RecordError::WrongType(kind)),
        }
    }

    /// The JSON text of the value at this path (any type), for passing it on unchanged; `None` when the line
    /// is not a JSON object or has no such field.
    pub fn raw_value(&self, line: &[u8]) -> Option<Box<serde_json::value::RawValue>> {
        let value = sonic_rs::get_from_slice(line, self.as_str().split('.')).ok()?;
        serde_json::value::RawValue::from_string(value.as_raw_str().to_owned()).ok()
    }

    /// The number at this path (a quality score, say); `None` when the field is missing or null.
    pub fn extract_number(&self, line: &[u8]) -> Result<Option<f64>, RecordError> {
        match self.find(line, None)? {
            Found::Number(value) => Ok(Some(value)),
            Found::Missing | Found::Other("null") => Ok(None),
            Found::String(_) => Err(RecordError::WrongNumberType("a string")),
            Found::Other(kind) => Err(RecordError::WrongNumberType(kind)),
        }
    }

    fn find<'a>(&self, line: &'a [u8], chat: Option<ChatScope>) -> Result<Found<'a>, RecordError> {
        match line.iter().find(|byte| !byte.is_ascii_whitespace()) {
            Some(b'{') => {}
            Some(_) => {
                return Err(RecordError::Malformed(
                    "expected a JSON object at column 1".into(),
                ));
            }
            None => {
                return Err(RecordError::Malformed(
                    "blank line, expected a JSON object".into(),
                ));
            }
        }
        // Checking the whole line up front gives a precise message and lets the parser skip its own checks.
        let line = std::str::from_utf8(line).map_err(|error| {
            RecordError::InvalidUtf8(format!(
                "invalid byte at column {}",
                error.valid_up_to() + 1
            ))
        })?;
        // sonic-rs skips the fields we do not want with SIMD; it measured a little faster than serde_json
        // (examples/json_field_speed.rs, docs/benchmarks.md).
        let mut deserializer = sonic_rs::Deserializer::from_str(line);
        let found = Lookup {
            keys: &self.keys,
            chat,
        }
        .deserialize(&mut deserializer)
        .map_err(|error| RecordError::Malformed(describe_json_error(&error)))?;
        deserializer
            .end()
            .map_err(|error| RecordError::Malformed(describe_json_error(&error)))?;
        Ok(found)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dotted)
    }
}

/// What is wrong with one record, before we know where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    Malformed(String),
    InvalidUtf8(String),
    Missing,
    WrongType(&'static str),
    /// A score field that holds something other than a number.
    WrongNumberType(&'static str),
}

impl RecordError {
    pub fn at(self, location: Location, field: &str) -> Error {
        match self {
            RecordError::Malformed(message) => Error::InvalidRecord {
                location,
                message: format!("malformed JSON: {message}"),
            },
            RecordError::InvalidUtf8(message) => Error::InvalidRecord {
                location,
                message: format!("invalid UTF-8: {message}"),
            },
            RecordError::Missing => Error::MissingField {
                location,
                field: field.to_owned(),
            },
            RecordError::WrongType(found) => Error::FieldType {
                location,
                field: field.to_owned(),
                found,
                expected: "a string",
            },
            RecordError::WrongNumberType(found) => Error::FieldType {
                location,
                field: field.to_owned(),
                found,
                expected: "a number",
            },
        }
    }
}

fn describe_json_error(error: &sonic_rs::Error) -> String {
    // The parser counts columns within the line it was given; the line number is ours to add.
    let message = error.to_string();
    match message.rsplit_once(" at line ") {
        Some((what, _)) => format!("{what} at column {}", error.column()),
        None => message,
    }
}

enum Found<'de> {
    String(Cow<'de, str>),
    Number(f64),
    Missing,
    Other(&'static str),
}

struct Lookup<'p> {
    keys: &'p [String],
    chat: Option<ChatScope>,
}

/// A chat field's value: a list of messages, or anything else (reported as the wrong type).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum ChatValue<'a> {
    Messages(#[serde(borrow)] Vec<Message<'a>>),
    Other(IgnoredAny),
}

impl<'de> DeserializeSeed<'de> for Lookup<'_> {
    type Value = Found<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        match self.chat {
            Some(scope) if self.keys.is_empty() => {
                Ok(match ChatValue::deserialize(deserializer)? {
                    ChatValue::Messages(messages) => {
                        Found::String(Cow::Owned(scoped_text(&messages, scope)))
                    }
                    ChatValue::Other(_) => Found::Other("not a list of {role, content} messages"),
                })
            }
            _ => deserializer.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Lookup<'_> {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some((wanted, rest)) = self.keys.split_first() else {
            // The path ends at an object: consume it and report its kind.
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Found::Other("an object"));
        };
        let mut found = Found::Missing;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            // A repeated key: the last one wins, as in Python's json, orjson and JavaScript.
            if key == wanted.as_str() {
                found = map.next_value_seed(Lookup {
                    keys: rest,
                    chat: self.chat,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(self.leaf(|| Cow::Borrowed(text), "a string"))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(self.leaf(|| Cow::Owned(text.to_owned()), "a string"))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(self.leaf(|| Cow::Owned(text), "a string"))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.other("an array"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(self.other("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(self.number(value as f64))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(self.number(value as f64))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(self.number(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.other("null"))
    }
}

impl<'de> Lookup<'_> {
    /// A string at the end of the path is the answer; a string half-way down the path means the path does
    /// not exist in this record.
    fn leaf(&self, text: impl FnOnce() -> Cow<'de, str>, kind: &'static str) -> Found<'de> {
        if self.keys.is_empty() {
            Found::String(text())
        } else {
            self.other(kind)
        }
    }

    fn number(&self, value: f64) -> Found<'de> {
        if self.keys.is_empty() {
            Found::Number(value)
        } else {
            Found::Missing
        }
    }

    fn other(&self, kind: &'static str) -> Found<'de> {
        if self.keys.is_empty() {
            Found::Other(kind)
        } else {
            Found::Missing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(path: &str, line: &str) -> Result<String, RecordError> {
        FieldPath::parse(path)
            .unwrap()
            .extract(line.as_bytes())
            .map(Cow::into_owned)
    }

    #[test]
    fn top_level_and_nested_fields() {
        assert_eq!(
            extract("text", r#"{"id": 1, "text": "hi"}"#),
            Ok("hi".into())
        );
        let nested = r#"{"meta": {"lang": "en", "body": "deep"}, "text": "top"}"#;
        assert_eq!(extract("meta.body", nested), Ok("deep".into()));
    }

    #[test]
    fn chat_scopes() {
        let line = r#"{"messages": [{"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi there"}, {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]},
            {"role": "user", "content": "Bye"}]}"#
            .replace('\n', " ");
        let path = FieldPath::parse("messages").unwrap();
        let scoped = |scope| {
            path.extract_with(line.as_bytes(), Some(scope))
                .map(Cow::into_owned)
        };
        assert_eq!(scoped(ChatScope::FirstUser), Ok("Hi there".into()));
        assert_eq!(scoped(ChatScope::User), Ok("Hi there\n\nBye".into()));
        assert_eq!(scoped(ChatScope::System), Ok("Be brief.".into()));
        assert_eq!(
            scoped(ChatScope::All),
            Ok("system: Be brief.\n\nuser: Hi there\n\nassistant: Hello\n\nuser: Bye".into())
        );
        let not_chat = path.extract_with(br#"{"messages": "plain"}"#, Some(ChatScope::All));
        assert_eq!(
            not_chat,
            Err(RecordError::WrongType(
                "not a list of {role, content} messages"
            ))
        );
    }

    #[test]
    fn raw_values_pass_through() {
        let path = FieldPath::parse("meta.id").unwrap();
        let raw = |line: &str| {
            path.raw_value(line.as_bytes())
                .map(|value| value.get().to_owned())
        };
        assert_eq!(
            raw(r#"{"meta": {"id": "a-1"}}"#).as_deref(),
            Some(r#""a-1""#)
        );
        assert_eq!(raw(r#"{"meta": {"id": 7}}"#).as_deref(), Some("7"));
        assert_eq!(raw(r#"{"meta": {}}"#), None);
        assert_eq!(raw("not json"), None);
    }

    #[test]
    fn numbers_for_scores() {
        let path = FieldPath::parse("meta.quality").unwrap();
        assert_eq!(
            path.extract_number(br#"{"meta": {"quality": 0.5}}"#),
            Ok(Some(0.5))
        );
        assert_eq!(
            path.extract_number(br#"{"meta": {"quality": 7}}"#),
            Ok(Some(7.0))
        );
        assert_eq!(
            path.extract_number(br#"{"meta": {"quality": null}}"#),
            Ok(None)
        );
        assert_eq!(path.extract_number(br#"{"meta": {}}"#), Ok(None));
        assert_eq!(
            path.extract_number(br#"{"meta": {"quality": "high"}}"#),
            Err(RecordError::WrongNumberType("a string"))
        );
    }

    #[test]
    fn repeated_key_last_wins() {
        assert_eq!(
            extract("text", r#"{"text": "first", "text": "second"}"#),
            Ok("second".into())
        );
    }

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(
            extract("text", r#"{"text": "a\nb \u00e9 \ud83d\ude00"}"#),
            Ok("a\nb é 😀".into())
        );
    }

    #[test]
    fn missing_field_and_missing_parent() {
        assert_eq!(
            extract("text", r#"{"body": "x"}"#),
            Err(RecordError::Missing)
        );
        assert_eq!(
            extract("meta.body", r#"{"meta": "flat"}"#),
            Err(RecordError::Missing)
        );
        assert_eq!(
            extract("meta.body", r#"{"meta": {}}"#),
            Err(RecordError::Missing)
        );
    }

    #[test]
    fn wrong_types_are_named() {
        assert_eq!(
            extract("text", r#"{"text": 3}"#),
            Err(RecordError::WrongType("a number"))
        );
        assert_eq!(
            extract("text", r#"{"text": null}"#),
            Err(RecordError::WrongType("null"))
        );
        assert_eq!(
            extract("text", r#"{"text": ["a"]}"#),
            Err(RecordError::WrongType("an array"))
        );
        assert_eq!(
            extract("text", r#"{"text": {"a": 1}}"#),
            Err(RecordError::WrongType("an object"))
        );
    }

    #[test]
    fn malformed_json_anywhere_in_the_line_is_reported() {
        let lines = [
            r#"{"text": "ok", "x": [1,}"#,
            r#"{"text": "ok"} trailing"#,
            r#"{"text": "unterminated"#,
            "[1, 2]",
            "",
            "  ",
        ];
        for line in lines {
            let result = extract("text", line);
            assert!(
                matches!(result, Err(RecordError::Malformed(_))),
                "{line}: {result:?}"
            );
        }
    }

    #[test]
    fn invalid_utf8_anywhere_is_reported_with_its_column() {
        let line = b"{\"text\": \"caf\xe9\"}";
        let result = FieldPath::parse("text").unwrap().extract(line);
        assert_eq!(
            result,
            Err(RecordError::InvalidUtf8("invalid byte at column 14".into()))
        );
    }

    #[test]
    fn bad_paths_are_rejected() {
        for path in ["", ".", "a..b", "a."] {
            assert!(FieldPath::parse(path).is_err(), "{path}");
        }
    }
}
