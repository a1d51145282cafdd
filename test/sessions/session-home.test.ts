// What a sandboxed agent finds in its new HOME and /tmp: the operator's `home` files (a directory copied,
// inline files written over it), readable by the agent's uid though they are 0600; a private /tmp it can
// write (as root: the sandbox uid, not the tmpfs's owner). A link in the seed directory is never copied.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { execRun, removeRunFolders, sent, stopStartedSessions, untilFile } from "./exec-agent-runs.js";

afterEach(stopStartedSessions);
const seeds: string[] = [];
afterAll(async () => {
  await removeRunFolders();
  await Promise.all(seeds.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A seed directory: a config file and a nested credential file, like a CLI's login leaves. */
async function seedDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "devflow-home-seed-"));
  seeds.push(dir);
  await mkdir(join(dir, ".tool", "auth"), { recursive: true });
  await writeFile(join(dir, ".tool", "config.toml"), "from = 'the seed directory'\n");
  await writeFile(join(dir, ".tool", "auth", "token.json"), '{"token":"seeded"}\n');
  return dir;
}

// The artifact appears whole (written aside, then renamed): the test reads it as soon as it exists.
const SCRIPT = [
  'out="$DEVFLOW_ARTIFACT_PATH"',
  'cat "$HOME/.tool/config.toml" "$HOME/.tool/auth/token.json" "$HOME/.other/settings.json" > "$out.part"',
  'echo "tmp: $(echo written > /tmp/probe && cat /tmp/probe)" >> "$out.part"',
  'mv "$out.part" "$out"',
].join("\n");

describe("a session's HOME and /tmp", () => {
  it("holds the operator's home files (from, then files over it), readable by the agent; /tmp is writable", async () => {
    const run = await execRun({
      command: ["/bin/sh", "-c", SCRIPT],
      homeSeed: {
        from: await seedDir(),
        files: {
          ".tool/config.toml": "from = 'inline files'\n",
          ".other/settings.json": '{"inline":true}\n',
        },
      },
    });
    const envelope = await sent(run, "home");
    expect(await untilFile(envelope.expectedArtifact)).toBe(
      ["from = 'inline files'", '{"token":"seeded"}', '{"inline":true}', "tmp: written", ""].join("\n"),
    );
  });

  it("refuses a seed directory holding a link, naming it, and starts no agent", async () => {
    const dir = await seedDir();
    await symlink("/etc/shadow", join(dir, ".tool", "shadow"));
    await expect(execRun({ command: ["/bin/true"], homeSeed: { from: dir } })).rejects.toMatchObject({
      code: "agent_home_seed_failed",
      message: expect.stringContaining(join(dir, ".tool", "shadow")),
    });
  });
});
