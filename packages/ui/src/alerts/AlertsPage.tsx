import { useState } from "react";
import {
  useAlertChannels,
  useAlertDeliveries,
  useRetryAlertDelivery,
  useSendTestAlert,
} from "../api/queries";
import type { AlertChannel, AlertDelivery, AlertDeliveryStatus } from "../api/types";
import { everyOf } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { TableHead } from "../components/TableHead";
import { formatRelative, formatTime } from "../format";
import "./alerts.css";

const DELIVERY_STATUSES = everyOf<AlertDeliveryStatus>()(["pending", "delivered", "dead"]);
/** A delivery's status in the palette of run statuses. */
const BADGE: Readonly<Record<AlertDeliveryStatus, string>> = {
  pending: "status-queued",
  delivered: "status-success",
  dead: "status-failure",
};

/**
 * Alerts: the channels (where each sends, never a secret; the events it receives; "Send a
 * test"), then recent deliveries with their tries and errors, filterable by status; a dead one
 * can be given another set of tries.
 */
export function AlertsPage() {
  const channels = useAlertChannels();
  const [status, setStatus] = useState<AlertDeliveryStatus | undefined>(undefined);
  return (
    <div className="alerts-page" data-testid="alerts-page">
      <div className="page-head">
        <h1>Alerts</h1>
        <span className="muted">
          Delivered by <span className="mono">lignee scheduler</span> (and by{" "}
          <span className="mono">lignee dev</span>), retried with backoff.
        </span>
      </div>
      {channels.error && <ErrorLine error={channels.error} />}
      {channels.data && (
        <>
          <p className="muted" data-testid="alerts-settings">
            {channels.data.dailySummary
              ? `Daily summary at ${channels.data.dailySummary.at} (${channels.data.dailySummary.timezone}). `
              : "No daily summary. "}
            A delivery is dead after {channels.data.maxAttempts} tries.
          </p>
          <ChannelsTable channels={channels.data.channels} />
        </>
      )}
      <section>
        <div className="page-head">
          <h2>Deliveries</h2>
          <span className="chips">
            {[undefined, ...DELIVERY_STATUSES].map((s) => (
              <button
                key={s ?? "all"}
                type="button"
                className={status === s ? "chip active" : "chip"}
                onClick={() => setStatus(s)}
                data-testid="delivery-filter"
              >
                {s ?? "all"}
              </button>
            ))}
          </span>
        </div>
        <Deliveries status={status} />
      </section>
    </div>
  );
}

function ChannelsTable({ channels }: { channels: readonly AlertChannel[] }) {
  const test = useSendTestAlert();
  if (channels.length === 0) {
    return (
      <p className="empty" data-testid="no-channels">
        No alert channel is configured: declare them with the definitions (
        <span className="mono">alerts.channels</span>) or in the environment (
        <span className="mono">LIGNEE_ALERT_SLACK_WEBHOOK_URL</span>,{" "}
        <span className="mono">LIGNEE_ALERT_WEBHOOK_URL</span>,{" "}
        <span className="mono">LIGNEE_ALERT_SMTP_URL</span>).
      </p>
    );
  }
  return (
    <>
      <table className="table alert-channels" data-testid="alert-channels">
        <TableHead columns={["Channel", "Kind", "Target", "Events", ""]} />
        <tbody>
          {channels.map((c) => (
            <tr key={c.name} data-testid="alert-channel" data-name={c.name}>
              <td className="mono">{c.name}</td>
              <td>{KIND_LABELS[c.kind]}</td>
              <td className="mono">{c.target}</td>
              <td className="alert-kinds">
                {c.kinds.map((k) => k.replace(/_/g, " ")).join(", ")}
                {c.schedules.length > 0 && (
                  <div className="muted">successes of {c.schedules.join(", ")}</div>
                )}
              </td>
              <td>
                <button
                  type="button"
                  disabled={test.isPending && test.variables === c.name}
                  onClick={() => test.mutate(c.name)}
                  data-testid="send-test"
                >
                  Send a test
                </button>
                {test.isSuccess && test.variables === c.name && (
                  <span className="muted sent" data-testid="test-sent">
                    {" "}
                    queued
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {test.error && <ErrorLine error={test.error} />}
    </>
  );
}

const KIND_LABELS: Readonly<Record<AlertChannel["kind"], string>> = {
  slack: "Slack webhook",
  webhook: "Signed webhook",
  email: "E-mail",
};

function Deliveries({ status }: { status: AlertDeliveryStatus | undefined }) {
  const deliveries = useAlertDeliveries({ ...(status ? { status } : {}), limit: 100 });
  const retry = useRetryAlertDelivery();
  if (deliveries.error) return <ErrorLine error={deliveries.error} />;
  if (!deliveries.data) return <p className="loading">Loading deliveries…</p>;
  const rows = deliveries.data.deliveries;
  if (rows.length === 0)
    return <p className="empty">{status ? `No ${status} deliveries.` : "No deliveries yet."}</p>;
  return (
    <table className="table alert-deliveries" data-testid="alert-deliveries">
      <TableHead columns={["Status", "Channel", "Event", "Tries", "When", "Last error"]} />
      <tbody>
        {rows.map((d) => (
          <tr
            key={`${d.eventId}:${d.channel}`}
            data-testid="alert-delivery"
            data-status={d.status}
            data-channel={d.channel}
          >
            <td>
              <span className={`badge ${BADGE[d.status]}`}>{d.status}</span>
            </td>
            <td className="mono">{d.channel}</td>
            <td>
              <span className="muted">{d.kind.replace(/_/g, " ")}</span>
              <div className="alert-subject">{d.subject}</div>
            </td>
            <td>{d.attempts}</td>
            <td title={formatTime(whenOf(d))}>{whenText(d)}</td>
            <td className="alert-error">
              {d.lastError && <span className="mono">{d.lastError}</span>}
              {d.status === "dead" && (
                <button
                  type="button"
                  className="link-button"
                  disabled={retry.isPending}
                  onClick={() => retry.mutate({ eventId: d.eventId, channel: d.channel })}
                  data-testid="retry-delivery"
                >
                  Retry
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function whenOf(d: AlertDelivery): string {
  return d.deliveredAt ?? d.updatedAt;
}

function whenText(d: AlertDelivery): string {
  if (d.status === "pending" && d.nextAttemptAt && d.attempts > 0)
    return `next try ${formatRelative(d.nextAttemptAt)}`;
  return formatRelative(whenOf(d));
}
