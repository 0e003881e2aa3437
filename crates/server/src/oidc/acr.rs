//! eIDAS levels as FranceConnect names them in `acr` / `acr_values`.

use core::fmt;

/// An eIDAS level of assurance, ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Acr {
    /// Low.
    Eidas1,
    /// Substantial.
    Eidas2,
    /// High: chip-verified identity, device key and PIN (what alicem reaches).
    Eidas3,
}

impl Acr {
    pub const ALL: [Acr; 3] = [Acr::Eidas1, Acr::Eidas2, Acr::Eidas3];

    pub fn name(self) -> &'static str {
        match self {
            Acr::Eidas1 => "eidas1",
            Acr::Eidas2 => "eidas2",
            Acr::Eidas3 => "eidas3",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "eidas1" => Some(Acr::Eidas1),
            "eidas2" => Some(Acr::Eidas2),
            "eidas3" => Some(Acr::Eidas3),
            _ => None,
        }
    }

    /// The level a request needs: the lowest of the known values it lists (each
    /// listed value is acceptable to the relying party, OIDC Core §3.1.2.1), eidas1
    /// when it lists none we know.
    pub fn required_by<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        values
            .into_iter()
            .filter_map(Acr::from_name)
            .min()
            .unwrap_or(Acr::Eidas1)
    }
}

impl fmt::Display for Acr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_listed_known_level_is_required() {
        assert_eq!(Acr::required_by(["eidas3", "eidas2"]), Acr::Eidas2);
        assert_eq!(Acr::required_by(["eidas3"]), Acr::Eidas3);
        assert_eq!(Acr::required_by(["loa-x"]), Acr::Eidas1);
        assert_eq!(Acr::required_by([]), Acr::Eidas1);
        assert!(Acr::Eidas3 > Acr::Eidas2);
    }
}
