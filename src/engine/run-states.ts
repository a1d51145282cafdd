import type { RunState } from "../db/index.js";

export type { RunState };

export const TERMINAL_STATES = ["completed", "failed", "aborted"] as const satisfies readonly RunState[];
export type TerminalState = (typeof TERMINAL_STATES)[number];

/** States in which a worker has something to do (a job should exist for the run). */
export const WORKING_STATES = ["queued", "preparing", "executing"] as const satisfies readonly RunState[];

export function isTerminal(state: RunState): state is TerminalState {
  return (TERMINAL_STATES as readonly RunState[]).includes(state);
}

/** Allowed transitions (DESIGN §2); `paused` returns to the state it remembers. */
const ALLOWED: Record<RunState, readonly RunState[]> = {
  queued: ["preparing", "paused", "failed", "aborted"],
  // A revision whose template gates it waits for a human before its first phase.
  preparing: ["executing", "awaiting_approval", "paused", "failed", "aborted"],
  executing: ["executing", "awaiting_approval", "paused", "completed", "failed", "aborted"],
  awaiting_approval: ["executing", "paused", "failed", "aborted", "completed"],
  paused: ["queued", "preparing", "executing", "awaiting_approval", "failed", "aborted"],
  completed: [],
  failed: [],
  aborted: [],
};

export function canTransition(from: RunState, to: RunState): boolean {
  return ALLOWED[from].includes(to);
}
