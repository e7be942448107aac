import type { FranceTravailClient, SearchQuery } from "./client";
import { FranceTravailError } from "./errors";
import type { ReferentialEntry } from "./offer";
import { formatApiDate } from "./paris-time";
import { MAX_PAGE_SIZE, MAX_REACHABLE_RESULTS, type SearchPage } from "./search-response";
import { TaskPool } from "./task-pool";
import { partsFor, splitByProfile, splitTimeWindow } from "./time-split";

export interface ExhaustiveSearchOptions {
  /** Calls in flight at once (the client's rate limit still applies). */
  readonly concurrency: number;
  /** Results a time window is cut to hold when it has too many. */
  readonly splitTarget: number;
  /**
   * When the whole query has too many results, where its first cuts go: the seconds after
   * its `minCreationDate` at which a comparable earlier query's results were created, sorted
   * (see `splitByProfile`). Without it, or for the parts cut again, the cuts are even in time.
   */
  readonly profile?: readonly number[];
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
  /** Prefix of log lines. */
  readonly label: string;
  /**
   * Receives each answer's offers not seen before, as they arrive (an offer is in several
   * answers when windows overlap at their edges). Awaited before the answer counts as fetched:
   * a slow receiver slows the collection down instead of piling offers up; a rejection fails
   * the search.
   */
  readonly onOffers: (offers: readonly CollectedOffer[]) => Promise<void> | void;
}

/** One offer of a search: its id, its creation date and its JSON, as received. */
export interface CollectedOffer {
  readonly id: string;
  readonly created: string;
  readonly json: string;
}

/** What a search found (the offers themselves went to `onOffers`). */
export interface ExhaustiveSearchResult {
  /** Unique offers handed to `onOffers`. */
  readonly offers: number;
  /** The total the API reported for the whole query. */
  readonly totalReported: number;
  /** Search answers that brought offers. */
  readonly pages: number;
}

/** A query of the search tree: the whole query, a part of it, or a part restricted by codes. */
interface WindowNode {
  readonly query: SearchQuery;
  readonly parent: WindowNode | undefined;
  total: number | undefined;
  pendingChildren: number;
  childrenTotal: number;
}

const PROBE = 0;
const PAGE = 1;

/**
 * Fetches every result of a search although one query can only page through its first 3,150.
 *
 * Each window is probed with its first page, which tells its total and is kept when the window
 * fits; its other pages are then fetched concurrently. A window with more results is cut into
 * parts sized from its total (one probe per part rather than a probe per halving), again and
 * again; a one-second window that still has too many is split by ROME code, then by
 * département. Probes are started before pages, so the work ahead is known early and the rate
 * limiter never runs dry at the end.
 *
 * Nothing is dropped silently: the totals of the parts of a window must add up to its total,
 * and the unique offers to the totals of the windows paged and of the whole query; otherwise
 * an INCOMPLETE error says by how much.
 */
