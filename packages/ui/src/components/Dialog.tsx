import { useEffect, useRef, type ReactNode } from "react";

/**
 * The dialogs open now, the latest last: Escape closes only the one on top (a confirmation
 * opened over another dialog goes first).
 */
const open: symbol[] = [];

/** Closes a dialog when Escape is pressed while it is the one on top. */
export function useEscapeToClose(onClose: () => void): void {
  const latest = useRef(onClose);
  latest.current = onClose;
  useEffect(() => {
    const id = Symbol("dialog");
    open.push(id);
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented || open.at(-1) !== id) return;
      e.preventDefault();
      latest.current();
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      open.splice(open.indexOf(id), 1);
    };
  }, []);
}

/** A modal dialog over a dimmed page; clicking outside it or pressing Escape closes it. */
export function Dialog({
  label,
  testId,
  className,
  onClose,
  children,
}: {
  label: string;
  testId: string;
  /** Added to `dialog` (e.g. a wider dialog). */
  className?: string;
  onClose: () => void;
  children: ReactNode;
}) {
  useEscapeToClose(onClose);
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div
        className={className ? `dialog ${className}` : "dialog"}
        role="dialog"
        aria-modal="true"
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
