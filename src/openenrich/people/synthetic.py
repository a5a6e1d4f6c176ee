"""A deterministic synthetic population of people and companies for sandbox keys.

Every record is a pure function of its index: the same index gives byte-identical output in
any process and on any run, so the population needs no storage and never drifts. Draws come
from SHAKE-128 digests of the index (never `random` nor `hash()`), and dates are counted
back from a fixed reference day rather than today. All domains are reserved `.example` ones.

Public API:

- `company(index)`: the spec's `Company`. Its domain (`<slug>-<index in base 36>.example`)
  and professional network handle (`<slug>-<index in base 36>`) encode the index.
- `person(index, companies)`: the spec's `Person`, employed by one of `range(companies)`.
  The handle (`<first>-<last>-<index in base 36>`) encodes the index.
- `people(count, companies)`, `companies(count)`: the populations in index order, lazily.
- `person_for_handle(handle, companies)`, `person_for_name(first, last, domain, companies,
  people)`: a synthetic person found back from a LinkedIn handle, or from a name and the
  current company's domain (accents, case and punctuation ignored), else None.
- `company_index(domain)`, `company_of(index, companies)`, `employees(company_index,
  companies, people)`: the index behind a synthetic domain, a person's current company, and
  the people a company employs, without scanning the population.
- `person_network_id(index)` / `company_network_id(index)`: the integer professional
  network ids (an offset plus the index, so they invert too).
- `SENIORITIES`, `JOB_FUNCTIONS` (function -> sub-functions), `INDUSTRIES`,
  `COMPANY_TYPES`, `HEADCOUNT_RANGES`: every value those fields take.

People are laid out over companies in rounds: round 0 gives every company one person,
round t gives one more to every company whose weight (from its headcount) exceeds t, and
the whole block of rounds repeats. With the default sizes the population is about one
block, every company employs somebody, and the largest employ a few hundred; the people of
one company are a short arithmetic computation away, so nothing is scanned to find them.
"""

from __future__ import annotations

import hashlib
import re
import sys
import uuid
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import cache, lru_cache
from itertools import chain
from math import gcd, isqrt
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from anyascii import anyascii

__all__ = [
    "COMPANY_TYPES",
    "DEFAULT_COMPANIES",
    "DEFAULT_PEOPLE",
    "HEADCOUNT_RANGES",
    "INDUSTRIES",
    "JOB_FUNCTIONS",
    "REFERENCE_DATE",
    "SENIORITIES",
    "companies",
    "company",
    "company_index",
    "company_network_id",
    "company_of",
    "employees",
    "people",
    "person",
    "person_for_handle",
    "person_for_name",
    "person_network_id",
]

DEFAULT_PEOPLE = 30_000
DEFAULT_COMPANIES = 3_000
# Every date is counted back from this day, so the data never drifts with the clock.
REFERENCE_DATE = date(2025, 6, 1)

_REF = REFERENCE_DATE.toordinal()
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "synthetic.openenrich.example")
_NAMESPACE_BYTES = _NAMESPACE.bytes
_PERSON_NETWORK_BASE = 500_000_000
_COMPANY_NETWORK_BASE = 10_000_000
# Past this, a "handle" is not worth decoding: nobody generates such a population.
_MAX_INDEX = 1 << 40
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TWO32 = 1 << 32

_T = TypeVar("_T")


# ---------------------------------------------------------------------------------------
# Draws


_CHUNK = 64  # words in the first digest: most records need fewer
# 32-bit words, read little-endian whatever the machine: every platform draws the same.
_WORD = "I" if array("I").itemsize == 4 else "L"
_SWAP = sys.byteorder == "big"


def _words(key: bytes, start: int, stop: int) -> array[int]:
    """Words start..stop-1 of the stream of `key`. SHAKE is extendable: a longer digest
    starts with the shorter one, so the stream only grows."""
    words = array(_WORD, hashlib.shake_128(key).digest(4 * stop)[4 * start :])
    if _SWAP:
        words.byteswap()
    return words


def _more_words(key: bytes) -> Iterator[int]:
    have = _CHUNK
    while True:
        yield from _words(key, have, 2 * have)
        have *= 2


# A stream of draws is a function returning the next uniform 32-bit word. The helpers
# below are plain functions on it: draws are most of the generation time, and a function
# call is cheaper than a method call.
_Rng = Callable[[], int]


def _stream(key: bytes) -> _Rng:
    """The repeatable stream of `key`: a C-level iterator (the first chunk's, then the
    generator's) rather than Python code per draw."""
    return chain(_words(key, 0, _CHUNK), _more_words(key)).__next__


def _below(rng: _Rng, n: int) -> int:
    """0..n-1 (multiply-shift: bias under n / 2**32, irrelevant here)."""
    return rng() * n >> 32


def _between(rng: _Rng, low: int, high: int) -> int:
    """low..high inclusive."""
    return low + (rng() * (high - low + 1) >> 32)


def _chance(rng: _Rng, percent: int) -> bool:
    return rng() < percent * 42_949_673  # ceil(2**32 / 100)


def _pick(rng: _Rng, items: Sequence[_T]) -> _T:
    return items[rng() * len(items) >> 32]


def _weighted(rng: _Rng, thresholds: Sequence[int]) -> int:
    """An index drawn with the weights `_thresholds` encoded."""
    return bisect_right(thresholds, rng())


def _thresholds(weights: Sequence[float]) -> tuple[int, ...]:
    """Cumulative weights scaled to 2**32, for `_weighted` (zero weights never drawn)."""
    total = sum(weights)
    out: list[int] = []
    running = 0.0
    for w in weights:
        running += w
        out.append(round(running / total * _TWO32))
    out[-1] = _TWO32
    return tuple(out)


def _split(text: str, sep: str = ",") -> tuple[str, ...]:
    """'a, b, c' -> ('a', 'b', 'c'): long word lists stay readable in source."""
    return tuple(item.strip() for item in text.split(sep))


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """'Paris, Île-de-France; Lyon, Auvergne-Rhône-Alpes' -> ((city, region), ...)."""
    return tuple(
        (city.strip(), region.strip())
        for city, region in (item.split(",") for item in text.split(";"))
    )


_B36_PAIRS = tuple(a + b for a in _B36 for b in _B36)


def _b36(n: int) -> str:
    """n in base 36, two digits at a time (handles and domains need one per record)."""
    if n < 36:
        return _B36[n]
    if n < 1296:
        return _B36_PAIRS[n].lstrip("0")
    return _b36(n // 1296) + _B36_PAIRS[n % 1296]


def _uuid5(name: str) -> str:
    """str(uuid.uuid5(_NAMESPACE, name)), without building a UUID object (3x faster)."""
    h = hashlib.sha1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).hexdigest()
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


@lru_cache(maxsize=65536)  # a few decades of days
def _day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat() + "T00:00:00Z"


@lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    """'Zoé Lefèvre' -> 'zoe-lefevre', "O'Brien" -> 'obrien' (names come from fixed pools)."""
    return re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower().replace("'", "")).strip("-")


