// One agent session's whole life through devflow's exec adapter — start, one prompt whose process writes
// its artifact and exits, stop — timed end to end, so what the sandbox adds (bubblewrap, its mounts and
// namespaces; with an allowlist also the egress proxy and the forwarder inside) shows against the same
// agent unsandboxed.
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { builtinTemplatesDir } from "../../src/registry/index.js";
import { ExecSessionAdapter, type ExecSessionAdapterOptions } from "../../src/sessions/exec-adapter.js";
import { promptDedupKey } from "../../src/sessions/prompt-envelope.js";

export interface SessionCase {
  readonly name: string;
  readonly options: ExecSessionAdapterOptions;
  /** Before each session: e.g. seeding the CLI's HOME, which is the session's own. */
  readonly prepare?: (session: { home: string; worktree: string }) => Promise<void>;
  readonly instructions?: (artifactPath: string) => string;
}

/** Milliseconds from start() to the process's exit and stop() returning, for one session. */
export async function timeSession(sessionCase: SessionCase): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), "devflow-bench-agents-"));
  try {
    const worktree = join(root, "worktree");
    const artifacts = join(root, "artifacts");
    await Promise.all([mkdir(worktree), mkdir(artifacts)]);
    const sessionId = randomUUID();
    const runId = randomUUID();
    const sessionDir = join(root, "sessions", sessionId);
    await sessionCase.prepare?.({ home: join(sessionDir, "home"), worktree });
    const artifactPath = join(artifacts, "spec-1.json");
    const began = performance.now();
    const adapter = new ExecSessionAdapter(sessionCase.options);
    const handle = await adapter.start({
      sessionId,
      runId,
      roleId: "spec_writer",
      agent: "bench",
      cwd: worktree,
      sessionDir,
    });
    await adapter.sendPrompt(handle, {
      uuid: randomUUID(),
      runId,
      roleId: "spec_writer",
      phaseKey: "spec",
      attempt: 1,
      expectedArtifact: artifactPath,
      expectedSchema: "dev/spec@1",
      expectedSchemaPath: join(builtinTemplatesDir(), "schemas", "dev/spec@1.json"),
      dedupKey: promptDedupKey(runId, "spec", 1, 0),
      instructions: sessionCase.instructions?.(artifactPath) ?? "# Phase: spec\n",
    });
    while (await adapter.isAlive(handle)) await sleep(2);
    await adapter.stop(handle);
    const took = performance.now() - began;
    if (adapter.lastExit(handle)?.code !== 0) throw new Error(`${sessionCase.name}: the agent failed`);
    return took;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
