// The layering contract of docs/architecture.md is enforced by `npx biome ci .` in .ci/run. These tests run
// the repository's own biome.json (and its GritQL plugins in .ci/) on small probe files placed in each
// layer, so a rule dropped or mis-scoped in the configuration fails here, not silently.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const biome = join(root, "node_modules", ".bin", "biome");

const PROBES: Record<string, string> = {
  "src/cli/run-table.ts":
    "export const f = (prisma: { run: { findMany(): Promise<unknown> } }) => prisma.run.findMany();\n",
  "src/web/run-sql.ts":
    'export const f = (db: { $queryRaw(s: TemplateStringsArray): unknown }) => db.$queryRaw`SELECT id FROM "Run"`;\n',
  "src/github/approvals.ts":
    "export const f = (tx: { approvalRequest: { update(a: object): unknown } }) => tx.approvalRequest.update({});\n",
  "src/action/outbox.ts":
    "export const f = (prisma: { outboxEffect: { count(): unknown } }) => prisma.outboxEffect.count();\n",
  "src/engine/run-table.ts":
    "export const f = (prisma: { run: { findMany(): Promise<unknown> } }) => prisma.run.findMany();\n",
  "src/engine/outbox.ts":
    "export const f = (prisma: { outboxEffect: { count(): unknown } }) => prisma.outboxEffect.count();\n",
  "src/github/effects/outbox.ts":
    "export const f = (prisma: { outboxEffect: { count(): unknown } }) => prisma.outboxEffect.count();\n",
  "src/web/title.ts":
    "export const f = (title: string | null) => `<h1>$" + '{title ?? "Run"}</h1> <p>the "Run" page</p>`;\n',
  "src/action/inbox.ts":
    "export const f = (prisma: { webhookDelivery: { findUnique(a: object): unknown } }) => prisma.webhookDelivery.findUnique({});\n",
  "src/github/intake/inbox.ts":
    "export const f = (prisma: { webhookDelivery: { findUnique(a: object): unknown } }) => prisma.webhookDelivery.findUnique({});\n",
  "src/engine/upward.ts": 'import { x } from "../github/index.js";\n\nexport const y = x;\n',
  "src/sessions/upward.ts": 'import { x } from "../engine/index.js";\n\nexport const y = x;\n',
  "src/web/deep.ts": 'import { x } from "../engine/run-states.js";\n\nexport const y = x;\n',
  "src/github/handlers/deep.ts":
    'import { x } from "../../sessions/presets/index.js";\n\nexport const y = x;\n',
  "src/web/public-face.ts": 'import { x } from "../engine/index.js";\n\nexport const y = x;\n',
  "src/github/handlers/sibling.ts":
    'import { x } from "../effects/render-run-output.js";\n\nexport const y = x;\n',
};

let dir: string;
let findings: Map<string, string[]>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "devflow-layering-"));
  cpSync(join(root, "biome.json"), join(dir, "biome.json"));
  cpSync(join(root, ".ci"), join(dir, ".ci"), { recursive: true });
  for (const [path, text] of Object.entries(PROBES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const run = await promisify(execFile)(
    biome,
    ["lint", "--vcs-enabled=false", "--colors=off", "--reporter=json", "--max-diagnostics=none", "src"],
    { cwd: dir },
  ).catch((error: { stdout: string }) => error);
  const report = JSON.parse(run.stdout) as {
    diagnostics: { category: string; location: { path: string } }[];
  };
  findings = new Map();
  for (const diagnostic of report.diagnostics) {
    const path = diagnostic.location.path;
    findings.set(path, [...(findings.get(path) ?? []), diagnostic.category]);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("biome.json's layering rules", () => {
  it("refuse a query of the engine's tables outside src/engine/, by delegate or in SQL", () => {
    expect(findings.get("src/cli/run-table.ts")).toEqual(["plugin"]);
    expect(findings.get("src/web/run-sql.ts")).toEqual(["plugin"]);
    expect(findings.get("src/github/approvals.ts")).toEqual(["plugin"]);
  });

  it("refuse the outbox outside src/engine/ and src/github/effects/", () => {
    expect(findings.get("src/action/outbox.ts")).toEqual(["plugin"]);
    expect(findings.get("src/github/effects/outbox.ts")).toBeUndefined();
  });

  it("refuse the webhook inbox outside src/github/intake/", () => {
    expect(findings.get("src/action/inbox.ts")).toEqual(["plugin"]);
    expect(findings.get("src/github/intake/inbox.ts")).toBeUndefined();
  });

  it("let the engine query its own tables, and leave text that only mentions a table name alone", () => {
    expect(findings.get("src/engine/run-table.ts")).toBeUndefined();
    expect(findings.get("src/engine/outbox.ts")).toBeUndefined();
    expect(findings.get("src/web/title.ts")).toBeUndefined();
  });

  it("let another folder be imported only through its index.ts, its public face", () => {
    expect(findings.get("src/web/deep.ts")).toEqual(["lint/style/noRestrictedImports"]);
    expect(findings.get("src/github/handlers/deep.ts")).toEqual(["lint/style/noRestrictedImports"]);
    expect(findings.get("src/web/public-face.ts")).toBeUndefined();
    expect(findings.get("src/github/handlers/sibling.ts")).toBeUndefined();
  });

  it("refuse an import that points up a layer", () => {
    expect(findings.get("src/engine/upward.ts")).toEqual(["lint/style/noRestrictedImports"]);
    expect(findings.get("src/sessions/upward.ts")).toEqual(["lint/style/noRestrictedImports"]);
  });
});