def _fold(text: str) -> str:
    """What names are compared on: no accents, case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]+", "", anyascii(text).lower())


# ---------------------------------------------------------------------------------------
# Places and names


class _Locale(NamedTuple):
    country: str
    code: str
    language: str
    cities: tuple[tuple[str, str], ...]  # (city, region)
    streets: tuple[str, ...]  # address line templates with {n}
    firsts: tuple[str, ...]
    lasts: tuple[str, ...]
    universities: tuple[str, ...]
    legal: str  # a legal-form suffix some company names carry


_LOCALES: tuple[_Locale, ...] = (
    _Locale(
        "United States",
        "US",
        "English",
        _pairs(
            "San Francisco, California; New York, New York; Austin, Texas; Chicago, Illinois; "
            "Seattle, Washington; Boston, Massachusetts; Atlanta, Georgia; Denver, Colorado; "
            "Los Angeles, California; Miami, Florida"
        ),
        _split("{n} Market Street; {n} Main Street; {n} Broadway; {n} Oak Avenue", ";"),
        _split(
            "James, Mary, Michael, Jennifer, David, Linda, Robert, Emily, Daniel, Sarah, "
            "Christopher, Jessica, Matthew, Ashley, Andrew, Olivia, Joshua, Madison, Tyler, "
            "Hannah, Brandon, Grace, Kevin, Megan, Marcus, Aaliyah, Jamal, Priya, Wei, Carlos"
        ),
        _split(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, "
            "Thomas, Moore, Jackson, Martin, Thompson, White, Harris, Clark, Lewis, Robinson, "
            "Walker, Young, Allen, King, Wright, Scott, Nguyen, Kim, Patel, Rodriguez"
        ),
        _split(
            "Stanford University; Massachusetts Institute of Technology; "
            "University of California, Berkeley; University of Michigan; "
            "Georgia Institute of Technology; New York University; "
            "The University of Texas at Austin; Harvard University",
            ";",
        ),
        "Inc.",
    ),
    _Locale(
        "United Kingdom",
        "GB",
        "English",
        _pairs(
            "London, England; Manchester, England; Edinburgh, Scotland; Bristol, England; "
            "Birmingham, England; Cardiff, Wales; Belfast, Northern Ireland"
        ),
        _split("{n} High Street; {n} King Street; {n} Station Road; {n} Queen Street", ";"),
        _split(
            "Oliver, Amelia, George, Isla, Harry, Ava, Jack, Emily, Charlie, Sophie, Thomas, "
            "Poppy, William, Freya, Alfie, Ella, Henry, Lucy, Samuel, Chloe, Rhys, Callum, Aisha, "
            "Imran"
        ),
        _split(
            "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright, "
            "Thompson, Evans, Walker, White, Roberts, Green, Hall, Wood, Jackson, Clarke, Hughes, "
            "Edwards, Khan, Patel"
        ),
        _split(
            "University of Oxford; University of Cambridge; Imperial College London; "
            "The University of Manchester; London School of Economics and Political Science; "
            "University of Edinburgh",
            ";",
        ),
        "Ltd",
    ),
    _Locale(
        "France",
        "FR",
        "French",
        _pairs(
            "Paris, Île-de-France; Lyon, Auvergne-Rhône-Alpes; "
            "Marseille, Provence-Alpes-Côte d'Azur; Toulouse, Occitanie; Nantes, Pays de la Loire; "
            "Bordeaux, Nouvelle-Aquitaine; Lille, Hauts-de-France"
        ),
        _split(
            "{n} rue de la République; {n} boulevard Haussmann; {n} rue du Faubourg Saint-Honoré; "
            "{n} avenue des Champs-Élysées",
            ";",
        ),
        _split(
            "Zoé, Léa, Chloé, Camille, Inès, Manon, Hélène, Élodie, Amélie, Gaëlle, Noémie, Anaïs, "
            "Lucas, Hugo, Louis, Gabriel, Arthur, Jules, Raphaël, Théo, Noé, Loïc, Jérôme, Benoît, "
            "François, Sébastien, Maël"
        ),
        _split(
            "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, "
            "Simon, Laurent, Lefèvre, Michel, Garcia, David, Bertrand, Roux, Vincent, Fournier, "
            "Girard, Bonnet, Dupont, Lambert, Fontaine, Rousseau, Chevalier, Gérard, Ménard, Hébert"
        ),
        _split(
            "HEC Paris; École Polytechnique; Sorbonne Université; Université Paris-Saclay; "
            "ESSEC Business School; INSA Lyon; Sciences Po",
            ";",
        ),
        "SAS",
    ),
    _Locale(
        "Germany",
        "DE",
        "German",
        _pairs(
            "Berlin, Berlin; Munich, Bavaria; Hamburg, Hamburg; Frankfurt, Hesse; "
            "Düsseldorf, North Rhine-Westphalia; Stuttgart, Baden-Württemberg; Leipzig, Saxony"
        ),
        _split("Hauptstraße {n}; Bahnhofstraße {n}; Friedrichstraße {n}; Königsallee {n}", ";"),
        _split(
            "Lukas, Leon, Jonas, Felix, Maximilian, Paul, Niklas, Tobias, Jürgen, Jörg, Günter, "
            "Uwe, Sören, Jörn, Anna, Lea, Hannah, Sophie, Lena, Marie, Katharina, Julia, Jana, "
            "Bärbel"
        ),
        _split(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, "
            "Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, "
            "Braun, Krüger, Hartmann, Köhler, Günther, Weiß, Groß"
        ),
        _split(
            "Technische Universität München; Ludwig-Maximilians-Universität München; "
            "Humboldt-Universität zu Berlin; RWTH Aachen University; Universität Hamburg; "
            "Universität Mannheim",
            ";",
        ),
        "GmbH",
    ),
    _Locale(
        "Spain",
        "ES",
        "Spanish",
        _pairs(
            "Madrid, Community of Madrid; Barcelona, Catalonia; Valencia, Valencian Community; "
            "Sevilla, Andalusia; Málaga, Andalusia; Bilbao, Basque Country"
        ),
        _split("Calle Mayor {n}; Paseo de la Castellana {n}; Avenida de la Constitución {n}", ";"),
        _split(
            "José, María, Lucía, Martín, Sofía, Hugo, Mateo, Paula, Álvaro, Adrián, Andrés, Inés, "
            "Jesús, Ramón, Raúl, Rocío, Begoña, Íñigo, Nerea, Javier, Carmen, Pablo, Elena, Sergio"
        ),
        _split(
            "García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, "
            "Martín, Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso, "
            "Gutiérrez, Navarro, Torres, Domínguez, Núñez, Ibáñez, Peña"
        ),
        _split(
            "Universidad Complutense de Madrid; Universitat de Barcelona; "
            "Universidad Autónoma de Madrid; IE Business School; "
            "Universitat Politècnica de València; ESADE Business School",
            ";",
        ),
        "S.L.",
    ),
    _Locale(
        "Italy",
        "IT",
        "Italian",
        _pairs(
            "Milan, Lombardy; Rome, Lazio; Turin, Piedmont; Bologna, Emilia-Romagna; "
            "Florence, Tuscany; Naples, Campania"
        ),
        _split("Via Roma {n}; Corso Vittorio Emanuele II {n}; Via Garibaldi {n}", ";"),
        _split(
            "Francesco, Alessandro, Lorenzo, Matteo, Leonardo, Andrea, Giuseppe, Niccolò, Sofia, "
            "Giulia, Aurora, Alice, Ginevra, Chiara, Martina, Federica, Elisa, Luca, Marco, "
            "Giorgia, Davide, Simone"
        ),
        _split(
            "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, "
            "Bruno, Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, "
            "Barbieri, Fontana, Santoro"
        ),
        _split(
            "Politecnico di Milano; Università Bocconi; Sapienza Università di Roma; "
            "Università di Bologna; Politecnico di Torino",
            ";",
        ),
        "S.p.A.",
    ),
    _Locale(
        "Netherlands",
        "NL",
        "Dutch",
        _pairs(
            "Amsterdam, North Holland; Rotterdam, South Holland; Utrecht, Utrecht; "
            "Eindhoven, North Brabant; The Hague, South Holland"
        ),
        _split("Herengracht {n}; Keizersgracht {n}; Stationsplein {n}", ";"),
        _split(
            "Daan, Sem, Lucas, Levi, Finn, Bram, Thijs, Ruben, Jesse, Joost, Maarten, Willem, "
            "Sanne, Emma, Julia, Tess, Fenna, Lotte, Anouk, Iris, Femke"
        ),
        _split(
            "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, "
            "Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, "
            "Brouwer"
        ),
        _split(
            "Delft University of Technology; Universiteit van Amsterdam; "
            "Erasmus University Rotterdam; Utrecht University",
            ";",
        ),
        "B.V.",
    ),
    _Locale(
        "Sweden",
        "SE",
        "Swedish",
        _pairs(
            "Stockholm, Stockholm County; Göteborg, Västra Götaland County; Malmö, Skåne County; "
            "Uppsala, Uppsala County; Linköping, Östergötland County"
        ),
        _split("Drottninggatan {n}; Kungsgatan {n}; Storgatan {n}", ";"),
        _split(
            "Björn, Åsa, Måns, Lars, Anders, Johan, Erik, Karl, Oskar, Gustav, Göran, Linnéa, "
            "Elin, Maja, Ebba, Astrid, Ingrid, Frida, Signe"
        ),
        _split(
            "Åström, Johansson, Andersson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, "
            "Svensson, Gustafsson, Jönsson, Lindström, Lindqvist, Bergström, Söderberg, Sjöberg, "
            "Öberg, Engström, Håkansson"
        ),
        _split(
            "KTH Royal Institute of Technology; Lunds universitet; Uppsala universitet; "
            "Göteborgs universitet; Handelshögskolan i Stockholm",
            ";",
        ),
        "AB",
    ),
    _Locale(
        "Denmark",
        "DK",
        "Danish",
        _pairs(
            "Copenhagen, Capital Region of Denmark; Aarhus, Central Denmark Region; "
            "Odense, Region of Southern Denmark; Aalborg, North Denmark Region"
        ),
        _split("Vesterbrogade {n}; Nørregade {n}; Østergade {n}", ";"),
        _split(
            "Søren, Mette, Rasmus, Mads, Frederik, Sofie, Ida, Freja, Emil, Magnus, Jens, Kirsten, "
            "Mikkel, Lærke, Asger"
        ),
        _split(
            "Jensen, Nielsen, Hansen, Pedersen, Andersen, Christensen, Larsen, Sørensen, "
            "Rasmussen, Jørgensen, Madsen, Kristensen, Møller, Østergaard, Dahl"
        ),
        _split("Københavns Universitet; Aarhus Universitet; Danmarks Tekniske Universitet", ";"),
        "A/S",
    ),
    _Locale(
        "Brazil",
        "BR",
        "Portuguese",
        _pairs(
            "São Paulo, São Paulo; Rio de Janeiro, Rio de Janeiro; Belo Horizonte, Minas Gerais; "
            "Curitiba, Paraná; Porto Alegre, Rio Grande do Sul; Florianópolis, Santa Catarina; "
            "Brasília, Federal District"
        ),
        _split("Avenida Paulista, {n}; Rua Augusta, {n}; Rua das Flores, {n}", ";"),
        _split(
            "João, José, Antônio, Luís, Gabriel, Lucas, Matheus, Rafael, Thiago, Vinícius, Caio, "
            "Maria, Ana, Júlia, Beatriz, Letícia, Larissa, Camila, Fernanda, Luíza, Gabriela, "
            "Bárbara"
        ),
        _split(
            "Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, "
            "Costa, Ribeiro, Martins, Carvalho, Araújo, Melo, Barbosa, Rocha, Nascimento, "
            "Conceição, Magalhães, Gonçalves"
        ),
        _split(
            "Universidade de São Paulo; Universidade Estadual de Campinas; "
            "Fundação Getulio Vargas; Universidade Federal do Rio de Janeiro",
            ";",
        ),
        "Ltda.",
    ),
    _Locale(
        "Portugal",
        "PT",
        "Portuguese",
        _pairs("Lisbon, Lisbon; Porto, Porto; Braga, Braga; Coimbra, Coimbra"),
        _split("Avenida da Liberdade, {n}; Rua Augusta, {n}; Rua de Santa Catarina, {n}", ";"),
        _split(
            "João, Tiago, Rui, Gonçalo, Duarte, Afonso, Francisco, Inês, Beatriz, Leonor, Matilde, "
            "Carolina, Mariana, Margarida, Catarina"
        ),
        _split(
            "Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins, Sousa, "
            "Fernandes, Gonçalves, Lopes, Marques, Simões, Brandão, Guimarães"
        ),
        _split("Universidade de Lisboa; Universidade do Porto; Universidade Nova de Lisboa", ";"),
        "Lda.",
    ),
    _Locale(
        "Mexico",
        "MX",
        "Spanish",
        _pairs(
            "Mexico City, Mexico City; Guadalajara, Jalisco; Monterrey, Nuevo León; "
            "Querétaro, Querétaro; Puebla, Puebla; Mérida, Yucatán"
        ),
        _split("Avenida Reforma {n}; Calle Madero {n}; Avenida Insurgentes Sur {n}", ";"),
        _split(
            "José, Juan, Luis, Carlos, Miguel, Diego, Alejandro, Fernando, Ricardo, Emiliano, "
            "Santiago, Guadalupe, Mariana, Valeria, Ximena, Daniela, Regina, Renata, Itzel"
        ),
        _split(
            "Hernández, García, Martínez, López, González, Pérez, Rodríguez, Sánchez, Ramírez, "
            "Cruz, Flores, Gómez, Morales, Vázquez, Reyes, Jiménez, Torres, Mendoza, Aguilar, "
            "Castañeda"
        ),
        _split(
            "Universidad Nacional Autónoma de México; Tecnológico de Monterrey; "
            "Instituto Tecnológico Autónomo de México",
            ";",
        ),
        "S.A. de C.V.",
    ),
    _Locale(
        "India",
        "IN",
        "Hindi",
        _pairs(
            "Bengaluru, Karnataka; Mumbai, Maharashtra; New Delhi, Delhi; Hyderabad, Telangana; "
            "Pune, Maharashtra; Chennai, Tamil Nadu; Gurugram, Haryana"
        ),
        _split("{n} MG Road; {n} Outer Ring Road; {n} Linking Road", ";"),
        _split(
            "Aarav, Vivaan, Aditya, Arjun, Rohan, Rahul, Vikram, Siddharth, Karthik, Sanjay, "
            "Deepak, Amit, Ananya, Diya, Priya, Aditi, Kavya, Isha, Neha, Pooja, Sneha, Meera, "
            "Lakshmi"
        ),
        _split(
            "Sharma, Verma, Gupta, Singh, Kumar, Patel, Shah, Reddy, Rao, Iyer, Nair, Menon, "
            "Joshi, Mehta, Desai, Chopra, Malhotra, Banerjee, Chatterjee, Mukherjee, Pillai, "
            "Agarwal"
        ),
        _split(
            "Indian Institute of Technology Bombay; Indian Institute of Technology Delhi; "
            "University of Delhi; Indian Institute of Management Ahmedabad; BITS Pilani",
            ";",
        ),
        "Pvt. Ltd.",
    ),
    _Locale(
        "Poland",
        "PL",
        "Polish",
        _pairs(
            "Warsaw, Masovian Voivodeship; Kraków, Lesser Poland Voivodeship; "
            "Wrocław, Lower Silesian Voivodeship; Gdańsk, Pomeranian Voivodeship; "
            "Poznań, Greater Poland Voivodeship; Łódź, Łódź Voivodeship"
        ),
        _split("ul. Marszałkowska {n}; ul. Długa {n}; ul. Piotrkowska {n}", ";"),
        _split(
            "Jakub, Kacper, Szymon, Mateusz, Michał, Paweł, Łukasz, Piotr, Tomasz, Krzysztof, "
            "Wojciech, Zofia, Zuzanna, Maja, Hanna, Małgorzata, Agnieszka, Katarzyna, Joanna, "
            "Magdalena"
        ),
        _split(
            "Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, "
            "Szymański, Woźniak, Dąbrowski, Kozłowski, Jankowski, Mazur, Kwiatkowski, Krawczyk, "
            "Grabowski, Pawłowski"
        ),
        _split("Uniwersytet Warszawski; Politechnika Warszawska; Uniwersytet Jagielloński", ";"),
        "Sp. z o.o.",
    ),
    # Turkish spelling: its dotless i is meant (hence the RUF001 exemptions).
    _Locale(
        "Turkey",
        "TR",
        "Turkish",
        _pairs("Istanbul, Istanbul; Ankara, Ankara; İzmir, İzmir; Bursa, Bursa; Antalya, Antalya"),
        _split("İstiklal Caddesi No:{n}; Atatürk Bulvarı No:{n}; Bağdat Caddesi No:{n}", ";"),  # noqa: RUF001
        _split(
            "Mehmet, Mustafa, Ahmet, Ali, Hüseyin, Emre, Burak, Can, Çağrı, Oğuz, Zeynep, Elif, "  # noqa: RUF001
            "Ayşe, Fatma, Merve, Büşra, Özge, Selin, Şule, İrem"
        ),
        _split(
            "Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, Arslan, "  # noqa: RUF001
            "Doğan, Kılıç, Aslan, Çetin, Koç, Kurt, Özkan, Şimşek, Güneş"  # noqa: RUF001
        ),
        _split(
            "Boğaziçi Üniversitesi; Orta Doğu Teknik Üniversitesi; İstanbul Teknik Üniversitesi",
            ";",
        ),
        "A.Ş.",
    ),
    _Locale(
        "Japan",
        "JP",
        "Japanese",
        _pairs(
            "Tokyo, Tokyo; Osaka, Osaka; Yokohama, Kanagawa; Kyoto, Kyoto; Fukuoka, Fukuoka; "
            "Nagoya, Aichi"
        ),
        _split("1-{n} Marunouchi; 2-{n} Shibuya; 3-{n} Umeda", ";"),
        _split(
            "Haruto, Sota, Yuto, Hiroshi, Takeshi, Kenji, Daiki, Ren, Sakura, Yui, Hina, Aoi, "
            "Yuna, Mei, Akari, Emi, Yuki, Naoko"
        ),
        _split(
            "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato, "
            "Yoshida, Yamada, Sasaki, Yamaguchi, Matsumoto, Inoue, Kimura, Hayashi, Shimizu"
        ),
        _split(
            "The University of Tokyo; Kyoto University; Keio University; Waseda University", ";"
        ),
        "K.K.",
    ),
    _Locale(
        "Canada",
        "CA",
        "English",
        _pairs(
            "Toronto, Ontario; Vancouver, British Columbia; Montréal, Quebec; Calgary, Alberta; "
            "Ottawa, Ontario; Québec City, Quebec"
        ),
        _split("{n} Bay Street; {n} rue Sainte-Catherine; {n} Granville Street", ";"),
        _split(
            "Liam, Noah, Olivia, Emma, Charlotte, Benjamin, Ethan, Chloé, Félix, Émile, Gabrielle, "
            "Mathis, Léo, Maëlle, Owen, Avery, Jacob"
        ),
        _split(
            "Smith, Brown, Tremblay, Martin, Roy, Gagnon, Lee, Wilson, Côté, Bouchard, Gauthier, "
            "Morin, Lavoie, Fortin, Gagné, Pelletier, Bélanger, MacDonald, Campbell, Wong, Singh"
        ),
        _split(
            "University of Toronto; McGill University; Université de Montréal; "
            "University of British Columbia; University of Waterloo",
            ";",
        ),
        "Inc.",
    ),
    _Locale(
        "Australia",
        "AU",
        "English",
        _pairs(
            "Sydney, New South Wales; Melbourne, Victoria; Brisbane, Queensland; "
            "Perth, Western Australia; Adelaide, South Australia; "
            "Canberra, Australian Capital Territory"
        ),
        _split("{n} George Street; {n} Collins Street; {n} Queen Street", ";"),
        _split(
            "Jack, Oliver, William, Noah, Thomas, Lachlan, Cooper, Riley, Charlotte, Olivia, Mia, "
            "Ava, Isla, Matilda, Chloe, Ruby, Grace"
        ),
        _split(
            "Smith, Jones, Williams, Brown, Wilson, Taylor, Johnson, White, Martin, Anderson, "
            "Thompson, Nguyen, Walker, Harris, Lee, Ryan, Kelly"
        ),
        _split(
            "The University of Melbourne; The University of Sydney; UNSW Sydney; Monash University",
            ";",
        ),
        "Pty Ltd",
    ),
    _Locale(
        "Ireland",
        "IE",
        "English",
        _pairs(
            "Dublin, County Dublin; Cork, County Cork; Galway, County Galway; "
            "Limerick, County Limerick"
        ),
        _split("{n} Grafton Street; {n} Baggot Street; {n} Patrick Street", ";"),
        _split(
            "Seán, Conor, Cian, Oisín, Darragh, Pádraig, Ciarán, Niamh, Aoife, Saoirse, Siobhán, "
            "Róisín, Caoimhe, Orla, Clodagh"
        ),
        _split(
            "Murphy, Kelly, O'Sullivan, Walsh, O'Brien, Byrne, Ryan, O'Connor, O'Neill, Doyle, "
            "McCarthy, Gallagher, Doherty, Kennedy, Lynch, Quinn"
        ),
        _split("Trinity College Dublin; University College Dublin; University of Galway", ";"),
        "Ltd",
    ),
    _Locale(
        "Switzerland",
        "CH",
        "German",
        _pairs(
            "Zürich, Zurich; Geneva, Geneva; Basel, Basel-City; Bern, Bern; Lausanne, Vaud; "
            "Zug, Zug"
        ),
        _split("Bahnhofstrasse {n}; Rue du Rhône {n}; Marktgasse {n}", ";"),
        _split(
            "Luca, Noah, Leon, Elias, Levin, Nico, Reto, Urs, Beat, Jérémie, Mia, Lina, Lara, "
            "Anja, Nadine, Corinne, Aurélie"
        ),
        _split(
            "Müller, Meier, Schmid, Keller, Weber, Huber, Steiner, Gerber, Brunner, Baumann, Frei, "
            "Moser, Widmer, Wyss, Graf, Rochat, Favre"
        ),
        _split(
            "ETH Zürich; École Polytechnique Fédérale de Lausanne; Universität Zürich; "
            "Universität St. Gallen",
            ";",
        ),
        "AG",
    ),
)
_LOCALE_BY_CODE = {loc.code: loc for loc in _LOCALES}
# Where people and headquarters are: roughly a B2B data vendor's coverage.
_LOCALE_WEIGHTS = _thresholds(
    (27, 8, 7, 7, 4, 3, 3, 2, 2, 5, 2, 3, 8, 3, 2, 2, 5, 4, 1, 2)
)  # fmt: skip
_ENGLISH_NATIVE = frozenset({"US", "GB", "CA", "AU", "IE"})
_OTHER_LANGUAGES = (
    "French", "Spanish", "German", "Italian", "Portuguese", "Mandarin", "Japanese", "Dutch",
    "Arabic", "Hindi",
)  # fmt: skip
_SECOND_LANGUAGE_LEVELS = ("FULL_PROFESSIONAL", "PROFESSIONAL_WORKING", "LIMITED_WORKING")
_THIRD_LANGUAGE_LEVELS = ("PROFESSIONAL_WORKING", "LIMITED_WORKING", "ELEMENTARY")
_GLOBAL_UNIVERSITIES = (
    "Stanford University", "Massachusetts Institute of Technology", "University of Oxford",
    "INSEAD", "London Business School", "ETH Zürich", "Harvard University",
)  # fmt: skip


# ---------------------------------------------------------------------------------------
# Companies


class _Industry(NamedTuple):
    name: str
    suffixes: tuple[str, ...]
    specialties: tuple[str, ...]
    functions: tuple[str, ...]  # the job functions this industry mostly employs


_INDUSTRIES: tuple[_Industry, ...] = (
    _Industry(
        "Software Development",
        _split("Software, Labs, Technologies, Systems, Cloud, AI, Digital"),
        _split(
            "SaaS, Cloud Computing, APIs, DevOps, Machine Learning, Mobile Applications, "
            "Cybersecurity, Data Platforms, Developer Tools"
        ),
        _split("Engineering, Product, Design, Data Science, Sales, Customer Success"),
    ),
    _Industry(
        "IT Services and IT Consulting",
        _split("IT Solutions, Consulting, Technologies, Digital, Systems"),
        _split(
            "Digital Transformation, Managed Services, Cloud Migration, ERP Integration, "
            "IT Outsourcing, Systems Integration"
        ),
        _split("Information Technology, Consulting, Engineering"),
    ),
    _Industry(
        "Financial Services",
        _split("Capital, Financial, Payments, Finance, Investments, Wealth"),
        _split(
            "Payments, Wealth Management, Lending, Risk Management, Fintech, Asset Management, "
            "Financial Planning"
        ),
        _split("Finance, Sales, Data Science, Legal"),
    ),
    _Industry(
        "Banking",
        _split("Bank, Banking Group, Savings Bank, Trust"),
        _split(
            "Retail Banking, Corporate Banking, Mortgages, Private Banking, Investment Banking, "
            "Digital Banking"
        ),
        _split("Finance, Customer Success, Information Technology"),
    ),
    _Industry(
        "Insurance",
        _split("Insurance, Assurance, Mutual, Underwriters"),
        _split(
            "Life Insurance, Property & Casualty, Reinsurance, Claims Management, "
            "Health Insurance, Insurtech"
        ),
        _split("Finance, Customer Success, Data Science"),
    ),
    _Industry(
        "Hospitals and Health Care",
        _split("Health, Medical Center, Clinic, Hospital, Care, Health System"),
        _split(
            "Patient Care, Telemedicine, Cardiology, Oncology, Medical Imaging, Primary Care, "
            "Pediatrics"
        ),
        _split("Healthcare, Operations"),
    ),
    _Industry(
        "Pharmaceutical Manufacturing",
        _split("Pharma, Therapeutics, Biosciences, Laboratories"),
        _split(
            "Drug Discovery, Clinical Trials, Biologics, Regulatory Affairs, Vaccines, Generics"
        ),
        _split("Healthcare, Data Science, Operations"),
    ),
    _Industry(
        "Medical Equipment Manufacturing",
        _split("Medical, Devices, Diagnostics, MedTech"),
        _split("Medical Devices, Diagnostics, Surgical Robotics, Orthopedics, Wearables"),
        _split("Engineering, Healthcare, Sales"),
    ),
    _Industry(
        "Higher Education",
        _split("University, College, Institute of Technology, Business School"),
        _split(
            "Research, Executive Education, Online Learning, Continuing Education, "
            "Undergraduate Programs"
        ),
        _split("Education"),
    ),
    _Industry(
        "E-Learning Providers",
        _split("Learning, Academy, Edu, Courses"),
        _split(
            "EdTech, Online Courses, Corporate Training, Learning Management Systems, Microlearning"
        ),
        _split("Education, Product, Engineering"),
    ),
    _Industry(
        "Advertising Services",
        _split("Media, Creative, Agency, Studio, Communications"),
        _split(
            "Digital Marketing, SEO, Branding, Content Marketing, Performance Marketing, "
            "Social Media, Public Relations"
        ),
        _split("Marketing, Design, Sales"),
    ),
    _Industry(
        "Retail",
        _split("Stores, Market, Shop, Retail, Goods"),
        _split(
            "E-commerce, Omnichannel, Merchandising, Customer Experience, Private Label, "
            "Supply Chain"
        ),
        _split("Sales, Operations, Customer Success, Marketing"),
    ),
    _Industry(
        "Industrial Machinery Manufacturing",
        _split("Industries, Manufacturing, Machinery, Engineering, Works"),
        _split(
            "Automation, Industrial Equipment, Lean Manufacturing, Robotics, "
            "Precision Engineering, CNC Machining"
        ),
        _split("Engineering, Operations"),
    ),
    _Industry(
        "Transportation, Logistics, Supply Chain and Storage",
        _split("Logistics, Freight, Transport, Shipping, Supply"),
        _split(
            "Freight Forwarding, Warehousing, Last-Mile Delivery, Fleet Management, "
            "Customs Brokerage, Cold Chain"
        ),
        _split("Operations, Sales"),
    ),
    _Industry(
        "Real Estate",
        _split("Properties, Realty, Real Estate, Estates, Homes"),
        _split(
            "Commercial Real Estate, Property Management, Residential Real Estate, "
            "Real Estate Investment, Leasing"
        ),
        _split("Sales, Finance, Operations"),
    ),
    _Industry(
        "Construction",
        _split("Construction, Builders, Contractors, Infrastructure"),
        _split(
            "Civil Engineering, Infrastructure, Project Management, Sustainable Building, "
            "General Contracting"
        ),
        _split("Engineering, Operations"),
    ),
    _Industry(
        "Legal Services",
        _split("Law, Legal, & Partners, Attorneys, Avocats"),
        _split(
            "Corporate Law, Intellectual Property, Litigation, Compliance, Mergers & Acquisitions, "
            "Employment Law"
        ),
        _split("Legal"),
    ),
    _Industry(
        "Business Consulting and Services",
        _split("Consulting, Advisors, Partners, Group, Strategy"),
        _split(
            "Strategy, Management Consulting, Change Management, Operations Improvement, "
            "Due Diligence, Digital Strategy"
        ),
        _split("Consulting, Operations"),
    ),
    _Industry(
        "Accounting",
        _split("Accounting, Accountants, Audit, & Co."),
        _split("Audit, Tax Advisory, Bookkeeping, Payroll, Forensic Accounting"),
        _split("Finance, Consulting"),
    ),
    _Industry(
        "Telecommunications",
        _split("Telecom, Networks, Communications, Mobile, Connect"),
        _split("5G, Fiber Networks, Unified Communications, IoT, Satellite Communications"),
        _split("Engineering, Information Technology, Sales"),
    ),
    _Industry(
        "Utilities",
        _split("Energy, Power, Utilities, Renewables, Solar"),
        _split(
            "Renewable Energy, Solar Power, Wind Energy, Energy Storage, Smart Grid, "
            "Water Utilities"
        ),
        _split("Engineering, Operations"),
    ),
    _Industry(
        "Non-profit Organizations",
        _split("Foundation, Trust, Alliance, Initiative, Fund"),
        _split(
            "Community Development, Fundraising, Advocacy, Volunteering, Education Access, "
            "Public Health"
        ),
        _split("Operations, Marketing, Finance"),
    ),
    _Industry(
        "Government Administration",
        _split("Agency, Authority, County Council, Regional Authority"),
        _split("Public Policy, Public Services, Digital Government, Regulation, Urban Planning"),
        _split("Operations, Legal, Information Technology"),
    ),
    _Industry(
        "Food and Beverage Services",
        _split("Foods, Kitchen, Beverages, Café, Bakery"),
        _split("Catering, Restaurants, Food Delivery, Coffee, Organic Food"),
        _split("Operations, Sales, Marketing"),
    ),
)
_INDUSTRY_WEIGHTS = _thresholds(
    (14, 8, 6, 3, 3, 7, 3, 2, 4, 2, 4, 6, 4, 4, 4, 4, 3, 6, 2, 3, 3, 3, 2, 3)
)  # fmt: skip
_NO_LEGAL_FORM = frozenset({"Nonprofit", "Government Agency", "Educational"})
_PARTNERSHIPS = frozenset({"Legal Services", "Business Consulting and Services", "Accounting"})

_PREFIXES = (
    "North", "Blue", "Silver", "Bright", "Iron", "Red", "Green", "Stone", "Clear", "High",
    "Deep", "True", "Swift", "Gold", "Star", "Sun", "Oak", "Pine", "Sea", "Sky",
)  # fmt: skip
_STEMS = (
    "wind", "peak", "line", "wave", "bridge", "field", "gate", "ridge", "stone", "harbor",
    "point", "path", "light", "brook", "crest", "works", "forge", "vale", "mark", "spring",
)  # fmt: skip
# Standalone roots, a few accented so company-name search can be tried without accents.
_ROOTS = (
    "Atlas", "Beacon", "Cobalt", "Ember", "Granite", "Helix", "Indigo", "Juniper", "Kestrel",
    "Lumen", "Meridian", "Nimbus", "Onyx", "Polaris", "Quantum", "Redwood", "Sapphire",
    "Terra", "Vertex", "Willow", "Zenith", "Élan", "Étoile", "Lumière", "Grünfeld", "Årdal",
    "Solvång", "Ribeirão", "Señal", "Zéphyr", "Mühlental", "Fjordhavn",
)  # fmt: skip

_HEADCOUNT_RANGES = (
    # (label, low, high, weight)
    ("1-10", 1, 10, 25),
    ("11-50", 11, 50, 25),
    ("51-200", 51, 200, 20),
    ("201-500", 201, 500, 11),
    ("501-1000", 501, 1000, 7),
    ("1001-5000", 1001, 5000, 7),
    ("5001-10000", 5001, 10000, 3),
    ("10001+", 10001, 250000, 2),
)
_HEADCOUNT_WEIGHTS = _thresholds([r[3] for r in _HEADCOUNT_RANGES])


def _headcount(index: int) -> tuple[int, str]:
    """A company's headcount and range: its own small stream, so the people layout can
    read every company's size without building the companies."""
    rng = _stream(b"company-size:%d" % index)
    label, low, high, _ = _HEADCOUNT_RANGES[_weighted(rng, _HEADCOUNT_WEIGHTS)]
    # More small companies than large ones inside each range too: the cube of a uniform
    # draw, in integers so that no platform's floating point can change a headcount.
    return low + ((high - low + 1) * rng() ** 3 >> 96), label


