/**
 * The columns of INSEE's `StockEtablissement` file, in the official order (INSEE, "Description
 * des fichiers de la base Sirene", stock des établissements; `activitePrincipaleNAF25Etablissement`
 * was appended in December 2025). The loader reads columns by name and does not depend on this
 * order; the generator writes it.
 */
export const STOCK_ETABLISSEMENT_COLUMNS = [
  "siren",
  "nic",
  "siret",
  "statutDiffusionEtablissement",
  "dateCreationEtablissement",
  "trancheEffectifsEtablissement",
  "anneeEffectifsEtablissement",
  "activitePrincipaleRegistreMetiersEtablissement",
  "dateDernierTraitementEtablissement",
  "etablissementSiege",
  "nombrePeriodesEtablissement",
  "complementAdresseEtablissement",
  "numeroVoieEtablissement",
  "indiceRepetitionEtablissement",
  "dernierNumeroVoieEtablissement",
  "indiceRepetitionDernierNumeroVoieEtablissement",
  "typeVoieEtablissement",
  "libelleVoieEtablissement",
  "codePostalEtablissement",
  "libelleCommuneEtablissement",
  "libelleCommuneEtrangerEtablissement",
  "distributionSpecialeEtablissement",
  "codeCommuneEtablissement",
  "codeCedexEtablissement",
  "libelleCedexEtablissement",
  "codePaysEtrangerEtablissement",
  "libellePaysEtrangerEtablissement",
  "identifiantAdresseEtablissement",
  "coordonneeLambertAbscisseEtablissement",
  "coordonneeLambertOrdonneeEtablissement",
  "complementAdresse2Etablissement",
  "numeroVoie2Etablissement",
  "indiceRepetition2Etablissement",
  "typeVoie2Etablissement",
  "libelleVoie2Etablissement",
  "codePostal2Etablissement",
  "libelleCommune2Etablissement",
  "libelleCommuneEtranger2Etablissement",
  "distributionSpeciale2Etablissement",
  "codeCommune2Etablissement",
  "codeCedex2Etablissement",
  "libelleCedex2Etablissement",
  "codePaysEtranger2Etablissement",
  "libellePaysEtranger2Etablissement",
  "dateDebut",
  "etatAdministratifEtablissement",
  "enseigne1Etablissement",
  "enseigne2Etablissement",
  "enseigne3Etablissement",
  "denominationUsuelleEtablissement",
  "activitePrincipaleEtablissement",
  "nomenclatureActivitePrincipaleEtablissement",
  "caractereEmployeurEtablissement",
  "activitePrincipaleNAF25Etablissement",
] as const;

export type StockEtablissementColumn = (typeof STOCK_ETABLISSEMENT_COLUMNS)[number];

/**
 * The columns loaded into raw.sirene_etablissements: each source column and the table column
 * it fills (its name in snake_case), with its SQL type. A file without one of them is refused.
 */
export const SIRENE_COLUMNS = [
  { source: "siret", column: "siret", type: "text" },
  { source: "siren", column: "siren", type: "text" },
  {
    source: "etatAdministratifEtablissement",
    column: "etat_administratif_etablissement",
    type: "text",
  },
  { source: "codeCommuneEtablissement", column: "code_commune_etablissement", type: "text" },
  {
    source: "activitePrincipaleEtablissement",
    column: "activite_principale_etablissement",
    type: "text",
  },
  {
    source: "nomenclatureActivitePrincipaleEtablissement",
    column: "nomenclature_activite_principale_etablissement",
    type: "text",
  },
  {
    source: "trancheEffectifsEtablissement",
    column: "tranche_effectifs_etablissement",
    type: "text",
  },
  { source: "dateCreationEtablissement", column: "date_creation_etablissement", type: "date" },
  { source: "etablissementSiege", column: "etablissement_siege", type: "boolean" },
  {
    source: "denominationUsuelleEtablissement",
    column: "denomination_usuelle_etablissement",
    type: "text",
  },
  { source: "enseigne1Etablissement", column: "enseigne1_etablissement", type: "text" },
  { source: "codePostalEtablissement", column: "code_postal_etablissement", type: "text" },
  { source: "libelleCommuneEtablissement", column: "libelle_commune_etablissement", type: "text" },
] as const satisfies readonly {
  source: StockEtablissementColumn;
  column: string;
  type: "text" | "date" | "boolean";
}[];

export const SIRENE_TABLE = "raw.sirene_etablissements";

const CONSTRAINTS: Readonly<Record<string, string>> = {
  siret: " PRIMARY KEY",
  siren: " NOT NULL",
  etat_administratif_etablissement: " NOT NULL",
};

/**
 * The siret is the key: it makes a file that lists an establishment twice fail instead of
 * loading a duplicate, and it is what later models join on.
 */
export const SIRENE_DDL = `
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS ${SIRENE_TABLE} (
${SIRENE_COLUMNS.map((c) => `  ${c.column} ${c.type}${CONSTRAINTS[c.column] ?? ""}`).join(",\n")}
);
`;
