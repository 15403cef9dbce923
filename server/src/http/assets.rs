//! The front end's files (`/pkg`): the compressed copies the release
//! build writes beside them, and how long browsers may keep them. Hashed
//! names (cargo-leptos `hash-files`) never change content, so they are kept
//! a year without asking again; plain names (a build without hashes) are
//! revalidated on every use.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;

/// What `/pkg` serves, with its `Cache-Control` on what it found (a name it
/// does not have, say from another release, must not be remembered).
pub fn files(options: &LeptosOptions) -> Router {
    let policy = if options.hash_files { "public, max-age=31536000, immutable" } else { "no-cache" };
    let keep = move |mut resp: Response| async move {
        if resp.status().is_success() || resp.status() == StatusCode::NOT_MODIFIED {
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        }
        resp
    };
    Router::new().fallback_service(served(options)).layer(axum::middleware::map_response(keep))
}

/// The front end's files, with the `.br` and `.gz` copies the release build
/// writes beside them (brotli 11, gzip 9) sent as they are; without them
/// the compression layer compresses on the fly. Copies older than their
/// file (a debug build over a release one) would send stale code, so then
/// none is used.
fn served(options: &LeptosOptions) -> ServeDir {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let serve = ServeDir::new(&dir);
    let stale = stale_copies(&dir);
    if stale.is_empty() {
        serve.precompressed_br().precompressed_gzip()
    } else {
        tracing::warn!(files = ?stale, "compressed copies older than their files: compressing on the fly instead");
        serve
    }
}

/// `.br`/`.gz` files in `dir` older than the file they compress (by more
/// than two seconds: compressors copy the file's time, at coarser precision).
fn stale_copies(dir: &std::path::Path) -> Vec<String> {
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "br" || x == "gz"))
        .filter(|copy| {
            let original = copy.with_extension("");
            matches!((modified(copy), modified(&original)),
                (Some(c), Some(o)) if c + std::time::Duration::from_secs(2) < o)
        })
        .map(|p| p.display().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    #[test]
    fn compressed_copies_older_than_their_file_are_found() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("reestr-pkg-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let touch = |name: &str, age: u64| -> std::io::Result<()> {
            let path = dir.join(name);
            std::fs::write(&path, name)?;
            std::fs::File::options().write(true).open(&path)?.set_modified(SystemTime::now() - Duration::from_secs(age))
        };
        touch("app.wasm", 10)?;
        touch("app.wasm.br", 5)?; // newer: fine
        touch("app.css", 10)?;
        touch("app.css.br", 11)?; // a second older: the compressor's copied time, fine
        touch("app.js", 10)?;
        touch("app.js.gz", 20)?; // older: a later build replaced app.js
        let stale = super::stale_copies(&dir);
        std::fs::remove_dir_all(&dir)?;
        assert_eq!(stale.len(), 1, "{stale:?}");
        assert!(stale[0].ends_with("app.js.gz"));
        Ok(())
    }
}