def _company_type(rng: _Rng, industry: str, headcount: int) -> str:
    roll = _below(rng, 100)
    if industry == "Government Administration":
        return "Government Agency"
    if industry == "Non-profit Organizations":
        return "Nonprofit"
    if industry == "Higher Education":
        return "Educational" if roll < 80 else "Nonprofit" if roll < 95 else "Government Agency"
    if industry == "Hospitals and Health Care" and roll < 50:
        return "Nonprofit" if roll < 35 else "Government Agency"
    if industry in _PARTNERSHIPS and roll < 40:
        return "Partnership"
    if headcount <= 10:
        return "Self-Employed" if roll < 25 else "Partnership" if roll < 30 else "Privately Held"
    if headcount > 1000:
        return "Public Company" if roll < 50 else "Nonprofit" if roll < 55 else "Privately Held"
    return "Public Company" if roll < 5 else "Nonprofit" if roll < 9 else "Privately Held"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "AEIOUaeiou" else f"a {noun}"


def _the(country: str) -> str:
    return f"the {country}" if country in _WITH_THE else country


_WITH_THE = frozenset({"United States", "United Kingdom", "Netherlands"})


def _address_line(rng: _Rng, locale: _Locale) -> str:
    return str(_pick(rng, locale.streets)).format(n=_between(rng, 1, 250))


