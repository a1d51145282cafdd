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
  // agent sessions and their artifacts
  session_not_found: {
    class: "recoverable",
    hint: "The agent session is gone (stopped, or lost with its host): start a new session for the run's current phase.",
  },
  session_crashed: {
    class: "needs_human",
    hint: "The agent session died: read its transcript, then comment /retry on the run's pull request to start the phase again.",
  },
  artifact_invalid: {
    class: "recoverable",
    hint: "The agent's artifact does not match its schema: each listed problem names the path, what was found and what is allowed; a new prompt or attempt can fix it.",
  },
  artifact_timeout: {
    class: "recoverable",
    hint: "The agent wrote no artifact before the phase timed out: read the session transcript, raise the phase's timeout if the work needs longer, then /retry.",
  },
  artifact_too_large: {
    class: "recoverable",
    hint: "The agent's artifact file is larger than limits.artifactBytes in the server config, so it was not read: an artifact is a small JSON summary (put long content in the worktree); a new attempt may write a smaller one, or the operator may raise the limit.",
  },
  artifact_not_regular_file: {
    class: "recoverable",
    hint: "The artifact path held something other than a regular file (a directory, FIFO, socket or device), so it was not read: the agent must write the artifact as a plain JSON file; a new attempt may.",
  },
  artifact_linked: {
    class: "recoverable",
    hint: "The artifact was a symbolic or hard link, or its directory was reached through a link, so it was not read: the agent must write the artifact as a plain file in the artifact directory. Read the session transcript: an agent that links files devflow reads may be hostile.",
  },
  report_path_unsafe: {
    class: "needs_human",
    hint: "The run's report file (or its directory) was a link, not a regular file, or over limits.reportBytes, so devflow neither followed nor read it: remove what is at the named path; start-up writes the missing report again.",
  },
  artifact_schema_unusable: {
    class: "fatal",
    hint: "An artifact schema could not be compiled: fix the schema file (the registry checks schemas at start-up) and start devflow again.",
  },
  internal_error: {
    class: "fatal",
    hint: "This is a bug in devflow: report it with the log lines around it.",
  },
  // run engine
  template_not_found: {
    class: "bad_input",
    hint: "Use a template that devflow has loaded (e.g. development@2), or add its file under templates/ or .github/devflow/.",
  },
  run_not_found: {
    class: "bad_input",
    hint: "Check the run id; `devflow status` lists the runs.",
  },
  run_input_invalid: {
    class: "bad_input",
    hint: "Fix the named field of the run request and start it again.",
  },
  approval_request_not_found: {
    class: "bad_input",
    hint: "The run has no such approval request, or none is pending: `/status` shows what the run waits for.",
  },
  approval_request_closed: {
    class: "bad_input",
    hint: "That request was already decided; nothing was changed. `/status` shows the run's current state.",
  },
  approval_stale: {
    class: "bad_input",
    hint: "What you decided on has changed since it was shown to you: review the new version and decide again.",
  },
  run_not_retryable: {
    class: "bad_input",
    hint: "Only a paused or failed run can be retried; `/status` shows the run's state.",
  },
  budget_exceeded: {
    class: "needs_human",
    hint: "A budget limit was crossed and the agent was stopped: /approve raises that limit once by the server's `budgets.raiseBy` and continues with a new attempt of the phase; /reject ends the run. Operators set limits under `budgets` in the server config; a repository may lower them in .github/devflow.yml.",
  },
  phase_attempts_exhausted: {
    class: "needs_human",
    hint: "Every attempt of the phase failed: read the failures in the report, then /retry or start a new run.",
  },
  run_state_conflict: {
    class: "recoverable",
    hint: "The run changed while this was being done; it was not applied. Try again.",
  },
  run_transition_not_allowed: {
    class: "fatal",
    hint: "A bug in devflow asked a run to move where its state machine (DESIGN §2) does not go: report it with the run id.",
  },
  effect_kind_unknown: {
    class: "fatal",
    hint: "An outbox effect has a kind this devflow does not deliver (written by a newer or broken version): report it with the effect id.",
  },
  run_finished: {
    class: "bad_input",
    hint: "A finished run (completed, failed or aborted) never changes again; nothing was changed. `devflow status RUN` shows how it ended.",
  },
  // revisions
  revision_not_supported: {
    class: "bad_input",
    hint: "The run's template has no `revision` section, so its runs cannot be revised: start a new run with `/devflow run`, or use a template version that has one (development@2 and later).",
  },
  revision_without_pull_request: {
    class: "bad_input",
    hint: "A revision changes a run's pull request, and this run has none yet: wait until devflow has opened it (once the run's first phase is done), then ask again.",
  },
  revision_pull_request_closed: {
    class: "bad_input",
    hint: "A revision only changes an open pull request: reopen it first (if it was closed without merging), or open a new issue for further changes and start a new run there.",
  },
  revision_request_empty: {
    class: "bad_input",
    hint: "Say what to change after the command: `/devflow revise <what to change>` (the lines that follow it belong to the request too).",
  },
  revision_declined: {
    class: "bad_input",
    hint: "The revision was declined at its gate; nothing changed on the pull request. Ask again with `/devflow revise <what to change>`.",
  },
  run_id_ambiguous: {
    class: "bad_input",
    hint: "Give more characters of the run id (or all of it); `devflow status` lists the runs.",
  },
  delivery_not_found: {
    class: "bad_input",
    hint: "Check the delivery id (GitHub's X-GitHub-Delivery); `devflow deliveries list --failed` lists the deliveries that failed for good.",
  },
  delivery_not_failed: {
    class: "bad_input",
    hint: "Only a delivery that failed for good is replayed: a waiting one is processed on its own, a handled one is not handled twice. `devflow deliveries list --failed` lists the ones to replay.",
  },
  // the local CLI
  run_busy: {
    class: "bad_input",
    hint: "Another devflow process is running this run: let it finish, or stop it (Ctrl-C) and continue here with `devflow run --resume RUN`.",
  },
  unknown_agent: {
    class: "bad_input",
    hint: "Name one of the agents defined under `agents` in the server config (DEVFLOW_CONFIG), or define it there.",
  },
  requirements_not_found: {
    class: "bad_input",
    hint: "Pass an existing, non-empty file with --requirements FILE (Markdown: what to build).",
  },
  issue_needs_github: {
    class: "bad_input",
    hint: "The local CLI does not talk to GitHub: save the issue's text to a file and pass --requirements FILE, or label the issue to have the devflow GitHub App run it.",
  },
  terminal_required: {
    class: "bad_input",
    hint: "Run the command in a terminal (not through a pipe or a script); `devflow logs RUN --follow` works anywhere.",
  },
  no_live_session: {
    class: "bad_input",
    hint: "Only a run whose agent works in a tmux pane (mode: tmux) on this machine can be attached to, while that pane lives; `devflow logs RUN --follow` shows any run's progress.",
  },
  // exec agents
  agent_passthrough_forbidden: {
    class: "bad_input",
    hint: "Remove the named variable from the agent's passThrough in the server config: an agent never receives devflow's own secrets (database and Redis URLs, the App's private key, the webhook secret, GitHub tokens) or DEVFLOW_* settings, and its HOME is always the session's own.",
  },
  agent_spawn_failed: {
    class: "needs_human",
    hint: "The agent command could not be started: check that it is installed on the worker host and found on the PATH devflow runs with (the agent sees only PATH, its own HOME, LANG, TERM, the DEVFLOW_* contract variables and its pass-through variables).",
  },
  agent_home_seed_failed: {
    class: "needs_human",
    hint: "devflow could not put the agent's `home` files (server config) into the session's HOME: check that `home.from` names a directory devflow can read, holding only regular files and directories (no links, sockets or devices), and that the data directory has room; then /retry.",
  },
  agent_exited_without_artifact: {
    class: "recoverable",
    hint: "The agent process ended without writing a valid artifact: read the quoted last lines and the session transcript (an API key missing from passThrough is a common cause); a new attempt may succeed.",
  },
  // agent sandbox (bubblewrap)
  sandbox_unavailable: {
    class: "needs_human",
    hint: "Install bubblewrap on this worker host (`apt-get install bubblewrap`) and check it with `devflow doctor`; or, knowing what it costs (the agent then sees devflow's data directory and its processes can outlive the phase), set `sandbox: none` on that agent in the server config.",
  },
  sandbox_setup_failed: {
    class: "recoverable",
    hint: "devflow could not prepare the agent's sandbox (its worktree, artifact directory or HOME): read the quoted error, check the data directory's disk and permissions, then /retry.",
  },
  // tmux sessions
  tmux_unavailable: {
    class: "needs_human",
    hint: "Install tmux (3.2 or later) on this worker host, or run the agent with mode: exec in the server config; then /retry.",
  },
  tmux_command_failed: {
    class: "recoverable",
    hint: "A tmux command on devflow's socket failed (tmux's words are quoted): check that the socket path under DEVFLOW_DATA_DIR is short (under about 100 bytes) and writable, then /retry.",
  },
  tmux_not_ready: {
    class: "recoverable",
    hint: "The agent's TUI did not show that it was ready for input in time: read the session transcript (a login, a trust dialog or an update prompt is a common cause), set the agent up once by hand, then /retry.",
  },
  tmux_session_conflict: {
    class: "needs_human",
    hint: "A tmux session with this run's name belongs to another run (their ids share 8 characters): stop that run, or remove the session with the quoted `tmux -S … kill-session` command, then /retry.",
  },
  // GitHub app
  invalid_repository_config: {
    class: "bad_input",
    hint: "Fix the named key in .github/devflow.yml on the default branch, then trigger the run again.",
  },
  not_authorized: {
    class: "bad_input",
    hint: "Ask someone with the permission the repository's devflow config requires to decide.",
  },
  permission_lookup_failed: {
    class: "recoverable",
    hint: "GitHub did not answer the permission check; nothing was decided. Try the command again.",
  },
  invalid_saved_app_credentials: {
    class: "bad_input",
    hint: "Delete the named file and open devflow's /setup page to register the app again, or set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET instead.",
  },
  app_registration_failed: {
    class: "recoverable",
    hint: "Nothing was saved. Open devflow's /setup page and register the app again (GitHub's one-time code expires after an hour).",
  },
  run_already_active: {
    class: "bad_input",
    hint: "This issue already has an active run: steer it with /approve, /reject or /abort, or wait for it to end.",
  },
  // GitHub Action
  action_input_missing: {
    class: "bad_input",
    hint: "Give the named input under `with:` in the workflow step that uses devflow's action.",
  },
  action_input_invalid: {
    class: "bad_input",
    hint: "Fix the named input under `with:` in the workflow step that uses devflow's action.",
  },
  action_environment_invalid: {
    class: "bad_input",
    hint: "Run devflow's action as a step of a GitHub Actions job: the runner sets GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY and the other GITHUB_* variables it reads.",
  },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
