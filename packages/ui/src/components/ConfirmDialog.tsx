import type { ReactNode } from "react";
import { Dialog } from "./Dialog";

/**
 * Asks before something that cannot be undone (revoking a token, disabling a user): a title,
 * what will happen, Cancel, and the action's own button.
 */
export function ConfirmDialog({
  label,
  testId,
  title,
  confirmLabel,
  confirmTestId,
  onConfirm,
  onClose,
  children,
}: {
  label: string;
  testId: string;
  title: ReactNode;
  confirmLabel: string;
  confirmTestId: string;
  onConfirm: () => void;
  onClose: () => void;
  /** What will happen. */
  children: ReactNode;
}) {
  return (
    <Dialog label={label} testId={testId} onClose={onClose}>
      <h3>{title}</h3>
      <p>{children}</p>
      <div className="dialog-actions">
        <button type="button" className="link-button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            onConfirm();
            onClose();
          }}
          data-testid={confirmTestId}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
