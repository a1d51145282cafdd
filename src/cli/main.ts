#!/usr/bin/env node
// The `devflow` command: parses, wires, delegates (the logic lives in the modules it calls).
import { parseArgs } from "node:util";
import { DevflowError } from "../errors/index.js";
import { invocationDirectory } from "./cli-environment.js";

const HELP = `devflow — hand GitHub issues to AI coding agents without handing over control

Usage: devflow <command> [options]

Commands:
  start [all|web|worker]
             Run devflow: all in one process (default; embedded Postgres when DATABASE_URL
             is unset), or only the web (dispatch) side, or only a worker host
  migrate    Apply the database migrations (to DATABASE_URL, or the embedded Postgres)
  doctor [--json]
             Check what devflow needs (Postgres, Redis, git, tmux, agent CLIs, GitHub App
             credentials) and say how to fix what is missing; exit 1 if something required is
             missing

  run        Run a local git repository through a workflow template, live in this terminal
  approve    Approve a run's pending gate            reject   Reject it, with a reason
  abort      Abort a run
  status     Show a run, or the most recent runs     logs     A run's events and agent transcript
  attach     Attach to a run's live tmux pane
  deliveries The server's webhook inbox: list deliveries, replay those that failed for good

Each command has --help (e.g. devflow run --help).

Options:
  -h, --help     Show this help
  -v, --version  Show the version

Paths are relative to the directory you run the command in (also with \`npm run devflow -- …\` in a
checkout). The local commands (run, approve, reject, abort, status, logs, attach) keep their state in
DEVFLOW_DATA_DIR, default $XDG_STATE_HOME/devflow (~/.local/state/devflow); \`devflow start\` in
DEVFLOW_DATA_DIR, default ./.devflow. DATABASE_URL, when set, holds the state of both.
Configuration comes from the environment; see README.md ("Configuration").`;

const DOCTOR_HELP = `Usage: devflow doctor [--json]

Checks, with the same environment as \`devflow start\`:
  environment   the variables devflow reads (PORT, HOST, GHE_*, DEVFLOW_*, LOG_LEVEL)
  Postgres      DATABASE_URL reachable, or the embedded Postgres binaries installed
  Redis         REDIS_URL reachable, or the Postgres queue backend is used
  git, tmux     on PATH (tmux is needed only by agents with mode: tmux)
  agents        each agent of the server config (DEVFLOW_CONFIG): its command is executable
  GitHub App    APP_ID/PRIVATE_KEY/WEBHOOK_SECRET, or credentials saved by the setup page

Each problem comes with its fix; secrets are never printed (URLs show no password).
Exit status: 0 when devflow can run, 1 when something required is missing.

Options:
  --json         Print the report as JSON: { ok, checks: [{ name, status, summary, fix }] }
  -h, --help     Show this help`;

/**
 * Subcommands that parse their own arguments (each has --help). Loaded on demand: `devflow status` need
 * not load the GitHub app that `devflow start` mounts.
 */
const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  run: async (argv) => (await import("./run-command.js")).runRunCommand(argv),
  approve: async (argv) => (await import("./decide-commands.js")).runDecisionCommand("approve", argv),
  reject: async (argv) => (await import("./decide-commands.js")).runDecisionCommand("reject", argv),
  abort: async (argv) => (await import("./decide-commands.js")).runDecisionCommand("abort", argv),
  status: async (argv) => (await import("./status-command.js")).runStatusCommand(argv),
  logs: async (argv) => (await import("./logs-command.js")).runLogsCommand(argv),
  attach: async (argv) => (await import("./attach-command.js")).runAttachCommand(argv),
  deliveries: async (argv) => (await import("./deliveries-command.js")).runDeliveriesCommand(argv),
};

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      json: { type: "boolean" },
    },
  });
  const [command] = positionals;
  if (command === "doctor") {
    if (values.help) {
      console.log(DOCTOR_HELP);
      return 0;
    }
    return (await import("./doctor-command.js")).runDoctorCommand({ json: values.json === true });
  }
  const rest = argv.slice(argv.indexOf(command ?? "") + 1);
  if (command !== undefined && command in SUBCOMMANDS) return SUBCOMMANDS[command]?.(rest) ?? 1;
  if (values.version) {
    const { createRequire } = await import("node:module");
    const pkg = createRequire(import.meta.url)("../../package.json") as { version: string };
    console.log(pkg.version);
    return 0;
  }
  if (values.help || command === undefined || command === "help") {
    console.log(HELP);
    return 0;
  }
  switch (command) {
    case "start": {
      const role = positionals[1] ?? "all";
      if (role !== "all" && role !== "web" && role !== "worker") {
        throw new DevflowError(`Unknown role "${role}" for devflow start.`, {
          code: "unknown_command",
          recoveryHint: "Use `devflow start`, `devflow start web` or `devflow start worker`.",
        });
      }
      return (await import("./start-command.js")).runStartCommand(role);
    }
    case "migrate":
      return (await import("./migrate-command.js")).runMigrateCommand();
    default:
      throw new DevflowError(`Unknown command "${command}".`, { code: "unknown_command" });
  }
}

function exitCodeFor(error: unknown): number {
  return error instanceof DevflowError && error.class === "bad_input" ? 2 : 1;
}

// `npm run devflow -- …` runs in devflow's checkout: work where the user typed the command instead.
const typedIn = invocationDirectory(process.env, process.cwd());
if (typedIn) process.chdir(typedIn);

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DevflowError) {
      console.error(`devflow: ${error.toDisplayString()}`);
    } else {
      console.error("devflow: unexpected error", error);
    }
    process.exit(exitCodeFor(error));
  },
);
