"""Senegalese and West-African names, and how one register or another writes them.

Why a table and not a faker: the linkage tokens and the node's duplicate search
only earn their keep on names that behave like the real ones (DOMAIN.md,
"Identifying a person"): a few very common names (Mamadou Diallo, Fatou Diop),
French, English (the Gambia) and Portuguese (Guinea-Bissau) spellings of the
same Fula, Wolof or Mandinka name, the family name first in capitals, short
and long given names, compound given names of which one register keeps one
part, and typing slips.

``LINKABLE`` variants are spellings that ``shared.pseudonym.normalise_name``
unifies (a test checks each one): a person written with them in two
jurisdictions gets the same national linkage token. Compound reduction and
typing slips other than a doubled letter are not unified, exactly as in real
registers; the generator applies them only to persons who appear once.
"""

from __future__ import annotations

import random

# Family names by group, most common first (the first ones weigh more).
FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "wolof": (
        "Ndiaye",
        "Diop",
        "Fall",
        "Gueye",
        "Mbaye",
        "Seck",
        "Sy",
        "Niang",
        "Thiam",
        "Cissé",
        "Lo",
        "Kane",
        "Sow",
        "Mbengue",
        "Samb",
        "Ndour",
        "Wade",
        "Dieng",
        "Sall",
        "Touré",
        "Diagne",
        "Mboup",
        "Lèye",
        "Thiaw",
    ),
    "serer": (
        "Sarr",
        "Faye",
        "Diouf",
        "Ndong",
        "Sène",
        "Diène",
        "Tine",
        "Ngom",
        "Dione",
        "Senghor",
        "Thiaw",
        "Ndour",
    ),
    "fula": (
        "Diallo",
        "Bâ",
        "Sow",
        "Barry",
        "Baldé",
        "Diao",
        "Kandé",
        "Sidibé",
        "Bah",
        "Diallo",
        "Embaló",
        "Kâ",
        "Ly",
        "Wane",
        "Sy",
        "Dia",
        "Mballo",
        "Djigo",
        "Sabaly",
        "Baldé",
    ),
    "mandinka": (
        "Camara",
        "Keita",
        "Touré",
        "Sané",
        "Sonko",
        "Dabo",
        "Cissokho",
        "Dramé",
        "Fofana",
        "Sylla",
        "Mané",
        "Konaté",
        "Diatta",
        "Danfa",
        "Diakhaté",
        "Jammeh",
        "Darboe",
        "Manneh",
        "Bojang",
        "Ceesay",
    ),
    "jola": (
        "Diatta",
        "Badji",
        "Sagna",
        "Coly",
        "Bassène",
        "Manga",
        "Diédhiou",
        "Goudiaby",
        "Sambou",
        "Tendeng",
    ),
    "bambara": (
        "Traoré",
        "Coulibaly",
        "Keita",
        "Diarra",
        "Konaté",
        "Sangaré",
        "Dembélé",
        "Sissoko",
        "Doumbia",
        "Kanté",
        "Maïga",
        "Cissé",
        "Diakité",
        "Touré",
    ),
    "guinean": (
        "Diallo",
        "Bah",
        "Barry",
        "Camara",
        "Condé",
        "Soumah",
        "Sylla",
        "Bangoura",
        "Keita",
        "Kourouma",
        "Touré",
        "Baldé",
        "Sow",
        "Cissé",
    ),
    "mossi": (
        "Ouédraogo",
        "Sawadogo",
        "Kaboré",
        "Compaoré",
        "Zongo",
        "Traoré",
        "Ouattara",
        "Nikiéma",
        "Ilboudo",
    ),
    "nigerian": (
        "Okafor",
        "Eze",
        "Adeyemi",
        "Osagie",
        "Omoregie",
        "Igbinedion",
        "Okon",
        "Obi",
        "Okonkwo",
        "Adebayo",
        "Edosa",
        "Uwadia",
        "Ogbeide",
        "Aigbe",
        "Ehigiator",
        "Obaseki",
        "Nwosu",
        "Okeke",
        "Eghosa",
        "Iyamu",
        "Ojo",
        "Ogunleye",
    ),
}

