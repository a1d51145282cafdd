import { afterAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "../../src/errors/index.js";
import { copyBuiltinRegistry, loadError, type RegistryFixture, removeFixtures } from "./registry-fixture.js";

afterAll(removeFixtures);

const WORKFLOW = "workflows/development.yaml";
const SPEC_SCHEMA = "schemas/dev/spec@1.json";

interface Case {
  /** What is wrong; the test name reads "rejects <what>". */
  what: string;
  change: (fixture: RegistryFixture) => Promise<void>;
  code: ErrorCode;
  /** Fragments the message must contain: the file, the path in it, what was expected and found. */
  says: Array<string | RegExp>;
}

const cases: Case[] = [
  {
    what: "a YAML syntax error, naming the line",
    change: (f) => f.replaceText(WORKFLOW, "defaultGates: [spec_approved]", "defaultGates: [spec_approved"),
    code: "registry_invalid_file",
    says: [/workflows\/development\.yaml: line \d+, column \d+: invalid YAML: /],
  },
  {
    what: "a JSON syntax error in a schema file, naming the line",
    change: (f) => f.replaceText(SPEC_SCHEMA, '"type": "object",', '"type": "object",,'),
    code: "registry_invalid_file",
    says: [/schemas\/dev\/spec@1\.json: line 5, column \d+: invalid JSON: /],
  },
  {
    what: "a missing required key",
    change: (f) => f.edit(WORKFLOW, (d) => delete d.phases[1].timeoutSeconds),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.phases[1].timeoutSeconds: expected an integer, found nothing (the key is required)`,
    ],
  },
  {
    what: "a value of the wrong type",
    change: (f) => f.edit(WORKFLOW, (d) => (d.version = "one")),
    code: "registry_invalid_file",
    says: [`${WORKFLOW}: $.version: expected an integer, found "one"`],
  },
  {
    what: "a number below its minimum",
    change: (f) => f.edit(WORKFLOW, (d) => (d.phases[0].maxAttempts = 0)),
    code: "registry_invalid_file",
    says: [`${WORKFLOW}: $.phases[0].maxAttempts: expected a number ≥ 1, found 0`],
  },
  {
    what: "an unknown key, suggesting the key it resembles",
    change: (f) => f.replaceText(WORKFLOW, "    gate: spec_approved", "    gaet: spec_approved"),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.phases[0].gaet: unknown key, expected one of key, role, artifact`,
      '(did you mean "gate"?)',
    ],
  },
  {
    what: "an unknown key in a persona",
    change: (f) => f.edit("personas/reviewer.yaml", (d) => (d.tittle = "Reviewer")),
    code: "registry_invalid_file",
    says: [
      'personas/reviewer.yaml: $.tittle: unknown key, expected one of name, version, title, instructions (did you mean "title"?)',
    ],
  },
  {
    what: "a persona reference without a version",
    change: (f) => f.edit(WORKFLOW, (d) => (d.roles[0].persona = "spec-writer")),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.roles[0].persona: expected a persona reference "<name>@<version>"`,
      'found "spec-writer"',
    ],
  },
  {
    what: "a phase naming an unknown role",
    change: (f) => f.edit(WORKFLOW, (d) => (d.phases[1].role = "implementor")),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.phases[1].role: expected one of the roles declared in $.roles (spec_writer, implementer, reviewer)`,
      'found "implementor" (did you mean "implementer"?)',
    ],
  },
  {
    what: "a phase naming an undeclared gate",
    change: (f) => f.edit(WORKFLOW, (d) => (d.phases[2].gate = "review_approved")),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.phases[2].gate: expected one of the gates declared in $.gates (spec_approved)`,
      'found "review_approved"',
    ],
  },
  {
    what: "onReject naming an unknown phase",
    change: (f) => f.edit(WORKFLOW, (d) => (d.phases[2].onReject = "implment")),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.phases[2].onReject: expected the key of this phase or an earlier one (spec, implement, review)`,
      'found "implment" (did you mean "implement"?)',
    ],
  },
  {
    what: "onReject going forward to a later phase",
    change: (f) => f.edit(WORKFLOW, (d) => (d.phases[0].onReject = "review")),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.phases[0].onReject: expected the key of this phase or an earlier one (spec)`,
      'found "review" (a later phase)',
    ],
  },
  {
    what: "two phases with the same key",
    change: (f) => f.edit(WORKFLOW, (d) => (d.phases[2].key = "implement")),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.phases[2].key: expected a unique phase key, found "implement", already used at $.phases[1].key`,
    ],
  },
  {
    what: "two roles with the same id",
    change: (f) => f.edit(WORKFLOW, (d) => (d.roles[2].id = "spec_writer")),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.roles[2].id: expected a unique role id, found "spec_writer", already used at $.roles[0].id`,
    ],
  },
  {
    what: "a default gate that is not declared",
    change: (f) => f.edit(WORKFLOW, (d) => (d.defaultGates = ["spec_aproved"])),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.defaultGates[0]: expected one of the gates declared in $.gates (spec_approved)`,
      '(did you mean "spec_approved"?)',
    ],
  },
  {
    what: "declared gates without defaultGates",
    change: (f) => f.edit(WORKFLOW, (d) => delete d.defaultGates),
    code: "registry_invalid_file",
    says: [`${WORKFLOW}: $.defaultGates: expected the list of gates on by default`, "or [] for none"],
  },
  {
    what: "a revision running a phase the template does not declare",
    change: (f) => f.edit(WORKFLOW, (d) => (d.revision.phases = ["implment", "review"])),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.revision.phases[0]: expected one of the phases declared in $.phases (spec, implement, review)`,
      'found "implment" (did you mean "implement"?)',
    ],
  },
  {
    what: "a revision's phases out of the template's order, or twice",
    change: (f) => f.edit(WORKFLOW, (d) => (d.revision.phases = ["review", "implement", "review"])),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.revision.phases[1]: expected the phases in the order of $.phases (spec, implement, review), found "implement" after "review"`,
      `${WORKFLOW}: $.revision.phases[2]: expected each phase once, found "review" again`,
    ],
  },
  {
    what: "a revision whose rejection would go back to a phase it does not run",
    change: (f) => f.edit(WORKFLOW, (d) => (d.revision.phases = ["review"])),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.phases[2].onReject: expected a phase that a revision runs ($.revision.phases: review)`,
      'found "implement", which a revision does not run',
    ],
  },
  {
    what: "a revision gate that is not declared",
    change: (f) => f.edit(WORKFLOW, (d) => (d.revision.gate = "revision_aproved")),
    code: "registry_invalid_file",
    says: [
      `${WORKFLOW}: $.revision.gate: expected one of the gates declared in $.gates (spec_approved), found "revision_aproved"`,
    ],
  },
  {
    what: "a role naming an unknown persona",
    change: (f) => f.edit(WORKFLOW, (d) => (d.roles[2].persona = "reviewr@1")),
    code: "registry_reference_unknown",
    says: [
      `${WORKFLOW}: $.roles[2].persona: expected a persona defined in personas/ (implementer@1, reviewer@1, spec-writer@1)`,
      'found "reviewr@1" (did you mean "reviewer@1"?)',
    ],
  },
  {
    what: "a phase naming a version of a schema that does not exist",
    change: (f) => f.edit(WORKFLOW, (d) => (d.phases[0].artifact = "dev/spec@2")),
    code: "registry_reference_unknown",
    says: [
      `${WORKFLOW}: $.phases[0].artifact: expected an artifact schema defined in schemas/`,
      'found "dev/spec@2" (did you mean "dev/spec@1"?)',
    ],
  },
  {
    what: "a JSON Schema that breaks the 2020-12 meta-schema",
    change: (f) => f.edit(SPEC_SCHEMA, (d) => (d.properties.summary.type = "strin")),
    code: "registry_invalid_file",
    says: [`${SPEC_SCHEMA}: $.properties.summary.type: expected one of "array", "boolean"`, 'found "strin"'],
  },
  {
    what: "a JSON Schema with an unknown keyword (a typo ajv would otherwise ignore)",
    change: (f) => f.edit(SPEC_SCHEMA, (d) => (d.properties.summary.minLenght = 1)),
    code: "registry_invalid_file",
    says: [`${SPEC_SCHEMA}: $: not a usable JSON Schema: strict mode: unknown keyword: "minLenght"`],
  },
  {
    what: "a JSON Schema requiring a property it does not declare",
    change: (f) => f.edit(SPEC_SCHEMA, (d) => d.required.push("sumary")),
    code: "registry_invalid_file",
    says: [`${SPEC_SCHEMA}: $: not a usable JSON Schema:`, "sumary"],
  },
  {
    what: "a JSON Schema of another draft",
    change: (f) => f.edit(SPEC_SCHEMA, (d) => (d.$schema = "http://json-schema.org/draft-07/schema#")),
    code: "registry_invalid_file",
    says: [
      `${SPEC_SCHEMA}: $.$schema: expected "https://json-schema.org/draft/2020-12/schema" (or no $schema)`,
      "draft-07",
    ],
  },
  {
    what: "a schema file name without a version",
    change: async (f) => f.write("schemas/dev/notes.json", '{ "type": "object" }'),
    code: "registry_invalid_file",
    says: ['schemas/dev/notes.json: expected a file name "<name>@<version>.json"'],
  },
  {
    what: "a file of another format in workflows/",
    change: async (f) => f.write("workflows/README.md", "# Workflows"),
    code: "registry_invalid_file",
    says: ["workflows/README.md: expected a .yaml, .yml, .json file in workflows/, found a .md"],
  },
  {
    what: "two files defining the same name@version",
    change: async (f) =>
      f.write(
        "personas/reviewer-copy.json",
        JSON.stringify({ name: "reviewer", version: 1, title: "Copy", instructions: "Review." }),
      ),
    code: "registry_duplicate",
    says: [
      /personas\/reviewer(-copy\.json|\.yaml): \$\.name: reviewer@1 is already defined in personas\/reviewer(-copy\.json|\.yaml)/,
    ],
  },
];

describe("malformed registry files", () => {
  it.each(cases)("rejects $what", async ({ change, code, says }) => {
    const fixture = await copyBuiltinRegistry();
    await change(fixture);
    const message = await loadError(fixture.dir, code);
    expect(message).toContain(fixture.dir);
    for (const fragment of says) {
      if (typeof fragment === "string") expect(message).toContain(fragment);
      else expect(message).toMatch(fragment);
    }
  });

  it("reports every problem of a file, not only the first", async () => {
    const fixture = await copyBuiltinRegistry();
    await fixture.edit(WORKFLOW, (d) => {
      d.version = 0;
      d.roles[1].persona = 7;
      d.phases[0].gaet = d.phases[0].gate;
      delete d.phases[2].instructions;
    });
    const message = await loadError(fixture.dir, "registry_invalid_file");
    expect(message).toContain(`${WORKFLOW}: $.version: expected a number ≥ 1, found 0`);
    expect(message).toContain(`${WORKFLOW}: $.roles[1].persona: expected a string, found 7`);
    expect(message).toContain(`${WORKFLOW}: $.phases[0].gaet: unknown key`);
    expect(message).toContain(`${WORKFLOW}: $.phases[2].instructions: expected a string, found nothing`);
  });

  it("reports the problems of every file in one error", async () => {
    const fixture = await copyBuiltinRegistry();
    await fixture.edit("personas/implementer.yaml", (d) => delete d.title);
    await fixture.edit("schemas/dev/review@1.json", (d) => (d.properties.findings.minItems = -1));
    const message = await loadError(fixture.dir, "registry_invalid_file");
    expect(message).toContain("personas/implementer.yaml: $.title: expected a string, found nothing");
    expect(message).toContain(
      "schemas/dev/review@1.json: $.properties.findings.minItems: expected >= 0, found -1",
    );
  });
});
