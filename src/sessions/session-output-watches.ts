// The output streams of a host's live sessions (SessionAdapter.watchOutput: tmux panes), one per
// session, to the sink devflow stores transcripts with: started when a session is started or resumed,
// finished — with what the session shows last — before it is stopped, and dropped at shutdown (the
// sessions live on, and the next worker streams them again).
import type { OutputWatch, SessionAdapter, SessionHandle } from "./session-adapter.js";

export class SessionOutputWatches {
  readonly #watches = new Map<string, OutputWatch>();

  constructor(private readonly onOutput: ((sessionId: string, lines: string[]) => void) | undefined) {}

  watch(adapter: SessionAdapter, handle: SessionHandle, fromStart: boolean): void {
    const { onOutput } = this;
    if (!onOutput || !adapter.watchOutput || this.#watches.has(handle.sessionId)) return;
    const { sessionId } = handle;
    this.#watches.set(
      sessionId,
      adapter.watchOutput(handle, (lines) => onOutput(sessionId, lines), fromStart),
    );
  }

  /** Hands over what the session shows last, and stops watching it. */
  async finish(sessionId: string): Promise<void> {
    const watch = this.#watches.get(sessionId);
    this.#watches.delete(sessionId);
    await watch?.finish().catch(() => undefined);
  }

  async dropAll(): Promise<void> {
    const watches = [...this.#watches.values()];
    this.#watches.clear();
    await Promise.all(watches.map((watch) => watch.finish(false).catch(() => undefined)));
  }
}