MALE_GIVEN: dict[str, tuple[str, ...]] = {
    "muslim": (
        "Mamadou",
        "Moussa",
        "Ibrahima",
        "Ousmane",
        "Abdoulaye",
        "Cheikh",
        "Modou",
        "Alioune",
        "Amadou",
        "Babacar",
        "Boubacar",
        "Souleymane",
        "Omar",
        "Assane",
        "Lamine",
        "Saliou",
        "Pape",
        "Moustapha",
        "Malick",
        "Mouhamed",
        "Aliou",
        "Samba",
        "Demba",
        "Thierno",
        "Alpha",
        "Seydou",
        "Bakary",
        "Issa",
        "Lansana",
        "Sékou",
        "Abdou",
        "Khadim",
        "Fallou",
        "Bassirou",
        "Idrissa",
        "Djibril",
        "Oumar",
        "Adama",
        "Mamadou Lamine",
        "Serigne Modou",
        "Pape Malick",
        "Cheikh Tidiane",
        "Mouhamadou Moustapha",
        "El Hadji Malick",
        "Mamadou Saliou",
        "Alpha Oumar",
    ),
    "mossi": ("Issouf", "Salif", "Rasmané", "Boukary", "Adama", "Moussa", "Idrissa", "Hamidou"),
    "nigerian": (
        "Emeka",
        "Chukwuemeka",
        "Tunde",
        "Ifeanyi",
        "Osas",
        "Samuel",
        "Daniel",
        "Musa",
        "Ibrahim",
        "Sunday",
    ),
}

FEMALE_GIVEN: dict[str, tuple[str, ...]] = {
    "muslim": (
        "Fatou",
        "Fatoumata",
        "Aminata",
        "Awa",
        "Mariama",
        "Khady",
        "Aïssatou",
        "Ndèye",
        "Adama",
        "Astou",
        "Coumba",
        "Binta",
        "Rokhaya",
        "Sokhna",
        "Dieynaba",
        "Kadiatou",
        "Oumou",
        "Hawa",
        "Marième",
        "Maïmouna",
        "Ramatoulaye",
        "Seynabou",
        "Nafi",
        "Penda",
        "Yacine",
        "Bineta",
        "Dior",
        "Khadija",
        "Ami",
        "Nogaye",
        "Ngoné",
        "Aïda",
        "Mame Diarra",
        "Ndèye Fatou",
        "Mame Fatou",
        "Fatou Bintou",
    ),
    "mossi": ("Salimata", "Rasmata", "Aminata", "Mariam", "Awa", "Zenabo", "Fatimata"),
    "nigerian": (
        "Blessing",
        "Joy",
        "Precious",
        "Favour",
        "Gift",
        "Mercy",
        "Esther",
        "Chioma",
        "Ngozi",
        "Peace",
        "Glory",
        "Osas",
        "Happiness",
        "Faith",
        "Patience",
        "Success",
        "Princess",
        "Comfort",
        "Ifeoma",
        "Adaeze",
        "Omosede",
        "Efosa",
        "Itohan",
    ),
}

