// What `devflow doctor` found: one line per piece devflow needs, each with what to do when it is not
// right. "fail" stops devflow from running (non-zero exit); "warn" is worth knowing but not blocking.

export type CheckStatus = "ok" | "warn" | "fail";

export interface DoctorCheck {
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found; never a secret (URLs are shown with their password redacted). */
  readonly summary: string;
  /** How to fix it, for "warn" and "fail". */
  readonly fix?: string;
}

export interface DoctorReport {
  /** False when any check failed. */
  readonly ok: boolean;
  readonly checks: readonly DoctorCheck[];
}

export const ok = (name: string, summary: string): DoctorCheck => ({ name, status: "ok", summary });
export const warn = (name: string, summary: string, fix: string): DoctorCheck => ({
  name,
  status: "warn",
  summary,
  fix,
});
export const fail = (name: string, summary: string, fix: string): DoctorCheck => ({
  name,
  status: "fail",
  summary,
  fix,
});

const LABEL: Record<CheckStatus, string> = { ok: "ok  ", warn: "warn", fail: "FAIL" };

export function renderReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = ["devflow doctor", ""];
  for (const check of report.checks) {
    const indent = " ".repeat(width + 8);
    const [first = "", ...rest] = check.summary.split("\n");
    lines.push(`${LABEL[check.status]}  ${check.name.padEnd(width)}  ${first}`);
    for (const line of rest) lines.push(`${indent}${line}`);
    if (check.fix) lines.push(`${indent}fix: ${check.fix}`);
  }
  const failed = report.checks.filter((check) => check.status === "fail").length;
  const warned = report.checks.filter((check) => check.status === "warn").length;
  lines.push("");
  lines.push(
    failed > 0
      ? `${failed} problem${failed === 1 ? "" : "s"} to fix before devflow can run${warned ? `, ${warned} warning${warned === 1 ? "" : "s"}` : ""}.`
      : `devflow can run${warned ? ` (${warned} warning${warned === 1 ? "" : "s"})` : ""}.`,
  );
  return lines.join("\n");
}
