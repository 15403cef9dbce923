//! Setting up an authenticator app: its QR code, the key to type instead,
//! and the form that confirms it with a code. The account page and the
//! sign-in's required set-up (`/login/enrol`) show the same steps.

use leptos::prelude::*;

use crate::model::EnrolmentInfo;

#[component]
pub fn AuthenticatorSetup(
    enrolment: EnrolmentInfo,
    /// Where the confirming code is posted.
    action: &'static str,
    /// The submit button's label.
    button: &'static str,
) -> impl IntoView {
    view! {
        <ol class="steps">
            <li>"Scan this code with an authenticator app, or type the key in."</li>
            <li>"Enter the six-digit code the app shows."</li>
        </ol>
        <div class="qr" role="img" aria-label="QR code of the authenticator key" inner_html=enrolment.qr_svg></div>
        <p>"Key: " <code data-testid="totp-secret">{enrolment.secret}</code></p>
        <form method="post" action=action class="auth-form account-form">
            <label class="field">
                <span>"Code from the app"</span>
                <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required />
            </label>
            <button type="submit" class="primary">{button}</button>
        </form>
    }
}
