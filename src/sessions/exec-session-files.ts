// What an exec session keeps in its directory: the prompts it was given, and a record of its current
// agent process so that a worker restarted on this host can find (and stop) it.
import { chmod, mkdir, open, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { environmentHolds, isRunning } from "./process-group.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import type { SessionHandle } from "./session-adapter.js";

/** What a session's directory records about its current process, so a later worker can find it. */
export interface ProcessRecord {
  readonly pid: number;
  readonly promptId: string;
}

export const RECORD_FILE = "exec-process.json";

/** The envelope as JSON (DEVFLOW_PROMPT_FILE) and the prompt as Markdown, in the session directory. */
export async function writePrompt(dir: string, envelope: PromptEnvelope) {
  const name = envelope.dedupKey.replace(/[^\w.-]/g, "_");
  const promptFile = join(dir, "prompts", `${name}.json`);
  const markdownFile = join(dir, "prompts", `${name}.md`);
  await mkdir(dirname(promptFile), { recursive: true });
  await writeFile(promptFile, `${JSON.stringify(envelope, null, 2)}\n`);
  await writeFile(markdownFile, envelope.instructions);
  // Read by the agent under the sandbox uid, whatever devflow's umask: the prompt is no secret to it.
  await chmod(dirname(promptFile), 0o755);
  await Promise.all([chmod(promptFile, 0o644), chmod(markdownFile, 0o644)]);
  return { promptFile, markdownFile };
}

export async function writeRecord(dir: string, record: ProcessRecord): Promise<void> {
  const file = join(dir, RECORD_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(record)}\n`);
  await rename(`${file}.tmp`, file);
}

export async function readRecord(dir: string): Promise<ProcessRecord | undefined> {
  const text = await readFile(join(dir, RECORD_FILE), "utf8").catch(() => undefined);
  try {
    const record = text === undefined ? undefined : (JSON.parse(text) as Partial<ProcessRecord>);
    return typeof record?.pid === "number" && typeof record.promptId === "string"
      ? { pid: record.pid, promptId: record.promptId }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The last `count` agent lines of a transcript (devflow's own notes left out), from its last 64 KiB. */
export async function readTail(path: string, count: number): Promise<string[]> {
  const file = await open(path, "r").catch(() => undefined);
  if (file === undefined) return [];
  try {
    const { size } = await file.stat();
    const length = Math.min(size, 64 * 1024);
    const { buffer } = await file.read(Buffer.alloc(length), 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n");
    if (length < size) lines.shift(); // cut mid-line
    return lines.filter((line) => line !== "" && !line.startsWith("[devflow ")).slice(-count);
  } finally {
    await file.close();
  }
}

/** Whether `pid` runs and is the session's agent (its environment holds the session's HOME). */
export async function ownAgent(session: { readonly home: string }, pid: number): Promise<boolean> {
  return (await isRunning(pid)) && (await environmentHolds(pid, `HOME=${session.home}`));
}

/** The recorded process of a session this adapter did not start, if it still runs and is ours. */
export async function recordedAgent(handle: SessionHandle) {
  if (handle.transcriptPath === undefined) return undefined;
  const dir = dirname(handle.transcriptPath);
  const home = join(dir, "home");
  const record = await readRecord(dir);
  const pid = handle.processId ?? record?.pid;
  if (record === undefined || pid === undefined || !(await ownAgent({ home }, pid))) return undefined;
  return { pid, dir, home, transcriptPath: handle.transcriptPath, record };
}
