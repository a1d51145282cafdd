// `npx tsx bench/agents/main.ts [--sessions 30] [--cli-runs 5] [--cli claude]`: what devflow's sandbox
// costs an agent session, and what a real CLI's phase costs through devflow against the CLI alone.
// Figures are medians; each ratio is against a floor measured in the same run (bench/README.md).
import { parseArgs } from "node:util";
import { DEFAULT_SANDBOX_LIMITS } from "../../src/config/sandbox-settings.js";
import { agentLaunch } from "../../src/sessions/presets/index.js";
import { startModelServer } from "../../test/fixtures/model-server/index.js";
import { TURN_USAGE, VENDOR } from "../../test/sessions/real-cli-scenario.js";
import {
  CLI_CACHE,
  installCli,
  type RealCli,
  scratchDir,
  seedCliHome,
} from "../../test/support/agent-clis.js";
import { runCli } from "../../test/support/run-cli.js";
import { median, ms } from "../engine/stats.js";
import { type SessionCase, timeSession } from "./session-cost.js";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "30" },
    "cli-runs": { type: "string", default: "5" },
    cli: { type: "string", default: "claude" },
  },
});
const sessions = Number(values.sessions);
const cliRuns = Number(values["cli-runs"]);
const cli = values.cli as RealCli;
const NOT_PASSED = new Set([
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "http_proxy",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
]);
const WRITE_AND_EXIT = ["/bin/sh", "-c", 'printf "{}" > "$DEVFLOW_ARTIFACT_PATH"'];

async function medianOf(sessionCase: SessionCase, count: number): Promise<number> {
  await timeSession(sessionCase); // warm-up: file caches, first bwrap
  const times: number[] = [];
  for (let index = 0; index < count; index++) times.push(await timeSession(sessionCase));
  return median(times);
}

const ratio = (value: number, floor: number) => `${(value / floor).toFixed(2)}×`;
const base = { promptVia: "stdin" as const, passThrough: [], stopGraceMs: 300 };

console.log(
  `(a) one session's start + prompt + teardown, a shell agent that writes its artifact (median of ${sessions})`,
);
const floor = await medianOf(
  { name: "unsandboxed", options: { ...base, command: WRITE_AND_EXIT, sandbox: { kind: "none" } } },
  sessions,
);
const boxed = await medianOf({ name: "sandboxed", options: { ...base, command: WRITE_AND_EXIT } }, sessions);
const proxied = await medianOf(
  {
    name: "sandboxed+proxy",
    options: { ...base, command: WRITE_AND_EXIT, sandbox: { network: { allow: ["127.0.0.1:9"] } } },
  },
  sessions,
);
console.log(`    sandbox: none (floor)                     ${ms(floor)}`);
console.log(
  `    bubblewrap, no network                   ${ms(boxed)}  ${ratio(boxed, floor)}  (+${ms(boxed - floor)})`,
);
console.log(
  `    bubblewrap + egress proxy and forwarder  ${ms(proxied)}  ${ratio(proxied, floor)}  (+${ms(proxied - floor)})`,
);

console.log(
  `\n(b) the real ${cli} CLI, one phase (write the artifact, run a shell command, answer), median of ${cliRuns}`,
);
const bin = await installCli(cli);
const scripts = {
  [VENDOR[cli]]: [
    (context: { userText: string }) => ({
      calls: [
        { tool: "write", path: /JSON to `([^`]+)`/.exec(context.userText)?.[1] ?? "/x", content: "{}" },
      ],
      usage: TURN_USAGE[0],
    }),
    { calls: [{ tool: "shell", command: "echo ran > ran.txt" }], usage: TURN_USAGE[1] },
    { text: "done", usage: TURN_USAGE[2] },
  ],
};
// biome-ignore lint/suspicious/noExplicitAny: the scripted server's script type is the test fixture's
const server = await startModelServer(scripts as any);
const launch = agentLaunch({ preset: cli, mode: "exec" });
const instructions = (artifactPath: string) =>
  `# Phase: spec\nWrite your result as JSON to \`${artifactPath}\`.\n`;
try {
  const alone: number[] = [];
  for (let index = 0; index <= cliRuns; index++) {
    const scratch = await scratchDir(`bench-${cli}`);
    const seeded = await seedCliHome(cli, `${scratch}/home`, server.url, [scratch]);
    const env = Object.fromEntries(Object.entries(seeded.env).filter(([name]) => !NOT_PASSED.has(name)));
    const began = performance.now();
    const run = await runCli(bin, launch.argv.slice(1), {
      cwd: scratch,
      home: seeded.home,
      env: { ...env, ...launch.env },
      stdin: instructions(`${scratch}/spec-1.json`),
    });
    if (run.code !== 0) throw new Error(`${cli} alone failed: ${run.stderr.slice(-500)}`);
    if (index > 0) alone.push(performance.now() - began); // the first is a warm-up
  }
  let passThrough: string[] = [];
  let source: NodeJS.ProcessEnv = {};
  const options = {
    ...base,
    command: [bin, ...launch.argv.slice(1)],
    presetEnv: launch.env,
    stream: cli,
    get passThrough() {
      return passThrough;
    },
    get env() {
      return source;
    },
    sandbox: {
      readOnlyPaths: [CLI_CACHE],
      network: { allow: [`127.0.0.1:${server.port}`] },
      limits: { ...DEFAULT_SANDBOX_LIMITS, memoryMiB: 262_144 },
    },
  };
  const through = await medianOf(
    {
      name: `${cli} through devflow`,
      options,
      instructions,
      prepare: async ({ home, worktree }) => {
        const seeded = await seedCliHome(cli, home, server.url, [worktree]);
        passThrough = Object.keys(seeded.env).filter((name) => !NOT_PASSED.has(name));
        source = { ...process.env, ...seeded.env };
      },
    },
    cliRuns,
  );
  const floorCli = median(alone);
  console.log(`    ${cli} alone, unsandboxed (floor)          ${ms(floorCli)}`);
  console.log(
    `    ${cli} through devflow's exec adapter, sandboxed, via the egress proxy  ${ms(through)}  ${ratio(through, floorCli)}  (+${ms(through - floorCli)})`,
  );
} finally {
  await server.close();
}
