//! `reestr profiles`: which API profiles ship inside Reestr and what each
//! binds, and the text of one, to start a profile of your own from.

use std::fmt::Write;

use crate::config::{Profile, ProfileKind, shipped_profiles};

/// One line per shipped profile, then the operations it binds.
pub fn list() -> String {
    let mut out = String::new();
    for p in shipped_profiles() {
        let _ = writeln!(out, "{:<10} {}", p.name, describe(p));
        let ops: Vec<&str> = p.operations.iter().map(|b| b.op.name()).collect();
        let _ = writeln!(out, "{:<10} binds {}", "", ops.join(", "));
    }
    let _ = writeln!(
        out,
        "\n`reestr profiles --show NAME` prints one; a file in that format works as `api.profile: ./mine.yaml`."
    );
    out
}

fn describe(p: &Profile) -> String {
    let kind = match p.kind {
        ProfileKind::Registry => "the registry's /v2/ API",
        ProfileKind::Catalogue => "a catalogue API beside /v2/",
    };
    format!("{} ({kind})", p.summary)
}

/// The text of shipped profile `name`, as it is embedded.
pub fn show(name: &str) -> Result<&'static str, String> {
    crate::config::shipped_text(name).ok_or_else(|| {
        let known: Vec<String> = shipped_profiles().iter().map(|p| p.name.clone()).collect();
        format!("no shipped profile `{name}`; there are {}", known.join(", "))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_shipped_profile_is_listed_and_shown() {
        let listing = super::list();
        for name in ["oci", "harbor", "dockerhub", "ghcr", "quay", "gitlab"] {
            assert!(listing.lines().any(|l| l.starts_with(name)), "{listing}");
            assert!(super::show(name).is_ok_and(|t| t.contains(&format!("name: {name}"))));
        }
        assert!(super::show("nope").is_err_and(|e| e.contains("oci, harbor, dockerhub, ghcr, quay, gitlab")));
    }
}
