//! Back and forward draw the previous page at once: in the browser, what a
//! page's server functions answered is kept for a while, keyed by the
//! function and its arguments, and a page made again with the same
//! arguments reads it instead of asking the server. An answer is fresh for
//! [`FRESH_MS`]; after that it is still shown at once, and asked for again
//! in the background, and the page updates when the new answer arrives
//! (what TanStack Query calls `staleTime` with revalidation). Only
//! successful answers are kept; the server renders every page fresh.

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// How long an answer is shown without asking again.
pub const FRESH_MS: f64 = 30_000.0;
/// Answers kept at most; the oldest go first.
#[cfg(feature = "hydrate")]
const CAPACITY: usize = 200;

#[cfg(feature = "hydrate")]
mod store {
    use std::any::Any;
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// One kept answer and when it arrived (`performance.now()`, ms).
    struct Kept {
        at: f64,
        value: Box<dyn Any>,
    }

    thread_local! {
        static KEPT: RefCell<HashMap<String, Kept>> = RefCell::new(HashMap::new());
    }

    pub fn now() -> f64 {
        web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_default()
    }

    /// The answer kept under `key` and its age in ms.
    pub fn get<T: Clone + 'static>(key: &str) -> Option<(T, f64)> {
        KEPT.with_borrow(|kept| {
            let k = kept.get(key)?;
            Some((k.value.downcast_ref::<T>()?.clone(), now() - k.at))
        })
    }

    pub fn put<T: 'static>(key: String, value: T) {
        KEPT.with_borrow_mut(|kept| {
            if kept.len() >= super::CAPACITY && !kept.contains_key(&key) {
                let oldest = kept.iter().min_by(|a, b| a.1.at.total_cmp(&b.1.at)).map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    kept.remove(&oldest);
                }
            }
            kept.insert(key, Kept { at: now(), value: Box::new(value) });
        });
    }
}

/// A resource over server function `fetch`, named `name` (unique per
/// function), whose answers are kept in the browser as this module says.
/// On the server it is a plain `Resource`.
pub fn resource<S, T, Fut>(
    name: &'static str,
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<Result<T, AppError>>
where
    S: Debug + Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let source = Arc::new(source);
    let fetch = Arc::new(fetch);
    // Bumped when a stale answer was replaced in the background: the
    // resource then reads the new one.
    let revision = RwSignal::new(0_u32);
    let key_of = move |s: &S| format!("{name} {s:?}");
    let resource = Resource::new(
        {
            let source = source.clone();
            move || (source(), revision.get())
        },
        move |(s, _)| {
            let fetch = fetch.clone();
            let key = key_of(&s);
            async move {
                #[cfg(feature = "hydrate")]
                if let Some((kept, age)) = store::get::<T>(&key) {
                    if age >= FRESH_MS {
                        leptos::task::spawn_local(async move {
                            if let Ok(new) = fetch(s).await {
                                store::put(key, new);
                                revision.try_update(|r| *r += 1);
                            }
                        });
                    }
                    return Ok(kept);
                }
                let answer = fetch(s).await;
                #[cfg(feature = "hydrate")]
                if let Ok(value) = &answer {
                    store::put(key, value.clone());
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = key;
                answer
            }
        },
    );
    // What the server rendered the page with is kept too, so Back to the
    // first page is as quick as to any other.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(Ok(value)) = resource.get() {
            let key = key_of(&source());
            if store::get::<T>(&key).is_none() {
                store::put(key, value);
            }
        }
    });
    resource
}

/// Loads what resource `name` would ask for `source`, unless it is kept
/// fresh or already on its way, so a page opened next shows it at once.
/// Does nothing on the server.
pub fn prefetch<S, T, Fut>(name: &'static str, source: S, fetch: impl FnOnce(S) -> Fut + 'static)
where
    S: Debug + 'static,
    T: Clone + 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    #[cfg(feature = "hydrate")]
    {
        let key = format!("{name} {source:?}");
        if store::get::<T>(&key).is_some_and(|(_, age)| age < FRESH_MS) || !loading::start(&key) {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(value) = fetch(source).await {
                store::put(key.clone(), value);
            }
            loading::end(&key);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, source, fetch);
}

/// Prefetches on the way in flight, so hovering twice asks once.
#[cfg(feature = "hydrate")]
mod loading {
    use std::cell::RefCell;
    use std::collections::HashSet;

    thread_local! {
        static LOADING: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    }

    /// Whether `key` was not on its way (it is now).
    pub fn start(key: &str) -> bool {
        LOADING.with_borrow_mut(|l| l.insert(key.to_string()))
    }

    pub fn end(key: &str) {
        LOADING.with_borrow_mut(|l| l.remove(key));
    }
}

/// How long the pointer rests on a link before its page is prefetched:
/// long enough that sweeping across a list loads nothing.
const INTENT_MS: u64 = 100;

/// Handlers for a link that prefetch its page with `load`: when the
/// pointer rests on it for [`INTENT_MS`], or at once when it gets focus.
pub fn on_intent(
    load: impl Fn() + Clone + Send + Sync + 'static,
) -> (
    impl Fn(leptos::ev::PointerEvent) + Clone,
    impl Fn(leptos::ev::PointerEvent) + Clone,
    impl Fn(leptos::ev::FocusEvent) + Clone,
) {
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let enter = {
        let load = load.clone();
        move |_| {
            let load = load.clone();
            let handle = set_timeout_with_handle(load, std::time::Duration::from_millis(INTENT_MS)).ok();
            timer.set_value(handle);
        }
    };
    let leave = move |_| {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    let focus = move |_| load();
    (enter, leave, focus)
}
