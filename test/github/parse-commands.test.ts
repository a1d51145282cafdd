import { describe, expect, it } from "vitest";
import { parseCommands } from "../../src/github/commands/parse-commands.js";

describe("parseCommands", () => {
  it.each([
    ["/approve", [{ name: "approve" }]],
    ["/approve spec_approved", [{ name: "approve", gate: "spec_approved" }]],
    ["/APPROVE", [{ name: "approve" }]],
    ["LGTM\n/approve\nthanks", [{ name: "approve" }]],
    ["/reject the plan skips tests", [{ name: "reject", reason: "the plan skips tests" }]],
    ["/reject", [{ name: "reject", reason: "" }]],
    ["/abort", [{ name: "abort" }]],
    ["/retry", [{ name: "retry" }]],
    ["/status", [{ name: "status" }]],
    ["/help", [{ name: "help" }]],
    ["/devflow run", [{ name: "run" }]],
    ["/devflow run development@1", [{ name: "run", template: "development@1" }]],
    ["/devflow status", [{ name: "status" }]],
    ["/DevFlow Status", [{ name: "status" }]],
    ["/devflow frobnicate", [{ name: "unknown", word: "devflow frobnicate" }]],
    ["/lgtm", [{ name: "unknown", word: "lgtm" }]],
    ["please /approve this", []],
    ["> /approve\nquoted", []],
    ["```\n/approve\n```", []],
    ["/usr/bin/env is a path", []],
    ["", []],
    ["/approve\n/abort", [{ name: "approve" }, { name: "abort" }]],
    ["/devflow revise rename the flag", [{ name: "revise", text: "rename the flag" }]],
    ["/DEVFLOW REVISE Rename it", [{ name: "revise", text: "Rename it" }]],
    ["/devflow revise", [{ name: "revise", text: "" }]],
    // The request runs on over the lines below it (fenced code and quotes included), to the next command.
    [
      "Thanks!\n/devflow revise\nRename `--verbose` to `--trace`.\n\n```\n/approve\n```\n> and keep this\n/status",
      [
        { name: "revise", text: "Rename `--verbose` to `--trace`.\n\n```\n/approve\n```\n> and keep this" },
        { name: "status" },
      ],
    ],
  ])("reads %j as %j", (body, expected) => {
    expect(parseCommands(body)).toEqual(expected);
  });
});
