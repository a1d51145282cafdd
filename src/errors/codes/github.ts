// DevflowError codes of the GitHub App and the GitHub Action (the whole list: ../codes.ts).
import type { CodeSpec } from "./code-spec.js";

export const GITHUB_CODES = {
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
    hint: "GitHub did not answer the permission check; nothing was decided. devflow tries the delivery again with backoff; `devflow deliveries list` shows one that kept failing, and `devflow deliveries replay` puts it back.",
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
