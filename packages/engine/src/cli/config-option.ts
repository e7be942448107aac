import { readFileSync } from "node:fs";
import { isRunConfig, type RunConfig } from "../definitions/run-config";
import { InvalidConfigError } from "../errors";

/**
 * The value of `--config`: JSON when it starts with `{`, else the path of a JSON file. Anything
 * that is not a JSON object (per asset key) is bad input, so that nothing is created.
 *
 * @example
 * readConfigOption('{"raw/offres": {"pageSize": 50}}') // { "raw/offres": { pageSize: 50 } }
 * readConfigOption("run-config.json")
 */
export function readConfigOption(value: string): RunConfig {
  const inline = value.trimStart().startsWith("{");
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, "utf8");
    } catch (error) {
      throw new InvalidConfigError(
        [],
        `--config: cannot read ${value} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give JSON starting with { or a JSON file`,
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const where = inline ? "--config" : `--config ${value}`;
    throw new InvalidConfigError([], `${where} is not JSON: ${(error as Error).message}`);
  }
  if (!isRunConfig(parsed))
    throw new InvalidConfigError(
      [],
      `--config must be a JSON object, per asset key (e.g. {"raw/offres": {"pageSize": 50}})`,
    );
  return parsed;
}
