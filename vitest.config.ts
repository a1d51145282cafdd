import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Integration tests start processes, Postgres databases and git remotes; under load a run takes a while.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // A poll waits on real processes, Postgres and git on a busy host: vitest's default of 1 s makes it a
    // timed assertion. A poll that will pass passes as soon as it can; only a failing one waits this long.
    expect: { poll: { timeout: 30_000 } },
    pool: "forks",
    // Test files share a worker process: each one importing the sources, Prisma and Probot afresh cost
    // the suite more CPU than anything it tests (670 → 440 CPU-seconds). Every file makes its own
    // database, queue prefix, directories and servers; restore-process.ts puts back what it changes of
    // the process itself.
    isolate: false,
    setupFiles: ["test/support/restore-process.ts"],
    // The suite waits on Postgres, git, tmux and child processes far more than it computes: more files at
    // once than cores (vitest's default is cores - 1, i.e. one file at a time on a 2-core machine).
    maxWorkers: 4,
  },
});
