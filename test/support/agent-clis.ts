// The real agent CLIs for tests, pinned, installed with npm into a cache outside the repository (reused
// across runs), and the per-CLI HOME that lets each run headless against the scripted model server with
// no traffic to its vendor (facts in /work/shared/notes/agent-clis.md). An install that fails (offline)
// throws: the tests that need a CLI fail, saying why, instead of skipping.
import { execFile } from "node:child_process";
import { access, chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const PINNED_CLIS = {
  claude: { pkg: "@anthropic-ai/claude-code", version: "2.1.197" },
  codex: { pkg: "@openai/codex", version: "0.171.0" },
  gemini: { pkg: "@google/gemini-cli", version: "0.61.0" },
} as const;
export type RealCli = keyof typeof PINNED_CLIS;

/** `DEVFLOW_TEST_CLI_CACHE`, else ~/.cache/devflow-test-clis. Not under /tmp: Codex refuses homes there. */
export const CLI_CACHE = process.env.DEVFLOW_TEST_CLI_CACHE ?? join(homedir(), ".cache", "devflow-test-clis");

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

function installDir(cli: RealCli, cacheDir: string): string {
  const { pkg, version } = PINNED_CLIS[cli];
  return join(cacheDir, `${pkg.replace("/", "+")}@${version}`);
}

export interface InstallOptions {
  /** Default CLI_CACHE. */
  readonly cacheDir?: string;
  /** npm settings as npm_config_* variables (e.g. a registry), for the test of a failing install. */
  readonly npmConfig?: Readonly<Record<string, string>>;
}

const binIn = (dir: string, cli: RealCli) => join(dir, "node_modules", ".bin", cli);

/**
 * The binary of the pinned `cli`, installed on first use into CLI_CACHE (a staging directory renamed
 * into place, so a concurrent or interrupted install never leaves half a CLI). Throws when npm fails.
 */
export async function installCli(cli: RealCli, options: InstallOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? CLI_CACHE;
  const dir = installDir(cli, cacheDir);
  // The sandboxed agent runs as another uid (as root: 65534): the install must be readable by it, and
  // mkdtemp made the staging directory (renamed into place) 0700.
  if (await exists(binIn(dir, cli))) return chmod(dir, 0o755).then(() => binIn(dir, cli));
  await mkdir(cacheDir, { recursive: true });
  const staging = await mkdtemp(`${dir}.staging-`);
  await chmod(staging, 0o755);
  const { pkg, version } = PINNED_CLIS[cli];
  try {
    const args = [
      "install",
      "--prefix",
      staging,
      "--no-audit",
      "--no-fund",
      "--no-save",
      `${pkg}@${version}`,
    ];
    const npmConfig = Object.entries(options.npmConfig ?? {}).map(([key, value]) => [
      `npm_config_${key}`,
      value,
    ]);
    const env = { ...process.env, ...Object.fromEntries(npmConfig) };
    await run("npm", args, { env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
    await rename(staging, dir).catch(() => undefined); // another run may have finished first
  } catch (error) {
    if (!(await exists(binIn(dir, cli)))) {
      const reason = (error as Error).message.split("\n").slice(0, 4).join(" ");
      throw new Error(
        `Could not install ${pkg}@${version} into ${dir} with npm (${reason}). These tests run the real ` +
          `CLI: give the machine access to the npm registry once, or pre-fill ${cacheDir} (or ` +
          "DEVFLOW_TEST_CLI_CACHE) with `npm install --prefix <that dir>/<pkg with / as +>@<version> <pkg>@<version>`.",
      );
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!(await exists(binIn(dir, cli))))
    throw new Error(`npm installed ${pkg}@${version} but ${binIn(dir, cli)} is missing`);
  return binIn(dir, cli);
}

/** A fresh scratch directory under the cache (Codex refuses its HOME and TMPDIR under /tmp). */
export async function scratchDir(prefix: string): Promise<string> {
  const root = join(CLI_CACHE, "scratch");
  await mkdir(root, { recursive: true });
  return mkdtemp(join(root, `${prefix}-`));
}

/** The fake API key each CLI is given; the scripted server ignores it and redacts it from its record. */
export const FAKE_API_KEY = "sk-devflow-test-0123456789abcdefghijklmnop";
export const CODEX_MODEL = "gpt-5.5";
export const GEMINI_MODEL = "gemini-2.5-pro";

export interface CliHome {
  /** HOME of the CLI process. */
  readonly home: string;
  /** Variables besides PATH and HOME: the API endpoint, the fake key, and non-essential traffic off. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Seeds `home` for `cli` to talk to `serverUrl` only: Claude's onboarding state (its TUI's first-run
 * checks would call the vendor), Codex's config with a provider on the server, Gemini's settings with
 * API-key auth and statistics, telemetry and update checks off. `trustedDirs`: Claude's trusted projects.
 */
export async function seedCliHome(
  cli: RealCli,
  home: string,
  serverUrl: string,
  trustedDirs: readonly string[] = [],
): Promise<CliHome> {
  const tmp = join(home, "tmp");
  await mkdir(tmp, { recursive: true });
  // Every other host goes through the model server as a proxy, which records and refuses it: a call that
  // would leave the machine shows in its record (the model API itself is reached directly).
  const proxy = {
    HTTPS_PROXY: serverUrl,
    HTTP_PROXY: serverUrl,
    https_proxy: serverUrl,
    http_proxy: serverUrl,
  };
  const base = {
    ...proxy,
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
    TMPDIR: tmp,
    NO_COLOR: "1",
  };
  if (cli === "claude") {
    const projects = Object.fromEntries(trustedDirs.map((dir) => [dir, { hasTrustDialogAccepted: true }]));
    const state = {
      hasCompletedOnboarding: true,
      customApiKeyResponses: { approved: [FAKE_API_KEY.slice(-20)], rejected: [] },
      projects,
    };
    await writeFile(join(home, ".claude.json"), JSON.stringify(state));
    const env = {
      ANTHROPIC_BASE_URL: serverUrl,
      ANTHROPIC_API_KEY: FAKE_API_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      // Without it the TUI fetches the official plugin marketplace (downloads.claude.ai, github.com),
      // even with non-essential traffic off: the proxy trap above caught it.
      CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: "1",
    };
    return { home, env: { ...base, ...env } };
  }
  if (cli === "codex") {
    await mkdir(join(home, ".codex"), { recursive: true });
    const config = [
      `model = "${CODEX_MODEL}"`,
      'model_provider = "fake"',
      'approval_policy = "never"',
      'sandbox_mode = "workspace-write"',
      "[analytics]",
      "enabled = false",
      "[features]",
      "plugins = false",
      "[model_providers.fake]",
      'name = "scripted"',
      `base_url = "${serverUrl}/v1"`,
      'env_key = "CODEX_API_KEY"',
      'wire_api = "responses"',
      "",
    ].join("\n");
    await writeFile(join(home, ".codex", "config.toml"), config);
    return { home, env: { ...base, CODEX_API_KEY: FAKE_API_KEY, CODEX_HOME: join(home, ".codex") } };
  }
  await mkdir(join(home, ".gemini"), { recursive: true });
  const settings = {
    security: { auth: { selectedType: "gemini-api-key" }, folderTrust: { enabled: false } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
  };
  await writeFile(join(home, ".gemini", "settings.json"), JSON.stringify(settings));
  const env = {
    GOOGLE_GEMINI_BASE_URL: serverUrl,
    GEMINI_API_KEY: FAKE_API_KEY,
    GEMINI_CLI_NO_RELAUNCH: "true",
  };
  return { home, env: { ...base, ...env } };
}
