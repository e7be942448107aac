export {
  SIRENE_COLUMNS,
  SIRENE_DDL,
  SIRENE_TABLE,
  STOCK_ETABLISSEMENT_COLUMNS,
  type StockEtablissementColumn,
} from "./columns";
export {
  csvRecords,
  CsvScanner,
  CsvSyntaxError,
  type CsvRecord,
  type CsvVisitor,
} from "./csv-records";
export { openCsvSource, type CsvSource } from "./csv-source";
export { SireneLoadError, type SireneLoadErrorCode } from "./errors";
export {
  generateStockEtablissement,
  STOCK_ETABLISSEMENT_ENTRY,
  stockEtablissementChunks,
  type GenerateOptions,
  type GenerateStats,
} from "./generator";
export { loadSireneEtablissements, type SireneLoadStats } from "./loader";
export { createRandom, WeightedSampler, type Random } from "./random";
export { isLuhnValid, luhnCheckDigit } from "./siret";
