// How a prompt reaches a TUI (DESIGN §4): once the TUI is ready, the envelope goes to the session's
// prompt file, the instructions into the pane as one bracketed paste from a named buffer (never
// `send-keys` of the text), then the submit keys (again, if a TUI that records its prompts did not record
// this one). Each dedupKey is pasted once, also across a worker restart on this host (recorded beside
// the session).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { PromptEnvelope } from "./prompt-envelope.js";
import type { SentPrompt, SessionHandle } from "./session-adapter.js";
import { note, type TmuxAgent } from "./tmux-agent.js";
import { type PaneInfo, requirePane } from "./tmux-pane-info.js";
import { checkArtifactReachable } from "./tmux-pane-sandbox.js";
import { awaitReady, crashedError } from "./tmux-pane-screen.js";
import { pasteText, recordPasted, wasPasted, writePromptFile } from "./tmux-prompt-files.js";
import { promptsRecorded } from "./tmux-usage.js";

/** How long a TUI that records its prompts may take to record one after the submit keys. */
const SUBMIT_CONFIRM_MS = 5_000;
const MAX_SUBMITS = 3;
/** As often as the usage is read (tmux-usage.ts): each look reads the agent's whole record, bounded. */
const RECORD_POLL_MS = 500;

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
  const recordedBefore = await promptsRecorded(agent, pane);
  const buffer = `devflow-${randomUUID()}`;
  await agent.tmux.loadBuffer(buffer, pasteText(envelope.instructions));
  await agent.tmux.run(["paste-buffer", "-p", "-d", "-b", buffer, "-t", pane.paneId]);
  await sleep(agent.submitDelayMs);
  await pressSubmit(agent, pane);
  // Recorded before any confirming wait: a worker that dies in it must not paste the prompt again.
  await recordPasted(pane.sessionDir, envelope.dedupKey);
  await note(handle, `pasted prompt ${envelope.dedupKey} (${envelope.expectedSchema})`);
  if (recordedBefore !== undefined) await confirmSubmitted(agent, handle, pane, recordedBefore);
  return sent;
}

async function pressSubmit(agent: TmuxAgent, pane: PaneInfo): Promise<void> {
  if (agent.submitKeys.length > 0)
    await agent.tmux.run(["send-keys", "-t", pane.paneId, ...agent.submitKeys]);
}

/**
 * A TUI can lose the submit keys (Claude Code, starting up on a busy host, has kept a pasted prompt in
 * its input box): where the TUI records its prompts, a prompt not recorded soon after gets the keys
 * again. An extra Enter on an emptied input box submits nothing.
 */
async function confirmSubmitted(
  agent: TmuxAgent,
  handle: SessionHandle,
  pane: PaneInfo,
  recordedBefore: number,
): Promise<void> {
  if (agent.submitKeys.length === 0) return;
  for (let sent = 1; sent < MAX_SUBMITS; sent++) {
    if (await recordedSince(agent, pane, recordedBefore)) return;
    // An agent that exited takes no keys: the engine's watch reports it.
    if ((await requirePane(agent.tmux, agent.socketPath, handle)).dead) return;
    await note(
      handle,
      `the agent recorded no prompt ${SUBMIT_CONFIRM_MS} ms after the submit keys: sending them again`,
    );
    await pressSubmit(agent, pane);
  }
}

async function recordedSince(agent: TmuxAgent, pane: PaneInfo, before: number): Promise<boolean> {
  const deadline = Date.now() + SUBMIT_CONFIRM_MS;
  while (Date.now() < deadline) {
    if (((await promptsRecorded(agent, pane)) ?? 0) > before) return true;
    await sleep(RECORD_POLL_MS);
  }
  return false;
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
