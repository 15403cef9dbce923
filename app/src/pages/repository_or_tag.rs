//! `/registries/{id}/repositories/{repo…}` and `…/{repo}/-/tags/{tag}`:
//! repository names contain slashes, so one wildcard route reads the rest of
//! the path and picks the page.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::NotFound;
use super::repository::RepositoryView;
use super::tag::TagView;
use crate::paths::{RepoPath, parse_repo_path};

/// Dispatches to the repository page or the tag page.
#[component]
pub fn RepositoryOrTagPage() -> impl IntoView {
    let params = use_params_map();
    let target = move || {
        let p = params.read();
        (p.get("registry").unwrap_or_default(), p.get("path").unwrap_or_default())
    };
    move || {
        let (registry, path) = target();
        match parse_repo_path(&path) {
            Some(RepoPath::Repository { repository } | RepoPath::Tags { repository }) => {
                view! { <RepositoryView registry repository /> }.into_any()
            }
            Some(RepoPath::Tag { repository, reference }) => {
                view! { <TagView registry repository reference /> }.into_any()
            }
            Some(RepoPath::Referrers { .. } | RepoPath::Sbom { .. } | RepoPath::Readme { .. }) | None => {
                view! { <NotFound /> }.into_any()
            }
        }
    }
}
