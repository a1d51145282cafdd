// `devflow run`: a local git repository through a workflow template, in this process — the dispatch
// engine records and decides, a local worker (SessionManager + advanceRun) executes, and the terminal
// shows the run live. Ctrl-C drains like a worker does and leaves the run resumable (`--resume RUN`).
import { randomUUID } from "node:crypto";
import { loadServerConfig, withdrawSecrets } from "../config/index.js";
import { getRunStatus } from "../engine/index.js";
import { builtinTemplatesDir, loadRegistry, storeRegistry } from "../registry/index.js";
import { loadCliEnvironment } from "./cli-environment.js";
import { invalidArguments, parseCommand } from "./command-args.js";
import { driveRun } from "./drive-run.js";
import { type LocalWorker, startLocalWorker } from "./local-worker.js";
import { ProgressReporter } from "./progress-reporter.js";
import { checkLocalRepository, issueNeedsGitHub, pickAgent, readRequirements } from "./run-input.js";
import { summarizeRun } from "./run-view.js";
import { assertStoreExistsFor, openStateStore, resolveRunId, type StateStore } from "./state-store.js";

const HELP = `Usage: devflow run [--repo PATH] [--requirements FILE] [options]
       devflow run --resume RUN [--agent NAME] [--json]

Runs a local git repository through a workflow template in this process, showing the run live: each
phase's agent works in a worktree of its own, and every accepted phase is committed to the run's branch
devflow/<run id>, which is pushed back into the repository.

Options:
  --repo PATH           The git repository (default: the current directory)
  --requirements FILE   What to build, in Markdown (the first line is the title)
  --issue URL           Not available locally: it needs GitHub credentials (use --requirements)
  --template NAME       Workflow template, name or name@version (default: development)
  --agent NAME          One of the agents in the server config (DEVFLOW_CONFIG); default: defaultAgent
  --base BRANCH         The branch to start from (default: the branch checked out in --repo)
  --resume RUN          Continue a run stopped with Ctrl-C, from its last checkpoint
  --json                One JSON object per line on stdout (events, gates, the final result)
  -h, --help            Show this help

At a gate, a terminal on stdin is asked (approve / reject with a reason / abort / wait); otherwise the
commands to decide from another process are printed: devflow approve|reject|abort RUN.
Ctrl-C stops after in-flight agent work drains (a second Ctrl-C exits at once); the agent of the
current phase keeps working, and --resume picks the run up again.

Paths are relative to the directory the command is typed in.
State: DATABASE_URL (and REDIS_URL) when set, else an embedded Postgres in DEVFLOW_DATA_DIR (default
$XDG_STATE_HOME/devflow, i.e. ~/.local/state/devflow): the same from every directory, never in the repository.
Exit codes: 0 completed, 1 failed or aborted, 2 bad input, 130 interrupted.`;

const SPEC = {
  name: "run",
  help: HELP,
  positionals: [],
  options: {
    repo: { type: "string" },
    requirements: { type: "string" },
    issue: { type: "string" },
    template: { type: "string" },
    agent: { type: "string" },
    base: { type: "string" },
    resume: { type: "string" },
    json: { type: "boolean" },
  },
} as const;

