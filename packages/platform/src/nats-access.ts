// Who a process is on NATS and how it gets in: its credentials (user and password, or a
// creds file of nkeys/JWT), TLS, and the reply inbox its permissions allow. Built once at
// start from the configuration; the files it names are read through `read`, so this
// stays a function of its inputs. Nothing here ever logs a secret.
import { credsAuthenticator, type ConnectionOptions } from "@nats-io/transport-node";
import { ConfigError } from "./errors.ts";

/** The NATS_* settings of BaseConfig this needs. */
export type NatsAccessConfig = {
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_PASSWORD_FILE?: string;
  NATS_CREDS_FILE?: string;
  NATS_TLS_CA_FILE?: string;
  NATS_TLS_CERT_FILE?: string;
  NATS_TLS_KEY_FILE?: string;
};

/** What connectNats adds to its connection options; empty for a server without authentication or TLS. */
export type NatsAccess = Pick<ConnectionOptions, "user" | "pass" | "authenticator" | "tls" | "inboxPrefix">;

/** Reads a file the configuration names; throws when it cannot. */
export type ReadFile = (path: string) => Buffer | string;

/**
 * The connection options for `config`: NATS_USER with NATS_PASSWORD or NATS_PASSWORD_FILE,
 * or NATS_CREDS_FILE; TLS when any NATS_TLS_* file is named. With a user, replies come to
 * `_INBOX.<user>.>`, the only inbox the server's permissions let that user read
 * (deploy/nats/nats-server.conf). A conflicting setting or an unreadable file is a
 * ConfigError naming the variable, never a file's contents.
 */
export function natsAccess(config: NatsAccessConfig, read: ReadFile): NatsAccess {
  const access: NatsAccess = {};
  const file = (variable: keyof NatsAccessConfig): string | undefined => {
    const path = config[variable];
    if (path === undefined) return undefined;
    let contents: string;
    try {
      contents = read(path).toString();
    } catch (err) {
      throw new ConfigError(`invalid configuration: ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (contents.trim() === "") throw new ConfigError(`invalid configuration: ${variable}: ${path} is empty`);
    return contents;
  };

  if (config.NATS_CREDS_FILE !== undefined) {
    if (config.NATS_USER !== undefined || config.NATS_PASSWORD !== undefined || config.NATS_PASSWORD_FILE !== undefined) {
      throw new ConfigError("invalid configuration: set NATS_CREDS_FILE or NATS_USER with a password, not both");
    }
    const authenticator = credsAuthenticator(new TextEncoder().encode(file("NATS_CREDS_FILE")));
    // Parsed (and the key tried on a nonce) now, so a wrong file stops the start, not every connect.
    try {
      authenticator("chorus-check");
    } catch {
      throw new ConfigError(`invalid configuration: NATS_CREDS_FILE: ${config.NATS_CREDS_FILE} is not a NATS creds file (a user JWT and its nkey seed)`);
    }
    access.authenticator = authenticator;
  } else if (config.NATS_USER !== undefined) {
    if (config.NATS_PASSWORD !== undefined && config.NATS_PASSWORD_FILE !== undefined) {
      throw new ConfigError("invalid configuration: set NATS_PASSWORD or NATS_PASSWORD_FILE, not both");
    }
    // A mounted secret usually ends with a newline that is not part of the password.
    const pass = config.NATS_PASSWORD ?? file("NATS_PASSWORD_FILE")?.replace(/\r?\n$/, "");
    if (pass === undefined) throw new ConfigError("invalid configuration: NATS_USER needs NATS_PASSWORD or NATS_PASSWORD_FILE");
    access.user = config.NATS_USER;
    access.pass = pass;
    access.inboxPrefix = `_INBOX.${config.NATS_USER}`;
  } else if (config.NATS_PASSWORD !== undefined || config.NATS_PASSWORD_FILE !== undefined) {
    throw new ConfigError("invalid configuration: NATS_PASSWORD and NATS_PASSWORD_FILE need NATS_USER");
  }

  if ((config.NATS_TLS_CERT_FILE === undefined) !== (config.NATS_TLS_KEY_FILE === undefined)) {
    throw new ConfigError("invalid configuration: NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together (a client certificate and its key)");
  }
  const ca = file("NATS_TLS_CA_FILE");
  const cert = file("NATS_TLS_CERT_FILE");
  const key = file("NATS_TLS_KEY_FILE");
  if (ca !== undefined || cert !== undefined) access.tls = { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert, key } : {}) };
  return access;
}

/** NATS_URL as it may be logged: a password or token in a server's address replaced by `***`. */
export function loggableNatsUrl(url: string): string {
  return url
    .split(",")
    .map((server) => server.trim().replace(/^((?:[a-z]+:\/\/)?)[^@/]*@/i, "$1***@"))
    .join(",");
}
