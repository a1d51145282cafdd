// An exec agent's stdout and stderr, line by line: appended to the session transcript, kept as a tail
// for failure reasons, and handed on in bounded chunks (for run events). Bounded whatever the agent
// prints: a line keeps at most `lineLimitChars` characters (the partial line held between reads never
// grows past that), and the session's transcript stops at `transcriptLimitBytes`.
import { createWriteStream, statSync, type WriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { DEFAULT_INPUT_LIMITS } from "../config/index.js";

export interface ExecOutputOptions {
  readonly transcriptPath: string;
  /** Receives the output in chunks of at most `maxChunkLines` lines, each cut to `maxLineChars`. */
  readonly onChunk?: (lines: string[]) => void;
  readonly maxChunkLines: number;
  readonly maxLineChars: number;
  readonly tailLines: number;
  /** How long a chunk may wait for more lines before it is handed on. */
  readonly flushMs: number;
  /** Characters kept of one line; the rest is counted, not kept (default: the server config's default). */
  readonly lineLimitChars?: number;
  /** Bytes the session's transcript file may reach, counting what earlier prompts wrote to it. */
  readonly transcriptLimitBytes?: number;
}

/** One stream's line being read: the characters kept so far (at most the limit) and how many were not. */
interface PartialLine {
  parts: string[];
  kept: number;
  dropped: number;
}

export class ExecOutput {
  readonly #options: ExecOutputOptions;
  readonly #transcript: WriteStream;
  readonly #open = new Set<() => void>();
  readonly #tail: string[] = [];
  readonly #lineLimit: number;
  readonly #transcriptLimit: number;
  #transcriptBytes: number;
  #transcriptFull = false;
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ExecOutputOptions) {
    this.#options = options;
    this.#lineLimit = options.lineLimitChars ?? DEFAULT_INPUT_LIMITS.transcriptLineChars;
    this.#transcriptLimit = options.transcriptLimitBytes ?? DEFAULT_INPUT_LIMITS.transcriptBytesPerSession;
    // The transcript is the session's: earlier prompts' output counts against its limit.
    this.#transcriptBytes = sizeOf(options.transcriptPath);
    this.#transcript = createWriteStream(options.transcriptPath, { flags: "a" });
    this.#transcript.on("error", () => {}); // a full disk must not crash the worker; the tail remains
  }

  /** Reads `stream` line by line until it ends or close() is called. */
  attach(stream: Readable): void {
    const decoder = new StringDecoder("utf8");
    const partial: PartialLine = { parts: [], kept: 0, dropped: 0 };
    // Only the new text is searched for line ends, so a line without one costs linear time.
    const onData = (data: Buffer) => {
      const text = decoder.write(data);
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        this.#keep(partial, text.slice(start, end));
        this.#endLine(partial);
        start = end + 1;
      }
      if (start < text.length) this.#keep(partial, text.slice(start));
    };
    const finish = () => {
      stream.off("data", onData);
      this.#open.delete(finish);
      this.#keep(partial, decoder.end());
      if (partial.kept > 0 || partial.dropped > 0) this.#endLine(partial);
    };
    stream.on("data", onData);
    stream.once("end", finish);
    stream.once("error", finish);
    this.#open.add(finish);
  }

  /** devflow's own line in the transcript (not in the tail or the chunks). */
  note(line: string): void {
    this.#write(`[devflow ${new Date().toISOString()}] ${line}\n`);
  }

  /** The last lines the agent printed, oldest first, each cut to the line limit. */
  tail(): string[] {
    return [...this.#tail];
  }

  /** Takes the partial last lines, hands on the last chunk and closes the transcript. */
  async close(): Promise<void> {
    for (const finish of [...this.#open]) finish();
    this.#flush();
    await new Promise<void>((resolve) => this.#transcript.end(resolve));
  }

  #keep(partial: PartialLine, text: string): void {
    if (text === "") return;
    const room = this.#lineLimit - partial.kept;
    if (text.length <= room) {
      partial.parts.push(text);
      partial.kept += text.length;
      return;
    }
    if (room > 0) partial.parts.push(text.slice(0, room));
    partial.kept = this.#lineLimit;
    partial.dropped += text.length - Math.max(room, 0);
  }

  #endLine(partial: PartialLine): void {
    let line = partial.parts.join("");
    if (partial.dropped === 0 && line.endsWith("\r")) line = line.slice(0, -1);
    const cut =
      partial.dropped > 0 ? `${line}… [devflow: line cut, ${partial.dropped} more characters]` : line;
    partial.parts = [];
    partial.kept = 0;
    partial.dropped = 0;
    this.#line(cut);
  }

  #line(line: string): void {
    this.#write(`${line}\n`);
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

  /**
   * Appends to the transcript while it is under its limit; the first write past it leaves one marker
   * instead, and later output is dropped (still read, so the agent never blocks on a full pipe).
   */
  #write(text: string): void {
    if (this.#transcriptFull) return;
    const bytes = Buffer.byteLength(text);
    if (this.#transcriptBytes + bytes <= this.#transcriptLimit) {
      this.#transcriptBytes += bytes;
      this.#transcript.write(text);
      return;
    }
    this.#transcriptFull = true;
    this.#transcript.write(
      `[devflow ${new Date().toISOString()}] the transcript reached its limit of ${this.#transcriptLimit} bytes (limits.transcriptBytesPerSession): the rest of this session's output is left out\n`,
    );
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

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
