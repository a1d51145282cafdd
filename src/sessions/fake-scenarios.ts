// What the fake agent does with a prompt (DESIGN §4), named by a `Scenario: <name>` line of its
// instructions, and what it writes for it: a realistic valid artifact of the dev schemas, an invalid one,
// and the implementer's change in the worktree (so the attempt has a diff).
import type { PromptEnvelope } from "./prompt-envelope.js";

export const FAKE_SCENARIOS = [
  "ok",
  "invalid",
  "invalid-always",
  "timeout",
  "crash",
  "review-changes",
] as const;
export type FakeScenario = (typeof FAKE_SCENARIOS)[number];

/**
 * The scenario a prompt asks of the fake agent: the first line `Scenario: <name>` (anywhere in the
 * Markdown) that names one of FAKE_SCENARIOS; `ok` when there is none. Lines naming something else
 * (say an issue body's "Scenario: login") are ignored.
 */
export function fakeScenario(instructions: string): FakeScenario {
  for (const match of instructions.matchAll(/^[ \t>*_-]*Scenario:[ \t]*([\w-]+)[ \t*_]*$/gim)) {
    const name = match[1]?.toLowerCase();
    const known = FAKE_SCENARIOS.find((scenario) => scenario === name);
    if (known !== undefined) return known;
  }
  return "ok";
}

/** The folder, relative to the worktree, where the fake implementer makes its change. */
export const FAKE_DIR = "devflow-fake";

export interface FakeOutput {
  readonly valid: boolean;
  /** Worktree-relative path of the file the implementer changes. */
  readonly change: string | undefined;
  readonly artifact: unknown;
}

/**
 * Decides what each prompt gets, when it arrives, so that prompts count in the order they were sent:
 * `invalid` is valid from the second prompt of an attempt on; the first review attempt of a run this
 * script sees requests changes under `review-changes`, any later one approves.
 */
export class FakeScript {
  readonly #promptsOfAttempt = new Map<string, Set<string>>();
  readonly #attemptsOfPhase = new Map<string, Set<number>>();

  decide(scenario: FakeScenario, envelope: PromptEnvelope): FakeOutput {
    const { runId, phaseKey, attempt, dedupKey } = envelope;
    const prompts = remember(this.#promptsOfAttempt, `${runId}\n${phaseKey}\n${attempt}`, dedupKey);
    const attempts = remember(this.#attemptsOfPhase, `${runId}\n${phaseKey}`, attempt);
    const valid = scenario === "invalid" ? prompts.size > 1 : scenario !== "invalid-always";
    const firstReview = attempt <= 1 && Math.min(...attempts) === attempt;
    const verdict = scenario === "review-changes" && firstReview ? "request_changes" : "approve";
    const implementing = envelope.expectedSchema === "dev/implementation@1";
    const change = implementing
      ? `${FAKE_DIR}/${phaseKey.replace(/[^\w.-]/g, "_")}-${attempt}.md`
      : undefined;
    const sample = sampleArtifact(envelope, verdict, change);
    return { valid, change, artifact: valid ? sample : withoutSummary(sample) };
  }
}

function remember<T>(map: Map<string, Set<T>>, key: string, value: T): Set<T> {
  const values = map.get(key) ?? new Set<T>();
  values.add(value);
  map.set(key, values);
  return values;
}

/** A valid artifact of the envelope's schema; `{}` for a schema the fake does not know. */
function sampleArtifact(
  envelope: PromptEnvelope,
  verdict: "approve" | "request_changes",
  change: string | undefined,
): Record<string, unknown> {
  const where = `run ${envelope.runId}, phase ${envelope.phaseKey}, attempt ${envelope.attempt}`;
  switch (envelope.expectedSchema) {
    case "dev/spec@1":
      return {
        summary: `Fake specification for ${where}: add a note file under ${FAKE_DIR}/.`,
        requirements: [`A Markdown file exists under ${FAKE_DIR}/ after the implement phase.`],
        acceptanceCriteria: ["The implementation artifact lists the file it created."],
        plan: [`Create ${FAKE_DIR}/<phase>-<attempt>.md in the worktree.`],
        risks: [],
        openQuestions: [],
      };
    case "dev/implementation@1":
      return {
        summary: `Fake implementation for ${where}.`,
        changes: [{ path: change, description: "Written by the fake agent so the attempt has a diff." }],
        testsRun: [{ command: "true", outcome: "passed", details: "The fake agent runs no real checks." }],
        notes: "Written by devflow's fake session adapter.",
      };
    case "dev/review@1": {
      const finding = {
        path: FAKE_DIR,
        severity: "error",
        message: "The fake reviewer asks for changes once.",
      };
      const approve = verdict === "approve";
      return {
        verdict,
        summary: `Fake review for ${where}: ${approve ? "the change meets the spec" : "one change is needed"}.`,
        findings: approve ? [] : [finding],
      };
    }
    default:
      return {};
  }
}

/** Fails its schema: no `summary` (required by every dev schema), or not an object at all. */
function withoutSummary(sample: Record<string, unknown>): unknown {
  if (Object.keys(sample).length === 0) return [];
  const { summary: _summary, ...rest } = sample;
  return rest;
}

export function changeText(envelope: PromptEnvelope): string {
  return `# Fake change\n\nRun ${envelope.runId}, phase ${envelope.phaseKey}, attempt ${envelope.attempt}, prompt ${envelope.dedupKey}.\n`;
}
