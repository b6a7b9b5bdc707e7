// A real OpenID provider for the sign-in tests: panva/oidc-provider (the certified
// implementation) on a loopback port, with its built-in development login form.
//
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, and UNVERIFIED (comma-separated
// logins whose e-mail the provider reports as not verified). The login typed into the form is
// the account's e-mail address; any password is accepted. Prints "ready <issuer>" once
// listening.
import { generateKeyPairSync } from "node:crypto";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const unverified = new Set((process.env.UNVERIFIED || "").split(",").filter(Boolean));

// A fresh signing key per run: the relying party must fetch it from the JWKS endpoint.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-run", alg: "RS256", use: "sig" };

function claimsOf(login) {
  const [local] = login.split("@");
  return {
    sub: `account-${login}`,
    email: login,
    email_verified: !unverified.has(login),
    given_name: local.charAt(0).toUpperCase() + local.slice(1),
    family_name: "Test",
    name: `${local} Test`,
  };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  jwks: { keys: [signingKey] },
  pkce: { methods: ["S256"], required: () => true },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["given_name", "family_name", "name"],
  },
  cookies: { keys: ["journeymap-test-provider"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return claimsOf(id); } };
  },
});
// Errors inside the provider end up in the test's log (tests print it on failure).
provider.on("server_error", (ctx, error) => console.error("server_error", error));

provider.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
