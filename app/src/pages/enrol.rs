//! `/login/enrol`: a password sign-in on an account without a second factor
//! while an administrator requires one. The user sets up an authenticator
//! app here; its first code starts the session, and the account page then
//! shows the recovery codes once.

use leptos::prelude::*;

use crate::api::get_login_enrolment;
use crate::components::{AuthCard, AuthenticatorSetup};

#[component]
pub fn EnrolPage() -> impl IntoView {
    let enrolment = Resource::new(|| (), |()| get_login_enrolment());
    view! {
        <AuthCard title="Set up two-step verification" heading="Set up two-step verification"
            blurb="Your administrator requires a second step for password sign-ins: a code from an authenticator app. Set one up now to finish signing in.">
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match enrolment.await {
                        Ok(e) => view! {
                            <AuthenticatorSetup enrolment=e action="/auth/login/enrol" button="Finish signing in" />
                        }.into_any(),
                        Err(e) => view! {
                            <p role="alert" class="form-error">{e.message}</p>
                            <p><a href="/login">"Sign in again"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
