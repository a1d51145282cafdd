// Arguments of one subcommand, parsed strictly with node:util's parseArgs: an unknown option or a missing
// value is a DevflowError (`invalid_arguments`) that names it and points at the command's --help.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { DevflowError } from "../errors/index.js";

export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec<Options extends OptionSpecs> {
  /** e.g. "run": used in messages ("devflow run --help"). */
  name: string;
  help: string;
  options: Options;
  /** How many positionals the command takes at most, and their names for messages. */
  positionals: readonly string[];
  /** The last positional may repeat (e.g. several ids). */
  variadic?: boolean;
}

export type ParsedCommand<Options extends OptionSpecs> =
  | { help: true }
  | {
      help: false;
      values: ReturnType<
        typeof parseArgs<{ options: Options; allowPositionals: true; strict: true }>
      >["values"];
      positionals: string[];
    };

export function parseCommand<Options extends OptionSpecs>(
  spec: CommandSpec<Options>,
  argv: string[],
): ParsedCommand<Options> {
  if (argv.includes("--help") || argv.includes("-h")) return { help: true };
  let parsed: ReturnType<typeof parseArgs<{ options: Options; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: spec.options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs says what was wrong ("Unknown option '--x'", "Option '--reason <value>' argument missing").
    throw invalidArguments(spec.name, (error as Error).message);
  }
  if (!spec.variadic && parsed.positionals.length > spec.positionals.length) {
    const extra = parsed.positionals.slice(spec.positionals.length).join(" ");
    throw invalidArguments(
      spec.name,
      spec.positionals.length === 0
        ? `devflow ${spec.name} takes no arguments, found "${extra}".`
        : `devflow ${spec.name} takes ${spec.positionals.join(" ")}, found also "${extra}".`,
    );
  }
  return { help: false, values: parsed.values, positionals: parsed.positionals };
}

export function invalidArguments(command: string, message: string): DevflowError {
  return new DevflowError(message, {
    code: "invalid_arguments",
    recoveryHint: `Run \`devflow ${command} --help\` to see its arguments and options.`,
  });
}

/** The required positional at `index`, or a DevflowError naming it. */
export function requirePositional(command: string, positionals: string[], index: number, name: string) {
  const value = positionals[index];
  if (value === undefined || value === "")
    throw invalidArguments(command, `devflow ${command} needs ${name}.`);
  return value;
}
