// Counts the git processes the worker spawns and how long each lived (spawn → exit), by subcommand, so
// the bench can say how much of a run's time is git under the same load. It wraps child_process.spawn
// (simple-git's way of running git) and re-syncs the ESM named exports so importers see the wrapper.
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";

export interface GitSpawnStats {
  /** Per subcommand: processes and their summed lifetimes in ms. */
  bySubcommand: Record<string, { count: number; ms: number }>;
}

const stats: GitSpawnStats = { bySubcommand: {} };

/** Called on every git spawn with its subcommand and working directory. */
export const gitSpawnListeners: ((name: string, cwd: string | undefined) => void)[] = [];

function subcommand(args: readonly string[]): string {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "-C" || arg === "-c") index += 1;
    else if (!arg.startsWith("-")) return arg === "worktree" ? `worktree ${args[index + 1] ?? ""}` : arg;
  }
  return "(none)";
}

export function installGitSpawnMeter(): () => GitSpawnStats {
  const original = childProcess.spawn;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const child = (original as (...a: unknown[]) => childProcess.ChildProcess).apply(this, args);
    const [command, argv, options] = args;
    if (command === "git" && Array.isArray(argv)) {
      const name = subcommand(argv as string[]);
      const cwd = (options as { cwd?: unknown } | undefined)?.cwd;
      for (const listener of gitSpawnListeners) listener(name, typeof cwd === "string" ? cwd : undefined);
      const started = performance.now();
      child.once("close", () => {
        const entry = stats.bySubcommand[name] ?? { count: 0, ms: 0 };
        entry.count += 1;
        entry.ms += performance.now() - started;
        stats.bySubcommand[name] = entry;
      });
    }
    return child;
  };
  childProcess.spawn = wrapped as typeof childProcess.spawn;
  syncBuiltinESMExports();
  return () => structuredClone(stats);
}
