// The server environment (DESIGN §5), read once at start-up and validated as a whole: every problem is
// reported in one DevflowError (`invalid_environment`), each naming its variable and the fix, and no
// message, detail or cause ever holds the value of a secret.

import { hostname as osHostname } from "node:os";
import { inspect } from "node:util";
import { z } from "zod";
import { DevflowError } from "../errors/index.js";
import {
  type CheckContext,
  type Checked,
  checkAppId,
  checkClientId,
  checkClientSecret,
  checkConfigPath,
  checkDatabaseUrl,
  checkDataDir,
  checkDefaultHostId,
  checkGheHost,
  checkGheProtocol,
  checkHost,
  checkHostId,
  checkLogLevel,
  checkPort,
  checkPrivateKey,
  checkPrivateKeyPath,
  checkPublicUrl,
  checkRedisUrl,
  checkWebhookSecret,
  type GitHubProtocol,
  type LogLevel,
} from "./environment-checks.js";
import { crossFieldProblems } from "./environment-rules.js";
import { redactEnvironment } from "./redact-environment.js";

export { type GitHubProtocol, LOG_LEVELS, type LogLevel } from "./environment-checks.js";

/** The variables devflow reads, in the order their problems are reported. */
export const ENVIRONMENT_VARIABLES = [
  "PORT",
  "HOST",
  "DATABASE_URL",
  "REDIS_URL",
  "APP_ID",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "GHE_HOST",
  "GHE_PROTOCOL",
  "DEVFLOW_DATA_DIR",
  "DEVFLOW_CONFIG",
  "DEVFLOW_HOST_ID",
  "DEVFLOW_PUBLIC_URL",
  "GITHUB_CLIENT_ID",
  "GITHUB_CLIENT_SECRET",
  "LOG_LEVEL",
] as const;
export type EnvironmentVariable = (typeof ENVIRONMENT_VARIABLES)[number];

/** Never quoted anywhere. URLs count: they may hold a password. */
export const SECRET_VARIABLES = [
  "DATABASE_URL",
  "REDIS_URL",
  "PRIVATE_KEY",
  "WEBHOOK_SECRET",
  "GITHUB_CLIENT_SECRET",
] as const;

/**
 * Taken out of process.env once the environment is read (withdrawSecrets): devflow's own secrets, and
 * the names Probot and the gh CLI use for the same kinds of credentials.
 */
export const WITHDRAWN_VARIABLES = [...SECRET_VARIABLES, "GITHUB_TOKEN", "GH_TOKEN"] as const;

export const DEFAULT_PORT = 3000;
// HOST unset: every interface once the GitHub App is registered (GitHub has to reach the webhook
// endpoint, and in a container loopback is reachable from nowhere else), loopback until then, so that
// the setup page is not offered to the network. Behind a reverse proxy on the same machine, set
// HOST=127.0.0.1.
export const DEFAULT_HOST = "0.0.0.0";
export const UNREGISTERED_HOST = "127.0.0.1";
export const DEFAULT_DATA_DIR = "./.devflow";
export const DEFAULT_LOG_LEVEL: LogLevel = "info";
export const DEFAULT_GHE_PROTOCOL: GitHubProtocol = "https";

export interface GitHubAppCredentials {
  readonly appId: number;
  /** PEM text, newlines unescaped. */
  readonly privateKey: string;
  /** Where the key was read from, when it came from PRIVATE_KEY_PATH (absolute). */
  readonly privateKeyPath?: string;
  readonly webhookSecret: string;
}

/** The App's OAuth client, for the dashboard's sign-in (Probot's GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET). */
export interface OAuthClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface GitHubEnterprise {
  /** host[:port], as Probot's GHE_HOST: the API is at `${protocol}://${host}/api/v3`. */
  readonly host: string;
  readonly protocol: GitHubProtocol;
}

