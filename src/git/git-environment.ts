// The whole environment of every git process devflow starts (DESIGN §1 "devflow's own git never reads
// config, hooks or `.git` pointers an agent could have written"). Nothing of devflow's own process.env is
// copied: its secrets (PRIVATE_KEY, WEBHOOK_SECRET, DATABASE_URL …) must never reach git or anything git
// might start. What git gets:
// - PATH, and the operator's network settings (proxy, CA bundle): a host behind a proxy must still fetch;
// - HOME=/dev/null: a path under which nothing can ever be created, not even by a process with devflow's
//   uid, so no ~/.gitconfig, ~/.config/git/{config,attributes,ignore} or ~/.netrc can be planted;
// - no system or global config (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null);
// - forced settings in the command scope (GIT_CONFIG_COUNT), which git reads after the repository's
//   config, so a value an agent wrote there for the same key loses. They are never `-c` arguments,
//   which anyone on the host can read in `ps`; the auth header travels this way too;
// - only the protocols devflow uses (GIT_ALLOW_PROTOCOL wins over any config): no ssh, git://, ext::.
// Keys that a later value cannot cancel (url.*.insteadOf, filter drivers, include.path …) are refused
// instead, by assertTrustedConfig before each command.
import type { GitRepository } from "./git-repository.js";

/**
 * Where git looks for hooks: /dev/null is not a directory, so `<hooksPath>/<hook>` never exists and no
 * hook runs — and unlike an empty directory of devflow's, nobody can put one there.
 */
export const NO_HOOKS = "/dev/null";

/** Configuration every command gets, whatever any config file says. */
const FORCED_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ["core.fsmonitor", "false"],
  ["core.hooksPath", NO_HOOKS],
  // An empty value empties the list of helpers collected from every config read before.
  ["credential.helper", ""],
  ["core.untrackedCache", "false"],
  ["submodule.recurse", "false"],
  ["fetch.recurseSubmodules", "false"],
  ["push.recurseSubmodules", "no"],
  ["commit.gpgSign", "false"],
  ["tag.gpgSign", "false"],
  ["core.quotePath", "false"],
  // Abort a transfer that stalls below 1 KB/s for a minute instead of hanging a worker forever.
  ["http.lowSpeedLimit", "1000"],
  ["http.lowSpeedTime", "60"],
];

/** file: local repositories (`devflow run`, tests); http(s): GitHub, GitHub Enterprise, the simulator. */
const ALLOWED_PROTOCOLS = "file:http:https";

/** The operator's own network settings, passed on when devflow has them (never secrets of devflow's). */
const NETWORK_VARIABLES = [
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GIT_SSL_CAINFO",
  "GIT_SSL_CAPATH",
];

export interface GitEnvironmentOptions {
  /** The repository git works on, addressed explicitly: git never looks for a `.git` of its own. */
  repository?: GitRepository;
  /** A whole HTTP header line, e.g. `AUTHORIZATION: basic …`; sent as `http.extraHeader`. */
  authHeader?: string;
  /** Extra GIT_* variables (commit identity). */
  env?: Record<string, string>;
}

export function gitEnvironment({
  repository,
  authHeader,
  env = {},
}: GitEnvironmentOptions = {}): Record<string, string> {
  const result: Record<string, string> = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin" };
  for (const name of NETWORK_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined && value !== "") result[name] = value;
  }
  Object.assign(result, env, {
    HOME: "/dev/null",
    // Git's own words, in English: its messages are matched (NO_ANSWER, stale lease) and shown to people.
    LANG: "C",
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_SYSTEM: "/dev/null",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_ATTR_NOSYSTEM: "1",
    GIT_NO_REPLACE_OBJECTS: "1",
    GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS,
    // No prompt: a missing credential fails instead of waiting forever. An empty GIT_ASKPASS also
    // keeps git from running core.askPass or SSH_ASKPASS.
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    GIT_PAGER: "cat",
    GIT_EDITOR: "false",
  });
  if (repository) {
    result.GIT_DIR = repository.gitDir;
    // Set even for a linked worktree's admin directory, so its `commondir` file (which a process with
    // devflow's uid could rewrite) is never read.
    result.GIT_COMMON_DIR = repository.commonDir;
    if (repository.workTree !== undefined) result.GIT_WORK_TREE = repository.workTree;
  }
  const config = authHeader ? [...FORCED_CONFIG, ["http.extraHeader", authHeader] as const] : FORCED_CONFIG;
  result.GIT_CONFIG_COUNT = `${config.length}`;
  config.forEach(([key, value], index) => {
    result[`GIT_CONFIG_KEY_${index}`] = key;
    result[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return result;
}
