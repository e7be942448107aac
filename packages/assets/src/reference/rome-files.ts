import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ReferenceDataError } from "./errors";

/** The ROME v3 files shipped with the package (see data/rome/SOURCES.md). */
export const ROME_DATA_DIR = fileURLToPath(new URL("../../data/rome", import.meta.url));

export interface CodeLabel {
  readonly code: string;
  readonly libelle: string;
}

/** Reads one of the `code;libelle` files: `metiers`, `domaines_professionnels`, `grands_domaines`. */
export function readRomeFile(
  name: "metiers" | "domaines_professionnels" | "grands_domaines",
): CodeLabel[] {
  const text = readFileSync(`${ROME_DATA_DIR}/${name}.csv`, "utf8");
  const [header, ...lines] = text.split("\n").filter((l) => l.length > 0);
  if (header !== "code;libelle")
    throw new ReferenceDataError("UNEXPECTED_SHAPE", `${name}.csv: unexpected header "${header}"`);
  return lines.map((line, i) => {
    const sep = line.indexOf(";");
    if (sep < 0)
      throw new ReferenceDataError(
        "UNEXPECTED_SHAPE",
        `${name}.csv line ${i + 2}: expected code;libelle`,
      );
    return { code: line.slice(0, sep), libelle: line.slice(sep + 1) };
  });
}
