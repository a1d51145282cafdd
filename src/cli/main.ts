#!/usr/bin/env node
// The `devflow` command: parses, wires, delegates (the logic lives in the modules it calls).
import { parseArgs } from "node:util";
import { DevflowError } from "../errors/index.js";
import { runDoctorCommand } from "./doctor-command.js";
import { runMigrateCommand } from "./migrate-command.js";
import { runStartCommand } from "./start-command.js";

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

Options:
  -h, --help     Show this help
  -v, --version  Show the version

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
    return runDoctorCommand({ json: values.json === true });
  }
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
      return runStartCommand(role);
    }
    case "migrate":
      return runMigrateCommand();
    default:
      throw new DevflowError(`Unknown command "${command}".`, { code: "unknown_command" });
  }
}

function exitCodeFor(error: unknown): number {
  return error instanceof DevflowError && error.class === "bad_input" ? 2 : 1;
}

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