export async function runRunCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv);
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  const { values } = parsed;
  const env = loadCliEnvironment();
  withdrawSecrets(); // read once: the agents and git this command starts never inherit them
  const config = loadServerConfig(env.configPath);
  if (values.resume !== undefined) {
    const extra = (["repo", "requirements", "issue", "template", "base"] as const).filter(
      (name) => values[name] !== undefined,
    );
    if (extra.length > 0)
      throw invalidArguments(
        "run",
        `--resume continues a run as it was started: drop --${extra.join(", --")}.`,
      );
    if (values.agent !== undefined) pickAgent(config, values.agent);
    assertStoreExistsFor(env, values.resume);
  } else {
    if (values.issue !== undefined) throw issueNeedsGitHub(values.issue);
    if (values.requirements === undefined)
      throw invalidArguments("run", "devflow run needs --requirements FILE (what to build).");
  }
  // Everything that can be checked without the store is checked before it is opened: bad input writes nothing.
  const fresh =
    values.resume === undefined
      ? {
          requirements: readRequirements(values.requirements ?? ""),
          repository: await checkLocalRepository(values.repo, values.base),
          agent: pickAgent(config, values.agent),
        }
      : undefined;

  const reporter = new ProgressReporter(values.json ? "json" : process.stdout.isTTY ? "tty" : "plain");
  const store = await openStateStore(env);
  let worker: LocalWorker | undefined;
  try {
    const registry = await loadRegistry(builtinTemplatesDir());
    let runId: string;
    let agent: ReturnType<typeof pickAgent>;
    if (fresh) {
      runId = randomUUID();
      agent = fresh.agent;
    } else {
      runId = await resolveRunId(store.prisma, values.resume ?? "");
      // The agent it ran with, unless told otherwise (and still defined).
      const last = await store.prisma.session.findFirst({ where: { runId }, orderBy: { createdAt: "desc" } });
      agent = pickAgent(config, values.agent ?? (last && config.agents[last.agent] ? last.agent : undefined));
    }
    worker = await startLocalWorker({
      store,
      runId,
      hostId: env.hostId,
      dataDir: env.dataDir,
      registry,
      config,
      agentName: agent.name,
      agent: agent.agent,
    });
    if (fresh) {
      await storeRegistry(store.prisma, registry, { source: "builtin" });
      await store.engine.startRun({
        runId,
        repository: fresh.repository.path,
        baseBranch: fresh.repository.baseBranch,
        requirements: fresh.requirements,
        ...(values.template ? { template: values.template } : {}),
      });
      reporter.message(
        `Run ${runId}: ${fresh.repository.path} from ${fresh.repository.baseBranch}, agent ${agent.name}`,
      );
    } else {
      reporter.message(`Resuming run ${runId} with agent ${agent.name}`);
    }
    reporter.json({ kind: "started", runId, agent: agent.name, resumed: !fresh });

    const running = worker;
    const interrupt = new AbortController();
    const stopped = new Promise<void>((resolve) => {
      interrupt.signal.addEventListener("abort", () => void running.stop().then(resolve, resolve), {
        once: true,
      });
    });
    const onInterrupt = () => {
      if (interrupt.signal.aborted) process.exit(130); // second Ctrl-C: now
      reporter.clearFooter();
      reporter.message(
        `Stopping: waiting up to ${config.engine.shutdownDrainSeconds} s for in-flight agent work (Ctrl-C again to exit now)…`,
      );
      interrupt.abort();
    };
    process.on("SIGINT", onInterrupt);
    process.on("SIGTERM", onInterrupt);
    const outcome = await driveRun({
      store,
      worker: running,
      runId,
      reporter,
      interactive: Boolean(process.stdin.isTTY) && !values.json,
      signal: interrupt.signal,
      stopped,
      onInterrupt,
    });
    if (outcome === "interrupted") {
      await stopped;
      reporter.message(
        `Interrupted. Run ${runId} can continue from its last checkpoint: devflow run --resume ${runId}`,
      );
      reporter.json({ kind: "interrupted", runId, resume: `devflow run --resume ${runId}` });
      return 130;
    }
    return await finish(store, runId, reporter);
  } finally {
    await worker?.stop().catch(() => {});
    await store.close();
  }
}

async function finish(store: StateStore, runId: string, reporter: ProgressReporter): Promise<number> {
  const summary = summarizeRun(await getRunStatus(store.prisma, runId));
  reporter.json({ kind: "result", run: summary });
  const where = summary.branch ? ` Branch ${summary.branch} in ${summary.repository}.` : "";
  reporter.message(`Run ${runId} ${summary.state}.${where}`);
  if (summary.failure) reporter.message(`  ${summary.failure.code}: ${summary.failure.reason}`);
  if (summary.reportPath) reporter.message(`  Report: ${summary.reportPath}`);
  return summary.state === "completed" ? 0 : 1;
}
