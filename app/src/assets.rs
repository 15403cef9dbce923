//! The front end's file names. cargo-leptos names them by content
//! (`hash-files`: `reestr.<hash>.css`), so the server can let browsers keep
//! them for a year, and writes the hashes to a file beside the server
//! binary, which Leptos reads for the script and WASM links and this reads
//! for the stylesheet. Without that file (a test binary) the plain names
//! stand.

use std::path::PathBuf;
use std::sync::OnceLock;

use leptos::config::LeptosOptions;

/// Where Leptos looks for the hashes: beside the running binary.
pub fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let dir = std::env::current_exe().ok()?.parent()?.to_path_buf();
    Some(dir.join(options.hash_file.as_ref())).filter(|p| p.is_file())
}

/// The stylesheet's URL: `/pkg/reestr.css`, or its hashed name.
pub fn stylesheet(options: &LeptosOptions) -> String {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let hash = options
            .hash_files
            .then(|| hash_file(options))
            .flatten()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| {
                text.lines().find_map(|l| {
                    l.split_once(':').filter(|(k, _)| k.trim() == "css").map(|(_, h)| h.trim().to_string())
                })
            });
        let name = match hash {
            Some(hash) => format!("{}.{hash}.css", options.output_name),
            None => format!("{}.css", options.output_name),
        };
        format!("/{}/{name}", options.site_pkg_dir)
    })
    .clone()
}
