/**
 * A job offer as the "Offres d'emploi v2" search returns it. Only the fields the warehouse
 * reads are typed; the API sends more, and the collector keeps every field it receives.
 * Optional fields are missing from some real offers (no NAF code, no company, a location known
 * only at département level…).
 */
export interface FranceTravailOffer {
  readonly id: string;
  readonly intitule: string;
  readonly description?: string;
  /** ISO 8601 in UTC, e.g. "2024-08-01T09:12:44.000Z". */
  readonly dateCreation: string;
  readonly dateActualisation?: string;
  readonly lieuTravail?: {
    readonly libelle: string;
    readonly latitude?: number;
    readonly longitude?: number;
    readonly codePostal?: string;
    /** INSEE code of the commune (of the arrondissement in Paris, Lyon and Marseille). */
    readonly commune?: string;
  };
  readonly romeCode?: string;
  readonly romeLibelle?: string;
  readonly appellationlibelle?: string;
  readonly entreprise?: {
    readonly nom?: string;
    readonly description?: string;
    readonly entrepriseAdaptee?: boolean;
  };
  readonly typeContrat?: string;
  readonly typeContratLibelle?: string;
  readonly natureContrat?: string;
  readonly experienceExige?: "D" | "E" | "S";
  readonly experienceLibelle?: string;
  readonly salaire?: { readonly libelle?: string; readonly commentaire?: string };
  readonly dureeTravailLibelle?: string;
  readonly dureeTravailLibelleConverti?: string;
  readonly alternance?: boolean;
  readonly nombrePostes?: number;
  readonly accessibleTH?: boolean;
  readonly qualificationCode?: string;
  readonly qualificationLibelle?: string;
  /** NAF rev. 2 sous-classe, e.g. "47.11F". */
  readonly codeNAF?: string;
  /** NAF division, e.g. "47". */
  readonly secteurActivite?: string;
  readonly secteurActiviteLibelle?: string;
  readonly trancheEffectifEtab?: string;
  readonly origineOffre?: { readonly origine: string; readonly urlOrigine?: string };
  readonly offresManqueCandidats?: boolean;
  readonly [field: string]: unknown;
}

/** An entry of a referential (`/referentiel/metiers`, `/referentiel/departements`). */
export interface ReferentialEntry {
  readonly code: string;
  readonly libelle: string;
}
