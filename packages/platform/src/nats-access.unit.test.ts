import { nkeys, type Authenticator, type JwtAuth } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.ts";
import { loggableNatsUrl, natsAccess, type ReadFile } from "./nats-access.ts";

/** A reader over an in-memory set of files; any other path is missing, as readFileSync says. */
function files(contents: Record<string, string>): ReadFile {
  return (path) => {
    const found = contents[path];
    if (found === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
    return Buffer.from(found);
  };
}

const none = files({});

function credsFile(): string {
  const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
  return [
    "-----BEGIN NATS USER JWT-----",
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.c2lnbmF0dXJl",
    "------END NATS USER JWT------",
    "",
    "-----BEGIN USER NKEY SEED-----",
    seed,
    "------END USER NKEY SEED------",
    "",
  ].join("\n");
}

describe("natsAccess", () => {
  it("asks nothing of a server without authentication when no NATS_* credential is set", () => {
    expect(natsAccess({}, none)).toEqual({});
  });

  it("connects as NATS_USER with NATS_PASSWORD, its replies on the user's own inbox", () => {
    expect(natsAccess({ NATS_USER: "gateway", NATS_PASSWORD: "s3cret" }, none)).toEqual({ user: "gateway", pass: "s3cret", inboxPrefix: "_INBOX.gateway" });
  });

  it("reads the password from NATS_PASSWORD_FILE, without the newline a mounted secret ends with", () => {
    const read = files({ "/run/secrets/nats": "from-file\n" });
    expect(natsAccess({ NATS_USER: "projector", NATS_PASSWORD_FILE: "/run/secrets/nats" }, read)).toMatchObject({ user: "projector", pass: "from-file" });
  });

  it.each([
    ["a user without a password", { NATS_USER: "gateway" }, /NATS_USER needs NATS_PASSWORD or NATS_PASSWORD_FILE/],
    ["a password without a user", { NATS_PASSWORD: "s3cret" }, /need NATS_USER/],
    ["a password twice", { NATS_USER: "gateway", NATS_PASSWORD: "a", NATS_PASSWORD_FILE: "/p" }, /NATS_PASSWORD or NATS_PASSWORD_FILE, not both/],
    ["a creds file with a user", { NATS_CREDS_FILE: "/c", NATS_USER: "gateway", NATS_PASSWORD: "a" }, /NATS_CREDS_FILE or NATS_USER with a password, not both/],
    ["a client certificate without its key", { NATS_TLS_CERT_FILE: "/cert" }, /NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together/],
  ])("refuses %s, naming the variables", (_, config, message) => {
    expect(() => natsAccess(config, none)).toThrow(ConfigError);
    expect(() => natsAccess(config, none)).toThrow(message);
  });

  it("refuses a file it cannot read or that is empty, naming the variable and path but no contents", () => {
    expect(() => natsAccess({ NATS_USER: "gateway", NATS_PASSWORD_FILE: "/missing" }, none)).toThrow("NATS_PASSWORD_FILE: cannot read /missing (ENOENT)");
    expect(() => natsAccess({ NATS_TLS_CA_FILE: "/ca.pem" }, files({ "/ca.pem": " \n" }))).toThrow("NATS_TLS_CA_FILE: /ca.pem is empty");
  });

  it("signs in with a creds file's key, and refuses a file that is not one", () => {
    const access = natsAccess({ NATS_CREDS_FILE: "/chorus.creds" }, files({ "/chorus.creds": credsFile() }));
    expect(access.user).toBeUndefined();
    expect(access.inboxPrefix).toBeUndefined();
    const auth = (access.authenticator as Authenticator)("nonce") as JwtAuth;
    expect(auth).toMatchObject({ jwt: "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.c2lnbmF0dXJl" });
    expect(typeof auth.sig).toBe("string");
    expect(() => natsAccess({ NATS_CREDS_FILE: "/chorus.creds" }, files({ "/chorus.creds": "user: gateway\npassword: nope\n" }))).toThrow(
      "NATS_CREDS_FILE: /chorus.creds is not a NATS creds file",
    );
  });

  it("hands TLS the CA, and a client certificate with its key, read from their files", () => {
    const read = files({ "/tls/ca.pem": "CA", "/tls/client.pem": "CERT", "/tls/client-key.pem": "KEY" });
    expect(natsAccess({ NATS_TLS_CA_FILE: "/tls/ca.pem" }, read)).toEqual({ tls: { ca: "CA" } });
    expect(natsAccess({ NATS_USER: "agents", NATS_PASSWORD: "p", NATS_TLS_CA_FILE: "/tls/ca.pem", NATS_TLS_CERT_FILE: "/tls/client.pem", NATS_TLS_KEY_FILE: "/tls/client-key.pem" }, read)).toEqual({
      user: "agents",
      pass: "p",
      inboxPrefix: "_INBOX.agents",
      tls: { ca: "CA", cert: "CERT", key: "KEY" },
    });
  });
});

describe("loggableNatsUrl", () => {
  it("hides credentials in every server's address and leaves the rest as it is", () => {
    expect(loggableNatsUrl("nats://gateway:s3cret@nats:4222")).toBe("nats://***@nats:4222");
    expect(loggableNatsUrl("tls://token@a:4222, nats://b:4222")).toBe("tls://***@a:4222,nats://b:4222");
    expect(loggableNatsUrl("u:p@127.0.0.1:4222")).toBe("***@127.0.0.1:4222");
    expect(loggableNatsUrl("nats://127.0.0.1:4222")).toBe("nats://127.0.0.1:4222");
  });
});
