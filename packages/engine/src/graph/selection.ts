import { quote, SelectionError, UnknownAssetError } from "../errors";
import type { AssetKey } from "./asset-key";
import type { AssetGraph } from "./asset-graph";

/**
 * Resolves a selection to asset keys, in topological order.
 *
 * Syntax (clauses separated by commas, result is their union):
 * - `raw/offres`      the asset;
 * - `+emploi/dim_rome` the asset and everything upstream; `raw/offres+` and everything downstream;
 * - `raw/*`           a glob over keys (`*` matches within a segment, `**` across segments);
 * - `group:collecte`, `tag:source=france_travail`, `*` (everything).
 *
 * @example
 * resolveSelection(graph, "+emploi/fait_offre_emploi,group:referentiels")
 */
export function resolveSelection(graph: AssetGraph, selection: string): AssetKey[] {
  const clauses = selection.split(",").map((c) => c.trim());
  if (clauses.every((c) => c.length === 0)) throw new SelectionError("empty selection");
  // `raw/offres,,` is a typo (a clause left out), not a wish: refused rather than guessed at.
  const empty = clauses.findIndex((c) => c.length === 0);
  if (empty >= 0) {
    throw new SelectionError(
      `selection ${quote(selection)}: empty item (number ${empty + 1}) in the comma list`,
    );
  }
  const selected = new Set<AssetKey>();
  for (const clause of clauses) for (const k of resolveClause(graph, clause)) selected.add(k);
  return graph.sortTopologically(selected);
}

function resolveClause(graph: AssetGraph, clause: string): Set<AssetKey> {
  if (clause.startsWith("group:")) {
    const group = clause.slice("group:".length);
    const keys = graph.keys().filter((k) => graph.group(k) === group);
    if (keys.length === 0)
      throw new SelectionError(`selection ${quote(clause)}: no asset in group ${quote(group)}`);
    return new Set(keys);
  }
  if (clause.startsWith("tag:")) {
    const spec = clause.slice("tag:".length);
    const eq = spec.indexOf("=");
    const [name, value] = eq < 0 ? [spec, undefined] : [spec.slice(0, eq), spec.slice(eq + 1)];
    if (name.length === 0)
      throw new SelectionError(`selection ${quote(clause)}: expected tag:KEY=VALUE`);
    const keys = graph.keys().filter((k) => {
      const tags = graph.tags(k);
      return Object.hasOwn(tags, name) && (value === undefined || tags[name] === value);
    });
    if (keys.length === 0)
      throw new SelectionError(`selection ${quote(clause)}: no asset has that tag`);
    return new Set(keys);
  }
  let body = clause;
  const up = body.startsWith("+");
  if (up) body = body.slice(1);
  const down = body.endsWith("+");
  if (down) body = body.slice(0, -1);
  if (body.length === 0) throw new SelectionError(`selection ${quote(clause)} names no asset`);

  let base: AssetKey[];
  if (body.includes("*")) {
    const re = body === "*" ? /^/ : globToRegExp(body);
    base = graph.keys().filter((k) => re.test(k));
    if (base.length === 0) throw new SelectionError(`selection ${quote(clause)} matches no asset`);
  } else {
    if (!graph.has(body)) throw new UnknownAssetError(body);
    base = [body];
  }
  const out = new Set(base);
  if (up) for (const k of graph.upstreamOf(base)) out.add(k);
  if (down) for (const k of graph.downstreamOf(base)) out.add(k);
  return out;
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
