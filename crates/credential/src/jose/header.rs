//! JOSE protected headers: the checks every JOSE object shares, and the JWS header.

use serde_json::{Map, Value};

use super::{JoseError, JwsAlgorithm, json};

/// Largest decoded protected header accepted. Ours are under 200 bytes; a header
/// carrying a certificate chain would need more, and we accept none.
pub const MAX_HEADER_LEN: usize = 2048;

/// Parses a decoded protected header: bounded size, one JSON object without
/// duplicates, and no `crit` (we implement no extension, so any critical one must be
/// refused — RFC 7515 §4.1.11). Shared by JWS and a future JWE.
pub fn parse_protected(bytes: &[u8]) -> Result<Map<String, Value>, JoseError> {
    if bytes.len() > MAX_HEADER_LEN {
        return Err(JoseError::TooLarge {
            what: "protected header",
            len: bytes.len(),
            limit: MAX_HEADER_LEN,
        });
    }
    let map = json::parse_object("protected header", bytes)?;
    if map.contains_key("crit") {
        return Err(JoseError::CriticalHeader);
    }
    Ok(map)
}

/// The JWS header members alicem reads. Other registered or private members are
/// ignored, as RFC 7515 §4 requires for members that are not understood (`jku`, `x5u`
/// and the like are never fetched: keys come from configuration only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsHeader {
    pub alg: JwsAlgorithm,
    pub typ: Option<String>,
    pub kid: Option<String>,
    pub cty: Option<String>,
}

impl JwsHeader {
    pub fn new(alg: JwsAlgorithm) -> Self {
        Self {
            alg,
            typ: None,
            kid: None,
            cty: None,
        }
    }

    /// Parses and checks a decoded JWS protected header.
    pub fn parse(bytes: &[u8]) -> Result<Self, JoseError> {
        const WHAT: &str = "JWS header";
        let map = parse_protected(bytes)?;
        let alg = JwsAlgorithm::from_name(json::str_member(&map, WHAT, "alg")?)?;
        // RFC 7797 `b64` only has meaning when listed in `crit`, which we refuse; a
        // stray one would make us and a conforming parser disagree on the payload.
        if map.contains_key("b64") {
            return Err(JoseError::Malformed {
                what: WHAT,
                reason: "the b64 member is not supported",
            });
        }
        Ok(Self {
            alg,
            typ: json::opt_str_member(&map, WHAT, "typ")?.map(str::to_owned),
            kid: json::opt_str_member(&map, WHAT, "kid")?.map(str::to_owned),
            cty: json::opt_str_member(&map, WHAT, "cty")?.map(str::to_owned),
        })
    }

    /// The header as JSON text.
    pub fn to_json(&self) -> String {
        let mut map = Map::new();
        map.insert("alg".into(), self.alg.name().into());
        for (name, value) in [("typ", &self.typ), ("kid", &self.kid), ("cty", &self.cty)] {
            if let Some(v) = value {
                map.insert(name.into(), Value::String(v.clone()));
            }
        }
        Value::Object(map).to_string()
    }

    /// Checks `typ` against an expected media type, compared case-insensitively as
    /// RFC 7515 §4.1.9 says media types are.
    pub fn expect_typ(&self, expected: &'static str) -> Result<(), JoseError> {
        match &self.typ {
            Some(t) if t.eq_ignore_ascii_case(expected) => Ok(()),
            other => Err(JoseError::UnexpectedType {
                expected,
                found: other.as_ref().map(|t| t.chars().take(64).collect()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_crit_whatever_it_lists() {
        for header in [
            br#"{"alg":"ES256","crit":["exp"],"exp":1}"#.as_slice(),
            br#"{"alg":"ES256","crit":[]}"#,
            br#"{"alg":"ES256","crit":"b64","b64":false}"#,
        ] {
            assert_eq!(JwsHeader::parse(header), Err(JoseError::CriticalHeader));
        }
    }

    #[test]
    fn rejects_none_missing_alg_and_wrong_member_types() {
        assert_eq!(
            JwsHeader::parse(br#"{"alg":"none"}"#),
            Err(JoseError::AlgNone)
        );
        assert!(JwsHeader::parse(br#"{"typ":"JWT"}"#).is_err());
        assert!(JwsHeader::parse(br#"{"alg":["ES256"]}"#).is_err());
        assert!(JwsHeader::parse(br#"{"alg":"ES256","kid":7}"#).is_err());
        assert!(JwsHeader::parse(br#"{"alg":"ES256","b64":true}"#).is_err());
    }

    #[test]
    fn rejects_oversized_headers() {
        let big = format!(r#"{{"alg":"ES256","x":"{}"}}"#, "a".repeat(MAX_HEADER_LEN));
        assert!(matches!(
            JwsHeader::parse(big.as_bytes()),
            Err(JoseError::TooLarge { .. })
        ));
    }

    #[test]
    fn ignores_unknown_members_and_round_trips() {
        let h =
            JwsHeader::parse(br#"{"alg":"ES256","typ":"kb+jwt","x5u":"https://evil"}"#).unwrap();
        assert_eq!(h.alg, JwsAlgorithm::Es256);
        assert!(h.expect_typ("KB+JWT").is_ok());
        assert!(h.expect_typ("dc+sd-jwt").is_err());
        assert_eq!(JwsHeader::parse(h.to_json().as_bytes()).unwrap(), h);
    }
}
