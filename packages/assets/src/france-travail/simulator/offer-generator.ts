import type { FranceTravailOffer } from "../offer";
import { type Catalog, type Commune, getCatalog } from "./catalog";
import { DEPARTEMENT_CENTRES, departementSpread } from "./departement-centres";
import {
  AGENCIES,
  COMPANY_ACTIVITIES,
  COMPANY_FORMS,
  CONTRACT_TYPES,
  MISSION_LINES,
  NATURES,
  PROFILE_LINES,
  QUALIFICATIONS,
  SALARY_COMMENTS,
  SURNAMES,
  TRANCHES_EFFECTIF,
  WORKING_TIMES,
} from "./offer-values";
import {
  chance,
  hashSeed,
  pick,
  type Random,
  randomInt,
  seededRandom,
  WeightedPicker,
} from "./random";

/** What is fixed about an offer before its other fields are drawn. */
export interface OfferDraw {
  readonly id: string;
  readonly createdMs: number;
  readonly romeCode?: string;
  readonly departement?: string;
  /** Whether the offer may be located only as "France" (no département), as a few real ones. */
  readonly allowNationwide: boolean;
}

/** Small codes per offer for the `filtresPossibles` aggregations. */
export interface OfferFacets {
  readonly typeContrat: string;
  /** "1" less than a year, "2" one to three years, "3" more. */
  readonly experience: string;
  /** "9" cadre, "0" otherwise. */
  readonly qualification: string;
  readonly natureContrat: string;
}

export interface GeneratedOffer {
  readonly offer: FranceTravailOffer;
  readonly createdMs: number;
  readonly romeCode: string;
  readonly departement: string | undefined;
  readonly facets: OfferFacets;
}

/**
 * Draws realistic offers from the real reference lists. The pickers depend on the seed only,
 * so the most frequent ROME codes and NAF codes are the same every day, as in reality.
 */
export class OfferGenerator {
  private readonly catalog: Catalog;
  private readonly romes: WeightedPicker<{ code: string; libelle: string }>;
  private readonly romeLabels: Map<string, string>;
  private readonly nafs: WeightedPicker<{ code: string; libelle: string }>;
  private readonly contracts = new WeightedPicker(CONTRACT_TYPES, (c) => c.weight);
  private readonly qualifications = new WeightedPicker(QUALIFICATIONS, (q) => q.weight);
  private readonly workingTimes = new WeightedPicker(WORKING_TIMES, (w) => w.weight);
  private readonly communesByDepartement = new Map<string, WeightedPicker<Commune>>();

  constructor(seed: number) {
    this.catalog = getCatalog();
    const random = seededRandom(hashSeed(seed, "popularity"));
    // Zipf-like popularity: the métiers with the most offers in reality (cleaning, retail,
    // care, logistics…) first, then the others in a seeded order, a long tail carrying a
    // handful of offers each.
    const head = POPULAR_ROMES.flatMap((code) => this.catalog.romes.filter((r) => r.code === code));
    const tail = shuffle(
      this.catalog.romes.filter((r) => !POPULAR_ROMES.includes(r.code)),
      random,
    );
    this.romes = new WeightedPicker([...head, ...tail], (_, rank) => 1 / (rank + 6));
    this.romeLabels = new Map(this.catalog.romes.map((r) => [r.code, r.libelle]));
    this.nafs = new WeightedPicker(
      shuffle(this.catalog.nafs, random),
      (_, rank) => 1 / (rank + 10),
    );
  }

