import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";

/** One sample of a scrape: `name{labels} value`, histogram series included. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Scrape {
  /** Every metric family the text declares (with or without samples), by name. */
  readonly families: ReadonlyMap<string, Pick<ParsedFamily, "help" | "type">>;
  readonly samples: readonly Sample[];
}

/**
 * A Prometheus text exposition read with parse-prometheus-text-format. That parser folds every
 * series of a histogram into one, losing their labels (`flattenMetrics` keeps only `le`): the
 * samples are read a second time without the histograms' TYPE lines, so that each `_bucket`,
 * `_sum` and `_count` line keeps its labels.
 */
export function parseScrape(text: string): Scrape {
  const families = new Map(
    parsePrometheusTextFormat(text).map((f) => [f.name, { help: f.help, type: f.type }]),
  );
  const untyped = text
    .split("\n")
    .filter((line) => !(line.startsWith("# TYPE ") && line.endsWith(" histogram")))
    .join("\n");
  const samples = parsePrometheusTextFormat(untyped).flatMap((f) =>
    f.metrics.map((m) => ({ name: f.name, labels: m.labels ?? {}, value: Number(m.value) })),
  );
  return { families, samples };
}

/**
 * The value of the one sample named `name` whose labels are exactly `labels`; undefined when
 * there is none.
 */
export function sampleValue(
  scrape: Scrape,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const wanted = Object.entries(labels);
  const found = scrape.samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === wanted.length &&
      wanted.every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1)
    throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Samples named `name` whose labels include `labels`. */
export function samplesOf(
  scrape: Scrape,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Sample[] {
  return scrape.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}
