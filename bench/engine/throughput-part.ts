// Part (a) on one backend: the floor and the engine, same backend, same concurrency, same machine, one
// after the other; repeated `repeat` times on fresh databases, medians reported.
import { cpus } from "node:os";
import { breakdown } from "./breakdown.js";
import { EngineEnv, queueConnection } from "./engine-env.js";
import { measureFloor } from "./floor.js";
import type { GitProbe } from "./git-fixture.js";
import type { BackendName, BenchOptions } from "./options.js";
import { count, median, ms, rate, seconds, table } from "./stats.js";
import { driveRuns, type ThroughputResult } from "./throughput.js";

export interface ThroughputFigures {
  backend: BackendName;
  engineWallMs: number;
  engineJobs: number;
  floorWallMs: number;
  floorJobs: number;
  ratio: number;
  /** CPU-ms per run of the engine's processes (worker, web side, their git, Postgres backends, Redis). */
  cpuPerRunMs: number;
  failures: number;
}

const WARMUP_RUNS = 16;

export async function throughputPart(
  backend: BackendName,
  options: BenchOptions,
  git: GitProbe,
): Promise<ThroughputFigures> {
  const n = options.runs;
  const rounds: ThroughputFigures[] = [];
  for (let round = 1; round <= options.repeat; round++) {
    const label = options.repeat > 1 ? ` (round ${round}/${options.repeat})` : "";
    console.log(`\n[a] ${backend}${label}: floor, ${count(n)} chains × 4 no-op jobs…`);
    const env = await EngineEnv.open(backend, options, "tp");
    try {
      const floorQueue = queueConnection(backend, options.redisUrl, env.db.url);
      const floor = await measureFloor(floorQueue, n, options.concurrency);
      console.log(
        `    floor: ${seconds(floor.wallMs)}, ${rate(n, floor.wallMs)} chains, ${rate(floor.jobs, floor.wallMs)} jobs`,
      );
      console.log(
        `[a] ${backend}${label}: engine, ${WARMUP_RUNS} warm-up runs, then ${count(n)} timed runs…`,
      );
      await env.startHost(30_000);
      await driveRuns(env, WARMUP_RUNS, options.concurrency);
      const result = await driveRuns(env, n, options.concurrency);
      const jobs = Object.values(result.jobs).reduce((sum, value) => sum + value, 0);
      console.log(
        `    engine: ${seconds(result.wallMs)} to the last completed run (${seconds(result.wallToReportMs)} to its report), ${rate(n, result.wallMs)} runs, ${rate(jobs, result.wallMs)} jobs`,
      );
      const failures = result.failed.length + result.decideErrors.length;
      if (failures > 0) {
        console.log(
          `    FAIL: ${result.failed.length} runs did not complete: ${JSON.stringify(result.failed.slice(0, 5))}`,
        );
        for (const error of result.decideErrors.slice(0, 5)) console.log(`    FAIL: decide: ${error}`);
      }
      for (const warning of (await env.host.counts()).warnings.slice(0, 5))
        console.log(`    worker ${warning}`);
      const parts = await breakdown(env.db.client.pool, result.runIds);
      console.log(parts.text);
      console.log(
        `    worker-slot time per run (the * segments) ≈ ${ms(parts.workerMs, 0)}: ${options.concurrency} slots allow ≈ ${rate(options.concurrency, parts.workerMs)} runs`,
      );
      console.log(
        `    jobs: ${count(jobs)} (${JSON.stringify(result.jobs)}); outcomes per run: ${JSON.stringify(result.patterns)}`,
      );
      console.log(
        `    prepare (mirror fetch + worktree), first tenth of runs ${ms(parts.prepareTrend.firstMs, 0)}, last tenth ${ms(parts.prepareTrend.lastMs, 0)}; git probe on an idle machine: prepare ${ms(git.prepareMs, 0)}, commit + push ${ms(git.checkpointMs, 0)}`,
      );
      const cpu = cpuAccount(result, n);
      console.log(cpu.text);
      console.log(gitSummary(result.git, n));
      const lock = result.mirrorLock;
      console.log(
        `    mirror lock (one per repository; all ${count(n)} runs share one): taken ${(lock.acquisitions / n).toFixed(1)}× per run, held ${ms(lock.heldMs / Math.max(1, lock.acquisitions), 0)} each, ${ms(lock.heldMs / n, 0)} per run = held ${((100 * lock.heldMs) / result.wallMs).toFixed(0)}% of the wall time`,
      );
      const kinds = Object.entries(lock.byKind)
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([kind, entry]) => `${kind} ${(entry.count / n).toFixed(1)}× ${ms(entry.ms / entry.count, 0)}`);
      console.log(`      holds by step (per run × mean hold): ${kinds.join("; ")}`);
      const connects = result.lockConnects;
      console.log(
        `    run-lock connections: ${(connects.count / n).toFixed(1)} new lock connections per run (pooled: most jobs reuse one), ${ms(connects.ms / Math.max(1, connects.count))} each to connect`,
      );
      rounds.push({
        backend,
        engineWallMs: result.wallMs,
        engineJobs: jobs,
        floorWallMs: floor.wallMs,
        floorJobs: floor.jobs,
        ratio: result.wallMs / floor.wallMs,
        cpuPerRunMs: cpu.totalMs,
        failures,
      });
    } finally {
      await env.close();
    }
  }
  const pick = (key: "engineWallMs" | "floorWallMs" | "ratio" | "engineJobs" | "cpuPerRunMs") =>
    median(rounds.map((figures) => figures[key]));
  return {
    backend,
    engineWallMs: pick("engineWallMs"),
    engineJobs: pick("engineJobs"),
    floorWallMs: pick("floorWallMs"),
    floorJobs: 4 * n,
    ratio: pick("ratio"),
    cpuPerRunMs: pick("cpuPerRunMs"),
    failures: rounds.reduce((sum, figures) => sum + figures.failures, 0),
  };
}

