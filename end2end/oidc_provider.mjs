// A real OpenID provider for the single sign-on tests: `oidc-provider`
// (an OpenID Certified implementation) with its development sign-in pages
// (any login name, any password), one confidential client for Reestr.
//
//   node end2end/oidc_provider.mjs PORT REDIRECT_URI[,REDIRECT_URI…] CLIENT_SECRET
//
// Prints `ready http://127.0.0.1:PORT` once it listens. Accounts are made
// up from the login name: `admin…` is in the group `reestr-admins`,
// `outsider…` in no group, anyone else in `reestr-viewers`.
import * as http from "node:http";
import Provider from "oidc-provider";

const [port, redirects, secret] = process.argv.slice(2);
if (!port || !redirects || !secret) {
  console.error("usage: oidc_provider.mjs PORT REDIRECT_URI[,…] CLIENT_SECRET");
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

function groupsOf(id) {
  if (id.startsWith("admin")) return ["reestr-admins"];
  if (id.startsWith("outsider")) return [];
  return ["reestr-viewers"];
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "reestr",
      client_secret: secret,
      redirect_uris: redirects.split(","),
      // Back to each Reestr's login page after signing out here.
      post_logout_redirect_uris: redirects.split(",").map((r) => `${new URL(r).origin}/login`),
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  scopes: ["openid", "profile", "email", "groups"],
  claims: {
    openid: ["sub"],
    profile: ["preferred_username", "name"],
    email: ["email", "email_verified"],
    groups: ["groups"],
  },
  // Claims of the granted scopes go into the ID token itself.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: id, email: `${id}@example.test`, email_verified: true, groups: groupsOf(id) };
      },
    };
  },
});
provider.proxy = false;

http.createServer(provider.callback()).listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
