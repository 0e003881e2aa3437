//! JWT time claims (RFC 7519 §4.1.4–4.1.6), checked against a clock the caller gives.

use serde_json::{Map, Value};

use super::{JoseError, json};

/// The instant to check against and the tolerated clock skew, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Seconds since the Unix epoch.
    pub now: i64,
    /// Tolerance for clocks that disagree (a phone's clock is often a little off).
    pub leeway: i64,
}

impl Clock {
    pub fn new(now: i64, leeway: i64) -> Self {
        Self { now, leeway }
    }

    /// The system clock with a 60-second leeway.
    pub fn system() -> Self {
        Self::new(now_unix(), 60)
    }
}

/// Seconds since the Unix epoch, from the system clock.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The validity claims of a JWT, read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub iat: Option<i64>,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
}

/// Reads `iat`, `nbf`, `exp` (integers when present) and checks them: not expired,
/// already valid, not issued in the future. `require_exp` refuses tokens that never
/// expire.
pub fn check_validity(
    claims: &Map<String, Value>,
    clock: Clock,
    require_exp: bool,
) -> Result<Validity, JoseError> {
    const WHAT: &str = "JWT claims";
    let validity = Validity {
        iat: json::opt_int_member(claims, WHAT, "iat")?,
        nbf: json::opt_int_member(claims, WHAT, "nbf")?,
        exp: json::opt_int_member(claims, WHAT, "exp")?,
    };
    let now = clock.now;
    match validity.exp {
        Some(exp) if now.saturating_sub(clock.leeway) >= exp => {
            return Err(JoseError::Expired { exp, now });
        }
        None if require_exp => {
            return Err(JoseError::Member {
                what: WHAT,
                member: "exp",
            });
        }
        _ => {}
    }
    if let Some(nbf) = validity.nbf
        && now.saturating_add(clock.leeway) < nbf
    {
        return Err(JoseError::NotYetValid { nbf, now });
    }
    if let Some(iat) = validity.iat
        && now.saturating_add(clock.leeway) < iat
    {
        return Err(JoseError::IssuedInFuture { iat, now });
    }
    Ok(validity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn accepts_a_current_token_within_leeway() {
        let c = claims(json!({"iat": 1000, "nbf": 1000, "exp": 2000}));
        assert!(check_validity(&c, Clock::new(1500, 0), true).is_ok());
        assert!(check_validity(&c, Clock::new(990, 30), true).is_ok());
        assert!(check_validity(&c, Clock::new(2010, 30), true).is_ok());
    }

    #[test]
    fn rejects_expired_future_and_never_expiring_tokens() {
        let c = claims(json!({"iat": 1000, "exp": 2000}));
        assert_eq!(
            check_validity(&c, Clock::new(2000, 0), true),
            Err(JoseError::Expired {
                exp: 2000,
                now: 2000
            })
        );
        assert!(matches!(
            check_validity(&c, Clock::new(900, 10), true),
            Err(JoseError::IssuedInFuture { .. })
        ));
        let nbf = claims(json!({"nbf": 1000, "exp": 2000}));
        assert!(matches!(
            check_validity(&nbf, Clock::new(900, 10), true),
            Err(JoseError::NotYetValid { .. })
        ));
        let forever = claims(json!({"iat": 1000}));
        assert!(check_validity(&forever, Clock::new(1500, 0), true).is_err());
        assert!(check_validity(&forever, Clock::new(1500, 0), false).is_ok());
        let text = claims(json!({"exp": "2000"}));
        assert!(check_validity(&text, Clock::new(1500, 0), true).is_err());
    }
}
