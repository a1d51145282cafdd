// devflow webhook bench: how fast devflow's web process acknowledges GitHub's deliveries, against a bare
// Probot app (same Probot, no-op handler, same signature verification) measured in the same run on the
// same machine. A program, not a test: it prints figures and ratios. See bench/README.md.
import { generateKeyPairSync } from "node:crypto";
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { LOG_LEVELS, type LogLevel } from "../../src/config/environment.js";
import {
  type GitHubSimulator,
  type LoggedRequest,
  startGitHubSimulator,
} from "../../test/github-sim/index.js";
import { runBenchProgram } from "../engine/abort-cleanup.js";
import { createBenchDatabase } from "../engine/bench-database.js";

type BenchDatabase = Awaited<ReturnType<typeof createBenchDatabase>>;

import { tempDir } from "../engine/engine-env.js";
import { describeMachine } from "../engine/machine.js";
import { otherProcessCpuMs } from "../engine/process-cpu.js";
import { table } from "../engine/stats.js";
import { ackBreakdown } from "./ack-breakdown.js";
import { buildDeliveries, SHAPES, type Shape } from "./deliveries.js";
import { githubCallFloor } from "./github-call-floor.js";
import { type Delivery, type LoadFigures, sendLoad } from "./load.js";
import { postgresCpuMs, samplePostgresCpu } from "./postgres-meter.js";
import {
  type Credentials,
  startBareProbot,
  startDevflowWeb,
  startDurableFloor,
  type Target,
} from "./targets.js";

const USAGE = `usage: npx tsx bench/webhook/main.ts [--deliveries 1000] [--concurrency 8] [--warmup 3000] [--log-level info]
    [--shapes ${Object.keys(SHAPES).join(",")}]
  Each shape (${Object.keys(SHAPES).join(", ")}; all unless --shapes names some) is sent to each server: --warmup deliveries first, then
  --deliveries timed ones with --concurrency in flight.
  DATABASE_URL: the Postgres server (default postgresql://postgres@127.0.0.1:5432/postgres); the bench
  creates a database of its own there and drops it at the end.`;

function logLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value))
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${value}".`);
  return value as LogLevel;
}

