/** Display helpers. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = ms / 1_000;
  if (s < 59.5) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  // Whole seconds first, so that 59.6 s past a minute reads "2 min 0 s", not "1 min 60 s".
  const seconds = Math.round(s);
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${seconds % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** 1,234,567: integers without `Intl`, whose first use loads locale data (~40 ms). */
export function formatNumber(n: number): string {
  if (Number.isSafeInteger(n)) return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
  return n.toLocaleString("en-US");
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** How many partitions of each status, in words ("3 fresh · 2 stale"). */
export function describeCounts(counts: Partial<Record<string, number>>): string {
  return Object.entries(counts)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([status, n]) => `${formatNumber(n!)} ${status.toLowerCase()}`)
    .join(" · ");
}

/** A time as a clock in a given timezone, named ("Nov 22, 2026, 01:00 Europe/Paris"). */
export function formatTimeIn(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return "–";
  const time = new Date(iso).toLocaleString(undefined, {
    timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
  return `${time} ${timeZone}`;
}

/** How far a time is from now, in words ("in 3 h 12 min", "5.0 s ago"). */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const ms = new Date(iso).getTime() - now;
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
}
