// The server config an operator would write to run the real Claude Code, Codex and Gemini CLIs against
// the scripted model server: each agent's preset, its network allowlist (the server's address), its API
// key passed through from devflow's environment, and the files its HOME needs (`home.files`): where its
// API is and that its first-run checks are done. Parsed by devflow's own config parser.
import { delimiter, dirname } from "node:path";
import { parseServerConfig, type ServerConfig } from "../../src/config/server-config.js";
import { CLI_CACHE, CODEX_MODEL, FAKE_API_KEY, installCli, type RealCli } from "./agent-clis.js";

/** Each CLI's HOME files to reach `serverUrl` and nothing else (facts: shared/notes/agent-clis.md). */
export function homeFilesFor(cli: RealCli, serverUrl: string): Record<string, string> {
  if (cli === "claude") {
    return {
      // Claude reads ANTHROPIC_BASE_URL from its settings' `env` as from its environment.
      ".claude/settings.json": JSON.stringify({ env: { ANTHROPIC_BASE_URL: serverUrl } }),
      // Its TUI's first-run checks (onboarding, the key's approval, the folder's trust) would ask.
      ".claude.json": JSON.stringify({
        hasCompletedOnboarding: true,
        bypassPermissionsModeAccepted: true,
        customApiKeyResponses: { approved: [FAKE_API_KEY.slice(-20)], rejected: [] },
        projects: { "/": { hasTrustDialogAccepted: true } },
      }),
    };
  }
  if (cli === "codex") {
    const config = [
      `model = "${CODEX_MODEL}"`,
      'model_provider = "scripted"',
      "[analytics]",
      "enabled = false",
      "[features]",
      "plugins = false",
      "[model_providers.scripted]",
      'name = "scripted"',
      `base_url = "${serverUrl}/v1"`,
      'env_key = "CODEX_API_KEY"',
      'wire_api = "responses"',
      "",
    ].join("\n");
    return { ".codex/config.toml": config };
  }
  const settings = {
    security: { auth: { selectedType: "gemini-api-key" }, folderTrust: { enabled: false } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
  };
  return {
    ".gemini/settings.json": JSON.stringify(settings),
    // Gemini CLI reads ~/.gemini/.env into its environment.
    ".gemini/.env": `GOOGLE_GEMINI_BASE_URL=${serverUrl}\nGEMINI_CLI_NO_RELAUNCH=true\n`,
  };
}

/** The API keys the presets pass through, as a deployment has them in devflow's environment. */
export const CLI_KEYS = {
  ANTHROPIC_API_KEY: FAKE_API_KEY,
  CODEX_API_KEY: FAKE_API_KEY,
  GEMINI_API_KEY: FAKE_API_KEY,
};

/** An agent of the test config: which CLI, in which mode. */
export interface RealCliAgent {
  readonly cli: RealCli;
  readonly mode: "exec" | "tmux";
}

/**
 * Installs the CLIs (first use), puts their binaries on this process's PATH (devflow finds an agent's
 * program there), sets their keys in its environment, and returns the parsed server config with
 * `agents` (by name), sandboxed by default, reaching only `server`; the first is the default agent.
 */
export async function realCliServerConfig(
  server: { url: string; port: number },
  agents: Readonly<Record<string, RealCliAgent>>,
): Promise<ServerConfig> {
  const clis = [...new Set(Object.values(agents).map((agent) => agent.cli))];
  const bins = await Promise.all(clis.map((cli) => installCli(cli)));
  const onPath = (process.env.PATH ?? "").split(delimiter);
  process.env.PATH = [
    ...bins.map((bin) => dirname(bin)).filter((dir) => !onPath.includes(dir)),
    ...onPath,
  ].join(delimiter);
  Object.assign(process.env, CLI_KEYS);
  const entries = Object.entries(agents).map(([name, { cli, mode }]) => [
    name,
    {
      preset: cli,
      mode,
      network: { allow: [`127.0.0.1:${server.port}`] },
      home: { files: homeFilesFor(cli, server.url) },
    },
  ]);
  const config = {
    agents: Object.fromEntries(entries),
    defaultAgent: Object.keys(agents)[0],
    sandbox: { readOnlyPaths: [CLI_CACHE] },
  };
  return parseServerConfig(JSON.stringify(config), "real-cli test config");
}
