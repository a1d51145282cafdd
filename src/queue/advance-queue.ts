/**
 * Where "advance run R" goes: BullMQ's RunQueue on servers, an in-process list in the GitHub Action.
 * The engine needs only this, so it never depends on which one delivers.
 */
export interface AdvanceQueue {
  enqueue(runId: string, version: number, tag?: string): Promise<void>;
}
