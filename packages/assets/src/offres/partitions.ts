import { dailyPartitions } from "@lignee/engine";

/** The first day of offers the warehouse holds (the original pipeline's start). */
export const OFFRES_START = "2024-05-23";

/** `raw/offres`'s partitions: one per calendar day in Paris, from OFFRES_START to yesterday. */
export const OFFRES_PARTITIONS = dailyPartitions({ start: OFFRES_START, timezone: "Europe/Paris" });
