// Session-level advisory locks on pooled connections, for locks taken and released many times a second
// (one per run advanced). A new connection per lock cost 18–29 ms under load (bench/README.md); a pooled
// one costs one query. A connection is reused only after its lock was unlocked cleanly, so a reused
// connection never holds a lock it should not. pg.Pool does not fit: a lock lives on its connection and
// must be lost with it, which needs the client's own error/end events while the lock is held.
import pg from "pg";
import { type AdvisoryLock, advisoryLockKey, lossSignal } from "./advisory-lock.js";

export interface AdvisoryLockPoolOptions {
  /** Idle connections kept for reuse (more are opened when needed, and closed on release). */
  maxIdle?: number;
  applicationName?: string;
}

export class AdvisoryLockPool {
  private readonly idle: pg.Client[] = [];
  private readonly maxIdle: number;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly options: AdvisoryLockPoolOptions = {},
  ) {
    this.maxIdle = options.maxIdle ?? 8;
  }

  /** Takes the lock without waiting; undefined when someone else holds it. */
  async tryLock(name: string): Promise<AdvisoryLock | undefined> {
    const key = advisoryLockKey(name);
    const client = await this.checkOut();
    const { lost, isLost, markLost } = lossSignal();
    client.on("error", markLost);
    client.on("end", markLost);
    const detach = () => {
      client.off("error", markLost);
      client.off("end", markLost);
    };
    try {
      const result = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock($1::bigint) AS locked",
        [key],
      );
      if (!result.rows[0]?.locked) {
        detach();
        this.checkIn(client);
        return undefined;
      }
    } catch (error) {
      detach();
      await this.discard(client);
      throw error;
    }
    let released = false;
    return {
      name,
      lost,
      isLost,
      release: async () => {
        if (released) return;
        released = true;
        detach();
        if (isLost()) return this.discard(client);
        try {
          const result = await client.query<{ unlocked: boolean }>(
            "SELECT pg_advisory_unlock($1::bigint) AS unlocked",
            [key],
          );
          // Not unlocked means the session did not hold it: never reuse a connection in a state we
          // cannot explain.
          if (result.rows[0]?.unlocked) this.checkIn(client);
          else await this.discard(client);
        } catch {
          await this.discard(client);
        }
      },
    };
  }

  /** Closes the idle connections; locks still held keep theirs until released. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((client) => this.discard(client)));
  }

  private async checkOut(): Promise<pg.Client> {
    const reused = this.idle.pop();
    if (reused) return reused;
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: this.options.applicationName ?? "devflow-lock",
    });
    // An idle connection that fails is dropped from the pool; without a listener the error would throw.
    client.on("error", () => this.forget(client));
    client.on("end", () => this.forget(client));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  }

  private checkIn(client: pg.Client): void {
    if (this.closed || this.idle.length >= this.maxIdle) {
      void this.discard(client);
      return;
    }
    this.idle.push(client);
  }

  private forget(client: pg.Client): void {
    const index = this.idle.indexOf(client);
    if (index >= 0) this.idle.splice(index, 1);
  }

  private async discard(client: pg.Client): Promise<void> {
    this.forget(client);
    await client.end().catch(() => {});
  }
}
