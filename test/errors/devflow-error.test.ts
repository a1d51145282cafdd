import { describe, expect, it } from "vitest";
import { AGENT_CODES } from "../../src/errors/codes/agents.js";
import { FOUNDATION_CODES } from "../../src/errors/codes/foundations.js";
import { GITHUB_CODES } from "../../src/errors/codes/github.js";
import { RUN_CODES } from "../../src/errors/codes/runs.js";
import { DevflowError, ERROR_CODES, isDevflowError } from "../../src/errors/index.js";

const codes = Object.keys(ERROR_CODES);

describe("error codes", () => {
  it("are stable snake_case identifiers", () => {
    for (const code of codes) expect(code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
  });

  it("are each defined in one area only (a second definition would silently replace the first)", () => {
    const areas = [FOUNDATION_CODES, AGENT_CODES, RUN_CODES, GITHUB_CODES].flatMap((area) =>
      Object.keys(area),
    );
    expect(areas.length).toBe(codes.length);
  });

  it("are all different, even ignoring underscores", () => {
    const squashed = codes.map((code) => code.replaceAll("_", ""));
    expect(new Set(squashed).size).toBe(codes.length);
  });

  it("each carry a distinct recovery hint a person can act on", () => {
    const hints = Object.values(ERROR_CODES).map((spec) => spec.hint);
    expect(new Set(hints).size).toBe(hints.length);
    for (const hint of hints) expect(hint.length).toBeGreaterThan(20);
  });
});

describe("DevflowError", () => {
  it("takes its class and hint from the code unless given", () => {
    const error = new DevflowError("Port 3000 is busy.", { code: "port_in_use" });
    expect(error.class).toBe("bad_input");
    expect(error.recoveryHint).toBe(ERROR_CODES.port_in_use.hint);
    const custom = new DevflowError("x", { code: "port_in_use", class: "fatal", recoveryHint: "do y" });
    expect([custom.class, custom.recoveryHint]).toEqual(["fatal", "do y"]);
  });

  it("keeps the library error it wraps as its cause", () => {
    const cause = new Error("ECONNREFUSED");
    const error = new DevflowError("Postgres does not answer.", { code: "database_unreachable", cause });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it("shows the message, the code and the hint together", () => {
    const error = new DevflowError('Unknown command "strat".', { code: "unknown_command" });
    expect(error.toDisplayString()).toBe(
      `Unknown command "strat".\n  (unknown_command) ${ERROR_CODES.unknown_command.hint}`,
    );
  });

  it("is recognised by code", () => {
    const error = new DevflowError("x", { code: "schema_drift" });
    expect(isDevflowError(error)).toBe(true);
    expect(isDevflowError(error, "schema_drift")).toBe(true);
    expect(isDevflowError(error, "migration_failed")).toBe(false);
    expect(isDevflowError(new Error("x"))).toBe(false);
  });
});
