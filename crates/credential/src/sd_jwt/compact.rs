//! The `~`-separated serialization (RFC 9901 §4):
//! `<issuer JWT>~<disclosure>~…~<disclosure>~[<KB-JWT>]`.

use super::{MAX_DISCLOSURES, MAX_SD_JWT_LEN, SdJwtError};

/// The pieces of an SD-JWT or SD-JWT+KB, borrowed from the input.
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    pub issuer_jwt: &'a str,
    pub disclosures: Vec<&'a str>,
    pub kb_jwt: Option<&'a str>,
    /// Everything up to and including the `~` before the KB-JWT: the input of
    /// `sd_hash` (RFC 9901 §4.3.1).
    pub sd_jwt: &'a str,
}

fn is_b64url(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_jws(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

pub(crate) fn split(input: &str) -> Result<Parts<'_>, SdJwtError> {
    if input.len() > MAX_SD_JWT_LEN {
        return Err(SdJwtError::TooLarge {
            what: "SD-JWT",
            len: input.len(),
            limit: MAX_SD_JWT_LEN,
        });
    }
    let Some(last_tilde) = input.rfind('~') else {
        return Err(SdJwtError::Malformed(
            "no '~' separator: a bare JWT is not an SD-JWT",
        ));
    };
    let (sd_jwt, kb) = input.split_at(last_tilde + 1);
    let mut pieces = sd_jwt.strip_suffix('~').unwrap_or(sd_jwt).split('~');
    let issuer_jwt = pieces.next().unwrap_or("");
    if issuer_jwt.is_empty() || !is_jws(issuer_jwt) {
        return Err(SdJwtError::Malformed(
            "the issuer-signed JWT is empty or has invalid characters",
        ));
    }
    let mut disclosures = Vec::new();
    for d in pieces {
        if d.is_empty() || !is_b64url(d) {
            return Err(SdJwtError::Malformed(
                "empty disclosure or invalid characters in one",
            ));
        }
        if disclosures.len() == MAX_DISCLOSURES {
            return Err(SdJwtError::TooManyDisclosures {
                limit: MAX_DISCLOSURES,
            });
        }
        disclosures.push(d);
    }
    let kb_jwt = if kb.is_empty() {
        None
    } else if is_jws(kb) {
        Some(kb)
    } else {
        return Err(SdJwtError::Malformed(
            "invalid characters in the key-binding JWT",
        ));
    };
    Ok(Parts {
        issuer_jwt,
        disclosures,
        kb_jwt,
        sd_jwt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_issued_and_presented_forms() {
        let p = split("a.b.c~d1~d2~").unwrap();
        assert_eq!(
            (p.issuer_jwt, p.disclosures.len(), p.kb_jwt),
            ("a.b.c", 2, None)
        );
        assert_eq!(p.sd_jwt, "a.b.c~d1~d2~");
        let p = split("a.b.c~d1~k.b.j").unwrap();
        assert_eq!(p.disclosures, vec!["d1"]);
        assert_eq!(p.kb_jwt, Some("k.b.j"));
        assert_eq!(p.sd_jwt, "a.b.c~d1~");
        let p = split("a.b.c~").unwrap();
        assert!(p.disclosures.is_empty() && p.kb_jwt.is_none());
    }

    #[test]
    fn refuses_malformed_serializations() {
        for bad in [
            "a.b.c",
            "~d1~",
            "a.b.c~~d1~",
            "a.b.c~d 1~",
            "a.b.c~d1~k b",
            "a.b.c~d=~",
        ] {
            assert!(split(bad).is_err(), "{bad}");
        }
        let many = format!("a.b.c~{}", "d~".repeat(MAX_DISCLOSURES + 1));
        assert!(matches!(
            split(&many),
            Err(SdJwtError::TooManyDisclosures { .. })
        ));
        let long = format!("a.b.c~{}~", "d".repeat(MAX_SD_JWT_LEN));
        assert!(matches!(split(&long), Err(SdJwtError::TooLarge { .. })));
    }
}
