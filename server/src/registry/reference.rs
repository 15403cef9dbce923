//! Repository names and references are checked against the OCI grammar
//! before they go into a URL: nothing else reaches a registry.

use super::RegistryError;

/// `team/sub/app`: path components of lower-case alphanumerics joined by
/// `.`, `_`, `__` or dashes (OCI distribution-spec), at most 255 characters.
pub fn validate_repository(name: &str) -> Result<(), RegistryError> {
    let ok = !name.is_empty() && name.len() <= 255 && name.split('/').all(component_ok);
    if ok { Ok(()) } else { Err(RegistryError::BadRequest(format!("`{name}` is not a valid repository name"))) }
}

fn component_ok(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    // Separators: one `.`, one or two `_`, or any number of `-`.
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let fine = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !fine {
            return false;
        }
    }
    true
}

fn alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// A tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`) or a digest (`algo:hex`).
pub fn validate_reference(reference: &str) -> Result<(), RegistryError> {
    if is_digest(reference) || is_tag(reference) {
        Ok(())
    } else {
        Err(RegistryError::BadRequest(format!("`{reference}` is not a valid tag or digest")))
    }
}

pub(crate) fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

pub fn is_digest(s: &str) -> bool {
    match s.split_once(':') {
        Some(("sha256", hex)) => {
            hex.len() == 64 && hex.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        }
        Some(("sha512", hex)) => {
            hex.len() == 128 && hex.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names_follow_the_oci_grammar() {
        for good in ["app", "team/sub/app", "a.b", "a__b", "a---b", "x1/y2"] {
            assert!(validate_repository(good).is_ok(), "{good}");
        }
        for bad in ["", "App", "../etc", "a//b", "-a", "a-", "a..b", "a___b", "a b", "a/./b", "%2e%2e"] {
            assert!(validate_repository(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn references_are_tags_or_digests() {
        assert!(validate_reference("1.0").is_ok());
        assert!(validate_reference("_x-Y.z").is_ok());
        assert!(validate_reference(&format!("sha256:{}", "a".repeat(64))).is_ok());
        for bad in ["", ".x", "a/b", "sha256:xyz", "a?b", &"a".repeat(129)] {
            assert!(validate_reference(bad).is_err(), "{bad}");
        }
    }
}
