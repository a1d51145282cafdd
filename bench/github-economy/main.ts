// devflow GitHub-economy bench (issue 12): (a) the GitHub calls of one standard run, (b) how long N runs
// started at once in one installation take to all show their gate on GitHub, against the floor that
// GitHub's pacing of writes sets for the writes that cannot be skipped. A program, not a test: it prints
// figures and a ratio. See bench/README.md.
import { generateKeyPairSync } from "node:crypto";
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { builtinTemplatesDir, loadRegistry } from "../../src/registry/index.js";
import {
  type GitHubSimulator,
  type LoggedRequest,
  startGitHubSimulator,
} from "../../test/github-sim/index.js";
import { NOTIFYING_WRITE_FACTOR } from "../../test/support/github-app-client.js";
import { onAbort, runBenchProgram } from "../engine/abort-cleanup.js";
import { type BenchDatabase, createBenchDatabase } from "../engine/bench-database.js";
import { tempDir } from "../engine/engine-env.js";
import { describeMachine } from "../engine/machine.js";
import { startDevflowInProcess } from "./devflow-in-process.js";

const USAGE = `usage: npx tsx bench/github-economy/main.ts [--runs 100] [--pace-ms 250] [--concurrency 8] [--settle-seconds 10]
  --pace-ms: GitHub's pace for one installation's writes, kept by the simulator and by devflow's client
  (1000 is GitHub's own; the default scales it down 4x so the bench takes minutes, not ten).
  DATABASE_URL: the Postgres server (default postgresql://postgres@127.0.0.1:5432/postgres).`;

/** Writes without which a run's gate is not on GitHub: the trigger's reaction, the draft PR, the sticky
 * comment and the check run with its buttons (each created once, with its content). */
const WRITES_PER_GATE = 4;
/** Of those, the ones that notify people (the PR, the comment), which Probot paces 3× slower. */
const NOTIFYING_PER_GATE = 2;
const APP_ID = 4747;
const SECRET = "bench-economy-secret";
const OWNER = "bench";

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "100" },
      "pace-ms": { type: "string", default: "250" },
      concurrency: { type: "string", default: "8" },
      "settle-seconds": { type: "string", default: "10" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: "runs" | "pace-ms" | "concurrency" | "settle-seconds", min: number) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min)
      throw new Error(`--${name} must be a number >= ${min}, got "${values[name]}".\n${USAGE}`);
    return value;
  };
  return {
    runs: num("runs", 1),
    paceMs: num("pace-ms", 1),
    concurrency: num("concurrency", 1),
    settleSeconds: num("settle-seconds", 0),
    serverUrl: process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres",
  };
}

type Opts = ReturnType<typeof options>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** The run's calls: REST requests in the log, without git and the App's hourly redelivery sweep. */
function callsOf(requests: readonly LoggedRequest[]) {
  return requests.filter((r) => !r.git && !r.apiPath.startsWith("/app/hook/"));
}

/** True once GitHub shows the run's gate: its check run offers Approve and its sticky comment asks. */
function gateShown(sim: GitHubSimulator, repo: string, issue: number, runId: string): boolean {
  const buttons = [...sim.state.checkRuns.values()].some(
    (c) => c.externalId === runId && c.actions.some((a) => a.identifier === "approve"),
  );
  if (!buttons) return false;
  return sim.state
    .commentsOn(sim.state.issue(repo, issue))
    .some((c) => c.body.includes(`devflow:run:${runId}`) && c.body.includes("waiting for your decision"));
}

async function oneRun(sim: GitHubSimulator, db: BenchDatabase, opts: Opts): Promise<boolean> {
  const repo = `${OWNER}/one-run`;
  await sim.state.createRepository(OWNER, "one-run", { files: { "README.md": "# one run\n" } });
  sim.script.setPermission(repo, "maintainer", "write");
  const prisma = db.client.prisma;
  const first = sim.requests.length;
  const issue = sim.state.createIssue(repo, { title: "Add a --verbose flag", user: "maintainer" });
  await sim.webhooks.deliver(
    "issues",
    await sim.payloads.issueLabeled({ repo, issue: issue.number, label: "devflow", sender: "maintainer" }),
  );
  const run = await until("the run", 60_000, () =>
    prisma.run.findFirst({ where: { repository: repo } }).then((r) => r ?? undefined),
  );
  await until("the gate on GitHub", 300_000, () =>
    gateShown(sim, repo, issue.number, run.id) ? true : undefined,
  );
  await sim.webhooks.deliver(
    "issue_comment",
    await sim.payloads.issueCommentCreated({
      repo,
      issue: issue.number,
      body: "/approve",
      sender: "maintainer",
    }),
  );
  await until("the final report on GitHub", 300_000, () =>
    [...sim.state.checkRuns.values()].some((c) => c.externalId === run.id && c.conclusion === "success")
      ? true
      : undefined,
  );
  await until("an empty outbox", 120_000, async () =>
    (await prisma.outboxEffect.count({ where: { state: "pending" } })) === 0 ? true : undefined,
  );
  const calls = callsOf(sim.requests.slice(first));
  const writes = calls.filter((c) => c.method !== "GET");
  console.log(
    `\n(a) one standard run (development template, fake agent, settleSeconds ${opts.settleSeconds})`,
  );
  for (const call of calls)
    console.log(`    ${call.method.padEnd(5)} ${call.route ?? call.apiPath} → ${call.status}`);
  const ok = calls.length <= 14 && writes.length <= 10;
  console.log(
    `  ${calls.length} calls, ${writes.length} writes (target: at most 14 and 10) ${ok ? "ok" : "FAIL"}`,
  );
  return ok;
}

