import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { HttpError } from "./http-error";

/**
 * What one request may carry. A body is refused past `MAX_BODY_BYTES` before it is read whole
 * (by its Content-Length, or while it streams in), so that a huge body costs the server
 * nothing; tags are stored with runs and served back in every run list, so they are bounded too.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

export const TAG_LIMITS = { count: 50, keyLength: 128, valueLength: 1024 } as const;

/** Every request with a body: past the limit, 413 and nothing parsed. */
export function limitBodies(): MiddlewareHandler {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      // The rest of the body is not read: the connection is closed after the answer.
      throw new HttpError(413, `the request body is larger than 1 MB (${MAX_BODY_BYTES} bytes)`, {
        headers: { Connection: "close" },
      });
    },
  });
}

/** Tags the platform sets itself (`lignee/job`, `lignee/checks-only`…); requests cannot. */
export const RESERVED_TAG_PREFIX = "lignee/";

/** A request's tags: at most 50, keys of 1 to 128 characters, values of at most 1024. */
export const Tags = z.record(z.string(), z.string()).superRefine((tags, ctx) => {
  const problem = tagsProblem(tags);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/** What is wrong with tags, in words that never quote an oversized key or value back. */
export function tagsProblem(tags: Readonly<Record<string, string>>): string | undefined {
  const entries = Object.entries(tags);
  if (entries.length > TAG_LIMITS.count) {
    return `at most ${TAG_LIMITS.count} tags (${entries.length} given)`;
  }
  for (const [key, value] of entries) {
    if (key.length === 0) return "tag keys are not empty";
    if (key.startsWith(RESERVED_TAG_PREFIX)) {
      return `tag keys starting with "${RESERVED_TAG_PREFIX}" are the platform's own (e.g. the maintenance job's): "${key.slice(0, 40)}" cannot be set`;
    }
    if (key.length > TAG_LIMITS.keyLength) {
      return `tag keys are at most ${TAG_LIMITS.keyLength} characters (one has ${key.length})`;
    }
    if (value.length > TAG_LIMITS.valueLength) {
      return `tag values are at most ${TAG_LIMITS.valueLength} characters (tag "${key}" has ${value.length})`;
    }
  }
  return undefined;
}
