// Times the Postgres connections the worker opens for advisory locks: the host lock ("devflow-lock",
// src/db/advisory-lock.ts) and the pooled per-run locks ("devflow-run-lock", src/db/advisory-lock-pool.ts,
// reused across jobs), by wrapping pg.Client's promise-form connect(); pools connect with a callback and
// are not counted.
import pg from "pg";

export interface LockConnectStats {
  count: number;
  ms: number;
}

export function installLockConnectMeter(): () => LockConnectStats {
  const stats: LockConnectStats = { count: 0, ms: 0 };
  const original = pg.Client.prototype.connect as (this: pg.Client, callback?: unknown) => unknown;
  const wrapped = function (this: pg.Client, callback?: unknown) {
    const name = (this as unknown as { connectionParameters?: { application_name?: string } })
      .connectionParameters?.application_name;
    if (callback !== undefined || (name !== "devflow-lock" && name !== "devflow-run-lock"))
      return original.call(this, callback);
    const started = performance.now();
    const connected = original.call(this) as Promise<pg.Client>;
    return connected.then((client) => {
      stats.count += 1;
      stats.ms += performance.now() - started;
      return client;
    });
  };
  pg.Client.prototype.connect = wrapped as typeof pg.Client.prototype.connect;
  return () => ({ ...stats });
}
