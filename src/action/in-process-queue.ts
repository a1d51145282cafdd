// The action's stand-in for BullMQ: "advance run R" lands in a list this process works through before
// it exits. A job on a runner lives for one event, so there is nobody else to hand work to; Postgres
// still holds everything, and the next event's job (or a re-run) picks up whatever this one left.
import type { AdvanceQueue } from "../queue/index.js";

export class InProcessQueue implements AdvanceQueue {
  /** A Set keeps the order runs were queued in and holds each run once. */
  private readonly pending = new Set<string>();
  /** Every run ever queued here: what the job summary reports on. */
  readonly touched = new Set<string>();

  async enqueue(runId: string): Promise<void> {
    this.pending.add(runId);
    this.touched.add(runId);
  }

  /** The next run to advance, or undefined when none is left. */
  take(): string | undefined {
    const [next] = this.pending;
    if (next !== undefined) this.pending.delete(next);
    return next;
  }
}
