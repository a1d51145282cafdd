// `devflow attach RUN [-r]`: watch (or, without -r, type into) the live tmux pane of a run whose agent
// runs in mode: tmux, by running `tmux -S <devflow's socket> attach -t <session>` in this terminal.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { DevflowError } from "../errors/index.js";
import { attachCommand, readPane, TmuxClient, tmuxSessionName } from "../sessions/index.js";
import { loadCliEnvironment } from "./cli-environment.js";
import { parseCommand, requirePositional } from "./command-args.js";
import { assertStoreExistsFor, openStateStore, resolveRunId } from "./state-store.js";

const HELP = `Usage: devflow attach RUN [-r]

Attaches this terminal to the tmux pane where the run's current agent works (agents with mode: tmux,
on this machine). Detach with C-b d; the agent keeps working.

Options:
  -r, --read-only  Watch without being able to type into the agent's pane
  -h, --help       Show this help`;

const SPEC = {
  name: "attach",
  help: HELP,
  positionals: ["RUN"],
  options: { "read-only": { type: "boolean", short: "r" } },
} as const;

export async function runAttachCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv);
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  const runText = requirePositional("attach", parsed.positionals, 0, "RUN (a run id)");
  const env = loadCliEnvironment();
  assertStoreExistsFor(env, runText);
  const socketPath = join(env.dataDir, "tmux", "devflow.sock");
  const store = await openStateStore(env);
  let argv2: string[];
  try {
    const runId = await resolveRunId(store.prisma, runText);
    const sessions = await store.prisma.session.findMany({
      where: { runId, backend: "tmux", state: { in: ["READY", "BUSY"] } },
      orderBy: { createdAt: "desc" },
    });
    const tmux = new TmuxClient(socketPath);
    let name: string | undefined;
    for (const session of sessions) {
      const candidate = tmuxSessionName(runId, session.roleId);
      const pane = await readPane(tmux, `=${candidate}:`).catch(() => undefined);
      if (pane && pane.sessionId === session.id && !pane.dead) {
        name = candidate;
        break;
      }
    }
    if (!name) {
      throw new DevflowError(`Run ${runId} has no live tmux pane on this machine (socket ${socketPath}).`, {
        code: "no_live_session",
        details: { runId, tmuxSessions: sessions.length },
      });
    }
    argv2 = attachCommand(socketPath, name, { readOnly: parsed.values["read-only"] === true });
  } finally {
    await store.close();
  }
  if (!process.stdin.isTTY) {
    throw new DevflowError("devflow attach needs a terminal: tmux attaches one.", {
      code: "terminal_required",
      details: { command: argv2.join(" ") },
    });
  }
  const [program = "tmux", ...args] = argv2;
  const result = spawnSync(program, args, { stdio: "inherit" });
  return result.status ?? 1;
}
