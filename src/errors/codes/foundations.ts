// DevflowError codes of configuration, database, embedded services, registry, git and processes (the whole list: ../codes.ts).
import type { CodeSpec } from "./code-spec.js";

export const FOUNDATION_CODES = {
  // configuration
  invalid_environment: {
    class: "bad_input",
    hint: "Fix the named environment variable and start devflow again.",
  },
  invalid_server_config: {
    class: "bad_input",
    hint: "Fix the named key in the server config file (DEVFLOW_CONFIG) and start devflow again.",
  },
  // database and migrations
  database_unreachable: {
    class: "recoverable",
    hint: "Check that Postgres is running and that DATABASE_URL points at it.",
  },
  migration_failed: {
    class: "fatal",
    hint: "Read the migration error, fix the database or the migration, then run `devflow migrate` again.",
  },
  migration_previously_failed: {
    class: "needs_human",
    hint: "A migration failed earlier and is marked unfinished in _prisma_migrations. Repair the database, then mark it rolled back and run `devflow migrate` again.",
  },
  migrations_missing: {
    class: "fatal",
    hint: "The prisma/migrations directory is missing or empty: reinstall devflow.",
  },
  schema_drift: {
    class: "fatal",
    hint: "Create a migration for the schema change so that prisma/migrations matches prisma/schema.prisma.",
  },
  // embedded services
  embedded_postgres_failed: {
    class: "fatal",
    hint: "Read the Postgres log in the data directory; set DATABASE_URL to use a Postgres of your own instead.",
  },
  embedded_postgres_stale: {
    class: "needs_human",
    hint: "An embedded Postgres from an earlier devflow process still holds the data directory: stop that process (or the postmaster whose pid is in postmaster.pid) and start again.",
  },
  data_dir_in_use: {
    class: "bad_input",
    hint: "Stop the other devflow process, or give this one its own DEVFLOW_DATA_DIR.",
  },
  redis_unavailable: {
    class: "recoverable",
    hint: "Check that Redis is running and that REDIS_URL points at it, or unset REDIS_URL to queue on Postgres.",
  },
  // registry
  registry_invalid_file: {
    class: "bad_input",
    hint: "Fix the named file at the named path and start devflow again.",
  },
  registry_reference_unknown: {
    class: "bad_input",
    hint: "Add the missing persona or schema file, or fix the name that refers to it.",
  },
  registry_duplicate: {
    class: "bad_input",
    hint: "Two files define the same name@version: remove or renumber one of them.",
  },
  registry_version_conflict: {
    class: "bad_input",
    hint: "A name@version already stored has different content: bump the version in the file instead of changing a published one.",
  },
  // git: mirrors, worktrees, checkpoints
  repository_not_found: {
    class: "needs_human",
    hint: "Check that the repository exists and that the GitHub App installation can read it (the clone URL comes from the webhook payload); if its host did not answer, retry once it is reachable.",
  },
  base_branch_not_found: {
    class: "bad_input",
    hint: "Name a branch that exists in the repository as the run's base branch (or push that branch first).",
  },
  invalid_branch_name: {
    class: "bad_input",
    hint: "Use a branch name that `git check-ref-format --branch` accepts: no spaces, `..`, `~`, `^`, `:`, `?`, `*`, `[` or trailing `.lock`.",
  },
  worktree_conflict: {
    class: "needs_human",
    hint: "The worktree path is taken by something else (another branch or a directory git does not know): move or delete it, then retry the run.",
  },
  mirror_locked: {
    class: "recoverable",
    hint: "Another devflow process on this host is cloning or fetching this repository: wait and retry. If no such process runs, delete the named lock file.",
  },
  git_failed: {
    class: "recoverable",
    hint: "Read the git output in the error details; fix the repository on disk (disk space, permissions, a corrupt mirror can be deleted and is cloned again) and retry.",
  },
  git_config_tampered: {
    class: "needs_human",
    hint: "devflow refused to run git on the repository. Look at what the run's agent did, remove what was planted in the named file (or delete the mirror directory so devflow clones it again), and retry.",
  },
  checkpoint_push_failed: {
    class: "recoverable",
    hint: "Check that the repository is reachable and that the GitHub App may push (contents: write); if another host pushed the run branch meanwhile, fetch and retry the phase.",
  },
  // processes
  port_in_use: {
    class: "bad_input",
    hint: "Another process listens on that port: stop it or set PORT to a free port.",
  },
  unknown_command: {
    class: "bad_input",
    hint: "Run `devflow --help` to see the commands.",
  },
  invalid_arguments: {
    class: "bad_input",
    hint: "Run the command with --help to see its arguments and options.",
  },
  session_manager_already_running: {
    class: "fatal",
    hint: "Another devflow worker on this host holds the session lock: stop it, or give this one its own DEVFLOW_HOST_ID.",
  },
} as const satisfies Record<string, CodeSpec>;
