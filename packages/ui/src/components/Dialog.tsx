import type { ReactNode } from "react";

/** A modal dialog over a dimmed page; clicking outside it closes it. */
export function Dialog({
  label,
  testId,
  onClose,
  children,
}: {
  label: string;
  testId: string;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div
        className="dialog"
        role="dialog"
        aria-label={label}
        data-testid={testId}
        onClick={(e) => e.stopPropagation()}
      >
        {children}
      </div>
    </div>
  );
}

/** A dialog form's buttons: Cancel closes it, the submit button launches what it asks for. */
export function DialogActions({
  submit,
  testId,
  disabled,
  onCancel,
}: {
  submit: string;
  testId: string;
  disabled: boolean;
  onCancel: () => void;
}) {
  return (
    <div className="dialog-actions">
      <button type="button" className="link-button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" disabled={disabled} data-testid={testId}>
        {submit}
      </button>
    </div>
  );
}
