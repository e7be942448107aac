/** The member of `statuses` a URL parameter names, or undefined (absent, or not a status). */
export function statusParam<S extends string>(
  statuses: readonly S[],
  value: string | null,
): S | undefined {
  return statuses.find((s) => s === value);
}

/** A "Status" select over `statuses`, "all" first (empty value). */
export function StatusFilter<S extends string>({
  statuses,
  value,
  onChange,
  testId,
}: {
  statuses: readonly S[];
  value: S | undefined;
  onChange: (value: S | undefined) => void;
  testId: string;
}) {
  return (
    <label>
      Status{" "}
      <select
        value={value ?? ""}
        onChange={(e) => onChange(statusParam(statuses, e.target.value))}
        data-testid={testId}
      >
        <option value="">all</option>
        {statuses.map((s) => (
          <option key={s} value={s}>
            {s.toLowerCase()}
          </option>
        ))}
      </select>
    </label>
  );
}
