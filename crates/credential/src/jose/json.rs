//! Strict JSON for JOSE objects: one object, no duplicate member names at any depth
//! (RFC 7515 §4 lets a parser either refuse duplicates or keep the last; refusing
//! removes any difference between our reading and another parser's), and errors that
//! give a position, never the offending value.

use core::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::JoseError;

const DUPLICATE: &str = "duplicate member ";

/// A `serde_json::Value` whose objects were checked for duplicate names.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let StrictValue(value) = map.next_value()?;
            if out.contains_key(&key) {
                let shown: String = key.chars().take(64).collect();
                return Err(de::Error::custom(format_args!("{DUPLICATE}{shown}")));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// Parses `bytes` as one JSON value, refusing duplicate member names.
pub(crate) fn parse_value(what: &'static str, bytes: &[u8]) -> Result<Value, JoseError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue::deserialize(&mut de).map_err(|e| error(what, &e))?;
    de.end().map_err(|e| error(what, &e))?;
    Ok(value.0)
}

/// Parses `bytes` as one JSON object, refusing duplicate member names.
pub(crate) fn parse_object(
    what: &'static str,
    bytes: &[u8],
) -> Result<Map<String, Value>, JoseError> {
    match parse_value(what, bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err(JoseError::Json {
            what,
            reason: "not a JSON object".into(),
        }),
    }
}

/// Turns a serde_json error into ours without its message, which may quote data.
fn error(what: &'static str, e: &serde_json::Error) -> JoseError {
    let message = e.to_string();
    if let Some(rest) = message.strip_prefix(DUPLICATE) {
        // Our own message: "duplicate member NAME at line L column C".
        let name = rest.rsplit_once(" at line ").map_or(rest, |(n, _)| n);
        return JoseError::DuplicateMember {
            what,
            name: name.to_owned(),
        };
    }
    let kind = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "unexpected end",
    };
    JoseError::Json {
        what,
        reason: format!("{kind} at line {} column {}", e.line(), e.column()),
    }
}

/// A required string member.
pub(crate) fn str_member<'a>(
    map: &'a Map<String, Value>,
    what: &'static str,
    member: &'static str,
) -> Result<&'a str, JoseError> {
    map.get(member)
        .and_then(Value::as_str)
        .ok_or(JoseError::Member { what, member })
}

/// An optional string member: absent is fine, present with another type is not.
pub(crate) fn opt_str_member<'a>(
    map: &'a Map<String, Value>,
    what: &'static str,
    member: &'static str,
) -> Result<Option<&'a str>, JoseError> {
    match map.get(member) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JoseError::Member { what, member }),
    }
}

/// An optional integer member (a JWT NumericDate): absent is fine, present with
/// another type (including a fraction) is not.
pub(crate) fn opt_int_member(
    map: &Map<String, Value>,
    what: &'static str,
    member: &'static str,
) -> Result<Option<i64>, JoseError> {
    match map.get(member) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or(JoseError::Member { what, member }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_duplicate_members_at_any_depth() {
        let top = parse_object("header", br#"{"alg":"ES256","alg":"none"}"#);
        assert_eq!(
            top,
            Err(JoseError::DuplicateMember {
                what: "header",
                name: "alg".into()
            })
        );
        let nested = parse_object("payload", br#"{"cnf":{"jwk":{"x":"a","x":"b"}}}"#);
        assert!(matches!(nested, Err(JoseError::DuplicateMember { name, .. }) if name == "x"));
        let in_array = parse_object("payload", br#"{"a":[{"k":1,"k":2}]}"#);
        assert!(matches!(in_array, Err(JoseError::DuplicateMember { .. })));
    }

    #[test]
    fn rejects_trailing_data_and_non_objects() {
        assert!(parse_object("x", br#"{"a":1} {"#).is_err());
        assert!(parse_object("x", b"[1,2]").is_err());
        assert!(parse_object("x", b"").is_err());
        assert!(parse_object("x", br#"{"a":1}"#).is_ok());
    }

    #[test]
    fn errors_do_not_quote_the_input() {
        let err = parse_object("payload", br#"{"given_name": "MARIANNE" "#).unwrap_err();
        assert!(!err.to_string().contains("MARIANNE"), "{err}");
    }

    #[test]
    fn numeric_dates_must_be_integers() {
        let map = parse_object("x", br#"{"exp":1.5,"iat":12,"nbf":"3"}"#).unwrap();
        assert!(opt_int_member(&map, "x", "exp").is_err());
        assert_eq!(opt_int_member(&map, "x", "iat"), Ok(Some(12)));
        assert!(opt_int_member(&map, "x", "nbf").is_err());
        assert_eq!(opt_int_member(&map, "x", "absent"), Ok(None));
    }
}