export async function exhaustiveSearch(
  client: FranceTravailClient,
  query: SearchQuery,
  options: ExhaustiveSearchOptions,
): Promise<ExhaustiveSearchResult> {
  const { log, label } = options;
  const pool = new TaskPool(options.concurrency, options.signal);
  const signal = pool.signal;
  // Only the ids: the offers go to `onOffers` as they arrive, a day is never held in memory.
  const offers = new Set<string>();
  let leafTotal = 0;
  let pages = 0;
  let nextProgress = 0.25;
  let romeCodes: Promise<ReferentialEntry[]> | undefined;
  let departements: Promise<ReferentialEntry[]> | undefined;
  const top = node(query);

  async function keep(page: SearchPage): Promise<void> {
    if (page.offers.length > 0) pages++;
    const fresh: CollectedOffer[] = [];
    for (const offer of page.offers) {
      if (!offers.has(offer.id)) {
        offers.add(offer.id);
        fresh.push({
          id: offer.id,
          created: String(offer.dateCreation),
          json: JSON.stringify(offer),
        });
      }
    }
    const total = top.total ?? 0;
    if (total > 0 && nextProgress < 1 && offers.size >= nextProgress * total) {
      log(`${label}: ${offers.size}/${total} offers (${pages} pages)`);
      nextProgress += 0.25;
    }
    if (fresh.length > 0) await options.onOffers(fresh);
  }

  async function probe(window: WindowNode): Promise<void> {
    const page = await client.search(window.query, { first: 0, last: MAX_PAGE_SIZE - 1 }, signal);
    window.total = page.total;
    reportTotal(window);
    if (page.total <= MAX_REACHABLE_RESULTS) {
      leafTotal += page.total;
      // The window's other pages are queued first: they need not wait for this one's offers.
      for (let first = MAX_PAGE_SIZE; first < page.total; first += MAX_PAGE_SIZE) {
        pool.add(PAGE, () => fetchPage(window, first));
      }
      if (window === top) {
        log(`${label}: ${page.total} offers, ${Math.ceil(page.total / MAX_PAGE_SIZE)} pages`);
      }
      await keep(page);
      return;
    }
    const children = await split(window, page.total);
    window.pendingChildren = children.length;
    for (const child of children) pool.add(PROBE, () => probe(child));
  }

  async function fetchPage(window: WindowNode, first: number): Promise<void> {
    const range = { first, last: first + MAX_PAGE_SIZE - 1 };
    const page = await client.search(window.query, range, signal);
    if (page.total !== window.total) {
      throw incomplete(
        `${describeQuery(window.query)} reported ${window.total} offers, then ${page.total} ` +
          `while paging: the data changed during the collection`,
      );
    }
    await keep(page);
  }

  async function split(window: WindowNode, total: number): Promise<WindowNode[]> {
    const q = window.query;
    if (q.maxCreationDate - q.minCreationDate > 1000) {
      const parts = partsFor(total, options.splitTarget);
      const windows =
        window === top && options.profile
          ? splitByProfile(q.minCreationDate, q.maxCreationDate, parts, options.profile)
          : splitTimeWindow(q.minCreationDate, q.maxCreationDate, parts);
      if (window === top) {
        log(
          `${label}: ${total} offers, more than ${MAX_REACHABLE_RESULTS}: ${windows.length} time windows`,
        );
      }
      return windows.map(([min, max]) =>
        node({ ...q, minCreationDate: min, maxCreationDate: max }, window),
      );
    }
    if (q.codeROME === undefined) {
      romeCodes ??= client.metiers(signal);
      const codes = await romeCodes;
      log(`${label}: ${describeQuery(q)} has ${total} offers: split by ${codes.length} ROME codes`);
      return codes.map((c) => node({ ...q, codeROME: c.code }, window));
    }
    if (q.departement === undefined) {
      departements ??= client.departements(signal);
      const codes = await departements;
      log(
        `${label}: ${describeQuery(q)} has ${total} offers: split by ${codes.length} départements`,
      );
      return codes.map((d) => node({ ...q, departement: d.code }, window));
    }
    throw incomplete(
      `${describeQuery(q)} has ${total} offers, more than the ${MAX_REACHABLE_RESULTS} ` +
        `a search can reach, and cannot be split further`,
    );
  }

  /** Once all parts of a window reported their totals, they must add up to the window's. */
  function reportTotal(window: WindowNode): void {
    const parent = window.parent;
    if (!parent) return;
    parent.childrenTotal += window.total ?? 0;
    parent.pendingChildren--;
    if (parent.pendingChildren > 0 || parent.childrenTotal === parent.total) return;
    const unreachable =
      window.query.departement !== undefined
        ? " (offers without a département cannot be reached by a split)"
        : window.query.codeROME !== undefined
          ? " (offers without a ROME code cannot be reached by a split)"
          : "";
    throw incomplete(
      `${describeQuery(parent.query)} reported ${parent.total} offers but its parts add up to ` +
        `${parent.childrenTotal}${unreachable}`,
    );
  }

  pool.add(PROBE, () => probe(top));
  await pool.run();

  const totalReported = top.total ?? 0;
  if (offers.size !== leafTotal || leafTotal !== totalReported) {
    throw incomplete(
      `${label}: collected ${offers.size} unique offers, the API reported ${totalReported} ` +
        `for the whole query and ${leafTotal} for the windows paged`,
    );
  }
  return { offers: offers.size, totalReported, pages };
}

function node(query: SearchQuery, parent?: WindowNode): WindowNode {
  return { query, parent, total: undefined, pendingChildren: 0, childrenTotal: 0 };
}

function incomplete(message: string): FranceTravailError {
  return new FranceTravailError("INCOMPLETE", message);
}

/** "[2024-08-01T08:00:00Z…2024-08-01T08:00:01Z codeROME=K2204]" */
function describeQuery(query: SearchQuery): string {
  const parts = [`${formatApiDate(query.minCreationDate)}…${formatApiDate(query.maxCreationDate)}`];
  if (query.codeROME !== undefined) parts.push(`codeROME=${query.codeROME}`);
  if (query.departement !== undefined) parts.push(`departement=${query.departement}`);
  return `[${parts.join(" ")}]`;
}
