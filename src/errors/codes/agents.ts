// DevflowError codes of agent sessions, exec and tmux agents, the sandbox (the whole list: ../codes.ts).
import type { CodeSpec } from "./code-spec.js";

export const AGENT_CODES = {
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
} as const satisfies Record<string, CodeSpec>;
