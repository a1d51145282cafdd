// Per-session resource limits (server config `sandbox.limits`) hold inside the sandbox: the agent sees
// them in /proc/self/limits, cannot raise them, and a file larger than the limit stops at the limit.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { execRun, removeRunFolders, sent, stopStartedSessions, untilExited } from "./exec-agent-runs.js";

afterEach(stopStartedSessions);
afterAll(removeRunFolders);

const SCRIPT = [
  "cat /proc/self/limits > limits.txt",
  "(ulimit -n 4096) 2> raise.txt; echo $? > raise.rc", // raising the hard limit is refused
  "head -c 3000000 /dev/zero > big.bin",
].join("; ");

describe("the sandbox's resource limits", () => {
  it("applies the configured limits to the agent, which cannot raise them", async () => {
    const limits = { maxProcesses: 300, memoryMiB: 1024, fileSizeMiB: 1, openFiles: 256 };
    const run = await execRun({ command: ["/bin/sh", "-c", SCRIPT], sandbox: { limits } });
    await sent(run, "ok");
    await untilExited(run.adapter, run.handle);
    const text = await readFile(join(run.worktree, "limits.txt"), "utf8");
    const limit = (name: string) => new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, "m").exec(text)?.slice(1, 3);
    expect(limit("Max processes")).toEqual(["300", "300"]);
    expect(limit("Max address space")).toEqual([String(1024 * 2 ** 20), String(1024 * 2 ** 20)]);
    expect(limit("Max file size")).toEqual([String(2 ** 20), String(2 ** 20)]);
    expect(limit("Max open files")).toEqual(["256", "256"]);
    expect((await readFile(join(run.worktree, "raise.rc"), "utf8")).trim()).not.toBe("0");
    expect((await stat(join(run.worktree, "big.bin"))).size).toBe(2 ** 20);
  });
});
