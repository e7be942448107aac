/**
 * Asset keys are slash-separated paths such as `raw/offres` or `emploi/dim_rome`.
 * Segments use letters, digits, `_`, `-` and `.`.
 */
export type AssetKey = string;

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Why `key` is not a valid asset key, or undefined when it is. */
export function assetKeyProblem(key: string): string | undefined {
  if (typeof key !== "string" || key.length === 0) return "asset key is empty";
  const bad = key.split("/").find((s) => !SEGMENT.test(s));
  return bad === undefined
    ? undefined
    : `asset key "${key}" is invalid: segments use letters, digits, "_", "-" and "." (bad segment "${bad}")`;
}
