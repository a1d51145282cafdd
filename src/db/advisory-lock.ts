// Session-level Postgres advisory locks on a dedicated connection: held until released or until the
// connection dies — so a process killed with SIGKILL frees its locks at once, with no lease to expire.
import { createHash } from "node:crypto";
import pg from "pg";

/** A signed 64-bit lock key from a namespaced name (the two int4 form would collide more). */
export function advisoryLockKey(name: string): string {
  return createHash("sha256").update(name).digest().readBigInt64BE(0).toString();
}

export interface AdvisoryLock {
  readonly name: string;
  release(): Promise<void>;
  /** Resolves when the connection holding the lock is lost (the lock is gone with it). */
  readonly lost: Promise<void>;
  /** True once the connection (and so the lock) is gone. */
  isLost(): boolean;
}

/** A lock's "lost" signal: `lost` resolves, and `isLost()` turns true, once `markLost` is called. */
export function lossSignal(): { lost: Promise<void>; isLost: () => boolean; markLost: () => void } {
  let gone = false;
  let markLost: () => void = () => {};
  const lost = new Promise<void>((resolve) => {
    markLost = () => {
      gone = true;
      resolve();
    };
  });
  return { lost, isLost: () => gone, markLost };
}

/** Takes the lock without waiting; undefined when someone else holds it. */
export async function tryAdvisoryLock(
  connectionString: string,
  name: string,
): Promise<AdvisoryLock | undefined> {
  const client = new pg.Client({ connectionString, application_name: `devflow-lock` });
  const { lost, isLost, markLost } = lossSignal();
  client.on("error", () => markLost());
  client.on("end", () => markLost());
  await client.connect();
  try {
    const result = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1::bigint) AS locked",
      [advisoryLockKey(name)],
    );
    if (!result.rows[0]?.locked) {
      await client.end();
      return undefined;
    }
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  let released = false;
  return {
    name,
    lost,
    isLost,
    async release() {
      if (released) return;
      released = true;
      // Ending the session releases every advisory lock it holds.
      await client.end().catch(() => {});
    },
  };
}
