import { fileURLToPath } from "node:url";

/**
 * The directory of devflow's built-in templates, personas and schemas: `templates/` at the package
 * root, two levels up from this module both as `src/registry/*.ts` (tsx) and `dist/registry/*.js`.
 */
export function builtinTemplatesDir(): string {
  return fileURLToPath(new URL("../../templates", import.meta.url));
}
