/** An error as one line of text (API errors carry the server's message). */
export function ErrorLine({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="error-line" role="alert" data-testid="error">
      {message}
    </p>
  );
}
