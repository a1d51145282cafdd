// An exec agent's stdout and stderr, line by line: appended to the session transcript, kept as a tail
// for failure reasons, and handed on in bounded chunks (for run events).
import { createWriteStream, type WriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

export interface ExecOutputOptions {
  readonly transcriptPath: string;
  /** Receives the output in chunks of at most `maxChunkLines` lines, each cut to `maxLineChars`. */
  readonly onChunk?: (lines: string[]) => void;
  readonly maxChunkLines: number;
  readonly maxLineChars: number;
  readonly tailLines: number;
  /** How long a chunk may wait for more lines before it is handed on. */
  readonly flushMs: number;
}

export class ExecOutput {
  readonly #options: ExecOutputOptions;
  readonly #transcript: WriteStream;
  readonly #open = new Set<() => void>();
  readonly #tail: string[] = [];
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ExecOutputOptions) {
    this.#options = options;
    this.#transcript = createWriteStream(options.transcriptPath, { flags: "a" });
    this.#transcript.on("error", () => {}); // a full disk must not crash the worker; the tail remains
  }

  /** Reads `stream` line by line until it ends or close() is called. */
  attach(stream: Readable): void {
    const decoder = new StringDecoder("utf8");
    let partial = "";
    const onData = (data: Buffer) => {
      const lines = (partial + decoder.write(data)).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) this.#line(line);
    };
    const finish = () => {
      stream.off("data", onData);
      this.#open.delete(finish);
      const rest = partial + decoder.end();
      partial = "";
      if (rest !== "") this.#line(rest);
    };
    stream.on("data", onData);
    stream.once("end", finish);
    stream.once("error", finish);
    this.#open.add(finish);
  }

  /** devflow's own line in the transcript (not in the tail or the chunks). */
  note(line: string): void {
    this.#transcript.write(`[devflow ${new Date().toISOString()}] ${line}\n`);
  }

  /** The last lines the agent printed, oldest first. */
  tail(): string[] {
    return [...this.#tail];
  }

  /** Takes the partial last lines, hands on the last chunk and closes the transcript. */
  async close(): Promise<void> {
    for (const finish of [...this.#open]) finish();
    this.#flush();
    await new Promise<void>((resolve) => this.#transcript.end(resolve));
  }

  #line(raw: string): void {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    this.#transcript.write(`${line}\n`);
    this.#tail.push(line);
    if (this.#tail.length > this.#options.tailLines) this.#tail.shift();
    if (this.#options.onChunk === undefined) return;
    const max = this.#options.maxLineChars;
    this.#pending.push(
      line.length > max ? `${line.slice(0, max)}… [${line.length - max} more characters]` : line,
    );
    if (this.#pending.length >= this.#options.maxChunkLines) this.#flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#flush(), this.#options.flushMs);
      this.#timer.unref();
    }
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const chunk = this.#pending;
    this.#pending = [];
    try {
      this.#options.onChunk?.(chunk);
    } catch {
      // a failing listener must not stop the agent's output from reaching the transcript
    }
  }
}
