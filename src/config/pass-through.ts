// Which environment variables an operator may pass through to an agent (DESIGN §4): a rule of the
// server config, so it lives here, below the sessions that apply it.

/** devflow's own secrets and settings: never passed through to an agent, whatever the config says. */
export const DEVFLOW_SECRET_VARIABLES = [
  "DATABASE_URL",
  "REDIS_URL",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "GITHUB_TOKEN",
  // Names Probot and the gh CLI use for the same kinds of credentials.
  "GH_TOKEN",
  "GITHUB_CLIENT_SECRET",
] as const;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Why `name` may not be passed through to an agent, or undefined when it may: not a variable name,
 * one of devflow's secrets, a DEVFLOW_* setting, or HOME (always the session's own). Case-insensitive,
 * so `database_url` is refused too.
 */
export function passThroughProblem(name: string): string | undefined {
  if (!VARIABLE_NAME.test(name)) return "is not an environment variable name (letters, digits, _)";
  const upper = name.toUpperCase();
  if ((DEVFLOW_SECRET_VARIABLES as readonly string[]).includes(upper))
    return "is one of devflow's own secrets and never reaches an agent";
  if (upper.startsWith("DEVFLOW_")) return "is a devflow setting: DEVFLOW_* variables never reach an agent";
  if (upper === "HOME") return "is always the session's own directory";
  return undefined;
}
