import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule.default;

/**
 * An ajv for JSON Schema draft 2020-12 as devflow uses it for artifact schemas: all errors reported,
 * standard formats known, and strict about unknown keywords and `required` properties that are not
 * declared (both are typos that would otherwise make a schema silently accept or reject everything).
 */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: true,
    logger: false,
  });
  addFormats(ajv);
  return ajv;
}
