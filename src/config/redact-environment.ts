// A loggable summary of the environment: what devflow runs with, without a secret in it.

import type { Environment } from "./environment.js";
import type { GitHubProtocol, LogLevel } from "./environment-checks.js";

export const REDACTED = "[redacted]";

export interface EnvironmentSummary {
  readonly port: number;
  readonly host?: string;
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  readonly github?: {
    readonly appId: number;
    readonly privateKey: typeof REDACTED;
    readonly privateKeyPath?: string;
    readonly webhookSecret: typeof REDACTED;
  };
  readonly githubEnterprise?: { readonly host: string; readonly protocol: GitHubProtocol };
  readonly oauthClient?: { readonly clientId: string; readonly clientSecret: typeof REDACTED };
  readonly publicUrl?: string;
  readonly dataDir: string;
  readonly configPath?: string;
  readonly hostId: string;
  readonly logLevel: LogLevel;
}

// Query parameters that can carry credentials in Postgres and Redis URLs (password=, sslpassword=, …).
const SENSITIVE_PARAMETER = /pass|secret|token|key|auth|cred/i;

/**
 * A URL without its secrets: the password (and anything after it in the user info) becomes
 * "[redacted]", as do sensitive query parameters; the fragment is dropped. A value that does not
 * parse as a URL is redacted whole.
 */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return REDACTED;
  }
  const userInfo =
    url.username === "" && url.password === ""
      ? ""
      : `${url.username}${url.password === "" ? "" : `:${REDACTED}`}@`;
  const parameters = [...url.searchParams].map(
    ([name, parameter]) =>
      `${encodeURIComponent(name)}=${SENSITIVE_PARAMETER.test(name) ? REDACTED : encodeURIComponent(parameter)}`,
  );
  const query = parameters.length > 0 ? `?${parameters.join("&")}` : "";
  return `${url.protocol}//${userInfo}${url.host}${url.pathname}${query}`;
}

/** The environment with secrets replaced by "[redacted]" and passwords taken out of URLs. */
export function redactEnvironment(env: Environment): EnvironmentSummary {
  const { github, githubEnterprise, databaseUrl, redisUrl, configPath } = env;
  return {
    port: env.port,
    ...(env.host === undefined ? {} : { host: env.host }),
    ...(databaseUrl === undefined ? {} : { databaseUrl: redactUrl(databaseUrl) }),
    ...(redisUrl === undefined ? {} : { redisUrl: redactUrl(redisUrl) }),
    ...(github === undefined
      ? {}
      : {
          github: {
            appId: github.appId,
            privateKey: REDACTED,
            ...(github.privateKeyPath === undefined ? {} : { privateKeyPath: github.privateKeyPath }),
            webhookSecret: REDACTED,
          },
        }),
    ...(githubEnterprise === undefined ? {} : { githubEnterprise: { ...githubEnterprise } }),
    ...(env.oauthClient === undefined
      ? {}
      : { oauthClient: { clientId: env.oauthClient.clientId, clientSecret: REDACTED } }),
    ...(env.publicUrl === undefined ? {} : { publicUrl: env.publicUrl }),
    dataDir: env.dataDir,
    ...(configPath === undefined ? {} : { configPath }),
    hostId: env.hostId,
    logLevel: env.logLevel,
  };
}
