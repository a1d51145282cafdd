// One transcript line from untrusted agent output: a single line, no control characters (an agent must
// not be able to move a terminal's cursor or fake other lines in `devflow logs`), bounded in length.
import { stripVTControlCharacters } from "node:util";

export const MAX_LINE_CHARS = 400;
/** Lines kept per stream; the rest are counted in a last line. */
export const MAX_TRANSCRIPT_LINES = 5_000;

// C0 and C1 control characters, DEL, and the bidi overrides that can reorder what a reader sees.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

/**
 * `label: text` on one line: terminal escape sequences removed (Node's own stripVTControlCharacters),
 * other control characters and whitespace collapsed to one space, cut at MAX_LINE_CHARS.
 */
export function transcriptLine(label: string, text: string): string {
  const flat = stripVTControlCharacters(`${label}: ${text}`)
    .replace(CONTROL, " ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length <= MAX_LINE_CHARS ? flat : `${flat.slice(0, MAX_LINE_CHARS - 1)}…`;
}

/** A compact view of a tool's arguments: `key=<JSON value>` pairs. */
export function toolArguments(input: unknown): string {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return JSON.stringify(input) ?? "";
  return Object.entries(input as Record<string, unknown>)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(" ");
}

/** Collects transcript lines up to MAX_TRANSCRIPT_LINES; `lines()` ends with a count of those dropped. */
export class TranscriptBuilder {
  private readonly kept: string[] = [];
  private dropped = 0;

  add(label: string, text: string): void {
    if (this.kept.length < MAX_TRANSCRIPT_LINES) this.kept.push(transcriptLine(label, text));
    else this.dropped++;
  }

  lines(): string[] {
    return this.dropped === 0 ? [...this.kept] : [...this.kept, `… ${this.dropped} more lines not shown`];
  }
}

/** The JSON objects of a JSON-lines text; other lines (banners, junk, cut-off lines) are skipped. */
export function* jsonObjects(text: string): Generator<Record<string, unknown>> {
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value !== null && typeof value === "object" && !Array.isArray(value))
        yield value as Record<string, unknown>;
    } catch {
      // not a whole JSON object: a line cut by the transcript cap, or a CLI's stray output
    }
  }
}

/** `value` as a record, or an empty one. */
export function recordOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** `value` as a string, or "". */
export function stringOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}
