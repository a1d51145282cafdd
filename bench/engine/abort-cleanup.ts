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

/**
 * Runs a bench program: its exit code on success, 2 with the stack on an error, and on Ctrl-C/SIGTERM
 * the registered clean-ups (announced by `stopping`) before exiting 130.
 */
export function runBenchProgram(main: () => Promise<number>, stopping: string): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: ${stopping}`);
      // What was running fails as its resources go away: that is expected now, not worth a stack trace.
      process.on("uncaughtException", () => {});
      process.on("unhandledRejection", () => {});
      void runAbortCleanups().finally(() => process.exit(130));
    });
  }
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(2);
    },
  );
}