def _build_company(index: int) -> dict[str, Any]:
    rng = _stream(b"company:%d" % index)
    headcount, headcount_range = _headcount(index)
    industry = _INDUSTRIES[_weighted(rng, _INDUSTRY_WEIGHTS)]
    locale = _LOCALES[_weighted(rng, _LOCALE_WEIGHTS)]
    if _chance(rng, 35):
        root = str(_pick(rng, _ROOTS))
    else:
        root = str(_pick(rng, _PREFIXES)) + str(_pick(rng, _STEMS))
    base_name = f"{root} {_pick(rng, industry.suffixes)}"
    company_type = _company_type(rng, industry.name, headcount)
    # Some names carry their legal form (a company's, not a public body's).
    legal = _chance(rng, 25) and company_type not in _NO_LEGAL_FORM
    name = f"{base_name} {locale.legal}" if legal else base_name
    handle = f"{_slug(base_name)}-{_b36(index)}"
    domain = f"{handle}.example"
    city, region = _pick(rng, locale.cities)
    # Older companies are larger: a small shop is a few years old, a giant often a century.
    size_class = bisect_right((10, 50, 200, 1000, 10000), headcount)
    age = 1 + _below(rng, 8 + 20 * size_class) + (_below(rng, 60) if size_class >= 4 else 0)
    year_founded = REFERENCE_DATE.year - age
    specialties = _sample(rng, industry.specialties, _between(rng, 3, 5))
    offices: list[dict[str, str]] = []
    for _ in range(_below(rng, 2 + size_class)):
        office = _LOCALES[_weighted(rng, _LOCALE_WEIGHTS)] if _chance(rng, 40) else locale
        office_city, office_region = _pick(rng, office.cities)
        offices.append(
            {
                "line1": _address_line(rng, office),
                "line2": f"{office_city}, {office_region}, {office.code}",
            }
        )
    template = _below(rng, 3)
    listed = f"{specialties[0]}, {specialties[1]} and {specialties[2]}"
    if template == 0:
        description = (
            f"{base_name} is {_a(industry.name)} company headquartered in {city}, "
            f"{locale.country}. Founded in {year_founded}, it focuses on {listed}."
        )
    elif template == 1:
        description = (
            f"Founded in {year_founded} in {city}, {base_name} serves clients across "
            f"{_the(locale.country)} and beyond with {listed}."
        )
    else:
        others = len(offices)
        where = f"{city} and {others} other office{'s' * (others > 1)}" if others else city
        description = (
            f"{base_name} helps organisations with {listed}. Its {headcount_range} people "
            f"work from {where}."
        )
    followers = headcount * _between(rng, 2, 30) + _below(rng, 500)
    return {
        "id": _uuid5(f"company:{index}"),
        "name": name,
        "domain": domain,
        "website": f"https://www.{domain}",
        "description": description,
        "year_founded": year_founded,
        "headcount": headcount,
        "headcount_range": headcount_range,
        "company_type": company_type,
        "locations": {
            "headquarters": {
                "line1": _address_line(rng, locale),
                "line2": f"{city}, {region}, {locale.code}",
                "city": city,
                "region": region,
                "country": locale.country,
                "country_code": locale.code,
            },
            "offices": offices,
        },
        "social_profiles": {
            "professional_network": {
                "id": company_network_id(index),
                "url": f"https://www.linkedin.com/company/{handle}",
                "handle": handle,
                "connection_count": followers,
            }
        },
        "specialties": specialties,
        "industry": {"main_industry": industry.name},
        "logo_url": f"https://logos.example/company/handle/{handle}",
    }


