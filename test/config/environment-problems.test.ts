import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ENVIRONMENT_VARIABLES, type EnvironmentVariable } from "../../src/config/environment.js";
import { CREDENTIALS, EC_PEM, ENCRYPTED_PEM, environmentFixture, PUBLIC_PEM } from "./environment-fixture.js";

// One row per way a variable can be wrong (at least one per variable), then the rules across variables.
// Every row must yield exactly one problem, filed under and starting with the variable, saying what is
// wrong and how to fix it.

const { dir, rejection, remove } = environmentFixture();
afterAll(remove);

interface Row {
  name: string;
  env: Record<string, string>;
  /** The variable the problem is filed under; the message starts with it. */
  variable: EnvironmentVariable;
  says: string;
  fix: string;
  hostname?: string;
}

const BAD_VALUES: Row[] = [
  {
    name: "a port out of range",
    env: { PORT: "70000" },
    variable: "PORT",
    says: 'expected an integer from 1 to 65535, found "70000"',
    fix: "Set PORT to a free port number, e.g. PORT=3000.",
  },
  {
    name: "a port that is not a number",
    env: { PORT: "http" },
    variable: "PORT",
    says: 'found "http"',
    fix: "PORT=3000",
  },
  {
    name: "a HOST with a scheme",
    env: { HOST: "http://0.0.0.0" },
    variable: "HOST",
    says: 'expected an IP address or host name to listen on, found "http://0.0.0.0"',
    fix: "HOST=0.0.0.0",
  },
  {
    name: "a DATABASE_URL of another database",
    env: { DATABASE_URL: "mysql://db/devflow" },
    variable: "DATABASE_URL",
    says: "not a postgres:// or postgresql:// URL (value hidden: it may hold a password)",
    fix: "or unset it to use the embedded Postgres",
  },
  {
    name: "a DATABASE_URL without a host",
    env: { DATABASE_URL: "postgres:///devflow" },
    variable: "DATABASE_URL",
    says: "names no host",
    fix: "DATABASE_URL=postgres://",
  },
  {
    name: "a DATABASE_URL that is not a URL",
    env: { DATABASE_URL: "localhost:5432" },
    variable: "DATABASE_URL",
    says: "not a postgres:// or postgresql:// URL",
    fix: "DATABASE_URL=postgres://",
  },
  {
    name: "a REDIS_URL of another scheme",
    env: { REDIS_URL: "http://localhost:6379" },
    variable: "REDIS_URL",
    says: "not a redis:// or rediss:// URL (value hidden: it may hold a password)",
    fix: "or unset it to queue on Postgres",
  },
  {
    name: "an APP_ID that is the Client ID",
    env: { ...CREDENTIALS, APP_ID: "Iv1.0123abcd" },
    variable: "APP_ID",
    says: 'expected a positive integer, found "Iv1.0123abcd"',
    fix: "not the Client ID",
  },
  {
    name: "an APP_ID of zero",
    env: { ...CREDENTIALS, APP_ID: "0" },
    variable: "APP_ID",
    says: 'found "0"',
    fix: "Set APP_ID",
  },
  {
    name: "a PRIVATE_KEY that is not PEM",
    env: { ...CREDENTIALS, PRIVATE_KEY: "not-a-key" },
    variable: "PRIVATE_KEY",
    says: "is not PEM text (value hidden: it is a secret)",
    fix: "write each newline as \\n",
  },
  {
    name: "a PRIVATE_KEY holding the public key",
    env: { ...CREDENTIALS, PRIVATE_KEY: PUBLIC_PEM },
    variable: "PRIVATE_KEY",
    says: "holds a public key or certificate, not the private key",
    fix: "Set PRIVATE_KEY to",
  },
  {
    name: "a PRIVATE_KEY that is not RSA",
    env: { ...CREDENTIALS, PRIVATE_KEY: EC_PEM },
    variable: "PRIVATE_KEY",
    says: "GitHub App keys are RSA keys",
    fix: "Set PRIVATE_KEY to",
  },
  {
    name: "a PRIVATE_KEY encrypted with a passphrase",
    env: { ...CREDENTIALS, PRIVATE_KEY: ENCRYPTED_PEM },
    variable: "PRIVATE_KEY",
    says: "is encrypted with a passphrase, which devflow cannot use (value hidden: it is a secret)",
    fix: "Set PRIVATE_KEY to",
  },
  {
    name: "a PRIVATE_KEY_PATH to no file",
    env: { APP_ID: "1", WEBHOOK_SECRET: "s", PRIVATE_KEY_PATH: "gone.pem" },
    variable: "PRIVATE_KEY_PATH",
    says: `cannot read "gone.pem" (resolved to ${join(dir, "gone.pem")}): no such file`,
    fix: "or use PRIVATE_KEY instead",
  },
  {
    name: "an unreadable PRIVATE_KEY_PATH (a directory)",
    env: { APP_ID: "1", WEBHOOK_SECRET: "s", PRIVATE_KEY_PATH: join(dir, "keys") },
    variable: "PRIVATE_KEY_PATH",
    says: "it is a directory, not a file",
    fix: "Set PRIVATE_KEY_PATH to the path of the app's .pem file",
  },
  {
    name: "a PRIVATE_KEY_PATH to a file without a key",
    env: { APP_ID: "1", WEBHOOK_SECRET: "s", PRIVATE_KEY_PATH: "notes.txt" },
    variable: "PRIVATE_KEY_PATH",
    says: `the file "notes.txt" (resolved to ${join(dir, "notes.txt")}) has no -----BEGIN line, so it is not PEM text (contents hidden`,
    fix: "Point PRIVATE_KEY_PATH at the .pem file",
  },
  {
    name: "a WEBHOOK_SECRET of blanks",
    env: { ...CREDENTIALS, WEBHOOK_SECRET: "   " },
    variable: "WEBHOOK_SECRET",
    says: "holds only whitespace (value hidden: it is a secret)",
    fix: "Set WEBHOOK_SECRET to",
  },
  {
    name: "a GHE_HOST with a scheme",
    env: { GHE_HOST: "https://ghe.example.com" },
    variable: "GHE_HOST",
    says: 'no scheme or path (e.g. github.example.com or github.example.com:8443), found "https://ghe.example.com"',
    fix: "Set GHE_HOST=ghe.example.com and GHE_PROTOCOL=https.",
  },
  {
    name: "a GHE_HOST with a path",
    env: { GHE_HOST: "ghe.example.com/api/v3" },
    variable: "GHE_HOST",
    says: 'found "ghe.example.com/api/v3"',
    fix: "Set GHE_HOST=ghe.example.com.",
  },
  {
    name: "a GHE_HOST with a bad port",
    env: { GHE_HOST: "ghe.example.com:99999" },
    variable: "GHE_HOST",
    says: 'found "ghe.example.com:99999"',
    fix: "Set GHE_HOST to your GitHub Enterprise Server's host name",
  },
  {
    name: "a GHE_PROTOCOL other than http(s)",
    env: { GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "ftp" },
    variable: "GHE_PROTOCOL",
    says: 'expected "http" or "https", found "ftp"',
    fix: "GHE_PROTOCOL=https",
  },
  {
    name: "a DEVFLOW_DATA_DIR that is a file",
    env: { DEVFLOW_DATA_DIR: "notes.txt" },
    variable: "DEVFLOW_DATA_DIR",
    says: `"notes.txt" (resolved to ${join(dir, "notes.txt")}) exists and is not a directory`,
    fix: "DEVFLOW_DATA_DIR=./.devflow",
  },
  {
    name: "a DEVFLOW_CONFIG that does not exist",
    env: { DEVFLOW_CONFIG: "missing.yml" },
    variable: "DEVFLOW_CONFIG",
    says: `"missing.yml" (resolved to ${join(dir, "missing.yml")}) does not exist`,
    fix: "or unset it to use the defaults",
  },
  {
    name: "a DEVFLOW_CONFIG that is a directory",
    env: { DEVFLOW_CONFIG: join(dir, "keys") },
    variable: "DEVFLOW_CONFIG",
    says: "is a directory, not a file",
    fix: "Set DEVFLOW_CONFIG to the path of your server config file",
  },
  {
    name: "a DEVFLOW_HOST_ID with a space",
    env: { DEVFLOW_HOST_ID: "my host" },
    variable: "DEVFLOW_HOST_ID",
    says: 'expected 1 to 63 characters among letters, digits, ".", "_" and "-", found "my host"',
    fix: "DEVFLOW_HOST_ID=worker-1",
  },
  {
    name: "a DEVFLOW_HOST_ID of 64 characters",
    env: { DEVFLOW_HOST_ID: "h".repeat(64) },
    variable: "DEVFLOW_HOST_ID",
    says: "expected 1 to 63 characters",
    fix: "Set DEVFLOW_HOST_ID",
  },
  {
    name: "no DEVFLOW_HOST_ID on a machine whose hostname cannot be one",
    env: {},
    hostname: "build box.example.com",
    variable: "DEVFLOW_HOST_ID",
    says: `not set, and this machine's hostname "build box.example.com" cannot be the default`,
    fix: "DEVFLOW_HOST_ID=build-box.",
  },
  {
    name: "a DEVFLOW_PUBLIC_URL with credentials",
    env: { DEVFLOW_PUBLIC_URL: "https://me:pw@devflow.example.com" },
    variable: "DEVFLOW_PUBLIC_URL",
    says: "without credentials, query or fragment; found a value that looks like a secret (hidden)",
    fix: "DEVFLOW_PUBLIC_URL=https://devflow.example.com",
  },
  {
    name: "a DEVFLOW_PUBLIC_URL that is not http(s)",
    env: { DEVFLOW_PUBLIC_URL: "devflow.example.com" },
    variable: "DEVFLOW_PUBLIC_URL",
    says: 'found "devflow.example.com"',
    fix: "or unset it",
  },
  {
    name: "a GITHUB_CLIENT_ID with a space",
    env: { GITHUB_CLIENT_ID: "Iv1 abc", GITHUB_CLIENT_SECRET: "0123456789abcdef" },
    variable: "GITHUB_CLIENT_ID",
    says: 'found "Iv1 abc"',
    fix: '"Client ID" on your GitHub App',
  },
  {
    name: "a GITHUB_CLIENT_SECRET too short",
    env: { GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "short" },
    variable: "GITHUB_CLIENT_SECRET",
    says: "value hidden: it is a secret",
    fix: "client secret generated on your GitHub App's settings page",
  },
  {
    name: "an unknown LOG_LEVEL",
    env: { LOG_LEVEL: "verbose" },
    variable: "LOG_LEVEL",
    says: 'expected one of fatal, error, warn, info, debug, trace, silent, found "verbose"',
    fix: "LOG_LEVEL=info",
  },
  // rules across variables
  {
    name: "both PRIVATE_KEY and PRIVATE_KEY_PATH",
    env: { ...CREDENTIALS, PRIVATE_KEY_PATH: "key.pem" },
    variable: "PRIVATE_KEY",
    says: "PRIVATE_KEY, PRIVATE_KEY_PATH: both are set",
    fix: "unset PRIVATE_KEY or PRIVATE_KEY_PATH",
  },
  {
    name: "APP_ID without a key or a webhook secret",
    env: { APP_ID: "123" },
    variable: "PRIVATE_KEY",
    says: "PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET: missing, while APP_ID is set",
    fix: "or unset them all to register the app through devflow's setup page",
  },
  {
    name: "a key and a webhook secret without APP_ID",
    env: { PRIVATE_KEY_PATH: "key.pem", WEBHOOK_SECRET: "s" },
    variable: "APP_ID",
    says: "APP_ID: missing, while PRIVATE_KEY_PATH and WEBHOOK_SECRET are set",
    fix: "set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET",
  },
  {
    name: "WEBHOOK_SECRET alone",
    env: { WEBHOOK_SECRET: "s" },
    variable: "APP_ID",
    says: "APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH): missing, while WEBHOOK_SECRET is set",
    fix: "GitHub App credentials go together",
  },
  {
    name: "GITHUB_CLIENT_SECRET without GITHUB_CLIENT_ID",
    env: { GITHUB_CLIENT_SECRET: "0123456789abcdef" },
    variable: "GITHUB_CLIENT_ID",
    says: "GITHUB_CLIENT_ID: missing, while GITHUB_CLIENT_SECRET is set",
    fix: "or unset both to use the client the setup page saved",
  },
  {
    name: "GITHUB_CLIENT_ID without GITHUB_CLIENT_SECRET",
    env: { GITHUB_CLIENT_ID: "Iv1.client" },
    variable: "GITHUB_CLIENT_SECRET",
    says: "GITHUB_CLIENT_SECRET: missing, while GITHUB_CLIENT_ID is set",
    fix: "set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET",
  },
  {
    name: "GHE_PROTOCOL without GHE_HOST",
    env: { GHE_PROTOCOL: "https" },
    variable: "GHE_PROTOCOL",
    says: "set without GHE_HOST",
    fix: "Set GHE_HOST to your GitHub Enterprise Server's host",
  },
];

describe("loadEnvironment rejects", () => {
  it.each(BAD_VALUES)("$name, naming $variable and the fix", ({ env, variable, says, fix, hostname }) => {
    const { error, problems } = rejection(env, hostname);
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem?.variable).toBe(variable);
    expect(problem?.message.startsWith(variable)).toBe(true);
    expect(problem?.message).toContain(says);
    expect(problem?.message).toContain(fix);
    expect(error.message).toContain(problem?.message);
  });

  it("has a bad-value row for every variable", () => {
    const covered = new Set(BAD_VALUES.map((row) => row.variable));
    expect(ENVIRONMENT_VARIABLES.filter((name) => !covered.has(name))).toEqual([]);
  });
});
