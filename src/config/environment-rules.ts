// Rules across the server environment's variables (environment.ts): they look only at which variables
// are set, never at their values, so no message can quote a secret.
import type { EnvironmentProblem, RawEnvironment } from "./environment.js";

/** Rules across variables; they look only at which variables are set, never at their values. */
export function crossFieldProblems(raw: RawEnvironment): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  const hasKey = raw.PRIVATE_KEY !== undefined || raw.PRIVATE_KEY_PATH !== undefined;
  if (raw.PRIVATE_KEY !== undefined && raw.PRIVATE_KEY_PATH !== undefined) {
    problems.push({
      variable: "PRIVATE_KEY",
      message:
        "PRIVATE_KEY, PRIVATE_KEY_PATH: both are set, so which key to use is ambiguous. " +
        "Keep one: unset PRIVATE_KEY or PRIVATE_KEY_PATH.",
    });
  }
  const credentials = [
    { name: "APP_ID", set: raw.APP_ID !== undefined },
    { name: raw.PRIVATE_KEY_PATH !== undefined ? "PRIVATE_KEY_PATH" : "PRIVATE_KEY", set: hasKey },
    { name: "WEBHOOK_SECRET", set: raw.WEBHOOK_SECRET !== undefined },
  ] as const;
  const missing = credentials.filter((credential) => !credential.set);
  if (missing.length > 0 && missing.length < credentials.length) {
    const names = missing.map(({ name }) =>
      name === "PRIVATE_KEY" ? "PRIVATE_KEY (or PRIVATE_KEY_PATH)" : name,
    );
    const present = credentials.filter((credential) => credential.set).map(({ name }) => name);
    problems.push({
      variable: missing[0]?.name ?? "APP_ID",
      message:
        `${names.join(", ")}: missing, while ${present.join(" and ")} ${present.length > 1 ? "are" : "is"} set. ` +
        "GitHub App credentials go together: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET, " +
        "or unset them all to register the app through devflow's setup page.",
    });
  }
  if (raw.GHE_PROTOCOL !== undefined && raw.GHE_HOST === undefined) {
    problems.push({
      variable: "GHE_PROTOCOL",
      message:
        "GHE_PROTOCOL: set without GHE_HOST, so it would have no effect. " +
        "Set GHE_HOST to your GitHub Enterprise Server's host (e.g. GHE_HOST=github.example.com), or unset GHE_PROTOCOL.",
    });
  }
  if ((raw.GITHUB_CLIENT_ID === undefined) !== (raw.GITHUB_CLIENT_SECRET === undefined)) {
    const [set, missing] =
      raw.GITHUB_CLIENT_ID === undefined
        ? (["GITHUB_CLIENT_SECRET", "GITHUB_CLIENT_ID"] as const)
        : (["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"] as const);
    problems.push({
      variable: missing,
      message:
        `${missing}: missing, while ${set} is set. The dashboard's sign-in needs both: set GITHUB_CLIENT_ID and ` +
        "GITHUB_CLIENT_SECRET from your GitHub App's settings page, or unset both to use the client the setup page saved.",
    });
  }
  return problems;
}
