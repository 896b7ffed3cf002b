"""The distributions the generator draws from: kinds of case and each node's mix.

Every value is a machine code of ``shared.codes`` (a test checks that each
exists), so generated data goes through the same aggregation as real data.
The figures are plausible orders of magnitude, not statistics: see
docs/synthetic-data.md for what they mean and where they come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Weights = dict[str, float]


@dataclass(frozen=True)
class Occupation:
    """A kind of defendant: occupation code, relationship to survivors, roles."""

    occupation: str
    relationship: str
    roles: tuple[str, ...]
    nationality: Weights
    sex: Weights = field(default_factory=lambda: {"Male": 0.9, "Female": 0.1})
    legal_person: float = 0.0


@dataclass(frozen=True)
class Kind:
    """One recognisable kind of case: who the survivors are and what was done to them."""

    form: str
    subtypes: Weights
    sites: Weights
    recruitment: Weights
    means: Weights
    male_share: float
    ages: tuple[int, int]
    victims: Weights  # "1", "2-4", "5-9", "10-30": the number of survivors in one case
    origins: Weights  # country (ISO alpha-2) or Senegal region (ISO 3166-2:SN)
    defendants: tuple[Occupation, ...]
    charges: Weights  # offence -> chance that it is charged (the first is always charged)
    sources: Weights
    talibe: bool = False
    summary: str = ""


SN_SOURCES = ("SN-KD", "SN-KL", "SN-DB", "SN-LG", "SN-MT", "SN-FK", "SN-KA", "SN-SE", "SN-TC")

MARABOUT = Occupation(
    "quranic_teacher",
    "QuranicTeacher",
    ("Exploiter", "ReceivedIndividual", "HarbouredIndividual"),
    {"SN": 0.75, "GW": 0.15, "GN": 0.05, "GM": 0.05},
    {"Male": 1.0},
)
MARABOUT_AIDE = Occupation(
    "other", "Other", ("ControlledIndividual", "Abuser"), {"SN": 0.8, "GW": 0.2}, {"Male": 1.0}
)
RELATIVE = Occupation(
    "relative",
    "Family",
    ("RecruiterOrIntermediary", "TransferredIndividual"),
    {"SN": 0.7, "GW": 0.15, "GN": 0.1, "ML": 0.05},
    {"Male": 0.6, "Female": 0.4},
)
MINE_OPERATOR = Occupation(
    "gold_mine_operator",
    "Employer",
    ("Exploiter", "HarbouredIndividual"),
    {"SN": 0.45, "ML": 0.25, "GN": 0.2, "BF": 0.1},
    legal_person=0.1,
)
TRANSPORTER = Occupation(
    "transporter",
    "Other",
    ("Transporter", "Smuggler"),
    {"SN": 0.4, "ML": 0.3, "GN": 0.2, "GM": 0.1},
)
RECRUITER = Occupation(
    "recruiter_agent",
    "Other",
    ("RecruiterOrIntermediary", "BrokerTravelAgent"),
    {"NG": 0.5, "SN": 0.2, "GN": 0.15, "ML": 0.15},
    {"Male": 0.5, "Female": 0.5},
)
PROCURER = Occupation(
    "bar_owner",
    "Other",
    ("Exploiter", "ControlledIndividual"),
    {"NG": 0.45, "SN": 0.35, "GN": 0.1, "ML": 0.1},
    {"Male": 0.45, "Female": 0.55},
)
DOMESTIC_EMPLOYER = Occupation(
    "domestic_employer",
    "Employer",
    ("Exploiter", "ReceivedIndividual"),
    {"SN": 0.95, "GW": 0.05},
    {"Male": 0.35, "Female": 0.65},
)
EMPLOYER = Occupation("employer", "Employer", ("Exploiter",), {"SN": 0.8, "GN": 0.1, "ML": 0.1})

KINDS: dict[str, Kind] = {
    "talibe_begging": Kind(
        form="begging",
        subtypes={"talibe_begging": 1},
        sites={"daara": 0.55, "street": 0.45},
        recruitment={
            "Familial": 0.55,
            "EducationalFacility": 0.3,
            "PosingAsBenefactor": 0.1,
            "Unknown": 0.05,
        },
        means={
            "TakesEarnings": 0.9,
            "PhysicalAbuse": 0.55,
            "WithholdsNecessities": 0.45,
            "RestrictsMovement": 0.3,
            "ExcessiveWorkingHours": 0.35,
            "Threats": 0.3,
            "RestrictsMedicalCare": 0.15,
            "PsychologicalAbuse": 0.2,
        },
        male_share=0.99,
        ages=(5, 15),
        victims={"1": 0.4, "2-4": 0.33, "5-9": 0.18, "10-25": 0.09},
        origins={"GW": 0.2, "GN": 0.08, "GM": 0.07, "ML": 0.05, **dict.fromkeys(SN_SOURCES, 0.067)},
        defendants=(MARABOUT, MARABOUT_AIDE),
        charges={
            "L2005-06-art3": 1,
            "cp_violence_minor": 0.25,
            "cp_endangerment": 0.15,
            "L2005-06-art2": 0.05,
        },
        sources={
            "police": 0.35,
            "social_services": 0.25,
            "ngo": 0.2,
            "gendarmerie": 0.1,
            "hotline": 0.05,
            "shelter": 0.05,
        },
        talibe=True,
        summary="Enfants talibés contraints à la mendicité par le maître coranique.",
    ),
    "child_begging": Kind(
        form="begging",
        subtypes={"": 1},
        sites={"street": 0.8, "market": 0.2},
        recruitment={"Familial": 0.7, "PosingAsBenefactor": 0.2, "Unknown": 0.1},
        means={
            "TakesEarnings": 0.9,
            "PhysicalAbuse": 0.3,
            "UsesChildren": 0.4,
            "WithholdsNecessities": 0.3,
        },
        male_share=0.55,
        ages=(4, 14),
        victims={"1": 0.6, "2-4": 0.4},
        origins={"SN": 0.5, "GW": 0.2, "GN": 0.15, "ML": 0.15},
        defendants=(RELATIVE,),
        charges={"L2005-06-art3": 1, "cp_endangerment": 0.2},
        sources={"police": 0.5, "social_services": 0.3, "ngo": 0.2},
        summary="Enfant contraint à mendier au profit d'un adulte.",
    ),
    "gold_mine_labour": Kind(
        form="forced_labour",
        subtypes={"gold_panning": 0.85, "MiningOrDrilling": 0.15},
        sites={"gold_panning_site": 1},
        recruitment={
            "JobOffer": 0.45,
            "Smuggling": 0.2,
            "Familial": 0.15,
            "Work": 0.1,
            "Unknown": 0.1,
        },
        means={
            "DebtBondage": 0.5,
            "ExcessiveWorkingHours": 0.6,
            "TakesEarnings": 0.45,
            "WithholdsDocuments": 0.3,
            "Threats": 0.35,
            "FalsePromises": 0.35,
            "RestrictsMovement": 0.25,
            "PhysicalAbuse": 0.2,
        },
        male_share=0.85,
        ages=(11, 30),
        victims={"1": 0.35, "2-4": 0.4, "5-9": 0.2, "10-30": 0.05},
        origins={
            "ML": 0.3,
            "GN": 0.25,
            "BF": 0.15,
            "SN-KE": 0.1,
            "SN-TC": 0.1,
            "SN-KD": 0.05,
            "NG": 0.05,
        },
        defendants=(MINE_OPERATOR, TRANSPORTER),
        charges={
            "L2005-06-art1": 1,
            "L2005-06-art4": 0.2,
            "ct_child_labour": 0.3,
            "cp_criminal_association": 0.1,
        },
        sources={"gendarmerie": 0.5, "labour_inspection": 0.2, "border_police": 0.15, "ngo": 0.15},
        summary="Travail forcé sur un site d'orpaillage.",
    ),
    "mine_sexual": Kind(
        form="sexual_exploitation",
        subtypes={"Prostitution": 0.9, "PrivateSexualServices": 0.1},
        sites={"gold_panning_site": 0.5, "bar_hotel": 0.5},
        recruitment={
            "JobOffer": 0.55,
            "IntimatePartner": 0.1,
            "PosingAsBenefactor": 0.15,
            "Smuggling": 0.1,
            "Unknown": 0.1,
        },
        means={
            "DebtBondage": 0.7,
            "WithholdsDocuments": 0.5,
            "FalsePromises": 0.6,
            "Threats": 0.4,
            "RestrictsMovement": 0.35,
            "TakesEarnings": 0.5,
            "SexualAbuse": 0.3,
            "PsychoactiveSubstances": 0.15,
            "ThreatOfLawEnforcement": 0.2,
        },
        male_share=0.0,
        ages=(15, 28),
        victims={"1": 0.45, "2-4": 0.4, "5-9": 0.15},
        origins={
            "NG": 0.55,
            "GN": 0.12,
            "ML": 0.1,
            "BF": 0.08,
            "SN-KE": 0.05,
            "SN-TC": 0.05,
            "GM": 0.05,
        },
        defendants=(PROCURER, RECRUITER),
        charges={
            "L2005-06-art1": 1,
            "cp_procuring": 0.6,
            "L2005-06-art2": 0.15,
            "L2005-06-art4": 0.1,
        },
        sources={
            "gendarmerie": 0.45,
            "police": 0.2,
            "ngo": 0.2,
            "border_police": 0.1,
            "hotline": 0.05,
        },
        summary="Exploitation sexuelle autour des sites d'orpaillage.",
    ),
    "urban_sexual": Kind(
        form="sexual_exploitation",
        subtypes={
            "Prostitution": 0.75,
            "PrivateSexualServices": 0.1,
            "RemoteInteractiveServices": 0.1,
            "Pornography": 0.05,
        },
        sites={"bar_hotel": 0.6, "household": 0.2, "street": 0.2},
        recruitment={
            "JobOffer": 0.35,
            "Internet": 0.15,
            "IntimatePartner": 0.2,
            "PosingAsBenefactor": 0.15,
            "Familial": 0.05,
            "Unknown": 0.1,
        },
        means={
            "FalsePromises": 0.5,
            "TakesEarnings": 0.5,
            "Threats": 0.4,
            "DebtBondage": 0.35,
            "SexualAbuse": 0.35,
            "PsychologicalAbuse": 0.3,
            "WithholdsDocuments": 0.25,
            "PsychoactiveSubstances": 0.1,
        },
        male_share=0.05,
        ages=(13, 27),
        victims={"1": 0.6, "2-4": 0.35, "5-9": 0.05},
        origins={"SN": 0.5, "NG": 0.25, "GN": 0.1, "ML": 0.05, "GM": 0.05, "SN-KD": 0.05},
        defendants=(PROCURER, RECRUITER),
        charges={"L2005-06-art1": 1, "cp_procuring": 0.5, "cp_paedophilia": 0.1, "cp_rape": 0.05},
        sources={
            "police": 0.5,
            "ngo": 0.2,
            "hotline": 0.15,
            "gendarmerie": 0.1,
            "self_report": 0.05,
        },
        summary="Exploitation sexuelle en milieu urbain.",
    ),
    "domestic_servitude": Kind(
        form="forced_labour",
        subtypes={"DomesticWork": 1},
        sites={"household": 1},
        recruitment={"Familial": 0.45, "JobOffer": 0.3, "PosingAsBenefactor": 0.15, "Unknown": 0.1},
        means={
            "ExcessiveWorkingHours": 0.7,
            "TakesEarnings": 0.5,
            "RestrictsMovement": 0.35,
            "PhysicalAbuse": 0.35,
            "WithholdsNecessities": 0.3,
            "PsychologicalAbuse": 0.3,
            "SexualAbuse": 0.1,
            "WithholdsDocuments": 0.1,
        },
        male_share=0.05,
        ages=(8, 19),
        victims={"1": 0.85, "2-4": 0.15},
        origins={
            "SN-KD": 0.15,
            "SN-SE": 0.1,
            "SN-ZG": 0.1,
            "SN-KA": 0.1,
            "SN-FK": 0.1,
            "SN-KL": 0.05,
            "GW": 0.2,
            "GN": 0.1,
            "GM": 0.05,
            "ML": 0.05,
        },
        defendants=(DOMESTIC_EMPLOYER, RELATIVE),
        charges={"L2005-06-art1-minor": 1, "cp_violence_minor": 0.2, "ct_child_labour": 0.3},
        sources={
            "social_services": 0.35,
            "ngo": 0.25,
            "police": 0.2,
            "hotline": 0.15,
            "self_report": 0.05,
        },
        summary="Jeune fille employée comme domestique sans salaire ni liberté.",
    ),
    "other_labour": Kind(
        form="forced_labour",
        subtypes={
            "Agriculture": 0.35,
            "Aquafarming": 0.15,
            "Peddling": 0.25,
            "Construction": 0.15,
            "Hospitality": 0.1,
        },
        sites={"farm": 0.35, "fishing": 0.15, "market": 0.3, "other": 0.2},
        recruitment={"JobOffer": 0.45, "Familial": 0.3, "Work": 0.15, "Unknown": 0.1},
        means={
            "ExcessiveWorkingHours": 0.7,
            "TakesEarnings": 0.5,
            "DebtBondage": 0.3,
            "Threats": 0.3,
            "WithholdsDocuments": 0.15,
            "PhysicalAbuse": 0.2,
        },
        male_share=0.75,
        ages=(10, 35),
        victims={"1": 0.5, "2-4": 0.4, "5-9": 0.1},
        origins={"SN": 0.4, "GN": 0.2, "ML": 0.15, "GW": 0.15, "BF": 0.1},
        defendants=(EMPLOYER, TRANSPORTER),
        charges={"L2005-06-art1": 1, "ct_child_labour": 0.3},
        sources={"labour_inspection": 0.35, "police": 0.25, "gendarmerie": 0.25, "ngo": 0.15},
        summary="Travail forcé.",
    ),
    "forced_marriage": Kind(
        form="forced_marriage",
        subtypes={"": 1},
        sites={"household": 1},
        recruitment={"Familial": 0.85, "InternationalMarriageBroker": 0.05, "Unknown": 0.1},
        means={
            "Threats": 0.5,
            "RestrictsMovement": 0.5,
            "SexualAbuse": 0.4,
            "PsychologicalAbuse": 0.4,
        },
        male_share=0.0,
        ages=(12, 17),
        victims={"1": 1},
        origins={"SN": 0.5, "SN-MT": 0.15, "SN-KD": 0.15, "GN": 0.1, "GW": 0.1},
        defendants=(RELATIVE,),
        charges={"L2005-06-art1-minor": 1, "cp_rape": 0.2},
        sources={"social_services": 0.4, "ngo": 0.35, "hotline": 0.15, "self_report": 0.1},
        summary="Mariage forcé d'une mineure.",
    ),
    "forced_criminality": Kind(
        form="forced_criminality",
        subtypes={"": 1},
        sites={"street": 0.7, "market": 0.3},
        recruitment={"PosingAsBenefactor": 0.4, "PublicArea": 0.3, "Unknown": 0.3},
        means={
            "UsesChildren": 0.6,
            "Threats": 0.5,
            "PsychoactiveSubstances": 0.3,
            "TakesEarnings": 0.4,
        },
        male_share=0.85,
        ages=(11, 19),
        victims={"1": 0.6, "2-4": 0.4},
        origins={"SN": 0.7, "GN": 0.15, "GM": 0.15},
        defendants=(EMPLOYER,),
        charges={"L2005-06-art1-minor": 1, "cp_criminal_association": 0.4},
        sources={"police": 0.7, "gendarmerie": 0.2, "ngo": 0.1},
        summary="Mineurs contraints à commettre des délits.",
    ),
}

# Mix of kinds by jurisdiction. Dakar and Thiès: begging and domestic servitude;
# Saint-Louis: begging, Mauritania and Gambia routes; Tambacounda and Kédougou:
# gold-panning sites and cross-border cases.
_URBAN: Weights = {
    "talibe_begging": 0.48,
    "child_begging": 0.05,
    "domestic_servitude": 0.2,
    "urban_sexual": 0.12,
    "other_labour": 0.06,
    "forced_marriage": 0.03,
    "forced_criminality": 0.04,
    "gold_mine_labour": 0.01,
    "mine_sexual": 0.01,
}
_NORTH: Weights = {
    "talibe_begging": 0.6,
    "child_begging": 0.05,
    "domestic_servitude": 0.1,
    "urban_sexual": 0.07,
    "other_labour": 0.1,
    "forced_marriage": 0.06,
    "forced_criminality": 0.02,
}
_EAST: Weights = {
    "talibe_begging": 0.36,
    "child_begging": 0.03,
    "gold_mine_labour": 0.22,
    "mine_sexual": 0.15,
    "domestic_servitude": 0.08,
    "other_labour": 0.1,
    "forced_marriage": 0.04,
    "urban_sexual": 0.02,
}
_MINES: Weights = {
    "talibe_begging": 0.22,
    "child_begging": 0.02,
    "gold_mine_labour": 0.36,
    "mine_sexual": 0.26,
    "domestic_servitude": 0.05,
    "other_labour": 0.05,
    "forced_marriage": 0.04,
}
_DEFAULT: Weights = {
    "talibe_begging": 0.5,
    "child_begging": 0.05,
    "domestic_servitude": 0.15,
    "urban_sexual": 0.06,
    "other_labour": 0.14,
    "forced_marriage": 0.06,
    "forced_criminality": 0.02,
    "gold_mine_labour": 0.02,
}

MIX_BY_JURISDICTION: dict[str, Weights] = {
    "SN-TGI-DKR": _URBAN,
    "SN-TGI-PKG": _URBAN,
    "SN-TGI-THS": _URBAN,
    "SN-TGI-MBR": _URBAN,
    "SN-TGI-STL": _NORTH,
    "SN-TGI-LGA": _NORTH,
    "SN-TGI-MTM": _NORTH,
    "SN-TGI-TAM": _EAST,
    "SN-TGI-KED": _MINES,
}

# Foreign countries a case's journey passes through, by jurisdiction (transit events).
TRANSIT_BY_JURISDICTION: dict[str, Weights] = {
    "SN-TGI-STL": {"MR": 0.6, "GM": 0.4},
    "SN-TGI-LGA": {"MR": 1},
    "SN-TGI-TAM": {"ML": 0.5, "GM": 0.3, "GN": 0.2},
    "SN-TGI-KED": {"ML": 0.6, "GN": 0.4},
    "SN-TGI-ZIG": {"GW": 0.6, "GM": 0.4},
    "SN-TGI-KLD": {"GW": 0.7, "GM": 0.3},
}

# The site a labour subtype happens at, when the subtype decides it.
SITE_BY_SUBTYPE: dict[str, str] = {
    "Agriculture": "farm",
    "Aquafarming": "fishing",
    "Peddling": "market",
    "Construction": "other",
    "Hospitality": "bar_hotel",
}

REFERRAL_ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "shelter": ("Centre Ginddi", "Empire des Enfants", "Maison de la Gare", "Centre AEMO"),
    "medical": ("Hôpital régional", "Centre de santé", "Poste de santé"),
    "psychosocial": ("Centre AEMO", "Samusocial Sénégal", "Centre Ginddi"),
    "legal_aid": ("Association des juristes sénégalaises", "Barreau - aide juridictionnelle"),
    "family_tracing": ("Croix-Rouge", "Service social", "OIM"),
    "repatriation": ("OIM", "Consulat", "Croix-Rouge"),
    "reintegration": ("OIM", "Service social", "Association locale"),
    "education": ("École publique", "Centre de formation"),
    "vocational_training": ("Centre de formation professionnelle",),
    "other": ("Association locale",),
}