# Group weights by country of origin; Senegal's by region (ISO 3166-2:SN).
GROUPS_BY_ORIGIN: dict[str, dict[str, float]] = {
    "SN": {"wolof": 5, "fula": 3, "serer": 2, "mandinka": 1.5, "jola": 1},
    "SN-KD": {"fula": 6, "mandinka": 2, "jola": 1},
    "SN-SE": {"mandinka": 4, "fula": 2, "jola": 2},
    "SN-ZG": {"jola": 5, "mandinka": 2, "fula": 1},
    "SN-TC": {"fula": 4, "mandinka": 3, "wolof": 1},
    "SN-KE": {"fula": 4, "mandinka": 3},
    "SN-MT": {"fula": 8, "wolof": 1},
    "SN-SL": {"wolof": 4, "fula": 4},
    "SN-LG": {"wolof": 6, "fula": 2},
    "SN-DB": {"wolof": 8, "serer": 1},
    "SN-FK": {"serer": 6, "wolof": 2},
    "SN-KL": {"wolof": 5, "serer": 2, "fula": 2},
    "SN-KA": {"wolof": 5, "fula": 2, "serer": 1},
    "SN-TH": {"wolof": 5, "serer": 3},
    "SN-DK": {"wolof": 6, "serer": 2, "fula": 2, "jola": 1},
    "GW": {"fula": 6, "mandinka": 3},
    "GM": {"mandinka": 4, "wolof": 3, "fula": 3},
    "GN": {"guinean": 1},
    "ML": {"bambara": 5, "fula": 1},
    "BF": {"mossi": 1},
    "NG": {"nigerian": 1},
    "MR": {"fula": 3, "wolof": 1},
}

# Spellings of one name that normalise_name unifies (tests/node/seed checks each).
LINKABLE: dict[str, tuple[str, ...]] = {
    "Ndiaye": ("N'Diaye", "Njie", "N Diaye"),
    "Diallo": ("Djaló", "Jallow"),
    "Diop": ("Jobe",),
    "Cissé": ("Cisse", "Ceesay"),
    "Touré": ("Toure", "Touray"),
    "Camara": ("Kamara",),
    "Sylla": ("Silla",),
    "Bâ": ("Ba", "Bah"),
    "Baldé": ("Balde", "Baldeh"),
    "Sow": ("Sowe",),
    "Diouf": ("Joof",),
    "Thiam": ("Cham",),
    "Mbaye": ("M'Baye",),
    "Diatta": ("Jatta",),
    "Sané": ("Sanneh", "Sane"),
    "Dramé": ("Drammeh",),
    "Keita": ("Keïta",),
    "Sidibé": ("Sidibeh",),
    "Kandé": ("Kande", "Kandeh"),
    "Mané": ("Manneh",),
    "Konaté": ("Konateh",),
    "Diakhaté": ("Jakhateh",),
    "Traoré": ("Traore",),
    "Embaló": ("Embalo",),
    "Sène": ("Sene",),
    "Lèye": ("Leye",),
    "Dembélé": ("Dembele",),
    "Mouhamed": ("Mohamed", "Muhammad", "Mohammed"),
    "Fatou": ("Fatoumata", "Fatu"),
    "Fatoumata": ("Fatou", "Fatoumatta"),
    "Modou": ("Mamadou", "Momodou"),
    "Mamadou": ("Momodou", "Modou"),
    "Ousmane": ("Usman", "Ousman"),
    "Ibrahima": ("Ebrima",),
    "Abdoulaye": ("Abdoulie",),
    "Boubacar": ("Abubakar", "Aboubacar"),
    "Cheikh": ("Sheikh",),
    "Aliou": ("Alieu",),
    "Omar": ("Oumar",),
    "Oumar": ("Omar", "Umar"),
    "Khady": ("Khadija", "Haddy"),
    "Khadija": ("Khady",),
    "Mariama": ("Mariam",),
    "Aminata": ("Aminatou",),
    "Babacar": ("Babucarr",),
    "Souleymane": ("Suleiman",),
    "Lamine": ("Lamin",),
    "Moussa": ("Musa",),
    "Ndèye": ("Ndeye", "Ndey"),
    "Saliou": ("Saliu",),
    "Malick": ("Malik",),
    "Yacine": ("Yassin",),
    "Coumba": ("Kumba",),
    "Sékou": ("Sekou", "Seku"),
    "Oumou": ("Umu",),
    "Maïmouna": ("Maimuna",),
    "Marième": ("Mariem",),
    "Aïssatou": ("Aissatou",),
}

