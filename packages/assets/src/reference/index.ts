export {
  ARRONDISSEMENTS_MUNICIPAUX,
  COG_DDL,
  loadCog,
  readCog,
  type Cog,
  type CogCommune,
  type CogCommuneType,
  type CogDepartement,
  type CogLoadStats,
  type CogRegion,
  type CogZone,
} from "./cog";
export { ReferenceDataError, type ReferenceDataErrorCode } from "./errors";
export {
  loadNaf,
  NAF_COUNTS,
  NAF_DDL,
  readNaf,
  type Naf,
  type NafEntry,
  type NafLoadStats,
} from "./naf";
export { NAF_SECTIONS, sectionOfDivision, type NafSection } from "./naf-sections";
export {
  replaceTables,
  type LoadStats,
  type ReplaceResult,
  type TableContent,
} from "./replace-tables";
export {
  checkRome,
  loadRome,
  readShippedRome,
  ROME_COUNTS,
  ROME_DDL,
  type RomeLists,
  type RomeLoadStats,
} from "./rome";
export { readRomeFile, ROME_DATA_DIR, type CodeLabel } from "./rome-files";
