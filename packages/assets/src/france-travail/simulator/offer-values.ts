/**
 * Value lists of the simulated offers, with rough real-world frequencies, written the way the
 * API writes them.
 */

export interface Weighted {
  readonly weight: number;
}

export interface ContractType extends Weighted {
  readonly code: string;
  /** Label; `{n}` is replaced by a duration for fixed-term contracts. */
  readonly libelle: string;
  /** Duration unit for `{n}`, when the contract has one. */
  readonly unit?: "Mois" | "Jour(s)";
}

export const CONTRACT_TYPES: readonly ContractType[] = [
  { code: "CDI", libelle: "Contrat à durée indéterminée", weight: 52 },
  { code: "CDD", libelle: "Contrat à durée déterminée - {n} Mois", unit: "Mois", weight: 28 },
  { code: "MIS", libelle: "Mission intérimaire - {n} Mois", unit: "Mois", weight: 12 },
  { code: "SAI", libelle: "Travail saisonnier - {n} Mois", unit: "Mois", weight: 4 },
  { code: "LIB", libelle: "Profession libérale", weight: 1.5 },
  { code: "CCE", libelle: "Profession commerciale", weight: 1 },
  { code: "FRA", libelle: "Franchise", weight: 0.5 },
  { code: "DDI", libelle: "CDD insertion - {n} Mois", unit: "Mois", weight: 1 },
];

export interface Qualification extends Weighted {
  readonly code: string;
  readonly libelle: string;
}

export const QUALIFICATIONS: readonly Qualification[] = [
  { code: "1", libelle: "Manoeuvre", weight: 1 },
  { code: "2", libelle: "Ouvrier spécialisé", weight: 3 },
  { code: "3", libelle: "Ouvrier qualifié (P1,P2)", weight: 8 },
  { code: "4", libelle: "Ouvrier qualifié (P3,P4,OHQ)", weight: 6 },
  { code: "5", libelle: "Employé non qualifié", weight: 12 },
  { code: "6", libelle: "Employé qualifié", weight: 38 },
  { code: "7", libelle: "Technicien", weight: 10 },
  { code: "8", libelle: "Agent de maîtrise", weight: 6 },
  { code: "9", libelle: "Cadre", weight: 16 },
];

/** `natureContrat` values and their facet codes (the API's `natureContrat` filter). */
export const NATURES = {
  travail: { libelle: "Contrat travail", facet: "E1" },
  apprentissage: { libelle: "Contrat apprentissage", facet: "E2" },
  professionnalisation: { libelle: "Cont. professionnalisation", facet: "FS" },
  insertion: { libelle: "Insertion par l'activ.éco.", facet: "FJ" },
} as const;

export const TRANCHES_EFFECTIF: readonly string[] = [
  "0 salarié",
  "1 ou 2 salariés",
  "3 à 5 salariés",
  "6 à 9 salariés",
  "10 à 19 salariés",
  "20 à 49 salariés",
  "50 à 99 salariés",
  "100 à 199 salariés",
  "200 à 249 salariés",
  "250 à 499 salariés",
  "500 à 999 salariés",
  "1000 à 1999 salariés",
  "2000 à 4999 salariés",
];

export const WORKING_TIMES: readonly { libelle: string; converti: string; weight: number }[] = [
  { libelle: "35H/semaine\nTravail en journée", converti: "Temps plein", weight: 40 },
  { libelle: "35H Horaires normaux", converti: "Temps plein", weight: 20 },
  { libelle: "39H/semaine", converti: "Temps plein", weight: 10 },
  { libelle: "35H/semaine\nTravail en équipe", converti: "Temps plein", weight: 6 },
  { libelle: "24H/semaine\nTravail en journée", converti: "Temps partiel", weight: 8 },
  { libelle: "28H/semaine", converti: "Temps partiel", weight: 6 },
  { libelle: "20H/semaine", converti: "Temps partiel", weight: 5 },
  { libelle: "17H30/semaine", converti: "Temps partiel", weight: 5 },
];

export const SURNAMES: readonly string[] = [
  "MARTIN",
  "BERNARD",
  "DUBOIS",
  "THOMAS",
  "ROBERT",
  "RICHARD",
  "PETIT",
  "DURAND",
  "LEROY",
  "MOREAU",
  "SIMON",
  "LAURENT",
  "LEFEBVRE",
  "MICHEL",
  "GARCIA",
  "DAVID",
  "BERTRAND",
  "ROUX",
  "VINCENT",
  "FOURNIER",
  "MOREL",
  "GIRARD",
  "ANDRE",
  "MERCIER",
  "DUPONT",
  "LAMBERT",
  "BONNET",
  "FRANCOIS",
  "MARTINEZ",
  "LEGRAND",
];

export const COMPANY_FORMS: readonly string[] = ["SAS", "SARL", "EURL", "SA", "SASU", ""];

export const COMPANY_ACTIVITIES: readonly string[] = [
  "SERVICES",
  "ET FILS",
  "CONSEIL",
  "DISTRIBUTION",
  "BATIMENT",
  "RESTAURATION",
  "TRANSPORTS",
  "INDUSTRIE",
  "SANTE",
  "PROPRETE",
  "LOGISTIQUE",
  "COMMERCE",
];

/** Temporary-work agencies: the employer named in most "MIS" offers. */
export const AGENCIES: readonly string[] = [
  "INTERIM EMPLOI",
  "TEMPO TRAVAIL TEMPORAIRE",
  "PROXI INTERIM",
  "AXE INTERIM",
  "DYNAMIC EMPLOI",
];

export const MISSION_LINES: readonly string[] = [
  "Vous accueillez et conseillez la clientèle.",
  "Vous assurez le suivi des stocks et des commandes.",
  "Vous travaillez en équipe sous la responsabilité du chef de service.",
  "Vous veillez au respect des règles d'hygiène et de sécurité.",
  "Vous préparez et contrôlez les commandes avant expédition.",
  "Vous participez à l'entretien du matériel et des locaux.",
  "Vous rédigez des comptes rendus d'activité.",
  "Vous êtes l'interlocuteur privilégié de nos partenaires.",
];

export const PROFILE_LINES: readonly string[] = [
  "Vous êtes rigoureux(se), organisé(e) et avez le sens du service.",
  "Une première expérience sur un poste similaire est appréciée.",
  "Permis B souhaité.",
  "Vous appréciez le travail en équipe et êtes force de proposition.",
  "Formation assurée en interne.",
  "Poste à pourvoir dès que possible.",
];

export const SALARY_COMMENTS: readonly string[] = [
  "Selon profil",
  "Selon expérience",
  "Mutuelle, tickets restaurant",
  "13ème mois",
];