async function manyRuns(sim: GitHubSimulator, db: BenchDatabase, opts: Opts): Promise<boolean> {
  const repo = `${OWNER}/many-runs`;
  await sim.state.createRepository(OWNER, "many-runs", { files: { "README.md": "# many runs\n" } });
  sim.script.setPermission(repo, "maintainer", "write");
  const prisma = db.client.prisma;
  const issues = Array.from({ length: opts.runs }, (_, i) =>
    sim.state.createIssue(repo, { title: `Change ${i + 1}`, user: "maintainer" }),
  );
  const payloads = await Promise.all(
    issues.map((issue) =>
      sim.payloads.issueLabeled({ repo, issue: issue.number, label: "devflow", sender: "maintainer" }),
    ),
  );
  const first = sim.requests.length;
  const startedAt = Date.now();
  await Promise.all(payloads.map((payload) => sim.webhooks.deliver("issues", payload)));
  const shownAt = new Map<number, number>();
  const runs = new Map<number, string>();
  // GitHub's pace: one write per pace per installation. devflow's client (Probot's plugin-throttling)
  // also spaces writes that notify people NOTIFYING_WRITE_FACTOR paces apart: its own floor is higher.
  const githubFloorMs = opts.runs * WRITES_PER_GATE * opts.paceMs;
  const floorMs = Math.max(
    githubFloorMs,
    opts.runs * NOTIFYING_PER_GATE * NOTIFYING_WRITE_FACTOR * opts.paceMs,
  );
  await until(`all ${opts.runs} gates on GitHub`, floorMs * 10 + 900_000, async () => {
    if (runs.size < opts.runs) {
      const rows = await prisma.run.findMany({
        where: { repository: repo },
        select: { id: true, issueNumber: true },
      });
      for (const row of rows) runs.set(row.issueNumber ?? 0, row.id);
    }
    for (const [issue, runId] of runs) {
      if (!shownAt.has(issue) && gateShown(sim, repo, issue, runId)) shownAt.set(issue, Date.now());
    }
    return shownAt.size === opts.runs ? true : undefined;
  });
  const wallMs = Math.max(...shownAt.values()) - startedAt;
  const gates = await prisma.approvalRequest.findMany({
    where: { run: { repository: repo } },
    select: { createdAt: true },
  });
  const engineMs = Math.max(...gates.map((g) => g.createdAt.getTime())) - startedAt;
  const calls = callsOf(sim.requests.slice(first));
  const writes = calls.filter((c) => c.method !== "GET");
  const effects = await prisma.outboxEffect.findMany({
    where: { run: { repository: repo }, kind: { in: ["run.status", "run.report"] }, state: "delivered" },
    select: { result: true },
  });
  const coalesced = effects.filter(
    (e) => (e.result as { coalescedInto?: string } | null)?.coalescedInto,
  ).length;
  const sorted = [...shownAt.values()].map((t) => t - startedAt).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(
    `\n(b) ${opts.runs} runs started at once in one installation, writes paced at ${opts.paceMs} ms`,
  );
  console.log(
    `  floor, GitHub's pace: ${opts.runs} runs × ${WRITES_PER_GATE} writes × ${opts.paceMs} ms = ${(githubFloorMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  floor, devflow's client (Probot spaces the ${NOTIFYING_PER_GATE} notifying writes ${NOTIFYING_WRITE_FACTOR} paces apart): ${(floorMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  all gates on GitHub after ${(wallMs / 1000).toFixed(1)} s (median run ${(median / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  ratio: ${(wallMs / floorMs).toFixed(2)}× the client's floor, ${(wallMs / githubFloorMs).toFixed(2)}× GitHub's`,
  );
  console.log(
    `  engine: the last run reached its gate ${(engineMs / 1000).toFixed(1)} s after the first delivery`,
  );
  console.log(
    `  GitHub calls until then: ${calls.length} (${(calls.length / opts.runs).toFixed(2)} per run), ` +
      `writes ${writes.length} (${(writes.length / opts.runs).toFixed(2)} per run)`,
  );
  console.log(
    `  run effects delivered: ${effects.length - coalesced} sent, ${coalesced} coalesced (states skipped)`,
  );
  return true;
}

async function main(): Promise<number> {
  const opts = options();
  console.log("devflow GitHub-economy bench");
  console.log(await describeMachine(opts.serverUrl, undefined));
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  const db = await createBenchDatabase(opts.serverUrl, "economy");
  const dataDir = tempDir("economy");
  const forgetDataDir = onAbort(async () => rmSync(dataDir, { recursive: true, force: true }));
  const sim = await startGitHubSimulator({ appId: APP_ID, privateKey, webhookSecret: SECRET, ghe: true });
  sim.pacing.writeMs = opts.paceMs;
  const devflow = await startDevflowInProcess({
    sim,
    appId: APP_ID,
    privateKey,
    webhookSecret: SECRET,
    prisma: db.client.prisma,
    databaseUrl: db.url,
    registry: await loadRegistry(builtinTemplatesDir()),
    dataDir,
    writePaceMs: opts.paceMs,
    maxConcurrentRuns: opts.concurrency,
    settleSeconds: opts.settleSeconds,
  });
  try {
    const one = await oneRun(sim, db, opts);
    const many = await manyRuns(sim, db, opts);
    return one && many ? 0 : 1;
  } finally {
    await devflow.stop();
    await sim.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
    forgetDataDir();
  }
}

runBenchProgram(main, "stopping devflow, dropping the bench database");
