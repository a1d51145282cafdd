// A tmux pane's output as a transcript, while the pane lives: the lines that scroll off its screen into
// the history (final once there: tmux's scroll-on-clear puts a cleared screen there too), read as they
// arrive, and now and then the visible screen when it changed — the live TUI a person attached with
// `tmux attach` would see. Polled, so it needs nothing from the agent. Lines too long for the window
// arrive as its rows (200 columns). A history past tmux's history-limit stops growing: the lines after
// that reach the transcript only in the screens.
import { setTimeout as sleep } from "node:timers/promises";
import type { OutputWatch } from "./session-adapter.js";
import type { TmuxClient } from "./tmux-client.js";

export interface PaneStreamOptions {
  /** Start from the pane's first line (a pane this process started); else from what it shows now. */
  readonly fromStart: boolean;
  /** How often the history is read (default 1 s). */
  readonly pollMs?: number;
  /** How often at most a changed screen is added (default 15 s); it always is when the watch finishes. */
  readonly screenEveryMs?: number;
}

/** Lines handed over at once. */
const BATCH = 200;

export function watchPane(
  tmux: TmuxClient,
  paneId: string,
  onLines: (lines: string[]) => void,
  options: PaneStreamOptions,
): OutputWatch {
  const pollMs = options.pollMs ?? 1000;
  const screenEveryMs = options.screenEveryMs ?? 15_000;
  let emitted: number | undefined = options.fromStart ? 0 : undefined;
  let lastScreen = "";
  let screenAt = Date.now();
  let running = true;
  let gone = false;
  const emit = (lines: string[]) => {
    for (let start = 0; start < lines.length; start += BATCH) onLines(lines.slice(start, start + BATCH));
  };

  /** The history lines not yet handed over; false once the pane is gone. */
  const readHistory = async (): Promise<boolean> => {
    const size = await historySize(tmux, paneId);
    if (size === undefined) return false;
    emitted ??= size;
    if (size < emitted) emitted = size; // its history was cleared
    if (size === emitted) return true;
    const want = size - emitted + 500; // room for lines that scroll meanwhile
    // One invocation: tmux runs both with nothing in between, so the size tells where the lines start.
    const result = await tmux.tryRun(
      ["display-message", "-p", "-t", paneId, "#{history_size}"],
      ["capture-pane", "-p", "-t", paneId, "-S", String(-want), "-E", "-1"],
    );
    if (!result.ok) return false;
    const [first = "", ...rows] = result.stdout.replace(/\n$/, "").split("\n");
    const now = Number(first);
    const start = Math.max(0, now - want);
    const lines = rows.slice(0, now - start).map((row) => row.trimEnd());
    const from = emitted;
    emitted = now;
    if (from < start) emit([`… ${start - from} lines scrolled past unread`, ...lines]);
    else emit(lines.slice(from - start));
    return true;
  };

  const readScreen = async (force: boolean) => {
    if (!force && Date.now() - screenAt < screenEveryMs) return;
    const result = await tmux.tryRun(["capture-pane", "-p", "-t", paneId]);
    if (!result.ok) return;
    const screen = result.stdout.replace(/\s+$/, "");
    screenAt = Date.now();
    if (screen === lastScreen || screen === "") return;
    lastScreen = screen;
    emit([
      `── the screen of ${paneId} at ${new Date().toISOString()} ──`,
      ...screen.split("\n").map((row) => row.trimEnd()),
    ]);
  };

  const loop = (async () => {
    while (running && !gone) {
      gone = !(await readHistory().catch(() => false));
      if (!gone) await readScreen(false).catch(() => undefined);
      if (running && !gone) await sleep(pollMs, undefined, { ref: false });
    }
  })();

  return {
    async finish(final = true) {
      running = false;
      await loop;
      if (final && !gone) {
        await readHistory().catch(() => false);
        await readScreen(true).catch(() => undefined);
      }
    },
  };
}

async function historySize(tmux: TmuxClient, paneId: string): Promise<number | undefined> {
  const result = await tmux.tryRun(["display-message", "-p", "-t", paneId, "#{history_size}"]);
  const size = Number(result.stdout.trim());
  return result.ok && result.stdout.trim() !== "" && Number.isSafeInteger(size) ? size : undefined;
}