/** Where the machine's CPU went, per run. */
function cpuAccount(result: ThroughputResult, runs: number) {
  const cores = cpus().length;
  const totalMs = (result.cpu.machineBusy * cores * result.wallMs) / runs;
  const worker = result.cpu.worker.selfMs / runs;
  const workerGit = result.cpu.worker.childrenMs / runs;
  const bench = result.cpu.bench.selfMs / runs;
  const benchGit = result.cpu.bench.childrenMs / runs;
  const postgres = result.cpu.postgres / runs;
  const redis = result.cpu.redis / runs;
  const engine = worker + workerGit + bench + benchGit + postgres + redis;
  const rest = totalMs - engine;
  const share = (value: number) => `${((100 * value) / totalMs).toFixed(0)}%`;
  const rows = [
    ["worker process (JS: engine, Prisma, BullMQ)", ms(worker, 0), share(worker)],
    ["git processes the worker ran", ms(workerGit, 0), share(workerGit)],
    ["bench process (web side: startRun, decide; + its polling)", ms(bench, 0), share(bench)],
    ["git processes of startRun (repository checks)", ms(benchGit, 0), share(benchGit)],
    ["Postgres backends serving this database*", ms(postgres, 0), share(postgres)],
    ["redis-server (Redis backend)", ms(redis, 0), share(redis)],
    ["= this bench's engine in all", ms(engine, 0), share(engine)],
    ["everything else (other users of the machine, Postgres's own", ms(rest, 0), share(rest)],
    ["  background processes, short-lived run-lock backends)", "", ""],
    ["machine total", ms(totalMs, 0), `${(100 * result.cpu.machineBusy).toFixed(0)}% of ${cores} cores`],
  ];
  const text = [
    `    CPU per run (the machine was ${(100 * result.cpu.machineBusy).toFixed(0)}% busy; at ${ms(engine, 0)} of CPU per run, ${cores} idle cores would allow ≈ ${rate(cores, engine)} runs):`,
    table(["", "CPU/run", "share"], rows),
    "    * backends alive at the end of the batch (pooled run-lock connections stay open and are counted)",
    `    worker event loop: delay mean ${ms(result.loopDelay.mean)}, p99 ${ms(result.loopDelay.p99)}, max ${ms(result.loopDelay.max, 0)}`,
  ].join("\n");
  return { text, totalMs: engine };
}

function gitSummary(git: Record<string, { count: number; ms: number }>, runs: number): string {
  const entries = Object.entries(git).sort((a, b) => b[1].count - a[1].count);
  const processes = entries.reduce((sum, [, entry]) => sum + entry.count, 0);
  const lifetime = entries.reduce((sum, [, entry]) => sum + entry.ms, 0);
  const each = entries
    .map(([name, entry]) => `${name} ${(entry.count / runs).toFixed(1)}× ${ms(entry.ms / entry.count, 0)}`)
    .join(", ");
  return [
    `    git in the worker: ${(processes / runs).toFixed(1)} processes per run, ${ms(lifetime / runs, 0)} of summed lifetimes per run`,
    `      per run × mean lifetime: ${each}`,
  ].join("\n");
}

export function throughputSummary(options: BenchOptions, all: readonly ThroughputFigures[]): string {
  const rows = all.flatMap((figures) => [
    [
      `${figures.backend}: floor (4-job chains)`,
      seconds(figures.floorWallMs),
      rate(options.runs, figures.floorWallMs),
      rate(figures.floorJobs, figures.floorWallMs),
      "",
      "",
    ],
    [
      `${figures.backend}: engine (fake runs)`,
      seconds(figures.engineWallMs),
      rate(options.runs, figures.engineWallMs),
      rate(figures.engineJobs, figures.engineWallMs),
      `${figures.ratio.toFixed(0)}×`,
      ms(figures.cpuPerRunMs, 0),
    ],
  ]);
  const median = options.repeat > 1 ? `, median of ${options.repeat}` : "";
  return [
    `(a) throughput: ${count(options.runs)} runs / chains, concurrency ${options.concurrency}${median}`,
    table(["", "wall", "runs/s", "jobs/s", "engine/floor (wall)", "CPU/run"], rows),
  ].join("\n");
}
