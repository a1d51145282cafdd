// One check per server environment variable (DESIGN §5). A check takes the variable's text (never
// empty: empty means unset) and returns the parsed value or one problem: the variable, what is wrong,
// how to fix it. Values of secret variables are never quoted; other values are, unless they look
// like they hold a secret anyway (a pasted key, a URL with a password, another variable's secret).

import { accessSync, constants, statSync } from "node:fs";
import { isIP } from "node:net";
import { isAbsolute, resolve } from "node:path";
import { parsePrivateKeyText, readPrivateKeyFile } from "./private-key.js";

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface CheckContext {
  /** Relative paths are resolved against this directory. */
  readonly cwd: string;
  /** The secret values present in the environment: a non-secret value containing one is not quoted. */
  readonly secrets: readonly string[];
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type GitHubProtocol = "http" | "https";

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = (problem: string): Checked<never> => ({ ok: false, problem });
const URL_HIDDEN = "value hidden: it may hold a password";
const HIDDEN_VALUE = "a value that looks like a secret (hidden)";

/** A non-secret value as a message may show it. */
export function quote(value: string, context: CheckContext): string {
  const looksSecret =
    value.includes("-----BEGIN") ||
    /:\/\/[^/\s]*@|:[^/\s@]*@/.test(value) ||
    context.secrets.some((secret) => secret.length >= 4 && value.includes(secret));
  if (looksSecret) return HIDDEN_VALUE;
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
}

function quotePath(value: string, absolute: string, context: CheckContext): string {
  const shown = quote(value, context);
  return isAbsolute(value) || shown === HIDDEN_VALUE ? shown : `${shown} (resolved to ${absolute})`;
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export function checkPort(value: string, context: CheckContext): Checked<number> {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (port >= 1 && port <= 65535) return ok(port);
  return fail(
    `PORT: expected an integer from 1 to 65535, found ${quote(value, context)}. ` +
      "Set PORT to a free port number, e.g. PORT=3000.",
  );
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function checkHost(value: string, context: CheckContext): Checked<string> {
  if (isIP(value) !== 0 || HOST_NAME.test(value)) return ok(value);
  return fail(
    `HOST: expected an IP address or host name to listen on, found ${quote(value, context)}. ` +
      "Set HOST to a bind address, e.g. HOST=0.0.0.0 (every interface) or HOST=127.0.0.1 (this machine only).",
  );
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

export function checkDatabaseUrl(value: string): Checked<string> {
  const url = parseUrl(value);
  const fix =
    "Set DATABASE_URL to a Postgres connection URL, e.g. DATABASE_URL=postgres://devflow:PASSWORD@localhost:5432/devflow, " +
    "or unset it to use the embedded Postgres.";
  if (url === undefined) return fail(`DATABASE_URL: not a URL (${URL_HIDDEN}). ${fix}`);
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    return fail(`DATABASE_URL: not a postgres:// or postgresql:// URL (${URL_HIDDEN}). ${fix}`);
  }
  if (url.hostname === "") return fail(`DATABASE_URL: the URL names no host (${URL_HIDDEN}). ${fix}`);
  return ok(value);
}

export function checkRedisUrl(value: string): Checked<string> {
  const url = parseUrl(value);
  if (url !== undefined && (url.protocol === "redis:" || url.protocol === "rediss:")) return ok(value);
  return fail(
    `REDIS_URL: not a redis:// or rediss:// URL (${URL_HIDDEN}). ` +
      "Set REDIS_URL to your Redis, e.g. REDIS_URL=redis://localhost:6379, or unset it to queue on Postgres.",
  );
}

export function checkAppId(value: string, context: CheckContext): Checked<number> {
  const id = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(id) && id > 0) return ok(id);
  return fail(
    `APP_ID: expected a positive integer, found ${quote(value, context)}. ` +
      'Set APP_ID to the number shown as "App ID" on your GitHub App\'s settings page (not the Client ID).',
  );
}

export function checkPrivateKey(value: string): Checked<string> {
  const result = parsePrivateKeyText(value);
  return result.ok ? ok(result.pem) : fail(result.problem);
}

export function checkPrivateKeyPath(
  value: string,
  context: CheckContext,
): Checked<{ path: string; pem: string }> {
  const path = resolve(context.cwd, value);
  const result = readPrivateKeyFile(path, quotePath(value, path, context));
  return result.ok ? ok({ path, pem: result.pem }) : fail(result.problem);
}

export function checkWebhookSecret(value: string): Checked<string> {
  if (value.trim() !== "") return ok(value);
  return fail(
    "WEBHOOK_SECRET: holds only whitespace (value hidden: it is a secret). " +
      "Set WEBHOOK_SECRET to the webhook secret entered on your GitHub App's settings page.",
  );
}

function isHostAndPort(value: string): boolean {
  const match = /^([^:/?#@\s]+)(?::(\d{1,5}))?$/.exec(value);
  const host = match?.[1] ?? "";
  const port = match?.[2];
  const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  return (HOST_NAME.test(host) || isIP(host) === 4) && portOk;
}

export function checkGheHost(value: string, context: CheckContext): Checked<string> {
  if (isHostAndPort(value)) return ok(value);
  const shown = quote(value, context);
  const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value);
  const url = parseUrl(hasScheme ? value : `https://${value}`);
  // A value hidden from the message is not echoed through the suggestion either.
  const suggestion = url && shown !== HIDDEN_VALUE ? url.host : "";
  const protocol = hasScheme && (url?.protocol === "http:" || url?.protocol === "https:") ? url.protocol : "";
  const fix = isHostAndPort(suggestion)
    ? `Set GHE_HOST=${suggestion}${protocol ? ` and GHE_PROTOCOL=${protocol.slice(0, -1)}` : ""}.`
    : "Set GHE_HOST to your GitHub Enterprise Server's host name, e.g. GHE_HOST=github.example.com.";
  return fail(
    "GHE_HOST: expected a host name with an optional port and no scheme or path " +
      `(e.g. github.example.com or github.example.com:8443), found ${shown}. ${fix}`,
  );
}

export function checkGheProtocol(value: string, context: CheckContext): Checked<GitHubProtocol> {
  const protocol = value.toLowerCase();
  if (protocol === "http" || protocol === "https") return ok(protocol);
  return fail(
    `GHE_PROTOCOL: expected "http" or "https", found ${quote(value, context)}. ` +
      "Set GHE_PROTOCOL=https (the default) or GHE_PROTOCOL=http.",
  );
}

export function checkDataDir(value: string, context: CheckContext): Checked<string> {
  const path = resolve(context.cwd, value);
  const stats = statOrUndefined(path);
  if (stats === undefined || stats.isDirectory()) return ok(path);
  return fail(
    `DEVFLOW_DATA_DIR: ${quotePath(value, path, context)} exists and is not a directory. ` +
      "Set DEVFLOW_DATA_DIR to a directory devflow may create and write, e.g. DEVFLOW_DATA_DIR=./.devflow.",
  );
}

export function checkConfigPath(value: string, context: CheckContext): Checked<string> {
  const path = resolve(context.cwd, value);
  const stats = statOrUndefined(path);
  let wrong: string | undefined;
  if (stats === undefined) wrong = "does not exist";
  else if (stats.isDirectory()) wrong = "is a directory, not a file";
  else if (!stats.isFile()) wrong = "is not a regular file";
  else {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      wrong = "cannot be read (permission denied)";
    }
  }
  if (wrong === undefined) return ok(path);
  return fail(
    `DEVFLOW_CONFIG: ${quotePath(value, path, context)} ${wrong}. ` +
      "Set DEVFLOW_CONFIG to the path of your server config file, or unset it to use the defaults.",
  );
}

const HOST_ID = /^[A-Za-z0-9._-]{1,63}$/;
const HOST_ID_RULE = 'expected 1 to 63 characters among letters, digits, ".", "_" and "-"';
const HOST_ID_FIX = "Set DEVFLOW_HOST_ID to a short name unique to this machine, e.g. DEVFLOW_HOST_ID=";

export function checkHostId(value: string, context: CheckContext): Checked<string> {
  if (HOST_ID.test(value)) return ok(value);
  return fail(`DEVFLOW_HOST_ID: ${HOST_ID_RULE}, found ${quote(value, context)}. ${HOST_ID_FIX}worker-1.`);
}

/** DEVFLOW_HOST_ID unset: the hostname is the default, if it makes a valid id. */
export function checkDefaultHostId(hostname: string, context: CheckContext): Checked<string> {
  if (HOST_ID.test(hostname)) return ok(hostname);
  const suggestion =
    (hostname.split(".")[0] ?? "").replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 63) || "worker-1";
  return fail(
    `DEVFLOW_HOST_ID: not set, and this machine's hostname ${quote(hostname, context)} cannot be the default ` +
      `(${HOST_ID_RULE}). ${HOST_ID_FIX}${suggestion}.`,
  );
}

export function checkLogLevel(value: string, context: CheckContext): Checked<LogLevel> {
  const level = LOG_LEVELS.find((candidate) => candidate === value.toLowerCase());
  if (level !== undefined) return ok(level);
  return fail(
    `LOG_LEVEL: expected one of ${LOG_LEVELS.join(", ")}, found ${quote(value, context)}. ` +
      "Set LOG_LEVEL=info (the default) or another of those levels.",
  );
}

export function checkPublicUrl(value: string, context: CheckContext): Checked<string> {
  const url = parseUrl(value);
  const fine =
    url !== undefined &&
    (url.protocol === "https:" || url.protocol === "http:") &&
    url.username === "" &&
    url.password === "" &&
    url.search === "" &&
    url.hash === "";
  if (url !== undefined && fine) return ok(`${url.origin}${url.pathname.replace(/\/+$/, "")}`);
  return fail(
    `DEVFLOW_PUBLIC_URL: expected the http:// or https:// address people open devflow at, without credentials, query or fragment; found ${quote(value, context)}. ` +
      "Set it to devflow's public address, e.g. DEVFLOW_PUBLIC_URL=https://devflow.example.com, or unset it (check runs then link to no dashboard).",
  );
}

export function checkClientId(value: string, context: CheckContext): Checked<string> {
  if (/^[A-Za-z0-9._-]{1,100}$/.test(value)) return ok(value);
  return fail(
    `GITHUB_CLIENT_ID: expected a GitHub App's client ID (letters, digits, ".", "_" or "-"), found ${quote(value, context)}. ` +
      'Set it to the "Client ID" on your GitHub App\'s settings page (not the App ID).',
  );
}

export function checkClientSecret(value: string): Checked<string> {
  if (/^[\x21-\x7e]{8,200}$/.test(value)) return ok(value);
  return fail(
    "GITHUB_CLIENT_SECRET: expected 8 to 200 printable characters without spaces (value hidden: it is a secret). " +
      "Set it to a client secret generated on your GitHub App's settings page.",
  );
}
