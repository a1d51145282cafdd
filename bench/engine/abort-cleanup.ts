// What to undo if the bench is interrupted (Ctrl-C, SIGTERM): worker processes to end, databases to
// drop, queue keys to remove. Each resource registers itself and unregisters once cleaned up normally.
const pending = new Set<() => Promise<void>>();

/** Registers `undo` to run if the bench is interrupted; call the returned function once it is not needed. */
export function onAbort(undo: () => Promise<void>): () => void {
  pending.add(undo);
  return () => {
    pending.delete(undo);
  };
}

export async function runAbortCleanups(): Promise<void> {
  // Processes first (they hold connections to the databases), then the rest.
  const all = [...pending].reverse();
  pending.clear();
  for (const undo of all) await undo().catch(() => {});
}
