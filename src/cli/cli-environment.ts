// Where the local CLI works: the directory the user typed the command in (also under `npm run devflow`,
// which runs scripts in devflow's own checkout), and one per-user state directory by default — never
// the user's repository, and the same from every directory, so `devflow status` anywhere shows the run
// `devflow run` started elsewhere.
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Environment, loadEnvironment } from "../config/index.js";

/** devflow's own package root (this file is src/cli/… in a checkout, dist/cli/… when built). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The directory the user typed the command in, when it is not `cwd`: npm runs a package's scripts in
 * the package's folder and names the user's directory in INIT_CWD. Only for devflow's own scripts
 * (cwd is devflow's package root): a script of another project keeps npm's meaning of cwd.
 */
export function invocationDirectory(
  env: Record<string, string | undefined>,
  cwd: string,
  packageRoot: string = PACKAGE_ROOT,
): string | undefined {
  const typedIn = env.INIT_CWD;
  if (!typedIn || !isAbsolute(typedIn) || resolve(cwd) !== resolve(packageRoot)) return undefined;
  if (resolve(typedIn) === resolve(cwd)) return undefined;
  try {
    return statSync(typedIn).isDirectory() ? resolve(typedIn) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The CLI's state directory when DEVFLOW_DATA_DIR is unset: `$XDG_STATE_HOME/devflow`, or
 * `~/.local/state/devflow` (the XDG Base Directory default; a relative XDG_STATE_HOME is ignored, as
 * the specification says).
 */
export function defaultStateDir(
  env: Record<string, string | undefined> = process.env,
  home: string = homedir(),
): string {
  const xdg = env.XDG_STATE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, ".local", "state"), "devflow");
}

/** The environment of the local CLI's commands: the server's, with the per-user state directory. */
export function loadCliEnvironment(env: Record<string, string | undefined> = process.env): Environment {
  const dataDir = env.DEVFLOW_DATA_DIR ? env.DEVFLOW_DATA_DIR : defaultStateDir(env);
  return loadEnvironment({ ...env, DEVFLOW_DATA_DIR: dataDir });
}
