import type { AlertMessage } from "./channel";

/** A label and a value, as channels show an event's details. */
export interface Field {
  readonly label: string;
  readonly value: string;
}

const LABELS: Readonly<Record<string, string>> = {
  runId: "Run",
  selection: "Selection",
  rootCause: "Root cause",
  launchedBy: "Launched by",
  schedule: "Schedule",
  asset: "Asset",
  assetKey: "Asset",
  partition: "Partition",
  partitionKey: "Partition",
  check: "Check",
  checkName: "Check",
  channel: "Channel",
  date: "Day",
};

/** A title for the event's kind: `Run failed`, `Daily summary`… */
export function kindTitle(kind: string): string {
  const text = kind.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The payload's simple values as fields (strings, numbers, booleans), known ones labelled;
 * `path` is the link, not a field; objects are left to the summary's own lines.
 */
export function fieldsOf(message: AlertMessage): Field[] {
  const fields: Field[] = [];
  for (const [key, value] of Object.entries(message.payload)) {
    if (key === "path" || key === "lines" || value === null || value === undefined) continue;
    if (typeof value === "object") continue;
    fields.push({ label: LABELS[key] ?? key, value: String(value) });
  }
  return fields;
}

/** Extra lines the event carries (the daily summary's table), or none. */
export function linesOf(message: AlertMessage): string[] {
  const lines = message.payload.lines;
  return Array.isArray(lines) ? lines.map(String) : [];
}

/** The whole event as plain text: subject, fields, lines, link. */
export function plainText(message: AlertMessage): string {
  return [
    message.subject,
    "",
    ...fieldsOf(message).map((f) => `${f.label}: ${f.value}`),
    ...(linesOf(message).length > 0 ? ["", ...linesOf(message)] : []),
    ...(message.link ? ["", message.link] : []),
  ].join("\n");
}

/** `&<>"'` escaped, for the e-mail's HTML part. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}
