// How `devflow run` shows a run as it goes. On a terminal: event lines scroll, and a footer below them
// (phase, attempt, elapsed, the agent's last lines) is redrawn in place. Elsewhere (a pipe, CI): plain
// event lines and a heartbeat now and then. With --json: one JSON object per line.
import { clearScreenDown, cursorTo, moveCursor } from "node:readline";
import type { RunEvent } from "../db/index.js";
import { describeEvent, eventJson } from "./run-view.js";

export type ProgressMode = "tty" | "plain" | "json";

export interface ProgressStatus {
  runState: string;
  phase: string | null;
  attempt: number | null;
  attemptStartedAt: Date | null;
  runStartedAt: Date;
  tail: string[];
}

const HEARTBEAT_MS = 30_000;
const TAIL_LINES = 5;

export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

export class ProgressReporter {
  /** The footer lines on screen now (tty). */
  #footer: string[] = [];
  #lastHeartbeat = Date.now();

  constructor(
    readonly mode: ProgressMode,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {}

  event(event: RunEvent): void {
    if (this.mode === "json") {
      this.json({ kind: "event", runId: event.runId, ...eventJson(event) });
      return;
    }
    const time = event.createdAt.toTimeString().slice(0, 8);
    this.line(`${time}  ${describeEvent(event)}`);
  }

  /** A line of text (plain and tty); ignored in JSON mode, where `json` says the same. */
  message(text: string): void {
    if (this.mode !== "json") this.line(text);
  }

  json(value: unknown): void {
    if (this.mode === "json") this.out.write(`${JSON.stringify(value)}\n`);
  }

  status(status: ProgressStatus): void {
    const now = Date.now();
    const where = status.phase
      ? `${status.phase} · attempt ${status.attempt ?? "?"} · ${formatElapsed(now - (status.attemptStartedAt ?? status.runStartedAt).getTime())}`
      : status.runState;
    const head = `▶ ${where} (run ${formatElapsed(now - status.runStartedAt.getTime())}, ${status.runState})`;
    if (this.mode === "tty") {
      const width = Math.max(20, (this.out.columns || 100) - 1); // a pseudo-terminal may say 0
      const lines = [head, ...status.tail.slice(-TAIL_LINES).map((line) => `  │ ${line}`)];
      const footer = lines.map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
      if (footer.join("\n") !== this.#footer.join("\n")) this.#redraw(footer);
      return;
    }
    if (this.mode === "plain" && now - this.#lastHeartbeat >= HEARTBEAT_MS) {
      this.#lastHeartbeat = now;
      const last = status.tail.at(-1);
      this.out.write(`${head}${last ? ` — agent: ${last}` : ""}\n`);
    }
  }

  /** Removes the footer (before a question, and at the end). */
  clearFooter(): void {
    this.#redraw([]);
  }

  private line(text: string): void {
    if (this.mode === "tty") {
      const footer = this.#footer;
      this.#redraw([]);
      this.out.write(`${text}\n`);
      this.#redraw(footer);
      return;
    }
    this.#lastHeartbeat = Date.now();
    this.out.write(`${text}\n`);
  }

  #redraw(lines: string[]): void {
    if (this.#footer.length > 0) {
      moveCursor(this.out, 0, -this.#footer.length);
      cursorTo(this.out, 0);
      clearScreenDown(this.out);
    }
    for (const line of lines) this.out.write(`${line}\n`);
    this.#footer = lines;
  }
}