def _sample(rng: _Rng, items: Sequence[str], k: int) -> list[str]:
    """k distinct items: a drawn start and a drawn stride coprime with the length, which
    visits distinct items in two draws (a shuffle would take k)."""
    n = len(items)
    k = min(k, n)
    strides = _STRIDES[n]
    picked = _getter(n, k, _below(rng, n), strides[_below(rng, len(strides))])(items)
    return list(picked) if k > 1 else [picked]


# Strides coprime with each list length the tables use.
_STRIDES = tuple(tuple(s for s in range(1, n) if gcd(s, n) == 1) or (1,) for n in range(24))


@cache  # bounded: the lengths, counts, starts and strides of fixed tables
def _getter(n: int, k: int, start: int, stride: int) -> Callable[[Sequence[str]], Any]:
    return itemgetter(*[(start + i * stride) % n for i in range(k)])


# People embed their companies: keeping the recent ones spares rebuilding them. The cached
# dicts never leave this module; callers get copies.
_cached_company = lru_cache(maxsize=8192)(_build_company)


def _copy_company(c: dict[str, Any]) -> dict[str, Any]:
    """A copy sharing nothing mutable with `c` (hand-written: several times deepcopy's speed)."""
    locations = c["locations"]
    return {
        **c,
        "locations": {
            "headquarters": dict(locations["headquarters"]),
            "offices": [dict(o) for o in locations["offices"]],
        },
        "social_profiles": {
            "professional_network": dict(c["social_profiles"]["professional_network"])
        },
        "specialties": list(c["specialties"]),
        "industry": dict(c["industry"]),
    }


def company(index: int) -> dict[str, Any]:
    """Synthetic company number `index` (0-based), in the spec's `Company` shape."""
    if index < 0:
        raise ValueError("indices start at 0")
    return _copy_company(_cached_company(index))


def companies(count: int) -> Iterator[dict[str, Any]]:
    """Companies 0..count-1, built one at a time."""
    for index in range(count):
        yield _build_company(index)


def company_network_id(index: int) -> int:
    return _COMPANY_NETWORK_BASE + index


def person_network_id(index: int) -> int:
    return _PERSON_NETWORK_BASE + index


def _domain_key(domain: str) -> str:
    """'https://www.Acme-1.example/about' -> 'acme-1.example'."""
    text = domain.strip().lower()
    text = text.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].rstrip(".")
    return text.removeprefix("www.")


def _decode_suffix(text: str) -> int | None:
    """The base-36 index after the last '-' of a handle, or None."""
    _, dash, tail = text.rpartition("-")
    if not dash or not tail or len(tail) > 8 or not tail.isascii() or not tail.isalnum():
        return None
    value = int(tail, 36)
    return value if value < _MAX_INDEX else None


def company_index(domain: str) -> int | None:
    """The index of the synthetic company at `domain` (URL forms and 'www.' accepted)."""
    key = _domain_key(domain)
    if not key.endswith(".example"):
        return None
    index = _decode_suffix(key.removesuffix(".example"))
    if index is None or _cached_company(index)["domain"] != key:
        return None
    return index


# ---------------------------------------------------------------------------------------
# Where people work


class _Layout:
    """The person <-> company assignment for one company count (see the module docstring).

    Company c has weight w(c) from its headcount; companies are ranked by weight, so round t
    holds the ranks below `sizes[t]`, the companies with w > t. Round 0 (everybody) comes
    first and the others follow in a scrambled order, so any prefix of the population is
    skewed like the whole. Within a round, slot p holds rank (p * mul + offset) mod size, a
    bijection that spreads company sizes over consecutive people.
    """

    def __init__(self, count: int) -> None:
        weights = array("I", (_people_weight(_headcount(c)[0]) for c in range(count)))
        # Heaviest first; among equals, an order unrelated to the index.
        order = sorted(range(count), key=lambda c: (-weights[c], (c * 2654435761) % 4294967311))
        self.weights = weights
        self.by_rank = array("I", order)
        self.rank = array("I", [0]) * count
        for r, c in enumerate(order):
            self.rank[c] = r
        rounds = weights[order[0]]
        sizes = []
        participants = count
        for t in range(rounds):
            while weights[order[participants - 1]] <= t:
                participants -= 1
            sizes.append(participants)
        block_order = [0, *sorted(range(1, rounds), key=lambda t: (t * 2654435761) % 4294967311)]
        # Per round, in block order: its size, first slot and bijection.
        self.sizes: list[int] = []
        self.starts: list[int] = []
        self.muls: list[int] = []
        self.inverses: list[int] = []
        self.offsets: list[int] = []
        self.position = [0] * rounds  # round -> its place in the block
        self.rounds = block_order  # place in the block -> round
        start = 0
        for k, t in enumerate(block_order):
            size = sizes[t]
            self.position[t] = k
            self.sizes.append(size)
            self.starts.append(start)
            # 2**31 - 1 is prime, so its residue is a unit modulo any smaller size.
            mul = (2**31 - 1) % size if size > 1 else 0
            self.muls.append(mul)
            self.inverses.append(pow(mul, -1, size) if size > 1 else 0)
            self.offsets.append((t * 40503 + 977) % size)
            start += size
        self.block = start

    def company_at(self, slot: int) -> int:
        """The company at a slot of the repeating block."""
        k = bisect_right(self.starts, slot) - 1
        rank = ((slot - self.starts[k]) * self.muls[k] + self.offsets[k]) % self.sizes[k]
        return self.by_rank[rank]

    def place(self, index: int) -> tuple[int, int]:
        """Person `index`'s company, and their number there: a distinct integer for each
        of its people, below the number of its people in the blocks so far."""
        block, slot = divmod(index, self.block)
        k = bisect_right(self.starts, slot) - 1
        rank = ((slot - self.starts[k]) * self.muls[k] + self.offsets[k]) % self.sizes[k]
        company = self.by_rank[rank]
        return company, block * self.weights[company] + self.rounds[k]

    def slots(self, company: int) -> list[int]:
        """The block slots of `company`, ascending."""
        rank = self.rank[company]
        out = []
        for t in range(self.weights[company]):
            k = self.position[t]
            size = self.sizes[k]
            p = ((rank - self.offsets[k]) * self.inverses[k]) % size if size > 1 else 0
            out.append(self.starts[k] + p)
        out.sort()
        return out


