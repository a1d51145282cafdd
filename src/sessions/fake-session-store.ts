// Where the fake agent's sessions are recorded: in memory, or with a state directory one JSON file per
// session (`<stateDir>/<sessionId>.json`), which is then the truth, so that another process on this host
// (a restarted worker, the detached work) sees the same session.
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SessionHandle } from "./session-adapter.js";

export type FakeSessionStatus = "live" | "crashed" | "stopped";

export interface FakeSessionRecord {
  readonly handle: SessionHandle;
  readonly status: FakeSessionStatus;
  /** dedupKeys the "agent" has taken, so a restarted worker can tell a prompt that never arrived. */
  readonly prompts?: readonly string[];
}

export class FakeSessionStore {
  /** Session records when there is no state directory. */
  readonly #sessions = new Map<string, FakeSessionRecord>();

  constructor(readonly stateDir: string | undefined) {}

  async load(sessionId: string): Promise<FakeSessionRecord | undefined> {
    if (this.stateDir === undefined) return this.#sessions.get(sessionId);
    const text = await readFile(this.fileOf(sessionId), "utf8").catch(() => undefined);
    return text === undefined ? undefined : parseRecord(text);
  }

  async save(record: FakeSessionRecord): Promise<void> {
    this.#sessions.set(record.handle.sessionId, record);
    if (this.stateDir === undefined) return;
    const file = this.fileOf(record.handle.sessionId);
    const partial = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await mkdir(this.stateDir, { recursive: true });
    await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`);
    await rename(partial, file); // readers in other processes never see half a record
  }

  fileOf(sessionId: string): string {
    return join(this.stateDir ?? "", `${encodeURIComponent(sessionId)}.json`);
  }
}

function parseRecord(text: string): FakeSessionRecord | undefined {
  try {
    const record = JSON.parse(text) as Partial<FakeSessionRecord> | null;
    return typeof record?.handle?.sessionId === "string" ? (record as FakeSessionRecord) : undefined;
  } catch {
    return undefined; // a torn or foreign file: the session is not known
  }
}
