/**
 * The 21 sections of the NAF rév. 2 (INSEE, décret n° 2007-1888 du 26 décembre 2007), with the
 * divisions each one covers. The division-level package does not carry them, so they live here.
 * Labels are INSEE's (sentence case, as in its "naf2008_liste_n1" file); the decree prints
 * them in capitals.
 */
export interface NafSection {
  readonly code: string;
  readonly libelle: string;
  /** First and last division of the section, inclusive ("10", "33"). */
  readonly divisions: readonly [string, string];
}

export const NAF_SECTIONS: readonly NafSection[] = [
  { code: "A", libelle: "Agriculture, sylviculture et pêche", divisions: ["01", "03"] },
  { code: "B", libelle: "Industries extractives", divisions: ["05", "09"] },
  { code: "C", libelle: "Industrie manufacturière", divisions: ["10", "33"] },
  {
    code: "D",
    libelle: "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    divisions: ["35", "35"],
  },
  {
    code: "E",
    libelle:
      "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
    divisions: ["36", "39"],
  },
  { code: "F", libelle: "Construction", divisions: ["41", "43"] },
  {
    code: "G",
    libelle: "Commerce ; réparation d'automobiles et de motocycles",
    divisions: ["45", "47"],
  },
  { code: "H", libelle: "Transports et entreposage", divisions: ["49", "53"] },
  { code: "I", libelle: "Hébergement et restauration", divisions: ["55", "56"] },
  { code: "J", libelle: "Information et communication", divisions: ["58", "63"] },
  { code: "K", libelle: "Activités financières et d'assurance", divisions: ["64", "66"] },
  { code: "L", libelle: "Activités immobilières", divisions: ["68", "68"] },
  {
    code: "M",
    libelle: "Activités spécialisées, scientifiques et techniques",
    divisions: ["69", "75"],
  },
  {
    code: "N",
    libelle: "Activités de services administratifs et de soutien",
    divisions: ["77", "82"],
  },
  { code: "O", libelle: "Administration publique", divisions: ["84", "84"] },
  { code: "P", libelle: "Enseignement", divisions: ["85", "85"] },
  { code: "Q", libelle: "Santé humaine et action sociale", divisions: ["86", "88"] },
  { code: "R", libelle: "Arts, spectacles et activités récréatives", divisions: ["90", "93"] },
  { code: "S", libelle: "Autres activités de services", divisions: ["94", "96"] },
  {
    code: "T",
    libelle:
      "Activités des ménages en tant qu'employeurs ; activités indifférenciées des ménages en tant que producteurs de biens et services pour usage propre",
    divisions: ["97", "98"],
  },
  { code: "U", libelle: "Activités extra-territoriales", divisions: ["99", "99"] },
];

/** The section of a division code ("47" → "G"), or undefined for a code outside every range. */
export function sectionOfDivision(division: string): string | undefined {
  return NAF_SECTIONS.find((s) => division >= s.divisions[0] && division <= s.divisions[1])?.code;
}
