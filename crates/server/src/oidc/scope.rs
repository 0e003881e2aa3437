//! FranceConnect scopes: each scope is one claim, except `openid` (no claim but
//! `sub`) and the aliases `profile`, `birth` and `identite_pivot`.

use std::collections::BTreeSet;

/// Claims a scope grants, `None` for an unknown scope.
pub fn claims_of(scope: &str) -> Option<&'static [&'static str]> {
    Some(match scope {
        "openid" => &[],
        "given_name" => &["given_name"],
        "family_name" => &["family_name"],
        "birthdate" => &["birthdate"],
        "gender" => &["gender"],
        "birthplace" => &["birthplace"],
        "birthcountry" => &["birthcountry"],
        "email" => &["email"],
        "preferred_username" => &["preferred_username"],
        "profile" => &[
            "family_name",
            "given_name",
            "preferred_username",
            "birthdate",
            "gender",
        ],
        "birth" => &["birthplace", "birthcountry"],
        "identite_pivot" => &[
            "given_name",
            "family_name",
            "birthdate",
            "gender",
            "birthplace",
            "birthcountry",
        ],
        _ => return None,
    })
}

/// Every scope the provider knows (for discovery).
pub const SUPPORTED: [&str; 12] = [
    "openid",
    "given_name",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
    "preferred_username",
    "profile",
    "birth",
    "identite_pivot",
];

/// Every claim the provider may release (for discovery).
pub const CLAIMS_SUPPORTED: [&str; 15] = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "given_name",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
];

/// Why a scope parameter was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("the openid scope is required")]
    NoOpenid,
    #[error("unknown scope {0:?}")]
    Unknown(String),
    #[error("scope {0:?} is not registered for this client")]
    NotRegistered(String),
}

/// A validated scope request: the scopes and the claims they grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedScopes {
    pub scopes: Vec<String>,
    pub claims: BTreeSet<&'static str>,
}

/// Parses a space-separated scope list against the client's registered scopes.
pub fn grant(requested: &str, registered: &BTreeSet<String>) -> Result<GrantedScopes, ScopeError> {
    let mut scopes: Vec<String> = Vec::new();
    let mut claims = BTreeSet::new();
    for scope in requested.split(' ').filter(|s| !s.is_empty()) {
        let shown = || scope.chars().take(40).collect::<String>();
        let granted = claims_of(scope).ok_or_else(|| ScopeError::Unknown(shown()))?;
        if scope != "openid" && !registered.contains(scope) {
            return Err(ScopeError::NotRegistered(shown()));
        }
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
        claims.extend(granted.iter().copied());
    }
    if !scopes.iter().any(|s| s == "openid") {
        return Err(ScopeError::NoOpenid);
    }
    Ok(GrantedScopes { scopes, claims })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn registered(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn expands_aliases_to_franceconnect_claims() {
        let g = grant(
            "openid identite_pivot email",
            &registered(&["identite_pivot", "email"]),
        )
        .unwrap();
        assert_eq!(
            g.claims.iter().copied().collect::<Vec<_>>(),
            [
                "birthcountry",
                "birthdate",
                "birthplace",
                "email",
                "family_name",
                "gender",
                "given_name"
            ]
        );
        let birth = grant("openid birth", &registered(&["birth"])).unwrap();
        assert_eq!(birth.claims.len(), 2);
    }

    #[test]
    fn refuses_unregistered_unknown_and_openid_less_scopes() {
        let reg = registered(&["given_name"]);
        assert_eq!(
            grant("openid birthdate", &reg),
            Err(ScopeError::NotRegistered("birthdate".into()))
        );
        assert_eq!(
            grant("openid phone", &reg),
            Err(ScopeError::Unknown("phone".into()))
        );
        assert_eq!(grant("given_name", &reg), Err(ScopeError::NoOpenid));
        assert!(grant("openid  given_name", &reg).is_ok());
    }
}
