import { useState } from "react";
import type { AssetColumn, AssetCode } from "../api/types";
import { TableHead } from "../components/TableHead";
import "./dbt-model-panel.css";

/**
 * The columns of the table an asset writes, with their descriptions, and the code that computes
 * it: for a dbt model, what its schema.yml says and its SQL (as written, and compiled when dbt
 * compiled it). Nothing is shown for an asset that describes neither.
 */
export function DbtModelPanel({
  columns,
  code,
}: {
  columns: readonly AssetColumn[];
  code: AssetCode | null;
}) {
  if (columns.length === 0 && !code) return null;
  // Types show only when the project declares some (dbt's `data_type`).
  const typed = columns.some((c) => c.type !== null);
  return (
    <section className="model-panel" data-testid="model-panel">
      {columns.length > 0 && (
        <>
          <h2>Columns</h2>
          <table className="table model-columns" data-testid="model-columns">
            <TableHead
              columns={typed ? ["Column", "Type", "Description"] : ["Column", "Description"]}
            />
            <tbody>
              {columns.map((c) => (
                <tr key={c.name} data-column={c.name}>
                  <td className="mono">{c.name}</td>
                  {typed && <td className="mono muted">{c.type ?? ""}</td>}
                  <td className={c.description ? "" : "muted"}>{c.description ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {code && <CodeBlock code={code} />}
    </section>
  );
}

function CodeBlock({ code }: { code: AssetCode }) {
  const [shown, setShown] = useState<"raw" | "compiled">("raw");
  const label = code.language.toUpperCase();
  const text = shown === "compiled" && code.compiled !== null ? code.compiled : code.raw;
  return (
    <>
      <div className="model-code-head">
        <h2>{label}</h2>
        {code.compiled !== null && (
          <>
            <button
              className={shown === "raw" ? "chip active" : "chip"}
              onClick={() => setShown("raw")}
              data-testid="model-sql-raw"
            >
              As written
            </button>
            <button
              className={shown === "compiled" ? "chip active" : "chip"}
              onClick={() => setShown("compiled")}
              data-testid="model-sql-compiled"
            >
              Compiled
            </button>
          </>
        )}
      </div>
      <pre className="model-code" data-testid="model-sql" data-shown={shown}>
        <code>{text.trim()}</code>
      </pre>
    </>
  );
}
