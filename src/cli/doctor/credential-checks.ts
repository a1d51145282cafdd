// The environment's other variables and the GitHub App credentials (environment, or saved by the
// setup page), checked by the same rules as `devflow start` so the messages and fixes are the same.
import { hostname } from "node:os";
import { type EnvironmentProblem, type EnvironmentVariable, loadEnvironment } from "../../config/index.js";
import { DevflowError, isDevflowError } from "../../errors/index.js";
import { readSavedAppCredentials, SETUP_PATH } from "../../github/index.js";
import { type DoctorCheck, fail, ok, warn } from "./doctor-report.js";

type Env = Record<string, string | undefined>;

/** Checked by their own doctor checks (Postgres, Redis, GitHub App), not by "environment". */
const OWN_CHECK: readonly EnvironmentVariable[] = [
  "DATABASE_URL",
  "REDIS_URL",
  "APP_ID",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
];
const APP_VARIABLES: readonly EnvironmentVariable[] = [
  "APP_ID",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
];

/** The problems `devflow start` would report for this environment (messages name the fix, no secret). */
export function environmentProblems(env: Env, cwd: string): EnvironmentProblem[] {
  try {
    loadEnvironment(env, { cwd, hostname: hostname() });
    return [];
  } catch (error) {
    if (!isDevflowError(error, "invalid_environment")) throw error;
    return (error.details.problems as EnvironmentProblem[] | undefined) ?? [];
  }
}

export function checkEnvironment(problems: readonly EnvironmentProblem[]): DoctorCheck {
  const others = problems.filter((problem) => !OWN_CHECK.includes(problem.variable));
  if (others.length === 0) return ok("environment", "PORT, HOST, GHE_*, DEVFLOW_* and LOG_LEVEL are valid");
  return fail(
    "environment",
    others.map((problem) => problem.message).join("\n"),
    "Fix each variable named above as it says, then run `devflow doctor` again.",
  );
}

export function checkAppCredentials(
  env: Env,
  problems: readonly EnvironmentProblem[],
  dataDir: string,
  port: string,
): DoctorCheck {
  const name = "GitHub App";
  const fromEnvironment = APP_VARIABLES.filter((variable) => (env[variable] ?? "") !== "");
  if (fromEnvironment.length > 0) {
    const wrong = problems.filter((problem) => APP_VARIABLES.includes(problem.variable));
    if (wrong.length > 0) {
      return fail(
        name,
        wrong.map((problem) => problem.message).join("\n"),
        "Fix the App credentials as said above (values are never shown: they are secrets).",
      );
    }
    return ok(
      name,
      `APP_ID ${env.APP_ID} from the environment; the private key parses and WEBHOOK_SECRET is set`,
    );
  }
  try {
    const saved = readSavedAppCredentials(dataDir);
    if (!saved) {
      return warn(
        name,
        "no credentials yet (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET unset, none saved in the data directory)",
        `Run \`devflow start\` and open http://localhost:${port}${SETUP_PATH} at devflow's public address to register the app.`,
      );
    }
    const { appId, slug } = saved.registration;
    if ((saved.mode & 0o077) !== 0) {
      return warn(
        name,
        `app ${slug} (id ${appId}) saved in ${saved.file}, which other users can read (mode ${saved.mode.toString(8)})`,
        `chmod 600 ${saved.file}`,
      );
    }
    return ok(
      name,
      `app ${slug} (id ${appId}) saved by the setup page in ${saved.file}; the private key parses`,
    );
  } catch (error) {
    if (!(error instanceof DevflowError)) throw error;
    return fail(name, error.message, error.recoveryHint);
  }
}
