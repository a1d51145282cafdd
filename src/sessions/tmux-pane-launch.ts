// How a TUI starts in its pane with exactly the agent's environment (DESIGN §4). A tmux pane inherits the
// tmux server's environment plus TMUX, TMUX_PANE, TERM_PROGRAM…; instead the pane runs
// `env -i /bin/sh -c <launch> <env file> <argv…>`: the shell starts empty, reads the variables from a
// file only the owner can read (values never appear on a command line, where `ps` would show them),
// deletes it, and execs the TUI, dropping what the shell adds by itself. The pane's pid stays the TUI's.
import { DevflowError } from "../errors/index.js";

/** Names a POSIX shell can assign. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What /bin/sh (dash, bash) exports to its children on its own; dropped unless the agent env names them. */
const SHELL_ADDED = ["PWD", "OLDPWD", "SHLVL", "_"] as const;

/** The pane's argv: a clean-environment launch of `command`, reading `envFile` (see envFileText). */
export function paneLaunchArgv(
  envFile: string,
  env: Readonly<Record<string, string>>,
  command: readonly string[],
): string[] {
  const unset = SHELL_ADDED.filter((name) => !(name in env)).flatMap((name) => ["-u", name]);
  const launch = `set -a; . "$1"; set +a; rm -f -- "$1"; shift; exec /usr/bin/env ${unset.join(" ")} -- "$@"`;
  return ["/usr/bin/env", "-i", "/bin/sh", "-c", launch, "devflow-agent", envFile, ...command];
}

/** The env file's text: one `NAME='value'` per variable; write it with mode 0600. */
export function envFileText(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${shellQuote(value)}\n`)
    .join("");
}

/** Refuses an agent environment the launch cannot pass on exactly (a name a shell cannot assign). */
export function checkAgentEnvironment(env: Readonly<Record<string, string>>): void {
  const bad = Object.keys(env).filter((name) => !VARIABLE_NAME.test(name));
  if (bad.length === 0) return;
  throw new DevflowError(
    `The agent environment names ${bad.map((name) => JSON.stringify(name)).join(", ")}, which a tmux pane ` +
      "cannot be given: a variable name is letters, digits and underscores, not starting with a digit.",
    { code: "invalid_server_config", details: { variables: bad } },
  );
}

/** One shell word holding exactly `text`. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
