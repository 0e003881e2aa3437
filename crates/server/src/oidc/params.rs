//! Request parameters of the form-encoded endpoints: every parameter at most once
//! (RFC 6749 §3.1, §3.2), empty values treated as absent, unknown ones ignored.

use std::collections::HashMap;

use super::error::OAuthError;

/// Largest number of parameters accepted in one request.
const MAX_PARAMS: usize = 64;

/// Decoded parameters, each name once.
#[derive(Debug, Clone, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// From decoded pairs (query string or form body). Refuses duplicates.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, OAuthError> {
        if pairs.len() > MAX_PARAMS {
            return Err(OAuthError::invalid_request("too many parameters"));
        }
        let mut map = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
            if value.is_empty() {
                continue;
            }
            if map.contains_key(&name) {
                let shown: String = name.chars().take(40).collect();
                return Err(OAuthError::invalid_request(format!(
                    "parameter {shown} given more than once"
                )));
            }
            map.insert(name, value);
        }
        Ok(Self(map))
    }

    /// From an `application/x-www-form-urlencoded` body or query string.
    pub fn parse(encoded: &[u8]) -> Result<Self, OAuthError> {
        Self::from_pairs(
            url::form_urlencoded::parse(encoded)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn require(&self, name: &'static str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn refuses_repeated_parameters_and_drops_empty_ones() {
        assert!(Params::parse(b"a=1&a=2").is_err());
        let p = Params::parse(b"a=1&b=&c=%20x").unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert_eq!(p.get("c"), Some(" x"));
        assert!(p.require("b").is_err());
    }
}