export interface Environment {
  readonly port: number;
  /** HOST as set; unset: DEFAULT_HOST once the app is registered, UNREGISTERED_HOST until then. */
  readonly host?: string;
  /** Unset: devflow runs an embedded Postgres in the data directory. */
  readonly databaseUrl?: string;
  /** Unset: queues run on Postgres. */
  readonly redisUrl?: string;
  /** Unset: no credentials yet, Probot's setup flow registers the app. */
  readonly github?: GitHubAppCredentials;
  readonly githubEnterprise?: GitHubEnterprise;
  /** The dashboard's sign-in client; unset: the one the setup page saved, if any. */
  readonly oauthClient?: OAuthClientCredentials;
  /** Where people reach devflow (no trailing slash): check runs link to the dashboard under it. */
  readonly publicUrl?: string;
  /** Absolute. */
  readonly dataDir: string;
  /** Absolute path of the server config file (an existing, readable file). */
  readonly configPath?: string;
  readonly hostId: string;
  readonly logLevel: LogLevel;
}

export interface LoadEnvironmentOptions {
  /** The default DEVFLOW_HOST_ID; defaults to os.hostname(). */
  readonly hostname?: string;
  /** Relative paths resolve against it; defaults to process.cwd(). */
  readonly cwd?: string;
}

export interface EnvironmentProblem {
  readonly variable: EnvironmentVariable;
  readonly message: string;
}

export type RawEnvironment = Partial<Record<EnvironmentVariable, string>>;

/** The known variables, an empty string counting as unset (`FOO=` in a .env file). */
function readVariables(env: Record<string, string | undefined>): RawEnvironment {
  const raw: RawEnvironment = {};
  for (const name of ENVIRONMENT_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== "") raw[name] = value;
  }
  return raw;
}

/** A zod field for one variable: a set value goes through its check. */
function variable<T>(check: (value: string) => Checked<T>) {
  return z.string().transform((value, ctx) => {
    const result = check(value);
    if (result.ok) return result.value;
    ctx.addIssue(result.problem);
    return z.NEVER;
  });
}

function environmentSchema(raw: RawEnvironment, context: CheckContext, hostname: string) {
  return z.object({
    PORT: variable((value) => checkPort(value, context)).prefault(String(DEFAULT_PORT)),
    HOST: variable((value) => checkHost(value, context)).optional(),
    DATABASE_URL: variable(checkDatabaseUrl).optional(),
    REDIS_URL: variable(checkRedisUrl).optional(),
    APP_ID: variable((value) => checkAppId(value, context)).optional(),
    PRIVATE_KEY: variable(checkPrivateKey).optional(),
    PRIVATE_KEY_PATH: variable((value) => checkPrivateKeyPath(value, context)).optional(),
    WEBHOOK_SECRET: variable(checkWebhookSecret).optional(),
    GHE_HOST: variable((value) => checkGheHost(value, context)).optional(),
    GHE_PROTOCOL: variable((value) => checkGheProtocol(value, context)).prefault(DEFAULT_GHE_PROTOCOL),
    // Defaults go through the same checks: a file at ./.devflow or an odd hostname is reported too.
    DEVFLOW_DATA_DIR: variable((value) => checkDataDir(value, context)).prefault(DEFAULT_DATA_DIR),
    DEVFLOW_CONFIG: variable((value) => checkConfigPath(value, context)).optional(),
    DEVFLOW_HOST_ID: variable((value) =>
      raw.DEVFLOW_HOST_ID === undefined ? checkDefaultHostId(value, context) : checkHostId(value, context),
    ).prefault(hostname),
    DEVFLOW_PUBLIC_URL: variable((value) => checkPublicUrl(value, context)).optional(),
    GITHUB_CLIENT_ID: variable((value) => checkClientId(value, context)).optional(),
    GITHUB_CLIENT_SECRET: variable(checkClientSecret).optional(),
    LOG_LEVEL: variable((value) => checkLogLevel(value, context)).prefault(DEFAULT_LOG_LEVEL),
  });
}

function environmentError(problems: readonly EnvironmentProblem[]): DevflowError {
  const order = (problem: EnvironmentProblem) => ENVIRONMENT_VARIABLES.indexOf(problem.variable);
  const sorted = [...problems].sort((a, b) => order(a) - order(b));
  const count = sorted.length === 1 ? "1 problem" : `${sorted.length} problems`;
  return new DevflowError(
    `The environment is not valid (${count}):\n${sorted.map((problem) => `- ${problem.message}`).join("\n")}`,
    { code: "invalid_environment", details: { problems: sorted.map((problem) => ({ ...problem })) } },
  );
}

