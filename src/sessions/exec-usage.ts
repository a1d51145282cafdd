// What one exec prompt consumed, read from the agent's own output: a preset CLI's machine-readable
// stream (read into readable transcript lines as it flows, and its usage at the end) and the contract's
// usage file (DEVFLOW_USAGE_FILE, which any agent may append to). Both are the agent's words: bounded,
// and the file is opened only as a plain file (never through a link the agent planted, never a FIFO).
import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { ExecSession } from "./exec-process.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import type { PromptUsage } from "./session-adapter.js";
import {
  AgentStreamReader,
  type CommandList,
  MAX_USAGE_FILE_BYTES,
  type ModelPrices,
  type PhaseUsage,
  parseUsageFile,
  type StreamParserName,
} from "./streams/index.js";

export interface ExecUsageOptions {
  /** The preset whose stdout is a JSON event stream (claude, codex, gemini); absent: plain text. */
  readonly stream?: StreamParserName;
  /** The operator's price table (server config `prices`), for CLIs that report no cost. */
  readonly prices?: ModelPrices;
}

/** The usage file of one prompt, in the session's HOME (writable inside the sandbox). */
export function usageFilePath(home: string, envelope: PromptEnvelope): string {
  return join(home, `devflow-usage-${envelope.phaseKey}-${envelope.attempt}-${promptIndex(envelope)}.jsonl`);
}

/** The prompt's index within its attempt, the last part of its dedupKey (promptDedupKey). */
export function promptIndex(envelope: PromptEnvelope): number {
  const index = Number(envelope.dedupKey.split(":").at(-1));
  return Number.isSafeInteger(index) && index >= 0 ? index : 0;
}

export class PromptUsageReader {
  readonly #envelope: PromptEnvelope;
  readonly #usageFile: string;
  readonly #prices: ModelPrices | undefined;
  readonly #reader: AgentStreamReader | undefined;
  #streamUsage: PhaseUsage | undefined;
  #streamCommands: CommandList | undefined;

  constructor(options: ExecUsageOptions, envelope: PromptEnvelope, usageFile: string) {
    this.#envelope = envelope;
    this.#usageFile = usageFile;
    this.#prices = options.prices;
    this.#reader =
      options.stream === undefined
        ? undefined
        : new AgentStreamReader(options.stream, options.prices ? { prices: options.prices } : {});
  }

  /** stdout as the transcript shows it: a preset's JSON events as readable lines, other output as it is. */
  transcriptOf(stdout: Readable): Readable {
    const reader = this.#reader;
    if (reader === undefined) return stdout;
    const readable = new PassThrough();
    let shown = 0;
    const showNew = (lines: readonly string[]) => {
      if (lines.length > shown) readable.write(`${lines.slice(shown).join("\n")}\n`);
      shown = Math.max(shown, lines.length);
    };
    stdout.on("data", (chunk: Buffer) => {
      reader.push(chunk);
      showNew(reader.lines());
    });
    const end = () => {
      const parsed = reader.finish();
      this.#streamUsage = parsed.usage;
      this.#streamCommands = parsed.commands;
      showNew(parsed.transcript);
      readable.end();
    };
    stdout.once("end", end);
    stdout.once("error", end);
    return readable;
  }

  /** The usage the prompt's process reported; call once it has exited and its output is read. */
  async collect(): Promise<PromptUsage[]> {
    const fromFile = parseUsageFile(await readPlainFile(this.#usageFile), this.#prices).usage;
    return this.#reports(this.#streamUsage, fromFile);
  }

  /**
   * The usage the running process has reported so far: the stream's events read to now and the usage
   * file as it stands (read again only when its size or time changed).
   */
  async current(): Promise<PromptUsage[]> {
    const stats = await lstat(this.#usageFile).catch(() => undefined);
    const signature = stats?.isFile() ? `${stats.size}:${stats.mtimeMs}:${stats.ino}` : "";
    if (signature !== this.#fileSeen.signature) {
      const usage =
        signature === ""
          ? undefined
          : parseUsageFile(await readPlainFile(this.#usageFile), this.#prices).usage;
      this.#fileSeen = { signature, usage };
    }
    return this.#reports(this.#streamUsage ?? this.#reader?.usageSoFar(), this.#fileSeen.usage);
  }

  #fileSeen: { signature: string; usage: PhaseUsage | undefined } = { signature: "", usage: undefined };

  #reports(...usages: (PhaseUsage | undefined)[]): PromptUsage[] {
    const { phaseKey, attempt } = this.#envelope;
    const prompt = promptIndex(this.#envelope);
    const commands = this.#streamCommands;
    return usages
      .filter((usage): usage is PhaseUsage => usage !== undefined)
      .map((usage) => ({
        phaseKey,
        attempt,
        prompt,
        usage,
        ...(usage.source === "stream" && commands !== undefined ? { commands } : {}),
      }));
  }
}

/** The usage of a session's ended prompts, taken once; waits up to `waitMs` for the current one. */
export async function takeSessionUsage(
  session: ExecSession | undefined,
  waitMs: number,
): Promise<PromptUsage[]> {
  if (session === undefined) return [];
  const running = session.process?.finished;
  if (running !== undefined) await Promise.race([running, sleep(waitMs)]);
  return session.usage.splice(0);
}

/** A session's usage to date, not taken: its ended prompts' and what the running one has reported. */
export async function sessionUsageSoFar(session: ExecSession | undefined): Promise<PromptUsage[]> {
  if (session === undefined) return [];
  const running = session.process?.done === false ? session.process.reading : undefined;
  return [...session.usage, ...((await running?.current()) ?? [])];
}

/** The file's first bytes (past the usage file's cap: cut), or nothing for a link, FIFO or no file. */
async function readPlainFile(path: string): Promise<Buffer> {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const file = await open(path, flags).catch(() => undefined);
  if (file === undefined) return Buffer.alloc(0);
  try {
    if (!(await file.stat()).isFile()) return Buffer.alloc(0);
    const buffer = Buffer.alloc(MAX_USAGE_FILE_BYTES + 1);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
