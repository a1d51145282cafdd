// The one place devflow builds a git client. Every command runs with:
// - no terminal prompt (GIT_TERMINAL_PROMPT=0): a missing credential fails instead of waiting forever;
// - configuration passed through GIT_CONFIG_COUNT/KEY_n/VALUE_n, never `-c` arguments (which anyone on the
//   host can read in `ps`) and never written to a repository's config. The auth header travels this way;
// - nothing taken from the ambient GIT_* environment (GIT_DIR from a hook would point git elsewhere).
import { type SimpleGit, simpleGit } from "simple-git";

export interface CreateGitOptions {
  baseDir: string;
  /** A whole HTTP header line, e.g. `AUTHORIZATION: basic …`; sent as `http.extraHeader`. */
  authHeader?: string;
  /** Extra GIT_* variables (commit identity). */
  env?: Record<string, string>;
}

/** Configuration every command gets, whatever the machine's git config says. */
const BASE_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ["commit.gpgSign", "false"],
  ["core.quotePath", "false"],
  // Abort a transfer that stalls below 1 KB/s for a minute instead of hanging a worker forever.
  ["http.lowSpeedLimit", "1000"],
  ["http.lowSpeedTime", "60"],
];

/** Variables simple-git refuses to pass on unless allowed; dropped from the inherited environment. */
const GUARDED = /^(git_.*|editor|visual|pager|prefix|ssh_askpass)$/i;

export function createGit({ baseDir, authHeader, env = {} }: CreateGitOptions): SimpleGit {
  const config = authHeader ? [...BASE_CONFIG, ["http.extraHeader", authHeader] as const] : BASE_CONFIG;
  const own: Record<string, string> = {
    ...env,
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_COUNT: `${config.length}`,
  };
  config.forEach(([key, value], index) => {
    own[`GIT_CONFIG_KEY_${index}`] = key;
    own[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  const inherited: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !GUARDED.test(key)) inherited[key] = value;
  }
  return simpleGit({
    baseDir,
    trimmed: false,
    allowEnvironment: Object.keys(own),
    unsafe: { allowUnsafeConfigEnvCount: true },
  }).env({ ...inherited, ...own });
}
