// GitHub's recorded webhook payloads (@octokit/webhooks-examples, the api.github.com set): the base every
// payload builder starts from, and the whole list for tests that post every example.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface WebhookDefinition {
  name: string;
  actions: string[];
  examples: Record<string, unknown>[];
}

export interface WebhookExample {
  event: string;
  action: string | undefined;
  payload: Record<string, unknown>;
}

let definitions: WebhookDefinition[] | undefined;

function load(): WebhookDefinition[] {
  if (!definitions) {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@octokit/webhooks-examples/api.github.com/index.json");
    definitions = JSON.parse(readFileSync(file, "utf8")) as WebhookDefinition[];
  }
  return definitions;
}

/** Every example payload, each a fresh copy, with its event name (for "post them all" tests). */
export function allExamples(): WebhookExample[] {
  return load().flatMap((def) =>
    def.examples.map((payload) => ({
      event: def.name,
      action: typeof payload.action === "string" ? payload.action : undefined,
      payload: structuredClone(payload),
    })),
  );
}

/**
 * A fresh copy of the example for `event` + `action`. Where several exist, the most complete one (the
 * most fields, nested fields counted) is taken: older recordings lack fields GitHub sends today. Where
 * the package records no example of that action (`issues.closed`), the event's most complete example
 * of another action is the base (its `action` is then for the caller to set).
 */
export function exampleFor(event: string, action?: string): Record<string, unknown> {
  const def = load().find((d) => d.name === event);
  const all = def?.examples ?? [];
  const exact = all.filter((e) => action === undefined || e.action === action);
  const candidates = exact.length > 0 ? exact : all;
  if (candidates.length === 0) throw new Error(`@octokit/webhooks-examples has no ${event} example`);
  const best = candidates.reduce((a, b) => (fieldCount(b) > fieldCount(a) ? b : a));
  return structuredClone(best);
}

function fieldCount(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + fieldCount(v), 0);
  if (!value || typeof value !== "object") return 0;
  return Object.values(value).reduce((n: number, v) => n + 1 + fieldCount(v), 0);
}

/**
 * Lays our values over an example's: objects merge key by key (the example keeps fields we do not set,
 * so the shape stays GitHub's), anything else — arrays included — is replaced.
 */
export function overlay(base: unknown, ours: unknown): unknown {
  if (!isObject(base) || !isObject(ours)) return ours;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(ours)) out[key] = overlay(base[key], value);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}
