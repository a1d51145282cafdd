// Messages between the bench (the "web" side: it starts runs and decides) and its worker process (a
// devflow worker host, or the floor's bare BullMQ worker), over Node's IPC channel.
import type { QueueConnection } from "../../src/queue/queue-connection.js";
import type { GitSpawnStats } from "./git-spawn-meter.js";
import type { LockConnectStats } from "./lock-connect-meter.js";
import type { MirrorLockStats } from "./mirror-lock-meter.js";
import type { ProcessCpu } from "./process-cpu.js";

export const FLOOR_QUEUE = "devflow-bench-floor";
export const FLOOR_STEPS = 4;

/** Job options the floor shares with devflow's run queue, so both pay for the same bookkeeping. */
export const FLOOR_JOB_OPTIONS = {
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 5,
  backoff: { type: "exponential", delay: 500 },
} as const;

export interface FloorJob {
  round: number;
  chain: number;
  step: number;
}

export function floorJobId(job: FloorJob): string {
  return `floor-${job.round}-${job.chain}-${job.step}`;
}

export type WorkerInit =
  | {
      mode: "engine";
      databaseUrl: string;
      queue: QueueConnection;
      hostId: string;
      dataDir: string;
      concurrency: number;
      artifactPollMs: number | undefined;
      reconcileEveryMs: number;
    }
  | { mode: "floor"; queue: QueueConnection; concurrency: number };

export type Request =
  | { type: "init"; init: WorkerInit }
  | { type: "memory" }
  | { type: "counts" }
  | { type: "floor-round"; round: number; chains: number }
  | { type: "stop" };

export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** What the fake agent keeps of every prompt it was sent (a test double's bookkeeping, not devflow's). */
  fakePrompts: { count: number; chars: number };
}

export interface WorkerCounts {
  /** "run advanced" outcomes the worker logged, one per BullMQ job it finished. */
  outcomes: Record<string, number>;
  /** Each run's job outcomes in the order its jobs ended. */
  byRun: Record<string, string[]>;
  /** The git processes the worker ran so far. */
  git: GitSpawnStats;
  /** The mirror lock (one per repository): how often taken, how long held in all. */
  mirrorLock: MirrorLockStats;
  /** The connections opened for per-run advisory locks (one per job). */
  lockConnects: LockConnectStats;
  /** CPU the worker process used so far (user + system, ms), and its exited children (git). */
  cpu: ProcessCpu;
  /** Event-loop delay since the previous counts() (ms): how long ready work waited for the JS thread. */
  loopDelay: { mean: number; p99: number; max: number };
  warnings: string[];
}

export type ChildMessage =
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; error: string }
  | { type: "floor-done"; round: number; at: number };
