import { Link } from "wouter";
import type { CheckResult } from "../api/types";
import { TableHead } from "../components/TableHead";
import { shortId } from "../format";

/** Check results, one a row: check, passed or failed, severity, details, and the run if asked. */
export function CheckResultsTable({
  checks,
  testId,
  withRun = false,
}: {
  checks: readonly CheckResult[];
  testId: string;
  withRun?: boolean;
}) {
  const columns = ["Check", "Result", "Severity", "Details", ...(withRun ? ["Run"] : [])];
  return (
    <table className="table" data-testid={testId}>
      <TableHead columns={columns} />
      <tbody>
        {checks.map((c) => (
          <tr
            key={`${c.checkName}@${c.partitionKey}`}
            data-check={c.checkName}
            data-passed={String(c.passed)}
          >
            <td className="mono">{c.checkName}</td>
            <td>
              <span className={c.passed ? "badge status-fresh" : "badge status-failed"}>
                {c.passed ? "passed" : "failed"}
              </span>
            </td>
            <td>{c.severity}</td>
            <td>{c.description ?? ""}</td>
            {withRun && (
              <td>
                <Link href={`/runs/${c.runId}`}>{shortId(c.runId)}</Link>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