/** Freezes `target` so that logging it (JSON.stringify, pino, util.inspect) shows `view()`, not secrets. */
function frozenWithLogView<T extends object>(target: T, view: () => unknown): T {
  Object.defineProperty(target, "toJSON", { value: view });
  Object.defineProperty(target, inspect.custom, { value: view });
  return Object.freeze(target);
}

/**
 * Reads and validates the server environment. Throws one DevflowError (`invalid_environment`)
 * listing every problem; `details.problems` holds `{ variable, message }` for each.
 */
export function loadEnvironment(
  env: Record<string, string | undefined> = process.env,
  options: LoadEnvironmentOptions = {},
): Environment {
  const raw = readVariables(env);
  const context: CheckContext = {
    cwd: options.cwd ?? process.cwd(),
    secrets: SECRET_VARIABLES.flatMap((name) => raw[name] ?? []),
  };
  const problems = crossFieldProblems(raw);
  const schema = environmentSchema(raw, context, options.hostname ?? osHostname());
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = ENVIRONMENT_VARIABLES.find((candidate) => candidate === issue.path[0]) ?? "PORT";
      // Our checks write whole messages; zod's own (a value that is not text) get the variable's name.
      const message = issue.message.startsWith(`${name}:`) ? issue.message : `${name}: ${issue.message}.`;
      problems.push({ variable: name, message });
    }
  }
  if (problems.length > 0 || !parsed.success) throw environmentError(problems);

  const fields = parsed.data;
  const privateKey = fields.PRIVATE_KEY ?? fields.PRIVATE_KEY_PATH?.pem;
  const oauthClient =
    fields.GITHUB_CLIENT_ID !== undefined && fields.GITHUB_CLIENT_SECRET !== undefined
      ? { clientId: fields.GITHUB_CLIENT_ID, clientSecret: fields.GITHUB_CLIENT_SECRET }
      : undefined;
  const github: GitHubAppCredentials | undefined =
    fields.APP_ID !== undefined && privateKey !== undefined && fields.WEBHOOK_SECRET !== undefined
      ? {
          appId: fields.APP_ID,
          privateKey,
          ...(fields.PRIVATE_KEY_PATH === undefined ? {} : { privateKeyPath: fields.PRIVATE_KEY_PATH.path }),
          webhookSecret: fields.WEBHOOK_SECRET,
        }
      : undefined;
  const environment: Environment = {
    port: fields.PORT,
    ...(fields.HOST === undefined ? {} : { host: fields.HOST }),
    ...(fields.DATABASE_URL === undefined ? {} : { databaseUrl: fields.DATABASE_URL }),
    ...(fields.REDIS_URL === undefined ? {} : { redisUrl: fields.REDIS_URL }),
    ...(github === undefined ? {} : { github }),
    ...(fields.GHE_HOST === undefined
      ? {}
      : { githubEnterprise: Object.freeze({ host: fields.GHE_HOST, protocol: fields.GHE_PROTOCOL }) }),
    ...(oauthClient === undefined ? {} : { oauthClient }),
    ...(fields.DEVFLOW_PUBLIC_URL === undefined ? {} : { publicUrl: fields.DEVFLOW_PUBLIC_URL }),
    dataDir: fields.DEVFLOW_DATA_DIR,
    ...(fields.DEVFLOW_CONFIG === undefined ? {} : { configPath: fields.DEVFLOW_CONFIG }),
    hostId: fields.DEVFLOW_HOST_ID,
    logLevel: fields.LOG_LEVEL,
  };
  if (github !== undefined) frozenWithLogView(github, () => redactEnvironment(environment).github);
  if (oauthClient !== undefined)
    frozenWithLogView(oauthClient, () => redactEnvironment(environment).oauthClient);
  return frozenWithLogView(environment, () => redactEnvironment(environment));
}

/**
 * Deletes devflow's secrets from `env` (process.env) once loadEnvironment has read them: later code, a
 * library reading process.env and every child process spawned without an explicit environment see none.
 * Returns the names it removed. /proc/<pid>/environ still shows the environment devflow was started
 * with: hiding that takes another uid or a PID namespace (the agent sandbox).
 */
export function withdrawSecrets(env: Record<string, string | undefined> = process.env): string[] {
  const removed = WITHDRAWN_VARIABLES.filter((name) => env[name] !== undefined);
  for (const name of removed) delete env[name];
  return removed;
}
