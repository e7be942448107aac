import { ApiError } from "../api/client";
import { formatNumber } from "../format";

/**
 * An error as one line; a request refused for the caller's role (403) says so. A large request the API refused until confirmed gets a button that
 * asks again with confirmation (`onConfirm`), saying how many partitions it starts.
 */
export function ErrorLine({ error, onConfirm }: { error: unknown; onConfirm?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  const confirmation = error instanceof ApiError ? error.confirmation : undefined;
  if (confirmation && onConfirm) {
    return (
      <div className="confirm-line" role="alert" data-testid="confirm-request">
        <p>
          This starts {formatNumber(confirmation.partitions)} partitions of{" "}
          <span className="mono">{confirmation.assetKey}</span>, more than the{" "}
          {formatNumber(confirmation.limit)} started without asking.
        </p>
        <button type="button" onClick={onConfirm} data-testid="confirm-request-button">
          Start {formatNumber(confirmation.partitions)} partitions anyway
        </button>
      </div>
    );
  }
  // Refused for the caller's role: said as such, with the server's words.
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <p
      className="error-line"
      role="alert"
      data-testid="error"
      data-status={error instanceof ApiError ? error.status : undefined}
    >
      {forbidden ? `Not allowed: ${message}` : message}
    </p>
  );
}
