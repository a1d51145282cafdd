// `devflow doctor`: every piece devflow needs, checked where `devflow start` would look for it.
import { resolve } from "node:path";
import { DEFAULT_DATA_DIR, DEFAULT_PORT, loadServerConfig, type ServerConfig } from "../../config/index.js";
import { DevflowError } from "../../errors/index.js";
import { checkAppCredentials, checkEnvironment, environmentProblems } from "./credential-checks.js";
import { type DoctorCheck, type DoctorReport, fail, ok } from "./doctor-report.js";
import { checkSandbox } from "./sandbox-checks.js";
import { checkPostgres, checkRedis } from "./service-checks.js";
import { checkAgent, checkGit, checkTmux } from "./tool-checks.js";

export interface DoctorOptions {
  /** The environment to check (default process.env). */
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
}

const value = (env: Record<string, string | undefined>, name: string) =>
  env[name] === undefined || env[name] === "" ? undefined : env[name];

function serverConfigCheck(configPath: string | undefined): { check: DoctorCheck; config?: ServerConfig } {
  const name = "server config";
  try {
    const config = loadServerConfig(configPath);
    const agents = Object.keys(config.agents).join(", ");
    const where = configPath ?? "DEVFLOW_CONFIG unset: the defaults";
    return { check: ok(name, `${where} (agents: ${agents}; default ${config.defaultAgent})`), config };
  } catch (error) {
    if (error instanceof DevflowError) return { check: fail(name, error.message, error.recoveryHint) };
    const code = (error as { code?: unknown }).code;
    return {
      check: fail(
        name,
        `${configPath} cannot be read (${typeof code === "string" ? code : "error"})`,
        "Set DEVFLOW_CONFIG to a readable server config file, or unset it to use the defaults.",
      ),
    };
  }
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems = environmentProblems(env, cwd);
  const dataDir = resolve(cwd, value(env, "DEVFLOW_DATA_DIR") ?? DEFAULT_DATA_DIR);
  const configPath = value(env, "DEVFLOW_CONFIG");
  const { check: configCheck, config } = serverConfigCheck(
    configPath === undefined ? undefined : resolve(cwd, configPath),
  );
  const [postgres, redis, sandbox] = await Promise.all([
    checkPostgres(value(env, "DATABASE_URL"), dataDir),
    checkRedis(value(env, "REDIS_URL")),
    checkSandbox(config, env.PATH),
  ]);
  const agents = Object.entries(config?.agents ?? {}).map(([name, agent]) =>
    checkAgent(name, agent, env.PATH, configPath),
  );
  const checks: DoctorCheck[] = [
    checkEnvironment(problems),
    postgres,
    redis,
    checkGit(env.PATH),
    checkTmux(env.PATH, config),
    configCheck,
    ...agents,
    ...sandbox,
    checkAppCredentials(env, problems, dataDir, value(env, "PORT") ?? String(DEFAULT_PORT)),
  ];
  return { ok: checks.every((check) => check.status !== "fail"), checks };
}