PLACES: dict[str, tuple[str, ...]] = {
    "SN-DK": ("Médina", "Pikine", "Guédiawaye", "Grand Yoff", "Parcelles Assainies", "Rufisque"),
    "SN-TH": ("Thiès", "Mbour", "Tivaouane", "Joal", "Khombole"),
    "SN-DB": ("Diourbel", "Touba", "Mbacké", "Bambey"),
    "SN-LG": ("Louga", "Kébémer", "Linguère"),
    "SN-SL": ("Saint-Louis", "Richard-Toll", "Dagana", "Podor"),
    "SN-MT": ("Matam", "Ourossogui", "Kanel"),
    "SN-KL": ("Kaolack", "Nioro du Rip", "Guinguinéo"),
    "SN-KA": ("Kaffrine", "Koungheul"),
    "SN-FK": ("Fatick", "Foundiougne", "Gossas"),
    "SN-KD": ("Kolda", "Vélingara", "Médina Yoro Foulah"),
    "SN-SE": ("Sédhiou", "Goudomp", "Bounkiling"),
    "SN-ZG": ("Ziguinchor", "Bignona", "Oussouye"),
    "SN-TC": ("Tambacounda", "Bakel", "Goudiry", "Koumpentoum"),
    "SN-KE": ("Kédougou", "Saraya", "Salémata", "Bantako", "Khossanto", "Sabodala"),
    "GW": ("Bafatá", "Gabú", "Bissau", "Contuboel", "Pirada"),
    "GM": ("Serrekunda", "Brikama", "Basse", "Farafenni"),
    "GN": ("Labé", "Conakry", "Kankan", "Siguiri", "Pita"),
    "ML": ("Kayes", "Bamako", "Kéniéba", "Sikasso"),
    "BF": ("Ouagadougou", "Bobo-Dioulasso", "Kaya"),
    "NG": ("Benin City", "Lagos", "Edo", "Ibadan"),
    "MR": ("Rosso", "Nouakchott", "Kaédi"),
}


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    """One key drawn with its weight (dict order is the draw order, so it is deterministic)."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def zipf(rng: random.Random, names: tuple[str, ...]) -> str:
    """A name drawn with weight 1/rank: a few names are very common, as in real registers."""
    return rng.choices(names, weights=[1 / (rank + 1) for rank in range(len(names))])[0]


def group_for(rng: random.Random, origin: str) -> str:
    return weighted(rng, GROUPS_BY_ORIGIN.get(origin, GROUPS_BY_ORIGIN["SN"]))


def given_pool(group: str, sex: str) -> tuple[str, ...]:
    table = MALE_GIVEN if sex == "Male" else FEMALE_GIVEN
    return table.get(group, table["muslim"])


def linkable_spelling(rng: random.Random, name: str) -> str:
    """The name as one register writes it, among spellings the linkage unifies."""
    words = []
    for word in name.split():
        variants = LINKABLE.get(word, ())
        words.append(rng.choice(variants) if variants and rng.random() < 0.4 else word)
    return " ".join(words)


def register_family(rng: random.Random, family: str) -> str:
    """Clerks often write the family name in capitals (``NDIAYE Fatou``)."""
    return family.upper() if rng.random() < 0.35 else family


def slipped(rng: random.Random, name: str) -> str:
    """An ordinary typing slip: two letters swapped, one dropped or one doubled."""
    if len(name) < 4:
        return name
    at = rng.randrange(1, len(name) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    if kind == 1:
        return name[:at] + name[at + 1 :]
    return name[:at] + name[at] + name[at:]


def one_part(rng: random.Random, given: str) -> str:
    """A compound given name of which this register keeps one part (Mame Diarra -> Diarra)."""
    parts = given.split()
    return rng.choice(parts) if len(parts) > 1 else given
