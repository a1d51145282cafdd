// How a prompt reaches a TUI (DESIGN §4): once the TUI is ready, the envelope goes to the session's
// prompt file, the instructions into the pane as one bracketed paste from a named buffer (never
// `send-keys` of the text), then the submit keys. Each dedupKey is pasted once, also across a worker
// restart on this host (recorded beside the session).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { PromptEnvelope } from "./prompt-envelope.js";
import type { SentPrompt, SessionHandle } from "./session-adapter.js";
import { note, type TmuxAgent } from "./tmux-agent.js";
import { requirePane } from "./tmux-pane-info.js";
import { checkArtifactReachable } from "./tmux-pane-sandbox.js";
import { awaitReady, crashedError } from "./tmux-pane-screen.js";
import { pasteText, recordPasted, wasPasted, writePromptFile } from "./tmux-prompt-files.js";

export async function pastePrompt(
  agent: TmuxAgent,
  handle: SessionHandle,
  envelope: PromptEnvelope,
): Promise<SentPrompt> {
  const sent = { promptId: envelope.dedupKey };
  const pane = await requirePane(agent.tmux, agent.socketPath, handle);
  if (pane.dead) throw await crashedError(agent, handle, pane, "session_crashed");
  checkArtifactReachable(agent.sandbox, handle.cwd, envelope);
  if (await wasPasted(pane.sessionDir, envelope.dedupKey)) return sent;
  await awaitReady(agent, handle); // the TUI is done with the previous prompt (and its file)
  await writePromptFile(pane.sessionDir, envelope);
  const buffer = `devflow-${randomUUID()}`;
  await agent.tmux.loadBuffer(buffer, pasteText(envelope.instructions));
  await agent.tmux.run(["paste-buffer", "-p", "-d", "-b", buffer, "-t", pane.paneId]);
  await sleep(agent.submitDelayMs);
  if (agent.submitKeys.length > 0)
    await agent.tmux.run(["send-keys", "-t", pane.paneId, ...agent.submitKeys]);
  await recordPasted(pane.sessionDir, envelope.dedupKey);
  await note(handle, `pasted prompt ${envelope.dedupKey} (${envelope.expectedSchema})`);
  return sent;
}

/**
 * Prompts per session in order, one at a time, each dedupKey delivered once by this process (a failed
 * delivery may be tried again).
 */
export class PromptQueue {
  readonly #deliveries = new Map<string, Promise<SentPrompt>>();
  readonly #queues = new Map<string, Promise<unknown>>();

  send(sessionId: string, dedupKey: string, deliver: () => Promise<SentPrompt>): Promise<SentPrompt> {
    const key = `${sessionId}\n${dedupKey}`;
    const known = this.#deliveries.get(key);
    if (known !== undefined) return known;
    const previous = this.#queues.get(sessionId) ?? Promise.resolve();
    const delivery = previous.then(deliver);
    this.#deliveries.set(key, delivery);
    this.#queues.set(
      sessionId,
      delivery.catch(() => undefined),
    );
    delivery.catch(() => this.#deliveries.delete(key));
    return delivery;
  }

  forget(sessionId: string): void {
    this.#queues.delete(sessionId);
    for (const key of this.#deliveries.keys()) {
      if (key.startsWith(`${sessionId}\n`)) this.#deliveries.delete(key);
    }
  }
}
