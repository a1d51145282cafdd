// The adapters' entry points: the stream parser of a preset by name, over a whole text or fed with
// stdout chunks as they arrive (AgentStreamReader: memory bounded, usage kept even when the stored
// transcript is capped, since it comes in the stream's last event).
import { StringDecoder } from "node:string_decoder";
import { claudeStreamParser } from "./claude-stream.js";
import { codexStreamParser } from "./codex-stream.js";
import { geminiStreamParser } from "./gemini-stream.js";
import type { ModelPrices } from "./model-prices.js";
import type { ParsedStream } from "./phase-usage.js";
import type { StreamParser } from "./stream-parser.js";
import { jsonObjects } from "./transcript-line.js";

export const STREAM_PARSERS = ["claude", "codex", "gemini"] as const;
export type StreamParserName = (typeof STREAM_PARSERS)[number];

/** A longer line is skipped (a huge tool input or output); the lines after it are still read. */
export const MAX_EVENT_CHARS = 8 * 1024 * 1024;

export interface StreamParseOptions {
  /** The model the agent was configured with, for CLIs whose stream does not name it (Codex). */
  readonly model?: string;
  readonly prices?: ModelPrices;
}

export function streamParserFor(preset: StreamParserName, options: StreamParseOptions = {}): StreamParser {
  if (preset === "claude") return claudeStreamParser(options.prices);
  if (preset === "codex") return codexStreamParser(options);
  return geminiStreamParser(options.prices);
}

export function parseAgentStream(
  preset: StreamParserName,
  text: string,
  options: StreamParseOptions = {},
): ParsedStream {
  const parser = streamParserFor(preset, options);
  for (const event of jsonObjects(text)) parser.event(event);
  return parser.finish();
}

/** Reads a CLI's stdout chunk by chunk (split anywhere, even inside a UTF-8 character). */
export class AgentStreamReader {
  private readonly parser: StreamParser;
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  /** The current line has grown past MAX_EVENT_CHARS: drop it up to its newline. */
  private skipping = false;

  constructor(preset: StreamParserName, options: StreamParseOptions = {}) {
    this.parser = streamParserFor(preset, options);
  }

  push(chunk: Buffer | string): void {
    this.read(typeof chunk === "string" ? chunk : this.decoder.write(chunk));
  }

  /** The readable transcript lines of the complete events so far (the adapter streams the new ones). */
  lines(): readonly string[] {
    return this.parser.lines();
  }

  /** The transcript and usage; call once stdout has ended. */
  finish(): ParsedStream {
    this.read(`${this.decoder.end()}\n`);
    return this.parser.finish();
  }

  private read(text: string): void {
    let start = 0;
    for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
      this.take(text.slice(start, newline));
      if (!this.skipping) for (const event of jsonObjects(this.pending)) this.parser.event(event);
      this.pending = "";
      this.skipping = false;
      start = newline + 1;
    }
    this.take(text.slice(start));
  }

  private take(piece: string): void {
    if (this.skipping) return;
    if (this.pending.length + piece.length > MAX_EVENT_CHARS) {
      this.pending = "";
      this.skipping = true;
    } else {
      this.pending += piece;
    }
  }
}