def _people_weight(headcount: int) -> int:
    """How many people per block a company employs: about 0.61 * sqrt(headcount), so the
    default population (30,000 over 3,000 companies) is about one block (29,871)."""
    return max(1, min(headcount, (isqrt(headcount * 3721) + 50) // 100))


@lru_cache(maxsize=4)
def _layout(count: int) -> _Layout:
    if count < 1:
        raise ValueError("the population needs at least one company")
    return _Layout(count)


def company_of(index: int, companies: int) -> int:
    """The current company of person `index` in a population of `companies` companies."""
    return _layout(companies).place(index)[0]


def employees(company_index: int, companies: int, people: int) -> Iterator[int]:
    """The indices below `people` of the persons currently at `company_index`, ascending."""
    layout = _layout(companies)
    slots = layout.slots(company_index)
    for base in range(0, people, layout.block):
        for slot in slots:
            if base + slot < people:
                yield base + slot


# ---------------------------------------------------------------------------------------
# Jobs


class _Sub(NamedTuple):
    name: str  # the sub-function
    role: str  # an individual contributor's title
    manager: str  # a manager's title
    area: str  # what a director or head is "of"


def _sub(text: str) -> _Sub:
    """'sub-function / role / manager / area' -> _Sub."""
    name, role, manager, area = (part.strip() for part in text.split("/"))
    return _Sub(name, role, manager, area)


class _Function(NamedTuple):
    name: str
    area: str  # what a VP is "of"
    chiefs: tuple[str, ...]  # C-level titles
    abbreviation: str  # a founder's second hat ("Co-Founder & CTO"), or ""
    subs: tuple[_Sub, ...]
    skills: tuple[str, ...]
    fields: tuple[str, ...]  # fields of study
    weight: int


_FUNCTIONS: tuple[_Function, ...] = (
    _Function(
        "Engineering",
        "Engineering",
        _split("Chief Technology Officer, CTO"),
        "CTO",
        (
            _sub(
                "Software Development / Software Engineer / "
                "Engineering Manager / Software Engineering"
            ),
            _sub("Quality Assurance / QA Engineer / QA Manager / Quality Assurance"),
            _sub("DevOps / DevOps Engineer / DevOps Manager / Infrastructure"),
            _sub(
                "Hardware Engineering / Hardware Engineer / "
                "Hardware Engineering Manager / Hardware Engineering"
            ),
        ),
        _split(
            "Python, Java, JavaScript, TypeScript, Go, Kubernetes, AWS, React, PostgreSQL, "
            "System Design, CI/CD"
        ),
        _split("Computer Science, Electrical Engineering, Software Engineering"),
        14,
    ),
    _Function(
        "Sales",
        "Sales",
        _split("Chief Revenue Officer, Chief Sales Officer"),
        "CRO",
        (
            _sub(
                "Business Development / Business Development Representative / "
                "Business Development Manager / Business Development"
            ),
            _sub("Account Management / Account Executive / Sales Manager / Sales"),
            _sub(
                "Sales Operations / Sales Operations Analyst / "
                "Sales Operations Manager / Sales Operations"
            ),
            _sub(
                "Inside Sales / Inside Sales Representative / Inside Sales Manager / Inside Sales"
            ),
        ),
        _split(
            "Salesforce, Negotiation, B2B Sales, Lead Generation, Prospecting, Account Management, "
            "SaaS Sales, HubSpot, Cold Calling"
        ),
        _split("Business Administration, Economics, Communications"),
        14,
    ),
    _Function(
        "Marketing",
        "Marketing",
        _split("Chief Marketing Officer, CMO"),
        "CMO",
        (
            _sub(
                "Digital Marketing / Digital Marketing Specialist / "
                "Digital Marketing Manager / Digital Marketing"
            ),
            _sub(
                "Product Marketing / Product Marketing Specialist / "
                "Product Marketing Manager / Product Marketing"
            ),
            _sub("Content Marketing / Content Strategist / Content Marketing Manager / Content"),
            _sub("Brand Marketing / Brand Specialist / Brand Manager / Brand"),
        ),
        _split(
            "SEO, Google Analytics, Content Strategy, Social Media Marketing, "
            "Marketing Automation, Copywriting, Demand Generation, Branding"
        ),
        _split("Marketing, Communications, Journalism"),
        8,
    ),
    _Function(
        "Finance",
        "Finance",
        _split("Chief Financial Officer, CFO"),
        "CFO",
        (
            _sub("Accounting / Accountant / Accounting Manager / Accounting"),
            _sub("Financial Planning & Analysis / Financial Analyst / FP&A Manager / FP&A"),
            _sub("Treasury / Treasury Analyst / Treasury Manager / Treasury"),
            _sub("Audit / Auditor / Audit Manager / Internal Audit"),
        ),
        _split(
            "Financial Modeling, Budgeting, Forecasting, IFRS, US GAAP, SAP, Microsoft Excel, "
            "Corporate Finance, Tax"
        ),
        _split("Finance, Accounting, Economics"),
        7,
    ),
    _Function(
        "Human Resources",
        "People",
        _split("Chief People Officer, Chief Human Resources Officer"),
        "",
        (
            _sub("Recruiting / Recruiter / Talent Acquisition Manager / Talent Acquisition"),
            _sub("People Operations / HR Generalist / HR Manager / People Operations"),
            _sub(
                "Compensation & Benefits / Compensation Analyst / "
                "Compensation & Benefits Manager / Total Rewards"
            ),
            _sub(
                "Learning & Development / Learning & Development Specialist / "
                "Learning & Development Manager / Learning & Development"
            ),
        ),
        _split(
            "Recruiting, Talent Management, Employee Relations, Onboarding, HRIS, Workday, "
            "Labor Law, Employer Branding"
        ),
        _split("Psychology, Human Resource Management, Sociology"),
        5,
    ),
    _Function(
        "Operations",
        "Operations",
        _split("Chief Executive Officer, CEO, Chief Operating Officer, COO"),
        "CEO",
        (
            _sub("General Management / Operations Associate / General Manager / Operations"),
            _sub("Supply Chain / Supply Chain Analyst / Supply Chain Manager / Supply Chain"),
            _sub("Procurement / Buyer / Procurement Manager / Procurement"),
            _sub(
                "Business Operations / Operations Analyst / "
                "Operations Manager / Business Operations"
            ),
        ),
        _split(
            "Operations Management, Supply Chain Management, Process Improvement, Lean Six Sigma, "
            "Logistics, Vendor Management, Strategic Planning"
        ),
        _split("Business Administration, Industrial Engineering, Economics"),
        10,
    ),
    _Function(
        "Product",
        "Product",
        _split("Chief Product Officer"),
        "CPO",
        (
            _sub("Product Management / Product Owner / Product Manager / Product Management"),
            _sub(
                "Product Analytics / Product Analyst / "
                "Product Analytics Manager / Product Analytics"
            ),
            _sub(
                "Technical Product / Technical Product Owner / "
                "Technical Product Manager / Technical Product"
            ),
        ),
        _split(
            "Product Strategy, Roadmapping, Agile Methodologies, User Stories, Jira, A/B Testing, "
            "Product Discovery"
        ),
        _split("Computer Science, Business Administration, Economics"),
        4,
    ),
    _Function(
        "Design",
        "Design",
        _split("Chief Design Officer"),
        "",
        (
            _sub("UX Design / UX Designer / UX Design Manager / User Experience"),
            _sub("Visual Design / Graphic Designer / Design Manager / Visual Design"),
            _sub("UX Research / UX Researcher / UX Research Manager / UX Research"),
        ),
        _split(
            "Figma, User Research, Prototyping, Design Systems, Adobe Creative Suite, "
            "Interaction Design, Usability Testing"
        ),
        _split("Graphic Design, Human-Computer Interaction, Fine Arts"),
        3,
    ),
    _Function(
        "Customer Success",
        "Customer Success",
        _split("Chief Customer Officer"),
        "",
        (
            _sub(
                "Customer Success / Customer Success Specialist / "
                "Customer Success Manager / Customer Success"
            ),
            _sub(
                "Customer Support / Customer Support Specialist / "
                "Support Manager / Customer Support"
            ),
            _sub("Onboarding / Onboarding Specialist / Onboarding Manager / Customer Onboarding"),
        ),
        _split(
            "Customer Retention, Zendesk, Customer Experience, Churn Reduction, "
            "Account Management, Onboarding, Customer Service"
        ),
        _split("Communications, Business Administration, Psychology"),
        5,
    ),
    _Function(
        "Legal",
        "Legal",
        _split("Chief Legal Officer, General Counsel"),
        "",
        (
            _sub("Corporate Law / Legal Counsel / Legal Manager / Legal"),
            _sub("Compliance / Compliance Analyst / Compliance Manager / Compliance"),
            _sub("Contracts / Contract Specialist / Contracts Manager / Contracts"),
            _sub("Intellectual Property / Patent Attorney / IP Manager / Intellectual Property"),
        ),
        _split(
            "Contract Negotiation, Corporate Law, GDPR, Regulatory Compliance, Litigation, "
            "Legal Research, Mergers & Acquisitions"
        ),
        _split("Law"),
        3,
    ),
    _Function(
        "Information Technology",
        "IT",
        _split("Chief Information Officer, CIO, Chief Information Security Officer"),
        "CIO",
        (
            _sub("IT Support / IT Support Specialist / IT Support Manager / IT Support"),
            _sub(
                "Systems Administration / Systems Administrator / "
                "Infrastructure Manager / IT Infrastructure"
            ),
            _sub("Security / Security Analyst / Security Manager / Information Security"),
            _sub("Networking / Network Engineer / Network Manager / Networking"),
        ),
        _split(
            "Linux, Active Directory, ITIL, Network Security, Microsoft Azure, VMware, "
            "Incident Management, Cisco"
        ),
        _split("Information Systems, Computer Science, Network Engineering"),
        7,
    ),
    _Function(
        "Data Science",
        "Data",
        _split("Chief Data Officer"),
        "CDO",
        (
            _sub(
                "Machine Learning / Machine Learning Engineer / "
                "Machine Learning Manager / Machine Learning"
            ),
            _sub("Analytics / Data Analyst / Analytics Manager / Analytics"),
            _sub("Data Engineering / Data Engineer / Data Engineering Manager / Data Engineering"),
            _sub(
                "Business Intelligence / Business Intelligence Analyst / "
                "BI Manager / Business Intelligence"
            ),
        ),
        _split(
            "Python, SQL, Machine Learning, Statistics, Tableau, Spark, dbt, Deep Learning, "
            "Power BI"
        ),
        _split("Statistics, Mathematics, Computer Science"),
        4,
    ),
    _Function(
        "Consulting",
        "Consulting",
        _split("Chief Strategy Officer"),
        "",
        (
            _sub("Management Consulting / Consultant / Engagement Manager / Consulting"),
            _sub("Strategy / Strategy Analyst / Strategy Manager / Strategy"),
            _sub(
                "Technology Consulting / Technology Consultant / "
                "Technology Consulting Manager / Technology Consulting"
            ),
        ),
        _split(
            "Management Consulting, Business Strategy, Stakeholder Management, Change Management, "
            "Business Analysis, PowerPoint, Due Diligence"
        ),
        _split("Economics, Business Administration, Mechanical Engineering"),
        5,
    ),
    _Function(
        "Education",
        "Academic Affairs",
        _split("Chief Academic Officer, Chief Learning Officer"),
        "",
        (
            _sub("Teaching / Lecturer / Academic Program Manager / Academic Programs"),
            _sub("Research / Research Associate / Research Manager / Research"),
            _sub(
                "Curriculum Development / Instructional Designer / Curriculum Manager / Curriculum"
            ),
        ),
        _split(
            "Teaching, Curriculum Design, Research, E-Learning, Public Speaking, Academic Writing, "
            "Instructional Design"
        ),
        _split("Education, Physics, History"),
        2,
    ),
    _Function(
        "Healthcare",
        "Medical Affairs",
        _split("Chief Medical Officer, Chief Nursing Officer"),
        "",
        (
            _sub("Nursing / Registered Nurse / Nurse Manager / Nursing"),
            _sub("Medicine / Physician / Clinical Manager / Medicine"),
            _sub("Pharmacy / Pharmacist / Pharmacy Manager / Pharmacy"),
            _sub(
                "Clinical Research / Clinical Research Associate / "
                "Clinical Research Manager / Clinical Research"
            ),
        ),
        _split(
            "Patient Care, Clinical Research, Healthcare Management, EHR, GCP, Patient Safety, "
            "Pharmacology"
        ),
        _split("Medicine, Nursing, Pharmacy"),
        2,
    ),
)
_FUNCTION_BY_NAME = {f.name: f for f in _FUNCTIONS}
_FUNCTION_WEIGHTS = _thresholds([f.weight for f in _FUNCTIONS])
_PARTNER_FUNCTIONS = ("Consulting", "Legal", "Finance")
_GENERIC_SKILLS = (
    "Leadership", "Communication", "Project Management", "Teamwork", "Problem Solving",
    "Public Speaking", "Microsoft Excel", "Strategic Planning", "Negotiation",
)  # fmt: skip

SENIORITIES = (
    "Owner", "Founder", "C-Level", "Partner", "VP", "Head", "Director", "Manager", "Senior",
    "Entry", "Intern",
)  # fmt: skip
# The values jobs take, for whoever builds filters over the population.
JOB_FUNCTIONS = {f.name: tuple(sub.name for sub in f.subs) for f in _FUNCTIONS}
INDUSTRIES = tuple(i.name for i in _INDUSTRIES)
COMPANY_TYPES = (
    "Public Company", "Privately Held", "Nonprofit", "Self-Employed", "Partnership",
    "Government Agency", "Educational",
)  # fmt: skip
HEADCOUNT_RANGES = tuple(r[0] for r in _HEADCOUNT_RANGES)
# How senior each seniority is (connection counts grow with it).
_LEVEL = {
    "Intern": 0, "Entry": 1, "Senior": 2, "Manager": 3, "Director": 4, "Head": 4, "VP": 5,
    "C-Level": 6, "Partner": 5, "Founder": 5, "Owner": 4,
}  # fmt: skip
# The seniority of the job before one of each seniority: the same or a step down the
# ladder (a founder or owner may have come from anywhere), one draw among equal chances.
_PREVIOUS = {
    "Intern": ("Intern",),
    "Entry": ("Entry", "Intern", "Intern"),
    "Senior": ("Senior", "Entry", "Entry"),
    "Manager": ("Manager", "Senior", "Senior"),
    "Director": ("Director", "Manager", "Manager"),
    "Head": ("Head", "Manager", "Manager"),
    "VP": ("VP", "Director", "Head", "Director"),
    "C-Level": ("VP", "VP", "C-Level"),
    "Partner": ("Partner", "Director", "Manager"),
    "Founder": ("Entry", "Senior", "Manager", "Director", "Head", "VP"),
    "Owner": ("Owner", "Manager", "Senior", "Director"),
}
# Years of career by seniority: (min, max).
_CAREER_YEARS = {
    "Intern": (0, 1), "Entry": (0, 4), "Senior": (3, 14), "Manager": (5, 18),
    "Director": (8, 22), "Head": (7, 22), "VP": (10, 26), "C-Level": (12, 32),
    "Partner": (10, 32), "Founder": (2, 28), "Owner": (3, 32),
}  # fmt: skip
_PAST_JOBS = {"Intern": 1, "Entry": 1, "Senior": 2}  # most past jobs (others: 3)


def _seniority_table(small: bool, large: bool, partnership: bool) -> tuple[int, ...]:
    # Owner, Founder, C-Level, Partner, VP, Head, Director, Manager, Senior, Entry, Intern
    if small:
        weights = [6.0, 8, 6, 2, 2, 4, 4, 12, 18, 30, 8]
    elif large:
        weights = [0.0, 0.3, 0.7, 2, 5, 5, 9, 18, 30, 25, 5]
    else:
        weights = [0.5, 2, 2.5, 1.5, 4, 6, 8, 16, 26, 27.5, 6]
    weights[3] *= 5 if partnership else 0.1
    return _thresholds(weights)


_SENIORITY_WEIGHTS = {
    (small, large, partnership): _seniority_table(small, large, partnership)
    for small in (False, True)
    for large in (False, True)
    for partnership in (False, True)
    if not (small and large)
}


def _title(rng: _Rng, seniority: str, function: _Function, sub: _Sub) -> str:
    roll = _below(rng, 100)
    if seniority == "Intern":
        return f"{sub.area if roll < 70 else sub.role} Intern"
    if seniority == "Entry":
        return f"Junior {sub.role}" if roll < 20 else sub.role
    if seniority == "Senior":
        technical = function.name in ("Engineering", "Data Science", "Design")
        if technical and roll < 10:
            return f"Principal {sub.role}"
        if roll < 25:
            return f"Lead {sub.role}"
        return f"Senior {sub.role}"
    if seniority == "Manager":
        return f"Senior {sub.manager}" if roll < 20 else sub.manager
    if seniority == "Director":
        if roll < 50:
            return f"Director of {sub.area}"
        return f"{sub.area} Director" if roll < 80 else f"Senior Director of {sub.area}"
    if seniority == "Head":
        return f"Head of {sub.area}" if roll < 70 else f"Head of {function.area}"
    if seniority == "VP":
        if roll < 50:
            return f"VP of {function.area}"
        return f"Vice President of {sub.area}" if roll < 75 else f"VP, {sub.area}"
    if seniority == "C-Level":
        return str(_pick(rng, function.chiefs))
    if seniority == "Founder":
        founder = "Co-Founder" if roll < 55 else "Founder"
        if function.abbreviation and _chance(rng, 60):
            return f"{founder} & {function.abbreviation}"
        return founder
    if seniority == "Partner":
        return ("Partner", "Managing Partner", "Senior Partner", "Equity Partner")[roll % 4]
    return ("Owner", "Business Owner", "Owner & Managing Director")[roll % 3]  # Owner


def _job(
    rng: _Rng, seniority: str, function: _Function, company_name: str, country: str
) -> dict[str, Any]:
    """An employment without company and dates: title, seniority, functions, description."""
    if seniority == "Owner" and _chance(rng, 70):
        function = _FUNCTION_BY_NAME["Operations"]
        sub = function.subs[0]
    elif seniority == "C-Level" and function.name == "Operations":
        sub = function.subs[0]
    else:
        sub = _pick(rng, function.subs)
    title = _title(rng, seniority, function, sub)
    functions = [{"function": function.name, "sub_function": sub.name}]
    if _chance(rng, 15):
        other = _pick(rng, function.subs)
        if other is not sub:
            functions.append({"function": function.name, "sub_function": other.name})
    job: dict[str, Any] = {"title": title, "seniority": seniority, "job_functions": functions}
    roll = _below(rng, 100)
    if roll < 20:
        job["description"] = f"Leading the {sub.area} team at {company_name}."
    elif roll < 40:
        job["description"] = (
            f"{sub.name} work for {company_name} clients across {_the(country)}, "
            f"with a focus on {_pick(rng, function.skills)}."
        )
    elif roll < 50:
        job["description"] = f"Part of the {function.name.lower()} team at {company_name}."
    return job


# ---------------------------------------------------------------------------------------
# People


class _Identity(NamedTuple):
    rng: _Rng
    company: dict[str, Any]  # the cached current company: read, never handed out
    locale: _Locale  # where the person lives
    city: str
    region: str
    name_locale: _Locale
    first: str
    last: str


def _identity(index: int, company_index: int, number: int) -> _Identity:
    """The first draws of person `index`, number `number` at their company: home and name
    (enough to match a name)."""
    rng = _stream(b"person:%d" % index)
    current = _cached_company(company_index)
    hq = current["locations"]["headquarters"]
    home = _LOCALE_BY_CODE[hq["country_code"]]
    roll = _below(rng, 100)
    if roll < 35:
        city, region = hq["city"], hq["region"]
    elif roll < 70:
        city, region = _pick(rng, home.cities)
    else:
        home = _LOCALES[_weighted(rng, _LOCALE_WEIGHTS)]
        city, region = _pick(rng, home.cities)
    # Most people bear names from where they live; some moved there.
    name_locale = home if _chance(rng, 85) else _LOCALES[_weighted(rng, _LOCALE_WEIGHTS)]
    # The name is a bijection of the number at the company, so that colleagues named from
    # one country never share a full name (a name and a domain find one person) until the
    # company has more of them than the names can make.
    firsts, lasts = name_locale.firsts, name_locale.lasts
    size = len(firsts) * len(lasts)
    combo = (number * _SPREAD[size] + int(current["id"][:8], 16)) % size
    first, last = firsts[combo // len(lasts)], lasts[combo % len(lasts)]
    return _Identity(rng, current, home, city, region, name_locale, first, last)


# For each name-pool size, a stride coprime with it near 0.618 of it: consecutive numbers
# land far apart, so colleagues' names look drawn rather than enumerated.
_SPREAD = {
    size: next(s for s in range(size * 618 // 1000, size) if gcd(s, size) == 1)
    for size in {len(loc.firsts) * len(loc.lasts) for loc in _LOCALES}
}


def _handle(index: int, first: str, last: str) -> str:
    return f"{_slug(first)}-{_slug(last)}-{_b36(index)}"


def _days_in_job(rng: _Rng) -> int:
    """Days since the last job change: a share of very recent movers, then a long tail."""
    roll = _below(rng, 100)
    if roll < 7:
        return _below(rng, 91)
    if roll < 20:
        return _between(rng, 91, 365)
    if roll < 70:
        return _between(rng, 366, 1825)
    return _between(rng, 1826, 4500)


def _educations(
    rng: _Rng, identity: _Identity, function: _Function, graduation: int, intern: bool
) -> list[dict[str, str]]:
    """Degrees ending by `graduation` (a year), the last one first."""
    roll = _below(rng, 100)
    count = 0 if roll < 5 else 1 if roll < 70 else 2
    universities = identity.name_locale.universities
    field = str(_pick(rng, function.fields))
    out: list[dict[str, str]] = []
    end = graduation + (1 if intern else 0)
    for n in range(count):
        school = (
            str(_pick(rng, _GLOBAL_UNIVERSITIES))
            if _chance(rng, 10)
            else str(_pick(rng, universities))
        )
        master = n == 0 and count == 2  # the later of two degrees
        if field == "Law":
            degree, years = ("Master of Laws (LLM)", 1) if master else ("Bachelor of Laws (LLB)", 3)
        elif field == "Medicine":
            degree, years = (
                ("Master of Public Health (MPH)", 2) if master else ("Doctor of Medicine (MD)", 6)
            )
        elif master:
            mba = _chance(rng, 40)
            degree = (
                "Master of Business Administration (MBA)"
                if mba
                else f"Master of Science in {field}"
            )
            years = 2
        else:
            degree = f"{_BACHELOR.get(field, 'Bachelor of Science')} in {field}"
            years = 4 - _below(rng, 2)
        out.append(
            {
                "school_name": school,
                "degree": degree,
                "start_at": f"{end - years}-09-01T00:00:00Z",
                "end_at": f"{end}-06-30T00:00:00Z",
            }
        )
        end -= years + (_below(rng, 3) if n == 0 else 0)
    return out


_BACHELOR = {
    field: "Bachelor of Arts"
    for field in (
        "Communications", "Journalism", "History", "Fine Arts", "Psychology", "Sociology",
        "Economics", "Education", "Graphic Design", "Marketing",
    )
} | {
    field: "Bachelor of Engineering"
    for field in (
        "Electrical Engineering", "Software Engineering", "Industrial Engineering",
        "Network Engineering", "Mechanical Engineering",
    )
}  # fmt: skip


def _languages(rng: _Rng, identity: _Identity) -> list[dict[str, str]]:
    native = identity.name_locale.language
    out = [{"language": native, "proficiency": "NATIVE_OR_BILINGUAL"}]
    if native != "English":
        out.append({"language": "English", "proficiency": _pick(rng, _SECOND_LANGUAGE_LEVELS)})
    if identity.locale.language not in (native, "English"):
        out.append({"language": identity.locale.language, "proficiency": "FULL_PROFESSIONAL"})
    if _chance(rng, 25):
        extra = str(_pick(rng, _OTHER_LANGUAGES))
        if all(extra != entry["language"] for entry in out):
            out.append({"language": extra, "proficiency": _pick(rng, _THIRD_LANGUAGE_LEVELS)})
    return out


def _draw_function(rng: _Rng, industry: str) -> _Function:
    if _chance(rng, 45):
        core = _INDUSTRY_FUNCTIONS[industry]
        return _FUNCTION_BY_NAME[core[_below(rng, len(core))]]
    return _FUNCTIONS[_weighted(rng, _FUNCTION_WEIGHTS)]


_INDUSTRY_FUNCTIONS = {i.name: i.functions for i in _INDUSTRIES}


def person(index: int, companies: int) -> dict[str, Any]:
    """Synthetic person number `index` (0-based) in a population of `companies` companies,
    in the spec's `Person` shape. The record shares nothing with other records; within it,
    `employment.current` is the same object as `employment.all[0]`."""
    if index < 0:
        raise ValueError("indices start at 0")
    layout = _layout(companies)
    current_index, number = layout.place(index)
    identity = _identity(index, current_index, number)
    rng = identity.rng
    current = identity.company
    industry = current["industry"]["main_industry"]
    headcount = current["headcount"]
    table = _SENIORITY_WEIGHTS[(headcount <= 50, headcount > 1000, industry in _PARTNERSHIPS)]
    seniority = SENIORITIES[_weighted(rng, table)]
    function = _draw_function(rng, industry)
    if seniority == "Partner" and function.name not in _PARTNER_FUNCTIONS:
        function = _FUNCTION_BY_NAME[_pick(rng, _PARTNER_FUNCTIONS)]
    country = current["locations"]["headquarters"]["country"]
    job = _job(rng, seniority, function, current["name"], country)
    title = job["title"]

    # The career, walked backwards from the current job.
    low, high = _CAREER_YEARS[seniority]
    career = max(30, _between(rng, low * 365, high * 365))
    tenure = min(_days_in_job(rng), career)
    past_count = 0
    if companies > 1 and seniority != "Intern" and career - tenure >= 180:
        # A recent mover came from somewhere: at least one past job.
        fewest = 1 if tenure < 365 or seniority not in _PAST_JOBS else 0
        past_count = _between(rng, fewest, _PAST_JOBS.get(seniority, 3))
    if past_count == 0:
        tenure = career
    start = _REF - tenure
    career_start = _REF - career
    job["company"] = _copy_company(current)
    job["is_current"] = True
    job["start_at"] = _day(start)
    history = [job]
    seen = {current_index}
    end = earliest = start
    past_seniority = seniority
    past_function = function
    for n in range(past_count):
        # Each earlier job takes a share of what is left of the career, after a short gap.
        end -= _below(rng, 60)
        remaining = end - career_start
        if remaining < 90:
            break
        length = (
            remaining if n == past_count - 1 else _between(rng, 90, max(90, remaining * 2 // 3))
        )
        other = layout.company_at(_below(rng, layout.block))
        if other in seen:
            continue
        seen.add(other)
        past_company = _cached_company(other)
        past_seniority = _pick(rng, _PREVIOUS[past_seniority])
        if not _chance(rng, 80):
            past_function = _FUNCTIONS[_weighted(rng, _FUNCTION_WEIGHTS)]
        past = _job(
            rng,
            past_seniority,
            past_function,
            past_company["name"],
            past_company["locations"]["headquarters"]["country"],
        )
        past["company"] = _copy_company(past_company)
        past["is_current"] = False
        past["start_at"] = _day(end - length)
        past["end_at"] = _day(end)
        history.append(past)
        end = earliest = end - length
    began = date.fromordinal(earliest)
    graduation = began.year if began.month >= 7 else began.year - 1

    skills = _sample(rng, function.skills, _between(rng, 3, 6))
    skills += [s for s in _sample(rng, _GENERIC_SKILLS, _between(rng, 1, 3)) if s not in skills]
    first, last = identity.first, identity.last
    handle = _handle(index, first, last)
    company_name = current["name"]
    roll = _below(rng, 100)
    if roll < 60:
        headline = f"{title} at {company_name}"
    elif roll < 85:
        headline = f"{title} | {skills[0]} | {skills[1]}"
    else:
        headline = f"{title} @ {company_name}"
    record: dict[str, Any] = {
        "id": _uuid5(f"person:{index}"),
        "full_name": f"{first} {last}",
        "first_name": first,
        "last_name": last,
        "headline": headline,
    }
    if _chance(rng, 75):
        years = max(1, (_REF - earliest) // 365)
        record["description"] = (
            f"{function.name} professional with {years} year{'s' if years > 1 else ''} of "
            f"experience in {industry}. Skilled in {skills[0]}, {skills[1]} and "
            f"{skills[2]}."
        )
    loc = identity.locale
    record["location"] = {
        "country": loc.country,
        "country_code": loc.code,
        "city": identity.city,
        "region": identity.region,
    }
    connections = (
        30 + _below(rng, 500) * (1 + _LEVEL[seniority]) + _below(rng, 20) * _below(rng, 200)
    )
    record["social_profiles"] = {
        "professional_network": {
            "id": person_network_id(index),
            "url": f"https://www.linkedin.com/in/{handle}",
            "handle": handle,
            "connection_count": connections,
        }
    }
    record["educations"] = _educations(rng, identity, function, graduation, seniority == "Intern")
    record["languages"] = _languages(rng, identity)
    record["skills"] = skills
    # The current job is one object in both places, as it is one employment.
    record["employment"] = {"current": job, "all": history}
    return record


def people(count: int, companies: int) -> Iterator[dict[str, Any]]:
    """People 0..count-1 employed by `companies` companies, built one at a time."""
    for index in range(count):
        yield person(index, companies)


def person_for_handle(handle: str, companies: int) -> dict[str, Any] | None:
    """The synthetic person whose LinkedIn handle (or profile URL) is `handle`, or None."""
    text = handle.strip().lower().rstrip("/").rsplit("/", 1)[-1]
    index = _decode_suffix(text)
    if index is None:
        return None
    identity = _identity(index, *_layout(companies).place(index))
    if _handle(index, identity.first, identity.last) != text:
        return None
    return person(index, companies)


def person_for_name(
    first: str, last: str, domain: str, companies: int, people: int
) -> dict[str, Any] | None:
    """The synthetic person named `first` `last` currently at the company of `domain`, among
    the first `people` (the lowest index when names repeat), or None."""
    target = (_fold(first), _fold(last))
    company = company_index(domain)
    if company is None or company >= companies or not all(target):
        return None
    layout = _layout(companies)
    for index in employees(company, companies, people):
        identity = _identity(index, *layout.place(index))
        if (_fold(identity.first), _fold(identity.last)) == target:
            return person(index, companies)
    return None
