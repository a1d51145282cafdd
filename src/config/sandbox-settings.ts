// The operator's sandbox settings (server config `sandbox:` and each agent's `sandbox` / `network`), with
// the defaults an agent gets when the config says nothing: bubblewrap, no network, an unprivileged uid
// when devflow runs as root, and resource limits per session.

/** `bubblewrap`: the agent runs in a sandbox (the default); `none`: the operator's explicit opt-out. */
export const SANDBOX_KINDS = ["bubblewrap", "none"] as const;
export type SandboxKind = (typeof SANDBOX_KINDS)[number];

/**
 * What an agent may reach: `none` (its own network namespace, nothing but its own loopback), or the
 * hosts of `allow` (`host` or `host:port`) through devflow's egress proxy, reached from inside through
 * a socket bound into the sandbox (src/sessions/egress/).
 */
export type SandboxNetwork = "none" | { readonly allow: readonly string[] };

/** The allowlist of `network`, or undefined when the agent has no network. */
export function allowedHosts(network: SandboxNetwork): readonly string[] | undefined {
  return network === "none" || network.allow.length === 0 ? undefined : network.allow;
}

/** Per-session resource limits (setrlimit through prlimit, inside the sandbox). */
export interface SandboxLimits {
  /** RLIMIT_NPROC: processes and threads of the sandbox uid (shared by its concurrent sessions). */
  readonly maxProcesses: number;
  /** RLIMIT_AS: address space of each process, MiB. */
  readonly memoryMiB: number;
  /** RLIMIT_FSIZE: largest file a process may write, MiB. */
  readonly fileSizeMiB: number;
  /** RLIMIT_NOFILE: open files per process. */
  readonly openFiles: number;
}

export interface SandboxSettings {
  readonly kind: SandboxKind;
  readonly network: SandboxNetwork;
  /** The uid and gid the agent runs as when devflow runs as root (never 0). */
  readonly uid: number;
  readonly gid: number;
  /** Extra host paths the agent may read (where its CLI is installed, say), bound read-only. */
  readonly readOnlyPaths: readonly string[];
  readonly limits: SandboxLimits;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  maxProcesses: 2048,
  memoryMiB: 8192,
  fileSizeMiB: 4096,
  openFiles: 4096,
};

/** `nobody`/`nogroup` on Debian: owns no file devflow keeps. */
export const DEFAULT_SANDBOX_UID = 65534;

export const DEFAULT_SANDBOX: SandboxSettings = {
  kind: "bubblewrap",
  network: "none",
  uid: DEFAULT_SANDBOX_UID,
  gid: DEFAULT_SANDBOX_UID,
  readOnlyPaths: [],
  limits: DEFAULT_SANDBOX_LIMITS,
};

/** `settings` with the defaults for whatever it leaves out. */
export function sandboxSettings(settings: Partial<SandboxSettings> = {}): SandboxSettings {
  return {
    ...DEFAULT_SANDBOX,
    ...settings,
    limits: { ...DEFAULT_SANDBOX_LIMITS, ...settings.limits },
  };
}

/** Whether devflow runs as root: then the agent gets the sandbox uid instead of devflow's own. */
export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}
