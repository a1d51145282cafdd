// Command-line options and the services the bench uses (DATABASE_URL names the Postgres server, REDIS_URL
// the Redis; both default to the machine's local ones).
import { parseArgs } from "node:util";

export type BackendName = "redis" | "postgres";

export interface BenchOptions {
  runs: number;
  parked: number;
  approvals: number;
  backends: BackendName[];
  concurrency: number;
  /** The engine's artifact poll interval; undefined = the engine's own default (what a deployment uses). */
  artifactPollMs: number | undefined;
  repeat: number;
  /** Postgres server URL; the bench creates (and drops) databases of its own on it. */
  serverUrl: string;
  redisUrl: string;
}

/** Not 1,000: about one fake run per second on 2 cores would make that 15+ minutes per backend. */
export const DEFAULT_RUNS = 200;

export const USAGE = `usage: npx tsx bench/engine/main.ts [--runs 200] [--parked 10000] [--approvals 200]
       [--backend redis|postgres|both] [--concurrency 8] [--artifact-poll-ms <engine default>] [--repeat 1]
  --runs 0 skips the throughput part, --parked 0 the parked-runs part.
  Default --runs is 200, not 1,000: on a 2-core machine the engine does about one fake run per second
  (see bench/README.md), so 1,000 runs take over 15 minutes per backend.
  DATABASE_URL: the Postgres server (default postgresql://postgres@127.0.0.1:5432/postgres);
  REDIS_URL: the Redis for the Redis backend (default redis://127.0.0.1:6379, skipped if it does not answer).`;

function positiveInt(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be an integer >= ${min}, got "${text}".\n${USAGE}`);
  }
  return value;
}

export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: "string" },
      parked: { type: "string" },
      approvals: { type: "string" },
      backend: { type: "string" },
      concurrency: { type: "string" },
      "artifact-poll-ms": { type: "string" },
      repeat: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const backend = values.backend ?? "both";
  if (!["redis", "postgres", "both"].includes(backend)) {
    throw new Error(`--backend must be redis, postgres or both, got "${backend}".\n${USAGE}`);
  }
  const parked = positiveInt("parked", values.parked, 10_000);
  const approvals = Math.min(parked, positiveInt("approvals", values.approvals, 200));
  return {
    runs: positiveInt("runs", values.runs, DEFAULT_RUNS),
    parked,
    approvals,
    backends: backend === "both" ? ["redis", "postgres"] : [backend as BackendName],
    concurrency: positiveInt("concurrency", values.concurrency, 8, 1),
    artifactPollMs:
      values["artifact-poll-ms"] === undefined
        ? undefined
        : positiveInt("artifact-poll-ms", values["artifact-poll-ms"], 100, 1),
    repeat: positiveInt("repeat", values.repeat, 1, 1),
    serverUrl: env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres",
    redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379",
  };
}