  generate(random: Random, draw: OfferDraw): GeneratedOffer {
    const rome = draw.romeCode
      ? { code: draw.romeCode, libelle: this.romeLabels.get(draw.romeCode) ?? draw.romeCode }
      : this.romes.pick(random);
    const location = this.location(random, draw);
    const contract = this.contracts.pick(random);
    const alternance = (contract.code === "CDD" || contract.code === "CDI") && chance(random, 0.06);
    const nature = alternance
      ? chance(random, 0.6)
        ? NATURES.apprentissage
        : NATURES.professionnalisation
      : contract.code === "DDI"
        ? NATURES.insertion
        : NATURES.travail;
    const typeContratLibelle = contract.unit
      ? contract.libelle.replace(
          "{n}",
          String(randomInt(random, 1, contract.code === "MIS" ? 6 : 12)),
        )
      : contract.libelle;
    const experience = this.experience(random);
    const qualification = this.qualifications.pick(random);
    const working = this.workingTimes.pick(random);
    const created = new Date(draw.createdMs).toISOString();
    const updated = chance(random, 0.6)
      ? created
      : new Date(draw.createdMs + randomInt(random, 60, 12 * 3600) * 1000).toISOString();
    const intitule = this.title(random, rome.libelle, alternance);
    const entreprise = this.company(random, contract.code);
    const naf = chance(random, 0.8) ? this.nafs.pick(random) : undefined;
    const salaire = this.salary(random, qualification.code);
    const offer: Record<string, unknown> = {
      id: draw.id,
      intitule,
      description: this.description(random, intitule, location.ville),
      dateCreation: created,
      dateActualisation: updated,
      lieuTravail: location.lieuTravail,
      romeCode: rome.code,
      romeLibelle: rome.libelle,
      appellationlibelle: rome.libelle,
      entreprise,
      typeContrat: contract.code,
      typeContratLibelle,
      natureContrat: nature.libelle,
      experienceExige: experience.code,
      experienceLibelle: experience.libelle,
      salaire,
      dureeTravailLibelle: working.libelle,
      dureeTravailLibelleConverti: working.converti,
      alternance,
      nombrePostes: chance(random, 0.88) ? 1 : randomInt(random, 2, 5),
      accessibleTH: chance(random, 0.05),
      qualificationCode: qualification.code,
      qualificationLibelle: qualification.libelle,
    };
    if (naf) {
      offer.codeNAF = naf.code;
      offer.secteurActivite = naf.code.slice(0, 2);
      offer.secteurActiviteLibelle = naf.libelle;
    }
    if (chance(random, 0.7)) offer.trancheEffectifEtab = pick(random, TRANCHES_EFFECTIF);
    offer.origineOffre = chance(random, 0.8)
      ? {
          origine: "1",
          urlOrigine: `https://candidat.francetravail.fr/offres/recherche/detail/${draw.id}`,
        }
      : {
          origine: "2",
          urlOrigine: `https://candidat.francetravail.fr/offres/recherche/detail/${draw.id}`,
          partenaires: [
            { nom: "PARTENAIRE EMPLOI", url: `https://emploi.example.org/offre/${draw.id}` },
          ],
        };
    offer.offresManqueCandidats = chance(random, 0.1);
    return {
      offer: offer as FranceTravailOffer,
      createdMs: draw.createdMs,
      romeCode: rome.code,
      departement: location.departement,
      facets: {
        typeContrat: contract.code,
        experience: experience.facet,
        qualification: qualification.code === "9" ? "9" : "0",
        natureContrat: nature.facet,
      },
    };
  }

  private location(
    random: Random,
    draw: OfferDraw,
  ): { lieuTravail: Record<string, unknown>; departement: string | undefined; ville: string } {
    const r = random();
    if (draw.allowNationwide && !draw.departement && r < 0.003) {
      return { lieuTravail: { libelle: "France" }, departement: undefined, ville: "France" };
    }
    const commune = draw.departement
      ? this.communesIn(draw.departement).pick(random)
      : this.catalog.communes.pick(random);
    const dep = commune.departement;
    const centre = DEPARTEMENT_CENTRES[dep] ?? [46.6, 2.4];
    if (r < 0.06) {
      // Known only at département level, as about one real offer in twenty.
      const libelle = this.catalog.departementByCode.get(dep)?.libelle ?? dep;
      return {
        lieuTravail: { libelle: `${dep} - ${libelle}`, latitude: centre[0], longitude: centre[1] },
        departement: dep,
        ville: libelle,
      };
    }
    const spread = departementSpread(dep);
    const h = hashSeed(commune.code);
    const latitude = round6(centre[0] + (((h & 0xffff) / 0xffff) * 2 - 1) * spread);
    const longitude = round6(centre[1] + (((h >>> 16) / 0xffff) * 2 - 1) * spread * 1.4);
    const lieuTravail: Record<string, unknown> = {
      libelle: `${dep} - ${commune.nom}`,
      latitude,
      longitude,
    };
    if (commune.codesPostaux.length > 0)
      lieuTravail.codePostal = pick(random, commune.codesPostaux);
    lieuTravail.commune = commune.code;
    return { lieuTravail, departement: dep, ville: commune.nom };
  }

