// Headless Chromium for the dashboard's browser tests: Debian's `chromium` driven by playwright-core
// (nothing downloads a browser build). When it is missing the set-up installs it with apt-get and says
// so; if that fails the tests fail with the reason — a browser test is never skipped silently.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots", import.meta.url));

export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  console.log("browser tests: Chromium is missing; installing Debian's chromium with apt-get");
  try {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch (error) {
    throw new Error(
      `Chromium could not be installed (apt-get install chromium): ${(error as Error).message}`,
    );
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is not there`);
  return CHROMIUM;
}

/** Flags that work as root with no network (see the project's notes on this machine). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = ensureChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ], // playwright gives every launch a new, empty profile of its own
  });
}
