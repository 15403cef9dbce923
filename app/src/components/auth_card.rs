//! The card of the one-form pages a visitor reaches before signing in
//! (an invitation, a reset link, the second step of a sign-in): a heading,
//! what to do, the `?error=` banner, then the page's own form.

use leptos::prelude::*;
use leptos_meta::Title;

use super::FormError;

#[component]
pub fn AuthCard(
    /// The document title.
    title: &'static str,
    heading: &'static str,
    /// One paragraph saying what the form does.
    blurb: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <Title text=title />
        <section class="auth-card" aria-labelledby="auth-heading">
            <h1 id="auth-heading">{heading}</h1>
            <p>{blurb}</p>
            <FormError />
            {children()}
        </section>
    }
}
