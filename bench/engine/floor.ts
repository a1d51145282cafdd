// The floor: what BullMQ itself costs for the same shape of work. N chains of 4 no-op jobs, each job's
// processor adding the next of its chain, on the same backend, at the same concurrency, in a worker
// process of its own, with the job options devflow's run queue uses.
import { createQueue, type QueueConnection } from "../../src/queue/queue-connection.js";
import { onAbort } from "./abort-cleanup.js";
import { forEachLimited } from "./stats.js";
import { WorkerHost } from "./worker-host.js";
import { FLOOR_JOB_OPTIONS, FLOOR_QUEUE, FLOOR_STEPS, type FloorJob, floorJobId } from "./worker-protocol.js";

export interface FloorResult {
  chains: number;
  jobs: number;
  wallMs: number;
}

export async function measureFloor(
  queue: QueueConnection,
  chains: number,
  concurrency: number,
): Promise<FloorResult> {
  const host = await WorkerHost.start({ mode: "floor", queue, concurrency });
  const producer = createQueue<FloorJob>(queue, FLOOR_QUEUE);
  const forget = onAbort(() => producer.obliterate({ force: true }));
  try {
    const round = async (id: number, size: number) => {
      const { done } = await host.floorRound(id, size);
      const started = Date.now();
      const firsts = Array.from({ length: size }, (_, chain) => ({ round: id, chain, step: 1 }));
      // Started like the engine's runs: as many in flight at once as the worker runs.
      await forEachLimited(firsts, concurrency, async (job) => {
        await producer.add("step", job, { ...FLOOR_JOB_OPTIONS, jobId: floorJobId(job) });
      });
      return (await done) - started;
    };
    await round(0, Math.min(200, Math.max(20, Math.ceil(chains / 10)))); // warm-up
    const wallMs = await round(1, chains);
    return { chains, jobs: chains * FLOOR_STEPS, wallMs };
  } finally {
    await host.stop();
    await producer.obliterate({ force: true }).catch(() => {});
    await producer.close();
    forget();
  }
}
