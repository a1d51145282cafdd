import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  builtinTemplatesDir,
  canonicalHash,
  canonicalJson,
  parsePersonaFile,
  parseWorkflowFile,
} from "../../src/registry/index.js";
import type { Json } from "./registry-fixture.js";

const WORKFLOW = "workflows/development.yaml";
const workflowText = await readFile(join(builtinTemplatesDir(), WORKFLOW), "utf8");
const workflowData: Json = parse(workflowText);

function hashOfYaml(data: Json, file = WORKFLOW): string {
  return hashOf(file, stringify(data));
}

function hashOf(file: string, text: string): string {
  const result = parseWorkflowFile(file, text);
  if (!result.ok) throw new Error(result.problems.map((problem) => problem.message).join("\n"));
  return result.entry.hash;
}

/** The same data with every object's keys in reverse order. */
function reverseKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reverseKeys(item)]),
  );
}

function changed(edit: (data: Json) => void): Json {
  const copy = structuredClone(workflowData);
  edit(copy);
  return copy;
}

describe("canonicalJson", () => {
  it("sorts keys recursively and leaves out whitespace and undefined values", () => {
    expect(canonicalJson({ b: [{ d: 1, c: "x" }], a: { z: null, y: undefined } })).toBe(
      '{"a":{"z":null},"b":[{"c":"x","d":1}]}',
    );
  });

  it("keeps the order of arrays", () => {
    expect(canonicalHash([1, 2])).not.toBe(canonicalHash([2, 1]));
  });
});

describe("registry entry hash", () => {
  const original = hashOf(WORKFLOW, workflowText);

  it("is a sha256 in hex", () => {
    expect(original).toMatch(/^[0-9a-f]{64}$/);
  });

  it("does not change with key order", () => {
    expect(hashOfYaml(reverseKeys(workflowData))).toBe(original);
  });

  it("does not change with formatting, comments or YAML style", () => {
    const reformatted = stringify(workflowData, { indent: 4, collectionStyle: "flow", lineWidth: 0 });
    expect(reformatted).not.toBe(workflowText);
    expect(hashOf(WORKFLOW, `# a comment\n${reformatted}\n\n`)).toBe(original);
  });

  it("does not change between the YAML file and the same content as JSON", () => {
    expect(hashOf("workflows/development.json", JSON.stringify(workflowData, null, 3))).toBe(original);
  });

  it("does not change when a default is spelled out", () => {
    const implicit = changed((data) => {
      for (const phase of data.phases) delete phase.maxAttempts;
    });
    const explicit = changed((data) => {
      for (const phase of data.phases) phase.maxAttempts = 3;
    });
    expect(hashOfYaml(implicit)).toBe(hashOfYaml(explicit));
  });

  it.each<[string, (data: Json) => void]>([
    ["the description", (data) => (data.description += ".")],
    ["a phase's instructions by one character", (data) => (data.phases[1].instructions += "!")],
    ["a phase's attempt limit", (data) => (data.phases[0].maxAttempts = 4)],
    ["a timeout", (data) => (data.phases[2].timeoutSeconds += 1)],
    ["the order of roles", (data) => data.roles.reverse()],
    ["a role's agent", (data) => (data.roles[0].agent = "claude")],
    ["the default gates", (data) => (data.defaultGates = [])],
    ["the version", (data) => (data.version = 3)],
    ["the name", (data) => (data.name = "development-fast")],
  ])("changes when %s changes", (_what, edit) => {
    expect(hashOfYaml(changed(edit))).not.toBe(original);
  });

  it("differs between a persona and a workflow of the same name and version", () => {
    const persona = parsePersonaFile(
      "personas/development.yaml",
      stringify({ name: "development", version: 1, title: "T", instructions: "Do it." }),
    );
    if (!persona.ok) throw new Error(persona.problems.map((problem) => problem.message).join("\n"));
    expect(persona.entry.hash).not.toBe(original);
  });
});
