/**
 * Typed errors. Every error the engine raises on purpose carries a stable `code`; the CLI and
 * (later) the HTTP API map codes to exit codes / status codes in one place.
 */
export type LigneeErrorCode =
  | "DEFINITION_INVALID"
  | "UNKNOWN_ASSET"
  | "INVALID_SELECTION"
  | "INVALID_PARTITION"
  | "NOTHING_TO_MATERIALIZE"
  | "CONFIRMATION_REQUIRED"
  | "UNKNOWN_RUN"
  | "INVALID_RUN_ID"
  | "UNKNOWN_BACKFILL"
  | "UNKNOWN_CHECK"
  | "INVALID_CONFIG"
  | "UNKNOWN_PARTITIONS_SET"
  | "INVALID_PROJECT"
  | "CONFLICT"
  | "UNKNOWN_USER"
  | "UNKNOWN_TOKEN"
  | "INVALID_USER"
  | "LAST_ADMIN"
  | "NEEDS_ADMIN"
  | "STORAGE"
  | "LEASE_LOST"
  | "RUNTIME"
  | "USER_CODE";

/** How much of a user-supplied value an error message quotes. */
const QUOTED_CHARACTERS = 64;

/**
 * A user-supplied value as an error message shows it: whole when short, else its start and its
 * length, so that a huge value (a 10,000-character partition key) does not fill the answer or
 * the log it is written to.
 *
 * @example
 * clip("/api/nope") // /api/nope
 * clip("x".repeat(10_000)) // xxx…x… (10000 characters), 64 x before the ellipsis
 */
export function clip(value: string): string {
  const { start, length } = startOf(value);
  return length === undefined ? start : `${start}… (${length} characters)`;
}

/** `clip` in double quotes: `"2024-02-30"`, `"9999…" (10000 characters)`. */
export function quote(value: string): string {
  const { start, length } = startOf(value);
  return length === undefined ? `"${start}"` : `"${start}…" (${length} characters)`;
}

/** The value, or its first characters and its length when it is too long to quote whole. */
function startOf(value: string): { start: string; length?: number } {
  // Code points, so that a cut never splits a surrogate pair.
  const chars = Array.from(value);
  if (chars.length <= QUOTED_CHARACTERS) return { start: value };
  return { start: chars.slice(0, QUOTED_CHARACTERS).join(""), length: chars.length };
}

export class LigneeError extends Error {
  readonly code: LigneeErrorCode;

