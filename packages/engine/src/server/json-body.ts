import type { Context } from "hono";
import { HttpError } from "./http-error";

/** A request's JSON body; anything else is a 400. */
export async function jsonBody(c: Context): Promise<unknown> {
  // A JSON content type makes a cross-origin browser request preflighted (and so refused).
  if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
    throw new HttpError(400, "the body must be JSON (content-type: application/json)");
  }
  try {
    return await c.req.json();
  } catch {
    throw new HttpError(400, "the body must be JSON");
  }
}

/**
 * A body that may be left out (`POST /api/runs/{id}/reexecute`): none, or an empty one, is
 * `{}`; anything else must be JSON as for `jsonBody`.
 */
export async function optionalJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
    throw new HttpError(400, "the body must be JSON (content-type: application/json)");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, "the body must be JSON");
  }
}
