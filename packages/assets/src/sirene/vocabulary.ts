/**
 * Words and frequencies the generator draws from. Frequencies are rough orders of magnitude
 * of the real stock (most establishments have no employee and no enseigne; rue is the most
 * common kind of street); they make the synthetic file look like the real one, not measure it.
 */

/** [value, weight] pairs. */
export type Weighted = readonly (readonly [string, number])[];

/** Tranches d'effectifs of active establishments ("NN": no employee in the reference year). */
export const TRANCHES_ACTIFS: Weighted = [
  ["NN", 55],
  ["", 5],
  ["00", 5],
  ["01", 12],
  ["02", 8],
  ["03", 5],
  ["11", 4],
  ["12", 2.5],
  ["21", 1.2],
  ["22", 0.8],
  ["31", 0.4],
  ["32", 0.3],
  ["41", 0.15],
  ["42", 0.08],
  ["51", 0.04],
  ["52", 0.02],
  ["53", 0.01],
];

/** Closed establishments almost never carry a headcount. */
export const TRANCHES_FERMES: Weighted = [
  ["NN", 70],
  ["", 25],
  ["00", 3],
  ["01", 1.5],
  ["02", 0.5],
];

export const TYPES_VOIE: Weighted = [
  ["RUE", 45],
  ["AV", 12],
  ["CHE", 8],
  ["RTE", 7],
  ["BD", 5],
  ["LD", 4],
  ["PL", 3],
  ["ALL", 3],
  ["IMP", 3],
  ["ZA", 2],
  ["QUAI", 1],
  ["CRS", 1],
  ["", 6],
];

export const LIBELLES_VOIE = [
  "DE LA REPUBLIQUE",
  "VICTOR HUGO",
  "JEAN JAURES",
  "DU GENERAL DE GAULLE",
  "DE LA GARE",
  "DES ECOLES",
  "PASTEUR",
  "DE LA MAIRIE",
  "DE L EGLISE",
  "DU 8 MAI 1945",
  "DE LA LIBERATION",
  "GAMBETTA",
  "DU CHATEAU",
  "DES TILLEULS",
  "DE LA PAIX",
  "JULES FERRY",
  "DU MOULIN",
  "NATIONALE",
  "DE PARIS",
  "DES LILAS",
  "CARNOT",
  "DU STADE",
  "DE VERDUN",
  "FOCH",
  "DES ACACIAS",
  "ANATOLE FRANCE",
  "DU COMMERCE",
  "SAINT MARTIN",
  "DE LA FONTAINE",
  "DES PRES",
];

export const LIEUX_DITS = [
  "LE BOURG",
  "LA CROIX BLANCHE",
  "LES GRANGES",
  "LE CHAMP DU MOULIN",
  "LA FERME NEUVE",
  "LES VIGNES",
  "LE PETIT BOIS",
  "LA COUR",
];

export const COMPLEMENTS = [
  "BATIMENT A",
  "BATIMENT B",
  "ZONE ARTISANALE",
  "CENTRE COMMERCIAL",
  "RESIDENCE LES PINS",
  "ZI NORD",
  "PARC D ACTIVITES",
  "ESCALIER 2",
];

export const ENSEIGNES = [
  "BOULANGERIE",
  "GARAGE",
  "CAFE",
  "PHARMACIE",
  "SALON",
  "BOUCHERIE",
  "RESTAURANT",
  "CABINET",
  "AUTO ECOLE",
  "FLEURS",
  "OPTIQUE",
  "BAR TABAC",
  "PIZZERIA",
  "COIFFURE",
  "BRICO",
  "CAVE",
];

export const ENSEIGNE_SUFFIXES = [
  "DU CENTRE",
  "DE LA GARE",
  "DU MARCHE",
  "DES HALLES",
  "DE LA PLACE",
  "DU PORT",
  "SAINT JEAN",
  "DES AMIS",
  "CENTRAL",
  "DU LAC",
];

export const NOMS = [
  "MARTIN",
  "BERNARD",
  "THOMAS",
  "PETIT",
  "ROBERT",
  "RICHARD",
  "DURAND",
  "DUBOIS",
  "MOREAU",
  "LAURENT",
  "SIMON",
  "MICHEL",
  "LEFEBVRE",
  "LEROY",
  "ROUX",
  "DAVID",
  "BERTRAND",
  "MOREL",
  "FOURNIER",
  "GIRARD",
];

export const DENOMINATION_SUFFIXES = ["ET FILS", "ET ASSOCIES", "SERVICES", "CONSEIL", "HOLDING"];

/**
 * NAF rév. 1 codes closed establishments created before 2008 may still carry (the real stock
 * keeps the nomenclature in force when the establishment last changed).
 */
export const NAF_REV1_CODES = [
  "52.1D",
  "74.1C",
  "55.3A",
  "45.2B",
  "70.2A",
  "85.1A",
  "93.0D",
  "74.1G",
];

/**
 * Relative weight of each NAF division in the stock of establishments (others weigh 1): real
 * estate, trade, construction, consulting, restaurants and health dominate.
 */
export const DIVISION_WEIGHTS: Readonly<Record<string, number>> = {
  "68": 14,
  "47": 9,
  "70": 7,
  "43": 7,
  "46": 5,
  "56": 5,
  "86": 5,
  "96": 4,
  "94": 4,
  "85": 3,
  "74": 3,
  "62": 3,
  "69": 2,
  "49": 2,
  "90": 2,
  "01": 4,
  "45": 2,
  "71": 2,
  "73": 1.5,
  "93": 1.5,
  "88": 1.5,
  "55": 1.5,
};
