"""Seniority and job function read from a job title, by rule tables (no model, no data).

Search filters on `current_position_seniority_level`, `current_position_job_functions` and
`current_position_sub_functions` need values for records whose source gave none; these
rules derive them from the title alone, so the same title always gets the same answer.

- `seniority(title)`: one of `SENIORITIES`, or None when the title says nothing about rank.
- `job_functions(title)`: `(function, sub_function | None)` pairs, functions and
  sub-functions taken from `FUNCTIONS`, in the order the title names them.

Titles are compared case- and accent-insensitively (`anyascii`), with punctuation and
dotted abbreviations ("V.P.", "Sr.") flattened, and a few common French, German and
Spanish words understood. A company named after the title (" at Founders Fund", " chez
X", " bei Y") and the boss of an assistant ("Assistant to the CEO") are cut off first:
they describe someone else.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from anyascii import anyascii

__all__ = ["FUNCTIONS", "SENIORITIES", "job_functions", "seniority"]

# Highest rank first: a title naming two ranks gets the higher one ("Founder & CEO" is a
# Founder, "Senior Director" a Director), except that an internship always wins.
SENIORITIES: Final[tuple[str, ...]] = (
    "Owner",
    "Founder",
    "C-Level",
    "Partner",
    "VP",
    "Head",
    "Director",
    "Manager",
    "Senior",
    "Entry",
    "Intern",
)

FUNCTIONS: Final[dict[str, tuple[str, ...]]] = {
    "Engineering": ("Software Engineering", "DevOps", "QA", "Hardware"),
    "Sales": (
        "Account Executive",
        "Account Management",
        "Business Development",
        "Sales Operations",
    ),
    "Marketing": ("Growth", "Product Marketing", "Content", "Communications"),
    "Finance": ("Accounting", "FP&A", "Tax", "Audit"),
    "Human Resources": (
        "Recruiting",
        "People Operations",
        "Learning & Development",
        "Compensation & Benefits",
    ),
    "Operations": ("Business Operations", "Supply Chain", "Administration", "Project Management"),
    "Product": ("Product Management", "Product Operations"),
    "Design": ("UX Design", "UX Research", "Product Design", "Graphic Design"),
    "Customer Success": ("Customer Success Management", "Customer Support", "Implementation"),
    "Legal": ("Legal Counsel", "Compliance", "Paralegal", "Intellectual Property"),
    "Information Technology": (
        "IT Support",
        "Systems Administration",
        "Information Security",
        "Networking",
    ),
    "Data Science": (
        "Machine Learning",
        "Data Analysis",
        "Data Engineering",
        "Business Intelligence",
    ),
    "Consulting": ("Management Consulting", "IT Consulting", "Strategy"),
    "Education": ("Teaching", "Academic Research", "School Administration"),
    "Healthcare": ("Medicine", "Nursing", "Pharmacy", "Therapy"),
}

# --- Preparing a title ------------------------------------------------------------------

# Titles are a few words; longer text (a pasted biography) is read no further than this.
_MAX_TITLE = 200
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")  # v.p. s.v.p. c.e.o.
_EMPLOYER = re.compile(r"\s(?:at|@|chez|bei)\s.*$|@.*$")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_CHIEFS = r"ceo|cfo|coo|cto|cmo|cio|cro|chief|founders?|co founders?|president|chairman|chair"
# "Executive Assistant to the CEO": the rank and function after "to" are the boss's.
_BOSS = re.compile(
    rf" (?:to (?:the |our |a )?(?:{_CHIEFS}|vp|svp|evp|vice president|managing director|md|"
    rf"directors?|head|partners?|owners?|board|executives?|general manager|gm|principal)"
    rf"|for (?:the |our )?(?:{_CHIEFS}))\b.*$"
)


def _prepare(title: str) -> str:
    """Lower-case ASCII words separated by single spaces, padded with a space each side,
    without the employer or the boss the title may name."""
    text = anyascii(title[:_MAX_TITLE]).lower()
    text = _DOTTED.sub(lambda m: m.group().replace(".", ""), text)
    text = _EMPLOYER.sub("", text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = " " + _NOT_WORD.sub(" ", text).strip() + " "
    return _BOSS.sub(" ", text)


# --- Seniority --------------------------------------------------------------------------

# Phrases whose words would mislead the rank patterns below, rewritten to a plain word
# those patterns read the intended way (applied in order).
_RANK_REWRITES: tuple[tuple[str, str], ...] = (
    # Someone else's office or rank
    (r"office of the (?:ceo|founders?|president|chairman)|(?:ceo|founders?) s? ?office", "office"),
    (r"founders? s? ?(?:associate|assistant)", "associate"),
    (r"executive (?:assistant|secretary)|personal assistant", "assistant"),
    (r"assisten(?:z|t|tin) (?:des|der|von) .*|vorstandsassist\w*", "assistant"),
    # Words that look like ranks but name something else
    (
        r"(?:product|process|service|project|data|system|systems|risk|control|platform|"
        r"technical|solution|feature|content|account|application|budget) owner",
        "specialist",
    ),
    (r"head ?hunter|head ?hunting", "recruiter"),
    (r"lead (?:generation|gen)|\bleads\b", "sales"),
    (r"chief of staff", "director"),
    (r"general counsel", "head"),
    (
        r"intern(?:ship)? (?:program|programme|coordinator|manager|recruiter|recruiting|lead)",
        "program",
    ),
    (r"(?:phd|doctoral|graduate|master s|masters) (?:student|candidate)", "researcher"),
    (
        r"student (?:success|services|affairs|experience|life|support|recruitment|recruiter|"
        r"enrollment|engagement|advisor|adviser|counselor|housing|development|programs?|records|"
        r"finance|loans?)",
        "services",
    ),
    # Ranks in several words, or spelt as the rank next door
    (r"founding (?:partner|director|member of the board)", "founder"),
    (r"summer (?:analyst|associate)", "intern"),
    (
        r"managing director|(?:directeur|directrice) general[e]?|director[a]? general|"
        r"direttore generale|diretor[a]? geral|gerente general|consejero delegado",
        "ceo",
    ),
    (r"general manager|\bgm\b|country manager|chef de service", "head"),
    (
        r"team ?lead(?:er)?|team ?leiter(?:in)?|team ?leitung|gruppenleiter(?:in)?|"
        r"projektleiter(?:in)?|projektleitung|chef (?:de projet|de produit|d equipe|de rayon|"
        r"de mission)|jef[ea] de proyectos?",
        "manager",
    ),
    (
        r"staff (?:software|engineer|data|machine|ml|research|product|designer|security|"
        r"frontend|backend|front|back|infrastructure|site|platform|scientist|developer|"
        r"analyst|architect)",
        "senior",
    ),
)

_RANKS: dict[str, str] = {
    "Intern": (
        r"\binterns?\b|\binternship\b|\btrainees?\b|working student|werkstudent(?:in)?\b|"
        r"\bstagiaire\b|praktikant(?:in)?\b|\bapprenti(?:ce|e)?\b|\balternan(?:t|te|ce)\b|"
        r"auszubildende[r]?\b|\bazubi\b|\bbecari[oa]\b|\bpasante\b|\bpracticante\b|"
        r"\bco op\b|\bstudent\b|\bestagiari[oa]\b|\btirocinante\b"
    ),
    "Owner": (
        r"\b(?:co )?owners?\b|\bproprietor\b|\bproprietaire\b|\bpropietari[oa]\b|"
        r"\bduen[oa]\b|inhaber(?:in)?\b|\btitolare\b|self employed"
    ),
    "Founder": (
        r"\bco ?founders?\b|\bfounders?\b|\bco ?fondat(?:eur|rice)\b|\bfondat(?:eur|rice|ore)\b|"
        r"gr(?:u|ue)nder(?:in)?\b|\bco ?fundador[a]?\b|\bfundador[a]?\b|\bentrepreneur\b"
    ),
    "C-Level": (
        r"\b(?:ceo|cfo|coo|cto|cmo|cro|cio|ciso|cpo|cdo|cso|cco|chro|cxo|caio|clo|cbo|cao)s?\b|"
        r"\bchief (?:\w+ ){1,4}officer\b|\bchief executive\b|\bc (?:level|suite)\b|"
        r"(?<!vice )\bpresident[e]?\b|\bchair(?:man|woman|person)?\b|\bpdg\b|"
        r"gesch(?:a|ae)ftsf(?:u|ue)hr(?:er|erin|ung)\b|\bvorstand\w*|\bgerant[e]?\b"
    ),
    "Partner": (
        r"(?<!business )(?<!channel )(?<!talent )(?<!people )(?<!hr )(?<!recruiting )"
        r"(?<!learning )(?<!strategic )(?<!technology )(?<!alliance )(?<!implementation )"
        r"(?<!sales )(?<!finance )(?<!delivery )(?<!client )(?<!account )"
        r"\bpartner\b(?! (?:manager|management|account|success|marketing|sales|programs?|"
        r"engineer|engineering|development|relations|solutions|ecosystem|channel|operations|"
        r"integrations?|enablement|director|lead|executive|specialist|support|alliances|"
        r"network|business|experience|associate)\b)|\bassociee?\b|\bsoci[oa]\b|teilhaber(?:in)?\b"
    ),
    "VP": (
        r"\b(?:vp|svp|evp|avp|gvp|rvp|vps)\b|\bv p\b|\bvice ?pres(?:ident[e]?)?\b|"
        r"vizepr(?:a|ae)sident(?:in)?\b"
    ),
    "Head": r"\bhead\b|\bheads\b|leiter(?:in)?\b|leitung\b|\bjef[ea]\b|\bchief\b",
    "Director": (
        r"\bdirector[a]?s?\b|\bdirect(?:eur|rice)\b|direktor(?:in)?\b|\bdiretor[a]?\b|"
        r"\bdirett(?:ore|rice)\b|\bdir\b"
    ),
    "Manager": (
        r"manager(?:in|s|ess)?\b|\bmgr\b|\bmngr\b|\bgerente\b|\bresponsable\b|\bsupervis\w+|"
        r"\bencargad[oa]\b"
    ),
    "Senior": r"\bsenior\b|\bsr\b|\bsnr\b|\blead\b|\bprincipal\b|\bdistinguished\b|\bprofessor\b",
    "Entry": (
        r"\bjunior\b|\bjr\b|\bjnr\b|\bassociate\b|\bassist(?:ant|ante|ente)\b|\basst\b|"
        r"entry level|\bgraduate\b|\bgrad\b|\brepresentative\b|\brep\b|\bclerk\b|\bauxiliar\b|"
        r" (?:i|1) $"
    ),
}

_REWRITES = tuple((re.compile(pattern), f" {word} ") for pattern, word in _RANK_REWRITES)
_RANK_PATTERNS = {rank: re.compile(pattern) for rank, pattern in _RANKS.items()}
_BY_PRECEDENCE = ("Intern", *SENIORITIES[:-1])


@lru_cache(maxsize=16384)
def seniority(title: str) -> str | None:
    """The rank a job title states, one of `SENIORITIES`, or None when it states none."""
    text = _prepare(title)
    for pattern, word in _REWRITES:
        text = pattern.sub(word, text)
    for rank in _BY_PRECEDENCE:
        if _RANK_PATTERNS[rank].search(text):
            return rank
    return None


# --- Job functions ----------------------------------------------------------------------

# (function, sub-function or None, pattern), tried in this order. Each match claims its
# words, so a later, broader rule cannot read them again: "Sales Engineer" is claimed by
# Sales before "engineer" could make it Engineering, "Product Marketing" by Marketing
# before "product" could make it Product.
_FUNCTION_RULES: tuple[tuple[str, str | None, str], ...] = (
    # Phrases that would otherwise be split between two functions
    ("Engineering", None, r"research and development|\br and d\b|technical writ\w*"),
    (
        "Marketing",
        None,
        r"developer (?:relations|advocate|evangelist)|devrel|market research|"
        r"customer marketing|marketing op(?:eration)?s",
    ),
    ("Operations", None, r"health and safety|\behs\b|\bhse\b"),
    ("Information Technology", None, r"data cent(?:er|re)s?"),
    ("Operations", "Administration", r"data entry"),
    ("Legal", "Compliance", r"data (?:protection|privacy)"),
    (
        "Sales",
        None,
        r"sales engineer\w*|solutions? (?:engineer|consultant)\w*|pre ?sales|"
        r"ingenieu?r[oa]? comercial|ingenieur commercial",
    ),
    (
        "Sales",
        "Business Development",
        r"business develop\w*|biz ?dev|"
        r"strategic (?:partner|alliance)\w*|partner (?:account )?manag\w*",
    ),
    ("Customer Success", "Customer Success Management", r"technical account manag\w*"),
    (
        "Human Resources",
        "Recruiting",
        r"recruit\w*|talent (?:acquisition|partner|sourc\w*)|"
        r"\bsourcer\b|head ?hunt\w*|recrut\w*|reclut\w*|staffing",
    ),
    (
        "Human Resources",
        "Learning & Development",
        r"learning and development|\bl and d\b|"
        r"\btraining\b|\btrainer\b|instructional design\w*|learning officer",
    ),
    (
        "Human Resources",
        "People Operations",
        r"(?:hr|human resources|people) business partner|"
        r"\bhrbp\b|people op(?:eration)?s|hr op(?:eration)?s|\bhris\b|"
        r"people (?:partner|and culture|experience)|employee (?:relations|experience)",
    ),
    ("Finance", None, r"(?:financial|wealth|investment) advis\w*"),
    ("Finance", "Tax", r"\btax(?:es|ation)?(?: advis\w*| consult\w*)?\b|steuer\w*|fiscalist\w*"),
    (
        "Operations",
        "Business Operations",
        r"business op(?:eration)?s|biz ?ops|"
        r"strategy and operations|chief of staff|founders? s? ?associate",
    ),
    (
        "Operations",
        "Administration",
        r"(?:executive|administrative|personal|office|admin) "
        r"(?:assistant|secretary)|office (?:manager|administrator|coordinator)|receptionist|"
        r"secretar\w*|sekret(?:a|ae)r\w*|assistant\w* de direction",
    ),
    # Sales
    (
        "Sales",
        "Sales Operations",
        r"sales op(?:eration)?s|revenue op(?:eration)?s|rev ?ops|"
        r"sales enablement|deal desk",
    ),
    ("Sales", "Account Executive", r"account executive|\bae\b|sales executive|\bcloser\b"),
    (
        "Sales",
        "Account Management",
        r"(?:key )?account manag\w*|\bkam\b|client partner|"
        r"relationship manager|account director",
    ),
    (
        "Sales",
        "Business Development",
        r"\bbdr\b|\bsdr\b|\bbdm\b|\bbd\b|sales development|"
        r"partnerships?|alliances?|\bchannel\b|new business",
    ),
    # Customer success
    (
        "Customer Success",
        "Customer Support",
        r"(?:technical |customer )?support engineer\w*|"
        r"technical support|customer (?:support|service|care)|support (?:specialist|agent|"
        r"representative|rep|analyst|associate)|call cent(?:er|re)|service client|"
        r"(?:atencion|servicio) al cliente|kundenservice|kundendienst|client services?",
    ),
    (
        "Customer Success",
        "Customer Success Management",
        r"customer success|client success|"
        r"\bcsm\b",
    ),
    ("Customer Success", "Implementation", r"implementation|onboarding"),
    # Information technology
    (
        "Information Technology",
        "IT Support",
        r"\bit support|help ?desk|service desk|"
        r"desktop support|it technician|support technician",
    ),
    (
        "Information Technology",
        "Information Security",
        r"information security|cyber ?security|"
        r"infosec|security (?:engineer|analyst|architect|researcher|specialist|consultant|"
        r"operations)\w*|\bsecurity\b(?! guard)|penetration test\w*|pen ?test\w*|\bsoc\b|"
        r"\bciso\b|appsec|devsecops",
    ),
    (
        "Information Technology",
        "Networking",
        r"network (?:engineer|administrator|admin|"
        r"architect|technician|specialist|operations)\w*|\bnetworking\b|telecom\w*|\bnoc\b|\bvoip\b",
    ),
    (
        "Information Technology",
        "Systems Administration",
        r"sys ?admin\w*|systems? "
        r"(?:administrator|admin)\w*|database administrator|\bdba\b|it administrator|"
        r"(?:salesforce|crm|linux|windows) (?:administrator|admin)",
    ),
    # Data
    (
        "Data Science",
        "Business Intelligence",
        r"business intelligence|\bbi (?:analyst|developer|"
        r"engineer|manager|lead|specialist|consultant|architect)\b|power bi|tableau|"
        r"reporting analyst",
    ),
    (
        "Data Science",
        "Data Engineering",
        r"data (?:engineer|architect|platform|warehous|"
        r"pipeline)\w*|big data|\betl\b|analytics engineer\w*|ingenier[oa] de datos",
    ),
    (
        "Data Science",
        "Machine Learning",
        r"(?:machine learning|\bml|\bai|artificial "
        r"intelligence|deep learning|\bnlp|computer vision|\bllms?)(?: (?:engineer|scientist|"
        r"researcher|research)\w*)?\b|\bmlops\b|applied scientist|\bcaio\b",
    ),
    (
        "Data Science",
        "Data Analysis",
        r"data analy\w*|analista de datos|\banalytics\b|"
        r"insights analyst|statistician|business analyst",
    ),
    # Legal
    (
        "Legal",
        "Intellectual Property",
        r"(?:intellectual property|patent\w*|trademark\w*|"
        r"\bip)(?: (?:counsel|attorney|lawyer|agent|manager|specialist|paralegal|engineer)\w*)?\b",
    ),
    ("Legal", "Paralegal", r"paralegal|legal (?:assistant|secretary)"),
    ("Legal", "Compliance", r"compliance|regulatory|privacy|\bdpo\b|\baml\b|\bkyc\b"),
    (
        "Legal",
        "Legal Counsel",
        r"general counsel|\bcounsel\b|lawyer|attorney|solicitor|"
        r"barrister|\bavocat\w*|\babogad[oa]s?\b|anwalt\w*|anw(?:a|ae)ltin|\bjuriste?\b|\bclo\b",
    ),
    # Engineering
    (
        "Engineering",
        "DevOps",
        r"devops|dev ops|site reliability|\bsre\b|platform engineer\w*|"
        r"infrastructure engineer\w*|cloud (?:engineer|architect)\w*|release engineer\w*|"
        r"build engineer\w*|kubernetes",
    ),
    (
        "Engineering",
        "QA",
        r"\bqa\b|quality assurance|\bqc\b|quality control|test (?:engineer|"
        r"automation|analyst|lead|manager)\w*|\btesters?\b|\bsdet\b|quality engineer\w*",
    ),
    (
        "Engineering",
        "Hardware",
        r"hardware|firmware|embedded|electrical engineer\w*|"
        r"\belectronics?\b|mechanical engineer\w*|\basic\b|\bfpga\b|\bpcb\b|design verification|"
        r"robotics",
    ),
    (
        "Engineering",
        "Software Engineering",
        r"software|developer|programmer|programador\w*|"
        r"desarrollador\w*|developpeu\w*|entwickler\w*|full ?stack|front ?end|back ?end|\bswe\b|"
        r"\bsde\b|\bios\b|android|web develop\w*|mobile (?:developer|engineer)|"
        r"product engineer\w*|logiciel|\bcoder\b",
    ),
    # Design
    ("Design", "UX Research", r"(?:ux|user|design) research\w*"),
    ("Design", "Product Design", r"product design\w*"),
    (
        "Design",
        "UX Design",
        r"\bux\b|\bui\b|user experience|user interface|"
        r"interaction design\w*",
    ),
    (
        "Design",
        "Graphic Design",
        r"graphi\w* design\w*|graphiste|visual design\w*|"
        r"illustrat\w*|motion design\w*|art director\w*|brand design\w*",
    ),
    # Marketing
    ("Marketing", "Product Marketing", r"product marketing|\bpmm\b|go to market|\bgtm\b"),
    (
        "Marketing",
        "Growth",
        r"growth|demand gen\w*|lead gen\w*|performance marketing|"
        r"(?:user |customer )?acquisition|paid (?:media|social|search|ads)|\bseo\b|\bsem\b|"
        r"\bppc\b|lifecycle|email marketing|marketing automation|crm marketing",
    ),
    (
        "Marketing",
        "Content",
        r"content(?: strateg\w*)?|copy ?writ\w*|\bwriter\b|\beditor\w*|"
        r"editorial|social media|community (?:manager|management)|\bblog\w*",
    ),
    (
        "Marketing",
        "Communications",
        r"communications?|\bcomms\b|public relations|\bpr\b|"
        r"\bpress\b|media relations|corporate affairs|\bevents?\b",
    ),
    # Product
    ("Product", "Product Operations", r"product op(?:eration)?s"),
    (
        "Product",
        "Product Management",
        r"\bproducts?\b|\bproduit\b|\bproducto\b|"
        r"\bprodukt(?:manager\w*|management|owner|leiter\w*)?\b|\bcpo\b|\bapm\b|\bgpm\b",
    ),
    # Human resources
    (
        "Human Resources",
        "Compensation & Benefits",
        r"compensation|\bbenefits\b|total rewards|"
        r"payroll|remuneration|\bpaie\b",
    ),
    # Finance
    ("Finance", "Audit", r"audit\w*|wirtschaftspr(?:u|ue)f\w*"),
    (
        "Finance",
        "FP&A",
        r"\bfp and a\b|\bfpa\b|financial planning|(?:financial|finance|"
        r"budget) analyst|controlling|control(?:e|eur) de gestion|forecast\w*|\bbudget\w*",
    ),
    (
        "Finance",
        "Accounting",
        r"\baccountants?\b|\baccounting\b|accounts (?:payable|"
        r"receivable)|bookkeep\w*|\bcontroller\b|comptroller|comptab\w*|buchhalt\w*|"
        r"\bcontador[a]?\b|\bcontable\b|contabilidad|\bcpa\b|\bbilling\b",
    ),
    # Operations
    (
        "Operations",
        "Supply Chain",
        r"supply chain|logisti\w*|procurement|purchas\w*|\bbuyers?\b|"
        r"sourcing|warehouse|inventory|fulfil+ment|shipping|demand plan\w*|einkauf\w*|"
        r"\bachats?\b|acheteu\w*|\bcompras\b",
    ),
    (
        "Operations",
        "Project Management",
        r"project (?:manager|management|coordinator|lead|"
        r"director|officer)|program(?:me)? (?:manager|management|director|lead)|\bpmo\b|\btpm\b|"
        r"scrum master|agile coach|delivery manager|chef de projet|projekt\w*|\bprojects?\b|"
        r"\bproyectos?\b",
    ),
    # Consulting
    (
        "Consulting",
        "IT Consulting",
        r"(?:it|technology|technical|sap|salesforce|erp|crm|oracle|"
        r"functional) consult\w*",
    ),
    ("Consulting", "Management Consulting", r"(?:management|business|strategy) consult\w*"),
    ("Consulting", "Strategy", r"strateg\w*|corporate development"),
    # Education
    (
        "Education",
        "School Administration",
        r"school (?:principal|administrator)|"
        r"vice principal|head ?teacher|headmaster|headmistress|\bdean\b|provost|registrar|"
        r"admissions",
    ),
    (
        "Education",
        "Teaching",
        r"teach\w*|lecturer|professor\w*|instructor|\btutor\b|educator|"
        r"faculty|enseignant\w*|professeu\w*|profesor\w*|lehrer\w*|\bmaestr[oa]\b|docente",
    ),
    (
        "Education",
        "Academic Research",
        r"research\w*|postdoc\w*|post doctoral|\bphd\b|"
        r"doctoral|principal investigator|investigador\w*|chercheu\w*|wissenschaftl\w*",
    ),
    # Healthcare
    (
        "Healthcare",
        "Nursing",
        r"\bnurs\w*|\brn\b|\blpn\b|\bcna\b|midwi\w*|infirmi\w*|"
        r"enfermer\w*|krankenschwester|krankenpfleg\w*|pflege\w*",
    ),
    ("Healthcare", "Pharmacy", r"pharmac\w*|apothek\w*|farmac\w*"),
    (
        "Healthcare",
        "Therapy",
        r"therap\w*|physio\w*|psycholog\w*|counsel+or|chiropract\w*|"
        r"kinesitherap\w*",
    ),
    (
        "Healthcare",
        "Medicine",
        r"physician|\bdoctor\b|surgeon|medical|\bmedecin\b|\bmedico\b|"
        r"arzt\b|(?:a|ae)rztin\b|clinician|clinical|radiolog\w*|cardiolog\w*|dermatolog\w*|"
        r"neurolog\w*|oncolog\w*|patholog\w*|psychiatr\w*|pa?ediatric\w*|dentist\w*|"
        r"general practitioner|\bgp\b|hospitalist|ana?esthe\w*|paramedic|\bemt\b|veterinar\w*",
    ),
    # A function named without a sub-function
    (
        "Sales",
        None,
        r"\bsales\w*|\bseller\b|\bcro\b|chief revenue|(?:head|vp|director|vice "
        r"president) (?:of )?revenue|\bcommercial\w*|\bcomercial\w*|vertrieb\w*|"
        r"verkauf\w*|verk(?:a|ae)ufer\w*|\bventas?\b|\bventes?\b|vendedor\w*|\bvendeu\w*",
    ),
    ("Marketing", None, r"marketing\w*|marketer|\bcmo\b|mercadotecnia|mercadeo|\bbrand\w*"),
    (
        "Customer Success",
        None,
        r"\bcustomers?\b|client experience|kundenbetreu\w*|"
        r"relation client",
    ),
    (
        "Information Technology",
        None,
        r"information technology|information systems|"
        r"information officer|\bcio\b|\bit (?:manager|director|support|specialist|administrator|"
        r"admin|engineer|consultant|lead|technician|analyst|operations|infrastructure|project|"
        r"services|department|team|systems?|coordinator|auditor)\b|(?:head|director|vp|manager|"
        r"chief|lead|leiter|leiterin|responsable|jefe|directeur|gerente) (?:of |de |du |des )?it\b|"
        r"^ it $|informati(?:que|ca|k|cs)\b|\bsistemas\b|enterprise architect",
    ),
    (
        "Data Science",
        None,
        r"data scien\w*|cientific[oa] de datos|\bcdo\b|\bdata\b|\bdatos\b|"
        r"\bdonnees\b",
    ),
    (
        "Legal",
        None,
        r"\blegal(?: advis\w*)?\b|\blaw\b|juridi(?:que|co)|"
        r"contracts? (?:manager|specialist|administrator|negotiator)",
    ),
    (
        "Engineering",
        None,
        r"engineer\w*|\beng\b|ingenieu\w*|ingenier\w*|ingegner\w*|\bcto\b|"
        r"(?:technology|technical) officer|tech(?:nical)? lead|solutions? architect\w*|"
        r"software architect\w*",
    ),
    ("Design", None, r"design\w*|\bcreative\b|disen\w*"),
    (
        "Human Resources",
        None,
        r"\bhr\b|human resources?|\bpersonnel\b|\bchro\b|\brh\b|"
        r"ressources humaines|recursos humanos|personal(?:leiter|referent|entwicklung|wesen|"
        r"abteilung|chef|sachbearbeiter|manager|berater)\w*|(?:chief|head|vp|director|svp|evp) "
        r"(?:of )?people\b|people officer|\btalent\b",
    ),
    (
        "Finance",
        None,
        r"financ\w*|\bcfo\b|treasur\w*|investment\w*|investor relations|"
        r"\bbank\w*|\bcredit\b|\brisk\b|\bquant(?:itative)?\b|\bm and a\b|private equity|"
        r"venture capital|finanz\w*|tresor\w*",
    ),
    (
        "Operations",
        None,
        r"operations?|\bops\b|\bcoo\b|operating officer|operaciones|"
        r"facilit(?:y|ies)|plant manager|manufacturing|production manager",
    ),
    (
        "Healthcare",
        None,
        r"health\w*|hospital\w*|\bclinic\b|patient\w*|caregiver|medizin\w*|"
        r"\bsante\b|\bsalud\b",
    ),
    ("Education", None, r"educat\w*|\bschool\b|academic\w*|curriculum|e learning"),
    (
        "Consulting",
        None,
        r"consult\w*|advis(?:or|er|ory)\w*|berat(?:er|erin|ung)\b|"
        r"\bconseil\w*|consultor\w*",
    ),
)

# Words that name a function only when nothing else in the title does ("Accounts Payable
# Clerk" is in Accounting, a "Clerk" in Administration).
_FALLBACK_RULES: tuple[tuple[str, str | None, str], ...] = (
    ("Operations", "Administration", r"\bclerks?\b"),
)


def _compiled(
    rules: tuple[tuple[str, str | None, str], ...],
) -> tuple[tuple[str, str | None, re.Pattern[str]], ...]:
    return tuple((function, sub, re.compile(pattern)) for function, sub, pattern in rules)


_FUNCTION_PATTERNS = _compiled(_FUNCTION_RULES)
_FALLBACK_PATTERNS = _compiled(_FALLBACK_RULES)


def _claim(
    text: str, rules: tuple[tuple[str, str | None, re.Pattern[str]], ...]
) -> tuple[str, list[tuple[int, str, str | None]]]:
    """Every rule's matches as (position, function, sub-function), and `text` with the
    matched words blanked (spaces, so positions and word boundaries stay put)."""
    found: list[tuple[int, str, str | None]] = []
    for function, sub, pattern in rules:
        found.extend((match.start(), function, sub) for match in pattern.finditer(text))
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text, found


@lru_cache(maxsize=16384)
def _functions(title: str) -> tuple[tuple[str, str | None], ...]:
    text, found = _claim(_prepare(title), _FUNCTION_PATTERNS)
    if not found:
        _, found = _claim(text, _FALLBACK_PATTERNS)
    found.sort(key=lambda item: item[0])
    specific = {function for _, function, sub in found if sub is not None}
    result: list[tuple[str, str | None]] = []
    for _, function, sub in found:
        pair = (function, sub)
        if (sub is None and function in specific) or pair in result:
            continue
        result.append(pair)
    return tuple(result)


def job_functions(title: str) -> list[tuple[str, str | None]]:
    """The functions a job title names, as `(function, sub_function or None)` pairs in the
    order the title names them; a function named with a sub-function is not repeated
    without one. Empty when the title names no function."""
    return list(_functions(title))
