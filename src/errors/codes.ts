// Every DevflowError code, in one place. A code is stable: scripts, tests and people match on it.
// Each entry gives the class (what the caller should do about it) and a default recovery hint.

export type ErrorClass = "recoverable" | "needs_human" | "fatal" | "bad_input";

interface CodeSpec {
  readonly class: ErrorClass;
  readonly hint: string;
}

export const ERROR_CODES = {
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
  // processes
  port_in_use: {
    class: "bad_input",
    hint: "Another process listens on that port: stop it or set PORT to a free port.",
  },
  unknown_command: {
    class: "bad_input",
    hint: "Run `devflow --help` to see the commands.",
  },
  session_manager_already_running: {
    class: "fatal",
    hint: "Another devflow worker on this host holds the session lock: stop it, or give this one its own DEVFLOW_HOST_ID.",
  },
  internal_error: {
    class: "fatal",
    hint: "This is a bug in devflow: report it with the log lines around it.",
  },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
