// BullMQ's tracker reports workers that stay "running" yet take no job after a Redis failover: when
// jobs wait while our worker sits idle past a grace period, the worker is replaced.
export interface WatchdogOptions {
  /** Jobs waiting to be taken. */
  waiting: () => Promise<number>;
  /** Jobs our worker is running now. */
  active: () => number;
  /** When our worker last took a job (ms since epoch). */
  lastTakenAt: () => number;
  replace: () => Promise<void>;
  idleGraceMs: number;
  intervalMs: number;
  onReplace?: (waiting: number) => void;
}

export function startWorkerWatchdog(options: WatchdogOptions): () => void {
  let checking = false;
  const timer = setInterval(async () => {
    if (checking) return;
    checking = true;
    try {
      if (options.active() > 0 || Date.now() - options.lastTakenAt() < options.idleGraceMs) return;
      const waiting = await options.waiting();
      if (waiting > 0) {
        options.onReplace?.(waiting);
        await options.replace();
      }
    } catch {
      // the queue is unreachable: nothing to judge now
    } finally {
      checking = false;
    }
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
