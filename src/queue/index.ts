// The public face of src/queue/: what other folders may import (docs/architecture.md).
export type { AdvanceQueue } from "./advance-queue.js";
export {
  type DevflowQueue,
  describeQueueConnection,
  prepareQueueBackend,
  type QueueConnection,
} from "./queue-connection.js";
export { type AdvanceJob, createRunWorker, RunQueue } from "./run-queue.js";
export { startWorkerWatchdog } from "./worker-watchdog.js";
