export { ERROR_CODES, type ErrorClass, type ErrorCode } from "./codes.js";
export { DevflowError, type DevflowErrorOptions, isDevflowError } from "./devflow-error.js";