function options() {
  const { values } = parseArgs({
    options: {
      deliveries: { type: "string", default: "1000" },
      concurrency: { type: "string", default: "8" },
      warmup: { type: "string", default: "3000" },
      "log-level": { type: "string", default: "info" },
      shapes: { type: "string", default: Object.keys(SHAPES).join(",") },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: "deliveries" | "concurrency" | "warmup", min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be an integer >= ${min}, got "${values[name]}".\n${USAGE}`);
    return value;
  };
  const shapes = (values.shapes ?? "").split(",").filter(Boolean);
  const unknown = shapes.filter((shape) => !(shape in SHAPES));
  if (shapes.length === 0 || unknown.length > 0)
    throw new Error(
      `--shapes must name some of ${Object.keys(SHAPES).join(", ")}, got "${values.shapes}".\n${USAGE}`,
    );
  return {
    shapes: shapes as Shape[],
    deliveries: int("deliveries", 1),
    concurrency: int("concurrency", 1),
    warmup: int("warmup", 0),
    logLevel: logLevel(values["log-level"] ?? "info"),
    serverUrl: process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres",
  };
}

type Opts = ReturnType<typeof options>;
const SECRET = "bench-webhook-secret";
const APP_ID = 4711;
const REPO = "bench/widgets";

interface Row {
  target: string;
  shape: Shape;
  figures: LoadFigures;
  cpuMsPerDelivery: number;
  /** CPU of the server's database backends per delivery (devflow only). */
  postgresMsPerDelivery: number;
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

/** The GitHub API calls the server made during a batch, per delivery, by route (the busiest first). */
function githubCalls(requests: readonly LoggedRequest[], deliveries: number): string {
  const byRoute = new Map<string, number>();
  for (const r of requests) {
    const route = `${r.method} ${r.route ?? r.apiPath}`;
    byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
  }
  return [...byRoute]
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => `${fixed(n / deliveries, 2)} ${route}`)
    .join(", ");
}

async function measure(
  sim: GitHubSimulator,
  target: Target,
  shape: Shape,
  batches: { warmup: Delivery[]; timed: Delivery[] },
  o: Opts,
  database?: BenchDatabase,
  /** devflow's: its inbox is drained after the warm-up. */
  inbox?: boolean,
) {
  const { warmup, timed } = batches;
  const pool = database?.client.pool;
  if (warmup.length > 0) await sendLoad(target.webhookUrl, SECRET, warmup, o.concurrency);
  // The warm-up warms devflow's processing too: the first run a process starts compiles Prisma's query
  // plans and opens GitHub clients, one-time costs that do not belong in the timed batch.
  if (database && inbox) await inboxDrained(database.client.prisma);
  const callsBefore = sim.requests.length;
  const postgresBefore = pool ? await samplePostgresCpu(pool) : undefined;
  const cpuBefore = otherProcessCpuMs(target.pid) ?? Number.NaN;
  const figures = await sendLoad(target.webhookUrl, SECRET, timed, o.concurrency);
  const cpuAfter = otherProcessCpuMs(target.pid) ?? Number.NaN;
  const calls = githubCalls(sim.requests.slice(callsBefore), timed.length);
  const postgresMs =
    pool && postgresBefore ? postgresCpuMs(postgresBefore, await samplePostgresCpu(pool)) : Number.NaN;
  const row: Row = {
    target: target.name,
    shape,
    figures,
    cpuMsPerDelivery: (cpuAfter - cpuBefore) / timed.length,
    postgresMsPerDelivery: postgresMs / timed.length,
  };
  const failed = [...figures.failures].map(([status, n]) => `${n}× ${status}`).join(", ");
  console.log(
    `  ${target.name.padEnd(12)} ${shape.padEnd(8)} p50 ${fixed(figures.p50Ms)} ms  p99 ${fixed(figures.p99Ms)} ms  ${fixed(figures.throughput, 0)}/s  CPU ${fixed(row.cpuMsPerDelivery, 2)} ms/delivery${pool ? ` (+ Postgres ${fixed(row.postgresMsPerDelivery, 2)} ms)` : ""}${calls ? `; GitHub calls per delivery: ${calls}` : ""}${failed ? `  FAIL: ${failed}` : ""}`,
  );
  return row;
}

/** Waits until devflow's webhook inbox holds nothing unprocessed; how long that took. */
async function inboxDrained(prisma: BenchDatabase["client"]["prisma"]): Promise<number> {
  const started = performance.now();
  while ((await prisma.webhookDelivery.count({ where: { processedAt: null, body: { not: null } } })) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - started;
}

async function main(): Promise<number> {
  const o = options();
  console.log("devflow webhook bench");
  console.log(await describeMachine(o.serverUrl, undefined));
  console.log(
    `  load: ${o.deliveries} deliveries per shape and server after ${o.warmup} warm-up, ${o.concurrency} in flight, keep-alive; LOG_LEVEL ${o.logLevel}`,
  );
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  const credentials: Credentials = { appId: APP_ID, privateKey, webhookSecret: SECRET, logLevel: o.logLevel };
  const sim = await startGitHubSimulator({ appId: APP_ID, privateKey, webhookSecret: SECRET, ghe: true });
  const dataDir = tempDir("webhook");
  const db = await createBenchDatabase(o.serverUrl, "webhook");
  // For comparison only: devflow on a database whose commits do not wait for their WAL flush (devflow
  // itself never sets this). What the acknowledgement would cost without the fsync.
  const asyncDb = await createBenchDatabase(o.serverUrl, "webhookasync");
  await asyncDb.client.pool.query(`ALTER DATABASE "${asyncDb.name}" SET synchronous_commit = off`);
  const floorDb = await createBenchDatabase(o.serverUrl, "webhookfloor");
  const started: Target[] = [];
  try {
    await sim.state.createRepository("bench", "widgets", { files: { "README.md": "# widgets\n" } });
    sim.script.setPermission(REPO, "writer", "write");
    const bare = await startBareProbot(credentials);
    started.push(bare);
    const durableFloor = await startDurableFloor(credentials, floorDb.url);
    started.push(durableFloor);
    const roundTrip = await startDurableFloor(credentials, floorDb.url, "none");
    started.push(roundTrip);
    const devflow = await startDevflowWeb(credentials, {
      databaseUrl: db.url,
      dataDir,
      gheHost: sim.gheHost,
    });
    started.push(devflow);
    const devflowAsync = await startDevflowWeb(
      credentials,
      { databaseUrl: asyncDb.url, dataDir, gheHost: sim.gheHost },
      "devflow async",
    );
    started.push(devflowAsync);
    const databases = new Map([
      [devflow, db],
      [devflowAsync, asyncDb],
    ]);

    const floor = await githubCallFloor(
      sim,
      { appId: APP_ID, privateKey, webhookSecret: SECRET },
      { owner: "bench", name: "widgets" },
    );
    console.log(
      `  one GitHub call (GET contents, 404), p50 one at a time: ${fixed(floor.probotMs)} ms through Probot's installation client, ${fixed(floor.rawMs)} ms as bare HTTP`,
    );

    const [sample] = await buildDeliveries(sim, REPO, "comment", 1);
    if (sample) {
      const steps = await ackBreakdown({
        databaseUrl: db.url,
        prisma: db.client.prisma,
        delivery: sample,
        secret: SECRET,
        samples: o.deliveries,
        concurrency: o.concurrency,
      });
      console.log(
        `\nwhere an acknowledgement's time goes (one ${Buffer.byteLength(sample.body)}-byte comment body, each step alone; p50 one at a time, per second with ${o.concurrency} in flight):`,
      );
      for (const step of steps)
        console.log(
          `  ${step.step.padEnd(48)} ${fixed(step.p50Ms, 3).padStart(7)} ms${step.perSecond === undefined ? "" : `  ${fixed(step.perSecond, 0).padStart(6)}/s`}`,
        );
    }

    const rows: Row[] = [];
    let failures = 0;
    for (const shape of o.shapes) {
      console.log(`\n${shape}: ${SHAPES[shape]}`);
      const warmup = await buildDeliveries(sim, REPO, shape, o.warmup);
      const timed = await buildDeliveries(sim, REPO, shape, o.deliveries);
      // The same bodies go to both servers; each delivery has its own X-GitHub-Delivery.
      for (const target of [bare, roundTrip, durableFloor, devflow, devflowAsync]) {
        const database = databases.get(target);
        const metered = database ?? (target === durableFloor || target === roundTrip ? floorDb : undefined);
        const row = await measure(sim, target, shape, { warmup, timed }, o, metered, database !== undefined);
        failures += [...row.figures.failures.values()].reduce((a, b) => a + b, 0);
        rows.push(row);
        if (database) {
          // devflow answers once a delivery is stored; its inbox processes them after. Measured apart,
          // and finished before the next batch so that batches do not overlap.
          const drainedMs = await inboxDrained(database.client.prisma);
          console.log(
            `  ${"".padEnd(12)} ${shape.padEnd(8)} inbox processed the last of them ${fixed(drainedMs / 1000)} s after the last acknowledgement`,
          );
        }
      }
    }

    // devflow did the work, not just answered: every labeled delivery started a run.
    const sent = o.warmup + o.deliveries;
    let checked = true;
    for (const [target, database] of databases) {
      const runs = await database.client.prisma.run.count();
      const ignored = await database.client.prisma.webhookDelivery.count({
        where: { outcome: "ignored: no command" },
      });
      const expected = (shape: Shape) => (o.shapes.includes(shape) ? sent : 0);
      const ok = runs === expected("labeled") && ignored === expected("comment");
      checked &&= ok;
      console.log(
        `\n  ${target.name} recorded ${ignored} ignored comments (expected ${expected("comment")}) and started ${runs} runs (expected ${expected("labeled")})${ok ? "" : "  FAIL"}`,
      );
    }

    console.log("\n================ summary ================");
    const find = (target: string, shape: Shape) =>
      rows.find((r) => r.target === target && r.shape === shape) as Row;
    const tableRows = rows.map((r) => [
      `${r.target}: ${r.shape}`,
      fixed(r.figures.p50Ms, 2),
      fixed(r.figures.p99Ms, 2),
      fixed(r.figures.maxMs, 1),
      fixed(r.figures.throughput, 0),
      fixed(r.cpuMsPerDelivery, 2),
      fixed(r.postgresMsPerDelivery, 2),
    ]);
    console.log(
      table(
        [
          "server: shape",
          "p50 ms",
          "p99 ms",
          "max ms",
          "deliveries/s",
          "server CPU ms/delivery",
          "Postgres CPU ms/delivery",
        ],
        tableRows,
      ),
    );
    const ratios = (over: Target, under: Target) => {
      for (const shape of o.shapes) {
        const d = find(over.name, shape);
        const b = find(under.name, shape);
        console.log(
          `  ${shape.padEnd(8)} p50 ${fixed(d.figures.p50Ms / b.figures.p50Ms, 1)}×  p99 ${fixed(d.figures.p99Ms / b.figures.p99Ms, 1)}×  throughput ${fixed(d.figures.throughput / b.figures.throughput, 2)}×  server CPU ${fixed(d.cpuMsPerDelivery / b.cpuMsPerDelivery, 1)}× (${fixed((d.cpuMsPerDelivery + d.postgresMsPerDelivery) / b.cpuMsPerDelivery, 1)}× with Postgres)`,
        );
      }
    };
    console.log("\n  round trip / bare Probot (what any acknowledgement that waits on Postgres costs):");
    ratios(roundTrip, bare);
    console.log("\n  durable floor / bare Probot (what any acknowledgement that survives a crash costs):");
    ratios(durableFloor, bare);
    console.log("\n  devflow web / durable floor (what devflow adds to it):");
    ratios(devflow, durableFloor);
    for (const target of [devflow, devflowAsync]) {
      console.log(
        `\n  ${target.name} / bare Probot${target === devflowAsync ? " (synchronous_commit = off: not devflow's setting)" : ""}:`,
      );
      ratios(target, bare);
    }
    const failed = failures > 0 || !checked;
    if (failed) console.log("\nFAIL: see the lines marked FAIL above.");
    return failed ? 1 : 0;
  } finally {
    for (const target of started.reverse()) await target.stop();
    await sim.close();
    await db.drop();
    await asyncDb.drop();
    await floorDb.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBenchProgram(main, "stopping the servers, dropping the bench's database…");
