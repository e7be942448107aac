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