  constructor(code: LigneeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The definitions failed validation; `problems` lists every problem found, not just the first. */
export class DefinitionError extends LigneeError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      "DEFINITION_INVALID",
      problems.length === 1
        ? `Invalid definitions: ${problems[0]}`
        : `Invalid definitions:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.problems = problems;
  }
}

export class UnknownAssetError extends LigneeError {
  constructor(readonly assetKey: string) {
    super("UNKNOWN_ASSET", `Unknown asset ${quote(assetKey)}`);
  }
}

export class SelectionError extends LigneeError {
  constructor(message: string) {
    super("INVALID_SELECTION", message);
  }
}

export class InvalidPartitionError extends LigneeError {
  constructor(message: string) {
    super("INVALID_PARTITION", message);
  }
}

/**
 * An asset's partitions changed, since it was materialised, in a way that gives its stored
 * partition indices other keys (e.g. a static key added to two-dimensional partitions): its
 * history would be read scrambled, so status and materialisations are refused.
 */
export class PartitionsChangedError extends LigneeError {
  constructor(readonly assetKey: string) {
    super(
      "DEFINITION_INVALID",
      `asset ${assetKey}: its partitions changed since it was materialised, and its stored partitions would name other keys (static keys of two-dimensional partitions must stay the same; one-dimensional static keys may only be added at the end). Revert the change, or declare the new partitions under a new asset key`,
    );
  }
}

/** A request for what is stale found nothing to do: no run is created. */
export class NothingToMaterializeError extends LigneeError {
  constructor(message: string) {
    super("NOTHING_TO_MATERIALIZE", message);
  }
}

/**
 * A request would start more work than may be started without saying so (many partitions, or
 * many calls to an external API): nothing is created; the same request with `"confirm": true`
 * (`--yes`) goes through.
 */
export class ConfirmationRequiredError extends LigneeError {
  constructor(
    message: string,
    readonly confirmation: {
      readonly assetKey: string;
      readonly partitions: number;
      readonly limit: number;
    },
  ) {
    super("CONFIRMATION_REQUIRED", message);
  }
}

/**
 * A worker's lease on its run expired (another worker may be retrying it): what it was about to
 * commit is refused, so a run is never recorded twice.
 */
export class LeaseLostError extends LigneeError {
  constructor(readonly runId: string) {
    super("LEASE_LOST", `run ${runId}: this worker lost its lease; its results are not recorded`);
  }
}

export class UnknownRunError extends LigneeError {
  /** `hint`: what the user may have meant (e.g. the runs a shortened id matches). */
  constructor(
    readonly runId: string,
    hint?: string,
  ) {
    super("UNKNOWN_RUN", `Unknown run ${quote(runId)}${hint ? `: ${hint}` : ""}`);
  }
}

/**
 * A run id prefix that cannot name one run: too short, not hexadecimal, or shared by several
 * runs (`candidates`, newest first, the ones it could mean).
 */
export class RunIdPrefixError extends LigneeError {
  constructor(
    readonly prefix: string,
    readonly candidates: readonly string[],
    message: string,
  ) {
    super("INVALID_RUN_ID", message);
  }
}

export class UnknownBackfillError extends LigneeError {
  constructor(readonly backfillId: string) {
    super("UNKNOWN_BACKFILL", `Unknown backfill ${quote(backfillId)}`);
  }
}

/** One problem of a run's config: the asset it is about, where in its config, and what is wrong. */
export interface ConfigIssue {
  readonly assetKey: string;
  /** The path inside the asset's config (`[]` for the config as a whole). */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The most issues an invalid config error lists (its message and `issuesOmitted` count the rest). */
export const MAX_CONFIG_ISSUES = 50;

/**
 * A run's config does not fit the config schemas of its assets (or names an asset the run does
 * not materialize, or one without a config schema): nothing is created. `issues` lists the
 * problems found (the first `MAX_CONFIG_ISSUES`), so that a form can show each next to its field.
 */
export class InvalidConfigError extends LigneeError {
  readonly issues: readonly ConfigIssue[];
  /** How many issues were found beyond those listed. */
  readonly issuesOmitted: number;

  constructor(
    issues: readonly ConfigIssue[],
    /** What is wrong when it is not the values (e.g. `--config` is not JSON). */
    problem?: string,
  ) {
    super("INVALID_CONFIG", `Invalid config: ${problem ?? describeConfigIssues(issues)}`);
    this.issues = issues.slice(0, MAX_CONFIG_ISSUES);
    this.issuesOmitted = issues.length - this.issues.length;
  }
}

/** `raw/x.limit: expected number (and 2 more issues)`: the first issue, and how many others. */
function describeConfigIssues(issues: readonly ConfigIssue[]): string {
  const [first, ...others] = issues;
  if (!first) return "invalid";
  const where = [first.assetKey, ...first.path.map((p) => clip(String(p)))].join(".");
  const message = first.message.length > 200 ? clip(first.message) : first.message;
  const more =
    others.length > 0 ? ` (and ${others.length} more issue${others.length === 1 ? "" : "s"})` : "";
  return `${quote(where)}: ${message}${more}`;
}

/** A check that no definition declares and no result names. */
export class UnknownCheckError extends LigneeError {
  constructor(
    readonly assetKey: string,
    readonly checkName: string,
  ) {
    super("UNKNOWN_CHECK", `Unknown check ${quote(checkName)} of asset ${quote(assetKey)}`);
  }
}

/** A dynamic partitions set that no asset of the definitions declares. */
export class UnknownPartitionsSetError extends LigneeError {
  constructor(
    readonly setName: string,
    known: readonly string[],
  ) {
    super(
      "UNKNOWN_PARTITIONS_SET",
      `Unknown dynamic partitions set ${quote(setName)}${
        known.length > 0
          ? ` (known: ${known.join(", ")})`
          : " (no asset declares dynamic partitions)"
      }`,
    );
  }
}

/**
 * What users and tokens may not become: a name already taken (`CONFLICT`, whatever its case),
 * an unknown user (`UNKNOWN_USER`) or token (`UNKNOWN_TOKEN`), a bad name, role, scope, label
 * or password (`INVALID_USER`), the last active admin disabled or demoted (`LAST_ADMIN`), a
 * user who is no admin added while no admin is active (`NEEDS_ADMIN`). Nothing is written.
 */
export class AuthStoreError extends LigneeError {
  constructor(
    code:
      "CONFLICT" | "UNKNOWN_USER" | "UNKNOWN_TOKEN" | "INVALID_USER" | "LAST_ADMIN" | "NEEDS_ADMIN",
    message: string,
  ) {
    super(code, message);
  }
}

/** An error thrown by user code (an asset's `materialize`), wrapped at the one boundary. */
export class UserCodeError extends LigneeError {
  constructor(
    readonly assetKey: string,
    cause: unknown,
  ) {
    super("USER_CODE", `Asset "${assetKey}" failed: ${describeError(cause)}`, { cause });
  }
}

/** Is this a mistake in what the user asked for (exit code 2 / HTTP 4xx)? */
export function isBadInput(error: unknown): error is LigneeError {
  return (
    error instanceof LigneeError &&
    (error.code === "DEFINITION_INVALID" ||
      error.code === "UNKNOWN_ASSET" ||
      error.code === "INVALID_SELECTION" ||
      error.code === "INVALID_PARTITION" ||
      error.code === "NOTHING_TO_MATERIALIZE" ||
      error.code === "CONFIRMATION_REQUIRED" ||
      error.code === "UNKNOWN_RUN" ||
      error.code === "INVALID_RUN_ID" ||
      error.code === "UNKNOWN_BACKFILL" ||
      error.code === "UNKNOWN_CHECK" ||
      error.code === "INVALID_CONFIG" ||
      error.code === "UNKNOWN_PARTITIONS_SET" ||
      error.code === "INVALID_PROJECT" ||
      error.code === "CONFLICT" ||
      error.code === "UNKNOWN_USER" ||
      error.code === "UNKNOWN_TOKEN" ||
      error.code === "INVALID_USER" ||
      error.code === "LAST_ADMIN" ||
      error.code === "NEEDS_ADMIN")
  );
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
