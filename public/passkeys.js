// Passkeys in the browser: the WebAuthn calls Reestr's pages cannot make
// from HTML alone. Buttons carry data-passkey="register" (account page) or
// data-passkey="login" (login page); one listener on the document serves
// them whether the page was server-rendered or drawn by the router.
// Without WebAuthn the passkey controls stay hidden (see style/main.css).

const b64 = {
  decode(s) {
    const pad = "=".repeat((4 - (s.length % 4)) % 4);
    const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
  },
  encode(buf) {
    const bytes = new Uint8Array(buf);
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
};

function creationOptions(o) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(o);
  return {
    ...o,
    challenge: b64.decode(o.challenge),
    user: { ...o.user, id: b64.decode(o.user.id) },
    excludeCredentials: (o.excludeCredentials ?? []).map((c) => ({ ...c, id: b64.decode(c.id) })),
  };
}

function requestOptions(o) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(o);
  return {
    ...o,
    challenge: b64.decode(o.challenge),
    allowCredentials: (o.allowCredentials ?? []).map((c) => ({ ...c, id: b64.decode(c.id) })),
  };
}

function toJSON(cred) {
  if (typeof cred.toJSON === "function") return cred.toJSON();
  const r = cred.response;
  const response = { clientDataJSON: b64.encode(r.clientDataJSON) };
  if (r.attestationObject) response.attestationObject = b64.encode(r.attestationObject);
  if (r.authenticatorData) response.authenticatorData = b64.encode(r.authenticatorData);
  if (r.signature) response.signature = b64.encode(r.signature);
  if (r.userHandle) response.userHandle = b64.encode(r.userHandle);
  return { id: cred.id, rawId: b64.encode(cred.rawId), type: cred.type, response, clientExtensionResults: cred.getClientExtensionResults() };
}

async function post(url, body) {
  const resp = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error(data.detail ?? `the server answered ${resp.status}`);
  return data;
}

function say(message) {
  const status = document.getElementById("passkey-status");
  if (status) status.textContent = message;
}

async function register() {
  const input = document.getElementById("passkey-name");
  const name = input?.value.trim() ?? "";
  if (!name) {
    say("Give the passkey a name first, such as the device it is on.");
    input?.focus();
    return;
  }
  const start = await post("/auth/passkeys/register/start");
  const cred = await navigator.credentials.create({ publicKey: creationOptions(start.options.publicKey) });
  await post("/auth/passkeys/register/finish", { ceremony: start.ceremony, name, credential: toJSON(cred) });
  say(`Passkey “${name}” added.`);
  location.assign("/account");
}

async function login() {
  const username = document.querySelector('input[name="username"]')?.value.trim() || undefined;
  const next = new URLSearchParams(location.search).get("next") ?? "/";
  const start = await post("/auth/passkeys/login/start", { username });
  const cred = await navigator.credentials.get({ publicKey: requestOptions(start.options.publicKey) });
  const done = await post("/auth/passkeys/login/finish", { ceremony: start.ceremony, credential: toJSON(cred), next });
  location.assign(done.redirect ?? "/");
}

if (window.PublicKeyCredential) {
  document.documentElement.classList.add("has-passkeys");
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-passkey]") : null;
    if (!button || button.disabled) return;
    event.preventDefault();
    button.disabled = true;
    say("Waiting for your passkey…");
    try {
      if (button.dataset.passkey === "register") await register();
      else await login();
    } catch (e) {
      const cancelled = e && (e.name === "NotAllowedError" || e.name === "AbortError");
      say(cancelled ? "The passkey prompt was closed; nothing changed." : `Passkey failed: ${e.message ?? e}`);
    } finally {
      button.disabled = false;
    }
  });
}
