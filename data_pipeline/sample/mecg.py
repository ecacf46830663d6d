"""The Mother and Early Childhood Grant: beneficiary register, payment ledger and the HI membership link list.

The pilot design reproduces the source report exactly (Joint SDG Fund final report, 2022): 2,596 enrolled from August
2021 in Sanamxay (1,100) and Phouvong (372), Attapeu, and Nong (1,124), Savannakhet; 524 pregnant women and 2,072
children; 1,560 women and girls; 1,410 paid at least once by 30 June 2022. LAK 150,000 a month, paid every two months.

Everything is drawn with numpy arrays (no Python loop per person), so the same code builds the national-size
benchmark register (~0.5 million beneficiaries, millions of payments) in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .geography import AS_OF, PopulationModel, district, districts, rng_for

MONTHLY_GRANT_LAK = 150_000
CYCLE_AMOUNT_LAK = 2 * MONTHLY_GRANT_LAK  # paid once every two months


@dataclass(frozen=True)
class Quota:
    """Who is enrolled in one district: pregnant women (all female) and children by sex."""

    district: str
    pregnant_women: int
    girls: int
    boys: int

    @property
    def total(self) -> int:
        return self.pregnant_women + self.girls + self.boys


@dataclass(frozen=True)
class MecgDesign:
    quotas: tuple[Quota, ...]
    paid_beneficiaries: int  # exactly this many have at least one payment paid by AS_OF
    enrol_from: date
    enrol_to: date
    first_round: date  # first two-monthly payment round; rounds follow every two months
    wallet_share: float  # share with a registered phone (paid by digital wallet; the others in cash)
    national_id_share: float  # share with a national id (the others are blank: not linkable)
    child_max_age_days: int = 182  # children are enrolled at 0-6 months (nationally: soon after birth registration)


# Source report: 1,100 / 372 / 1,124 by district; 524 pregnant women; 1,036 girls and 1,036 boys (1,560 female).
PILOT = MecgDesign(
    quotas=(Quota("1703", 222, 439, 439), Quota("1705", 75, 148, 149), Quota("1306", 227, 449, 448)),
    paid_beneficiaries=1_410,
    enrol_from=date(2021, 8, 2),
    enrol_to=date(2022, 3, 31),
    first_round=date(2021, 10, 15),
    wallet_share=0.62,
    national_id_share=0.86,
)


def national_design(population: PopulationModel, seed: int, beneficiaries: int = 500_000) -> MecgDesign:
    """A scaled-up grant in every district (the report's 'almost 0.5 million mothers and children' at saturation)."""
    rng = rng_for(seed, "mecg-national-quotas")
    all_districts = districts()
    weights = np.array([population.district_total(d.lsb, 2021) for d in all_districts])
    weights = weights * rng.uniform(0.8, 1.2, len(weights))
    per_district = np.floor(beneficiaries * weights / weights.sum()).astype(int)
    per_district[: beneficiaries - per_district.sum()] += 1  # the remainder, one each, so totals are exact
    quotas = []
    for d, n in zip(all_districts, per_district):
        pregnant = int(round(n * 0.2))
        girls = (n - pregnant) // 2
        quotas.append(Quota(d.lsb, pregnant, girls, n - pregnant - girls))
    return MecgDesign(
        tuple(quotas),
        paid_beneficiaries=int(round(beneficiaries * 0.85)),
        enrol_from=date(2020, 1, 6),
        enrol_to=date(2022, 3, 31),
        first_round=date(2020, 2, 15),
        wallet_share=0.6,
        national_id_share=0.8,
        child_max_age_days=91,
    )


@dataclass(frozen=True)
class MecgTables:
    register: pa.Table  # contract column names; clear ids, names and phones (PII is the point of this file)
    payments: pa.Table
    hi_link: pa.Table


FEMALE_NAMES = (
    "Bounmy",
    "Chanthaly",
    "Davone",
    "Kesone",
    "Khamla",
    "Manivone",
    "Noy",
    "Phonesavanh",
    "Souksavanh",
    "Vilayvanh",
    "Viengkham",
    "Souphaphone",
    "Keo",
    "Latsamy",
    "Malaythong",
    "Nalinh",
    "Phetsamone",
    "Sengdeuane",
    "Somchanh",
    "Thipphavanh",
    "Vanida",
    "Khanthaly",
    "Douangchay",
    "Mone",
    "Pany",
)
MALE_NAMES = (
    "Bounthanh",
    "Khamphone",
    "Somphone",
    "Souksakhone",
    "Phouvieng",
    "Thongchanh",
    "Vanhsay",
    "Xaysana",
    "Anousone",
    "Bounleuth",
    "Khampheng",
    "Sengphet",
    "Soulivong",
    "Thavisack",
    "Vilaysack",
    "Khamsing",
    "Phonexay",
    "Sisouk",
    "Thongsavanh",
    "Bouasone",
    "Keovilay",
    "Outhai",
    "Somsack",
    "Viengsay",
    "Lae",
)
FAMILY_NAMES = (
    "Phommachanh",
    "Sisavath",
    "Vongsa",
    "Keomany",
    "Inthavong",
    "Chanthavong",
    "Souvannavong",
    "Phanthavong",
    "Sengsouly",
    "Xayavong",
    "Douangmala",
    "Luangrath",
    "Vilayphone",
    "Sayasane",
    "Bounyavong",
    "Khounphanh",
    "Sihalath",
    "Thammavong",
    "Keodara",
    "Phimmasone",
    "Siphandone",
    "Manivong",
    "Oudomsouk",
    "Rattanavong",
    "Phetsomphou",
)
VILLAGES = (
    "Nongbua",
    "Phonsavang",
    "Nakhok",
    "Donkhoun",
    "Houayhok",
    "Phonxay",
    "Nalao",
    "Kengkok",
    "Phiengdi",
    "Sompoy",
    "Nongdeng",
    "Thasano",
    "Vangtao",
    "Hatxai",
    "Namkong",
    "Latsaen",
    "Pakthone",
    "Sivilay",
    "Khokkong",
    "Naxay",
    "Dongbang",
    "Phonthan",
    "Houaykong",
    "Nonsavang",
    "Taxeng",
    "Kasi",
    "Somsanouk",
    "Xiengda",
    "Phakhao",
    "Nameuang",
)


def payment_rounds(first_round: date, until: date = AS_OF) -> np.ndarray:
    """Two-monthly payment rounds (datetime64[D]) from the first round up to ``until``."""
    rounds = []
    year, month = first_round.year, first_round.month
    while (day := date(year, month, first_round.day)) <= until:
        rounds.append(day)
        month += 2
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return np.array(rounds, dtype="datetime64[D]")


def _days(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def _pick(rng: np.random.Generator, choices: tuple[str, ...], n: int) -> np.ndarray:
    return np.array(choices, dtype=object)[rng.integers(0, len(choices), n)]


def _padded(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _unique_ids(first: int, n: int) -> np.ndarray:
    """n distinct 10-digit national ids: an affine map i -> (a*i + b) mod 9e9 is a bijection since gcd(a, 9e9) = 1."""
    i = np.arange(first, first + n, dtype=np.int64)
    return (i * 7_919_333 + 1_234_567) % 9_000_000_000 + 1_000_000_000


def build_mecg(design: MecgDesign, seed: int) -> MecgTables:
    rng = rng_for(seed, "mecg")

    # Who: one row per quota member, then sorted by district and enrolment date (the order of a real register).
    counts = [
        (q.district, district(q.district).province_iso, t, s, n)
        for q in design.quotas
        for t, s, n in (("pregnant_woman", "F", q.pregnant_women), ("child", "F", q.girls), ("child", "M", q.boys))
    ]
    sizes = [c[4] for c in counts]
    district_code, province_iso, kind, sex = (np.repeat([c[i] for c in counts], sizes) for i in range(4))
    n = len(kind)
    span = (design.enrol_to - design.enrol_from).days
    # Enrolment is front-loaded: most households were registered in the first months of the roll-out.
    enrolled = _days(design.enrol_from) + np.floor(rng.beta(1.3, 2.4, n) * span).astype("timedelta64[D]")
    order = np.lexsort((rng.random(n), enrolled, district_code))
    district_code, province_iso, kind, sex, enrolled = (
        a[order] for a in (district_code, province_iso, kind, sex, enrolled)
    )
    is_child = kind == "child"

    # Record ids number beneficiaries within their province (districts of a province are contiguous once sorted).
    _, first_of_province, province_group = np.unique(province_iso, return_index=True, return_inverse=True)
    seq_in_province = np.arange(n) - first_of_province[province_group] + 1
    short = np.char.partition(province_iso.astype(str), "-")[:, 2]
    record_id = _join("MECG-", pa.array(short), "-", _padded(seq_in_province, 6))

    # Children are enrolled at 0-6 months and receive the grant until their first birthday; a pregnant woman's
    # household stays on through the pregnancy and the child's first year.
    child_age = rng.integers(0, design.child_max_age_days + 1, n).astype("timedelta64[D]")
    mother_age = (rng.uniform(16, 42, n) * 365.25).astype(int).astype("timedelta64[D]")
    birth = np.where(is_child, enrolled - child_age, enrolled - mother_age)
    eligible_until = np.where(
        is_child, birth + np.timedelta64(365, "D"), enrolled + rng.integers(365, 580, n).astype("timedelta64[D]")
    )

    # Payments fall due in district-wide two-monthly rounds, the first at least 30 days after enrolment.
    rounds = payment_rounds(design.first_round)
    first_round = np.searchsorted(rounds, enrolled + np.timedelta64(30, "D"), side="left")
    last_round = np.searchsorted(
        rounds, np.minimum(eligible_until - np.timedelta64(1, "D"), _days(AS_OF)), side="right"
    )
    cycles = last_round - first_round
    if cycles.min() < 1:
        raise ValueError(
            "every beneficiary must have at least one payment due by the reference date; "
            "end enrolment earlier or add payment rounds"
        )

    has_wallet = rng.random(n) < design.wallet_share
    # Exactly the report's number were ever paid; early enrolees and wallet holders were reached first.
    waited = (_days(AS_OF) - rounds[first_round]).astype(float)
    weight = np.exp(waited / 150) * np.where(has_wallet, 1.6, 1.0)
    ever_paid = np.zeros(n, dtype=bool)
    ever_paid[rng.choice(n, size=design.paid_beneficiaries, replace=False, p=weight / weight.sum())] = True

    status = np.where(eligible_until <= _days(AS_OF), "exited", "active").astype(object)
    status[(~ever_paid) & (status == "active") & (rng.random(n) < 0.03)] = "suspended"  # under review

    has_national_id = rng.random(n) < design.national_id_share
    national_id = np.where(has_national_id, _unique_ids(0, n).astype(str), None)
    given = np.where(sex == "F", _pick(rng, FEMALE_NAMES, n), _pick(rng, MALE_NAMES, n))
    full_name = _join(pa.array(given), " ", pa.array(_pick(rng, FAMILY_NAMES, n)))
    has_phone = has_wallet | (rng.random(n) < 0.1)  # a few have a phone that is not registered for the wallet
    phone = _join("020 5", _padded(rng.integers(0, 1000, n), 3), " ", _padded(rng.integers(0, 10_000, n), 4))
    phone = pc.if_else(pa.array(has_phone), phone, pa.nulls(n, pa.string()))
    village = _join("Ban ", pa.array(_pick(rng, VILLAGES, n)))

    register = pa.table(
        {
            "beneficiary_key": record_id,
            "national_id_key": pa.array(national_id, pa.string()),
            "full_name": full_name,
            "phone": phone,
            "sex": pa.array(sex, pa.string()),
            "birth_date": pa.array(birth.astype("datetime64[D]"), pa.date32()),
            "beneficiary_type": pa.array(kind, pa.string()),
            "province": pa.array(province_iso, pa.string()),
            "district": pa.array(district_code, pa.string()),
            "village": village,
            "enrolment_date": pa.array(enrolled, pa.date32()),
            "status": pa.array(status, pa.string()),
            "has_wallet": pa.array(has_wallet),
        }
    )
    payments = _ledger(rng, record_id, first_round, cycles, rounds, ever_paid, has_wallet)
    hi_link = _hi_membership(rng, national_id, full_name, n)
    return MecgTables(register, payments, hi_link)


def _ledger(
    rng,
    record_id: pa.Array,
    first_round: np.ndarray,
    cycles: np.ndarray,
    rounds: np.ndarray,
    ever_paid: np.ndarray,
    has_wallet: np.ndarray,
) -> pa.Table:
    """One row per payment due by AS_OF: paid with a realistic delay, or still pending (a few failed)."""
    owner = np.repeat(np.arange(len(cycles)), cycles)
    m = len(owner)
    cycle = np.arange(m) - np.repeat(np.cumsum(cycles) - cycles, cycles) + 1
    due = rounds[first_round[owner] + cycle - 1]

    # Delays: about a quarter paid within a few days of the due date, the rest weeks late (lockdowns, remote villages).
    on_time = rng.random(m) < 0.27
    delay = np.where(on_time, rng.integers(-3, 6, m), np.round(8 + rng.gamma(2.0, 17.0, m))).astype(int)
    headroom = (_days(AS_OF) - due).astype(int)
    first = cycle == 1
    # A beneficiary counted as paid got the first payment by AS_OF; later ones only if their delay has run out.
    delay = np.where(first & ever_paid[owner], np.minimum(delay, headroom), delay)
    paid = ever_paid[owner] & (first | (rng.random(m) < 0.88)) & (delay <= headroom)
    paid_date = np.where(paid, due + delay.astype("timedelta64[D]"), np.datetime64("NaT"))
    wallet = has_wallet[owner]
    status = np.where(paid, "paid", np.where(wallet & (rng.random(m) < 0.07), "failed", "pending"))

    # Payment ids run in the order payments fell due: PMT-<yymm of the due date>-<sequence>.
    order = np.lexsort((owner, due))
    yymm = (
        (due.astype("datetime64[Y]").astype(int) + 1970) % 100 * 100 + due.astype("datetime64[M]").astype(int) % 12 + 1
    )
    ids_in_due_order = _join("PMT-", _padded(yymm[order], 4), "-", _padded(np.arange(1, m + 1), 7))
    position = np.empty(m, dtype=np.int64)
    position[order] = np.arange(m)
    payment_id = pc.take(ids_in_due_order, pa.array(position))

    return pa.table(
        {
            "payment_key": payment_id,
            "beneficiary_key": pc.take(record_id, pa.array(owner)),
            "cycle": pa.array(cycle, pa.int64()),
            "due_date": pa.array(due, pa.date32()),
            "paid_date": pa.array(paid_date.astype("datetime64[D]"), pa.date32(), mask=~paid),
            "amount_due": pa.array(np.full(m, CYCLE_AMOUNT_LAK), pa.int64()),
            "amount_paid": pa.array(np.full(m, CYCLE_AMOUNT_LAK), pa.int64(), mask=~paid),
            "channel": pa.array(np.where(wallet, "wallet", "cash"), pa.string()),
            "status": pa.array(status, pa.string()),
        }
    )


def _hi_membership(rng, national_id: np.ndarray, full_name: pa.Array, n: int) -> pa.Table:
    """National ids of HI members: about 55 % of the grant recipients who have an id, plus other members."""
    linkable = np.flatnonzero(np.not_equal(national_id, None))  # element-wise: which entries hold an id
    members = np.sort(rng.choice(linkable, size=int(len(linkable) * 0.55), replace=False))
    others = max(2_000, n // 2)
    ids = np.concatenate([national_id[members].astype(str), _unique_ids(n, others).astype(str)])
    names = pa.concat_arrays(
        [
            pc.take(full_name, pa.array(members)),
            _join(
                pa.array(_pick(rng, FEMALE_NAMES + MALE_NAMES, others)), " ", pa.array(_pick(rng, FAMILY_NAMES, others))
            ),
        ]
    )
    schemes = np.concatenate(
        [
            np.where(rng.random(len(members)) < 0.6, "health_equity_fund", "exempt_groups"),
            rng.choice(
                ["civil_servants", "private_employees", "informal_sector", "health_equity_fund", "exempt_groups"],
                size=others,
                p=[0.08, 0.06, 0.05, 0.55, 0.26],
            ),
        ]
    )
    shuffle = rng.permutation(len(ids))
    return pa.table(
        {
            "national_id_key": pa.array(ids[shuffle], pa.string()),
            "full_name": pc.take(names, pa.array(shuffle)),
            "scheme": pa.array(schemes[shuffle], pa.string()),
        }
    )
