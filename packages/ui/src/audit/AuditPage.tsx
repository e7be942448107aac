import { useRef, useState } from "react";
import { Link } from "wouter";
import { useAudit } from "../api/queries";
import type { AuditEvent } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { TableHead } from "../components/TableHead";
import { formatRelative, formatTime } from "../format";
import { AUDIT_ACTIONS, AUDIT_FAMILIES, describeActor, summarizeDetail } from "./audit-detail";
import "./audit.css";

/**
 * The audit trail: who did what and when (launches, cancellations, switches, users, tokens,
 * sign-ins), newest first, filtered by actor and action (or a family of actions: `token`),
 * older lines a page at a time. A refused sign-in's actor is the name typed, not a user; a line
 * written with a user's token names the token.
 */
export function AuditPage() {
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  // The `before` of each page shown after the first: "Newer" goes back one.
  const [pages, setPages] = useState<readonly string[]>([]);
  const before = pages.at(-1);
  const top = useRef<HTMLDivElement>(null);
  // Another page starts at its top: the buttons are at the bottom of the one before.
  const turn = (next: readonly string[]) => {
    setPages(next);
    top.current?.scrollIntoView({ block: "start" });
  };
  const audit = useAudit({
    ...(actor.trim() ? { actor: actor.trim() } : {}),
    ...(action.trim() ? { action: action.trim() } : {}),
    ...(before ? { before } : {}),
  });
  const filter = (set: (value: string) => void) => (value: string) => {
    set(value);
    setPages([]);
  };
  const events = audit.data?.events;
  const nextBefore = audit.data?.nextBefore ?? null;
  return (
    <div className="audit-page" data-testid="audit-page" ref={top}>
      <div className="page-head">
        <h1>Audit</h1>
        <span className="muted">
          Who launched, cancelled, switched or administered what; also from{" "}
          <span className="mono">lignee users</span>.
        </span>
      </div>
      <div className="audit-filters">
        <label>
          Actor
          <input
            type="search"
            value={actor}
            placeholder="any"
            onChange={(e) => filter(setActor)(e.target.value)}
            data-testid="audit-actor"
          />
        </label>
        <label>
          Action
          <input
            type="search"
            list="audit-actions"
            value={action}
            placeholder="any"
            onChange={(e) => filter(setAction)(e.target.value)}
            data-testid="audit-action"
          />
        </label>
        <datalist id="audit-actions">
          {AUDIT_FAMILIES.map((family) => (
            <option key={family} value={family} label={`every ${family}.* action`} />
          ))}
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <span className="muted audit-filter-hint">
          A family (<span className="mono">token</span>) or an action (
          <span className="mono">token.create</span>)
        </span>
      </div>
      {audit.error && <ErrorLine error={audit.error} />}
      {!events && !audit.error && <p className="loading">Loading the audit trail…</p>}
      {events && events.length === 0 && (
        <p className="empty" data-testid="audit-empty">
          {actor || action ? "Nothing recorded matches." : "Nothing recorded yet."}
        </p>
      )}
      {events && events.length > 0 && (
        <table className="table audit" data-testid="audit-events">
          <TableHead columns={["When", "Who", "Action", "Target", "Detail"]} />
          <tbody>
            {events.map((event) => (
              <AuditRow key={event.id} event={event} />
            ))}
          </tbody>
        </table>
      )}
      {(pages.length > 0 || nextBefore) && (
        <div className="audit-paging">
          <button
            type="button"
            className="chip"
            disabled={pages.length === 0}
            onClick={() => turn(pages.slice(0, -1))}
            data-testid="audit-newer"
          >
            ← Newer
          </button>
          <button
            type="button"
            className="chip"
            disabled={!nextBefore || audit.isPlaceholderData}
            onClick={() => nextBefore && turn([...pages, nextBefore])}
            data-testid="audit-older"
          >
            Older →
          </button>
        </div>
      )}
    </div>
  );
}

function AuditRow({ event }: { event: AuditEvent }) {
  const who = describeActor(event);
  // The token is said in the Who column.
  const detail = summarizeDetail(event.detail, 120, who.token ? ["token"] : []);
  return (
    <tr data-testid="audit-event" data-action={event.action} data-actor={event.actor}>
      <td title={formatTime(event.at)} className="audit-when">
        {formatRelative(event.at)}
      </td>
      <td>
        <span className="audit-actor">{who.name}</span>{" "}
        <span className="muted audit-kind" data-testid="audit-kind">
          ({who.kind})
        </span>
        {who.token && (
          <span className="audit-token" data-testid="audit-token">
            with token {who.token}
          </span>
        )}
      </td>
      <td className="mono">{event.action}</td>
      <td className="mono">
        <Target action={event.action} target={event.target} />
      </td>
      <td className="audit-detail" title={JSON.stringify(event.detail, null, 2)}>
        {detail}
      </td>
    </tr>
  );
}

/** A run or a backfill is a link to its page; any other target is text. */
function Target({ action, target }: { action: string; target: string | null }) {
  if (target === null) return <span className="muted">–</span>;
  if (action.startsWith("run.")) return <Link href={`/runs/${target}`}>{target.slice(0, 8)}</Link>;
  if (action.startsWith("backfill."))
    return <Link href={`/backfills/${target}`}>{target.slice(0, 8)}</Link>;
  return <>{target}</>;
}
