// DevflowError codes of the run engine, revisions and the local CLI (the whole list: ../codes.ts).
import type { CodeSpec } from "./code-spec.js";

export const RUN_CODES = {
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
} as const satisfies Record<string, CodeSpec>;