  private communesIn(departement: string): WeightedPicker<Commune> {
    let picker = this.communesByDepartement.get(departement);
    if (!picker) {
      const communes = this.catalog.communes.items.filter((c) => c.departement === departement);
      if (communes.length === 0) throw new RangeError(`Unknown département "${departement}"`);
      picker = new WeightedPicker(communes, (c) => c.population);
      this.communesByDepartement.set(departement, picker);
    }
    return picker;
  }

  private experience(random: Random): { code: "D" | "E" | "S"; libelle: string; facet: string } {
    const r = random();
    if (r < 0.45) return { code: "D", libelle: "Débutant accepté", facet: "1" };
    const years = pick(random, [0, 1, 1, 2, 2, 3, 5]);
    const facet = years < 1 ? "1" : years <= 3 ? "2" : "3";
    const duration = years === 0 ? "6 Mois" : `${years} An(s)`;
    return r < 0.8
      ? { code: "E", libelle: `Expérience exigée de ${duration}`, facet }
      : {
          code: "S",
          libelle: `${years === 0 ? "6 mois" : `${years} an${years > 1 ? "s" : ""}`} - souhaitée`,
          facet,
        };
  }

  private title(random: Random, libelle: string, alternance: boolean): string {
    const base = alternance ? `Apprenti(e) - ${libelle}` : libelle;
    const suffix = pick(random, ["", " (H/F)", " H/F", " (F/H)"]);
    return chance(random, 0.15) ? `${base}${suffix}`.toUpperCase() : `${base}${suffix}`;
  }

  private company(random: Random, contract: string): Record<string, unknown> {
    const adapted = chance(random, 0.01);
    if (chance(random, 0.25)) return { entrepriseAdaptee: adapted };
    const nom =
      contract === "MIS"
        ? pick(random, AGENCIES)
        : `${pick(random, COMPANY_FORMS)} ${pick(random, SURNAMES)} ${pick(random, COMPANY_ACTIVITIES)}`.trim();
    return chance(random, 0.1)
      ? {
          nom,
          description: `${nom} recrute pour accompagner sa croissance.`,
          entrepriseAdaptee: adapted,
        }
      : { nom, entrepriseAdaptee: adapted };
  }

  private salary(random: Random, qualification: string): Record<string, string> {
    if (chance(random, 0.15)) return {};
    let libelle: string;
    if (qualification === "9") {
      const low = randomInt(random, 32, 60) * 1000;
      libelle = `Annuel de ${low.toFixed(2)} Euros à ${(low + randomInt(random, 2, 12) * 1000).toFixed(2)} Euros sur 12 mois`;
    } else if (chance(random, 0.35)) {
      libelle = `Horaire de ${(11.65 + randomInt(random, 0, 60) * 0.05).toFixed(2)} Euros sur 12 mois`;
    } else {
      const low = randomInt(random, 1800, 3200);
      libelle = `Mensuel de ${low.toFixed(2)} Euros à ${(low + randomInt(random, 1, 8) * 100).toFixed(2)} Euros sur 12 mois`;
    }
    return chance(random, 0.2)
      ? { libelle, commentaire: pick(random, SALARY_COMMENTS) }
      : { libelle };
  }

  private description(random: Random, intitule: string, ville: string): string {
    const missions = [pick(random, MISSION_LINES), pick(random, MISSION_LINES)];
    return [
      `Nous recherchons un(e) ${intitule.toLowerCase()} pour notre établissement de ${ville}.`,
      ...new Set(missions),
      pick(random, PROFILE_LINES),
    ].join("\n");
  }
}

/** ROME codes with the most offers, most frequent first (an approximation of published counts). */
const POPULAR_ROMES: readonly string[] = [
  "K2204",
  "D1106",
  "J1501",
  "N1103",
  "K1302",
  "G1603",
  "D1507",
  "N4101",
  "G1602",
  "D1505",
  "K1303",
  "J1506",
  "F1703",
  "M1607",
  "I1604",
  "F1602",
  "G1803",
  "N1105",
  "H3302",
  "M1203",
  "D1214",
  "K1304",
  "N4105",
  "M1805",
  "A1203",
];

function shuffle<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
