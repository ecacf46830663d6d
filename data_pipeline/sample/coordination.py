"""The Technical Secretariat's own logs: Commission meetings, the returns log, referrals, grievances, roadmap actions
and capacity building. Rows are dicts keyed by contract column names, with canonical values (see aggregates.py).
"""

from __future__ import annotations

from datetime import date, timedelta


from .geography import AS_OF, QUARTERS, District, districts, provinces, quarter_end, rng_for

Row = dict[str, object]

MECG_DISTRICTS = ("1703", "1705", "1306")
MECG_START = date(2021, 8, 2)

CENTRAL_MEMBERS = (
    "MoLSW",
    "MoH",
    "MoES",
    "MAF",
    "MoF",
    "MPI",
    "MoIC",
    "MoHA",
    "Lao National Chamber of Commerce and Industry",
    "Lao Federation of Trade Unions",
)
PROVINCIAL_MEMBERS = (
    "Governor's Office",
    "Provincial Department of Labour and Social Welfare",
    "Provincial Health Department",
    "Provincial Education and Sports Service",
    "Provincial Agriculture and Forestry Office",
    "Provincial Finance Department",
    "Provincial Planning and Investment Department",
    "Provincial Industry and Commerce Department",
    "Provincial Home Affairs Department",
)


def _day(start: date, offset: int) -> date:
    return start + timedelta(days=int(offset))


def commission_meeting_rows(seed: int) -> list[Row]:
    """The Commission exists from December 2021: the yearly plan for 2022 has a central meeting and one meeting of
    each provincial commission per quarter. Some provincial meetings are not held; some members send a delegate."""
    rng = rng_for(seed, "commission_meetings")
    rows: list[Row] = []

    def attendance(meeting_id, level, province, planned, held, members, designated):
        for member in members:
            present = held is not None and rng.random() < 0.9
            if not present:
                representative, sex = None, None
            else:
                levels = designated(member)
                representative = (
                    "delegate"
                    if rng.random() < (0.15 if level == "central" else 0.25)
                    else levels[int(rng.integers(0, len(levels)))]
                )
                sex = "F" if rng.random() < 0.27 else "M"
            rows.append(
                {
                    "meeting_id": meeting_id,
                    "level": level,
                    "province": province,
                    "planned_date": planned,
                    "held_date": held,
                    "member_institution": member,
                    "representative_level": representative,
                    "present": present,
                    "sex": sex,
                }
            )

    def central_level(member):
        return (
            ("minister", "vice_minister")
            if member.startswith("Mo") or member in ("MAF", "MPI")
            else ("director_general", "deputy_director_general")
        )

    def provincial_level(member):
        return ("governor", "vice_governor") if member == "Governor's Office" else ("director",)

    # Central commission: first meeting postponed by a week, second held as planned.
    attendance("NSPC-2022-01", "central", None, date(2022, 2, 24), date(2022, 3, 3), CENTRAL_MEMBERS, central_level)
    attendance("NSPC-2022-02", "central", None, date(2022, 6, 16), date(2022, 6, 16), CENTRAL_MEMBERS, central_level)
    for p in provinces():
        for number, planned in (
            (1, _day(date(2022, 3, 10), rng.integers(0, 15))),
            (2, _day(date(2022, 6, 7), rng.integers(0, 15))),
        ):
            not_held = rng.random() < (0.3 if number == 1 else 0.15)  # the first months were the hardest
            held = None if not_held else min(_day(planned, rng.choice([0, 0, 0, 3, 7, 14])), AS_OF)
            attendance(
                f"PSPC-{p.short}-2022-0{number}",
                "provincial",
                p.iso,
                planned,
                held,
                PROVINCIAL_MEMBERS,
                provincial_level,
            )
    return rows


# Who sends which return (quarterly), and the yearly ones (expected with the first quarter of the year).
MINISTRY_QUARTERLY = (
    ("health_insurance", "MoH — National Health Insurance Bureau"),
    ("social_security", "Lao Social Security Organisation"),
    ("school_meals", "MoES"),
    ("cash_transfer", "MAF"),
    ("mecg_register", "MoLSW — Department of Social Welfare"),
    ("mecg_payments", "MoLSW — Department of Social Welfare"),
)
MINISTRY_YEARLY = (
    ("population", "Lao Statistics Bureau"),
    ("births", "Lao Statistics Bureau"),
    ("labour_force", "Lao Statistics Bureau"),
    ("sp_spending", "MoF"),
)
PROVINCIAL_QUARTERLY = ("referrals", "grievances")


def returns_log_rows(seed: int) -> list[Row]:
    """One row per expected return: due 30 days after the quarter ends; most arrive on time, some late, a few never.
    The log is the Secretariat's at mid-August 2022, so 2022-Q2 returns have arrived (or not) by then."""
    rng = rng_for(seed, "returns_log")
    logged_until = date(2022, 8, 15)
    punctuality = {p.iso: rng.beta(6, 2) for p in provinces()}  # a few provinces are much weaker

    def received(due: date, on_time_chance: float, missing_chance: float) -> date | None:
        if rng.random() < missing_chance:
            return None
        day = _day(due, -rng.integers(0, 21)) if rng.random() < on_time_chance else _day(due, rng.integers(1, 46))
        return day if day <= logged_until else None

    expected = []
    for period in QUARTERS:
        for source, sender in MINISTRY_QUARTERLY:
            if source.startswith("mecg") and period < "2021-Q3":
                continue  # the grant started in August 2021
            expected.append((source, sender, "ministry", None, period, 0.8, 0.03))
        if period.endswith("Q1"):
            expected += [(source, sender, "ministry", None, period, 0.7, 0.02) for source, sender in MINISTRY_YEARLY]
        for p in provinces():
            for source in PROVINCIAL_QUARTERLY:
                expected.append(
                    (
                        source,
                        f"Provincial Social Welfare Office, {p.name_en}",
                        "province",
                        p.iso,
                        period,
                        punctuality[p.iso],
                        0.04 + 0.25 * (1 - punctuality[p.iso]),
                    )
                )
    rows = []
    for source, sender, sender_type, province, period, on_time_chance, missing_chance in expected:
        due = quarter_end(period) + timedelta(days=30)
        rows.append(
            {
                "source": source,
                "sender": sender,
                "sender_type": sender_type,
                "province": province,
                "period": period,
                "due_date": due,
                "received_date": received(due, on_time_chance, missing_chance),
            }
        )
    return rows


def _event_districts(scale: str, programme_districts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(d.lsb for d in districts()) if scale == "national" else programme_districts


def referral_rows(seed: int, scale: str, cash_transfer_districts: tuple[District, ...]) -> list[Row]:
    """Referrals from the MECG districts (from August 2021) and the MAF cash-transfer districts (from 2020).
    About 70 % are completed, and the service sends feedback back for a little over half of those."""
    rng = rng_for(seed, "referrals")
    services = ("health", "nutrition", "birth_registration", "disability", "other")
    service_mix = (0.4, 0.25, 0.2, 0.05, 0.1)
    sources = [("mecg", code, MECG_START, 30) for code in _event_districts(scale, MECG_DISTRICTS)]
    sources += [("cash_transfer", d.lsb, date(2020, 1, 1), 6) for d in cash_transfer_districts[:5]]
    province_of = {d.lsb: d.province_iso for d in districts()}
    rows = []
    for programme, code, start, per_quarter in sources:
        for period in QUARTERS:
            q_end = quarter_end(period)
            q_start = date(q_end.year, q_end.month - 2, 1)
            if q_end < start:
                continue
            first = max(q_start, start)
            for _ in range(int(rng.poisson(per_quarter))):
                referred = _day(first, rng.integers(0, (q_end - first).days + 1))
                service = services[rng.choice(len(services), p=service_mix)]
                completed = None
                if rng.random() < (0.6 if service == "birth_registration" else 0.74):
                    day = _day(referred, 3 + rng.gamma(2, 9))
                    completed = day if day <= AS_OF else None
                feedback = completed is not None and rng.random() < (0.62 if programme == "mecg" else 0.5)
                rows.append(
                    {
                        "referral_key": None,
                        "from_programme": programme,
                        "to_service": service,
                        "province": province_of[code],
                        "district": code,
                        "sex": "F" if rng.random() < 0.7 else "M",
                        "referred_date": referred,
                        "completed_date": completed,
                        "feedback_returned": feedback,
                    }
                )
    rows.sort(key=lambda r: (r["referred_date"], r["district"]))
    for i, row in enumerate(rows, start=1):
        row["referral_key"] = f"REF-{row['referred_date']:%y}-{i:06d}"
    return rows


def grievance_rows(seed: int, scale: str, cash_transfer_districts: tuple[District, ...]) -> list[Row]:
    """Grievances to the MECG (mostly about late payment), the cash transfer and health insurance; most resolved
    within a few weeks, some slowly, a few still open."""
    rng = rng_for(seed, "grievances")
    province_of = {d.lsb: d.province_iso for d in districts()}
    sources = [("mecg", code, MECG_START, 12) for code in _event_districts(scale, MECG_DISTRICTS)]
    sources += [("cash_transfer", d.lsb, date(2020, 1, 1), 2) for d in cash_transfer_districts]
    health_districts = (
        tuple(d.lsb for d in districts()) if scale == "national" else tuple(d.lsb for d in districts()[::9])
    )
    sources += [("health_insurance", code, date(2020, 1, 1), 1) for code in health_districts]
    mix = {
        "mecg": (0.5, 0.22, 0.13, 0.05, 0.1),
        "cash_transfer": (0.35, 0.3, 0.15, 0.05, 0.15),
        "health_insurance": (0.05, 0.25, 0.5, 0.1, 0.1),
    }
    categories = ("payment", "eligibility", "service", "conduct", "other")
    rows = []
    for programme, code, start, per_quarter in sources:
        for period in QUARTERS:
            q_end = quarter_end(period)
            if q_end < start:
                continue
            first = max(date(q_end.year, q_end.month - 2, 1), start)
            for _ in range(int(rng.poisson(per_quarter))):
                received = _day(first, rng.integers(0, (q_end - first).days + 1))
                resolved = None
                if rng.random() < 0.85:
                    day = _day(received, rng.gamma(1.6, 14))
                    resolved = day if day <= AS_OF else None
                rows.append(
                    {
                        "grievance_key": None,
                        "programme": programme,
                        "province": province_of[code],
                        "district": code if rng.random() < 0.85 else None,
                        "sex": None if rng.random() < 0.08 else ("F" if rng.random() < 0.6 else "M"),
                        "category": categories[rng.choice(5, p=mix[programme])],
                        "received_date": received,
                        "resolved_date": resolved,
                    }
                )
    rows.sort(key=lambda r: (r["received_date"], r["province"]))
    for i, row in enumerate(rows, start=1):
        row["grievance_key"] = f"GRV-{row['received_date']:%Y}-{i:05d}"
    return rows


# The NSPS implementation roadmap (illustrative actions): id, description, pillar, lead ministry, due date.
ROADMAP = (
    (
        "RM-01",
        "Adopt the decree establishing the National Social Protection Commission",
        "cross_cutting",
        "MoLSW",
        date(2021, 12, 31),
    ),
    ("RM-02", "Disseminate the NSPS to all provinces", "cross_cutting", "MoLSW", date(2021, 6, 30)),
    ("RM-03", "Approve the NSPS monitoring tool harmonised with SDG 1.3", "cross_cutting", "MoLSW", date(2022, 3, 31)),
    ("RM-04", "Set up provincial social protection commissions", "cross_cutting", "MoHA", date(2022, 6, 30)),
    ("RM-05", "Introduce social protection Chart-of-Accounts codes", "cross_cutting", "MoF", date(2022, 12, 31)),
    ("RM-06", "Cost projections for the social welfare pillar", "social_welfare", "MoLSW", date(2021, 9, 30)),
    (
        "RM-07",
        "Pilot the Mother and Early Childhood Grant in three districts",
        "social_welfare",
        "MoLSW",
        date(2021, 8, 31),
    ),
    ("RM-08", "Evaluate the MECG pilot and prepare a scale-up plan", "social_welfare", "MoLSW", date(2022, 12, 31)),
    (
        "RM-09",
        "Draft the decree on social welfare benefits for persons with disabilities",
        "social_welfare",
        "MoLSW",
        date(2022, 6, 30),
    ),
    ("RM-10", "Expand school meals to all priority districts", "social_welfare", "MoES", date(2023, 6, 30)),
    (
        "RM-11",
        "Harmonise MECG and MAF cash transfer operations (MIS, payments)",
        "social_welfare",
        "MAF",
        date(2022, 3, 31),
    ),
    ("RM-12", "Extend health insurance to the whole informal sector", "health_insurance", "MoH", date(2023, 12, 31)),
    ("RM-13", "Review the Health Equity Fund targeting", "health_insurance", "MoH", date(2021, 12, 31)),
    ("RM-14", "Link the NHI membership database with the national id", "health_insurance", "MoH", date(2022, 6, 30)),
    (
        "RM-15",
        "Merge public and private social security schemes' administration",
        "social_security",
        "MoLSW",
        date(2023, 12, 31),
    ),
    ("RM-16", "Voluntary social security scheme for informal workers", "social_security", "MoLSW", date(2022, 12, 31)),
    ("RM-17", "Actuarial review of the social security fund", "social_security", "MoF", date(2021, 6, 30)),
    (
        "RM-18",
        "Unemployment benefit rules for returning migrant workers",
        "social_security",
        "MoLSW",
        date(2020, 12, 31),
    ),
    ("RM-19", "Social protection financing strategy", "cross_cutting", "MoF", date(2022, 6, 30)),
    ("RM-20", "Training of trainers on the NSPS at provincial level", "cross_cutting", "MoLSW", date(2022, 6, 30)),
)


def roadmap_rows(seed: int) -> list[Row]:
    """Status at 30 June 2022: most actions due by then are done (some late), a few are behind or dropped."""
    rng = rng_for(seed, "roadmap_actions")
    rows = []
    for action_id, description, pillar, ministry, due in ROADMAP:
        draw = rng.random()
        completed = None
        if due <= AS_OF:
            status = (
                "completed"
                if draw < 0.6
                else "in_progress"
                if draw < 0.85
                else "not_started"
                if draw < 0.95
                else "dropped"
            )
            if status == "completed":  # about a third of them late
                completed = min(
                    _day(due, -rng.integers(0, 60) if rng.random() < 0.65 else rng.integers(10, 150)), AS_OF
                )
        else:
            status = "completed" if draw < 0.2 else "in_progress" if draw < 0.7 else "not_started"
            if status == "completed":
                completed = _day(AS_OF, -rng.integers(10, 200))
        rows.append(
            {
                "action_id": action_id,
                "description": description,
                "pillar": pillar,
                "responsible_ministry": ministry,
                "due_date": due,
                "completed_date": completed,
                "status": status,
            }
        )
    return rows


# The source report's events (2020-22): one national and three provincial workshops on the NSPS (the latter in the
# northern provinces), a management and advocacy training, and the June 2022 training of trainers (26 trainers).
# Together: 6 events, 208 participants, 62 women.
CAPACITY_EVENTS = (
    ("CB-2020-01", date(2020, 11, 25), "national", None, 45, 14),
    ("CB-2021-01", date(2021, 11, 17), "national", None, 32, 9),
    ("CB-2022-01", date(2022, 3, 22), "provincial", "LA-LP", 38, 11),
    ("CB-2022-02", date(2022, 4, 27), "provincial", "LA-OU", 35, 10),
    ("CB-2022-03", date(2022, 5, 18), "provincial", "LA-XI", 32, 9),
    ("CB-2022-04", date(2022, 6, 21), "national", None, 26, 9),
)


def capacity_building_rows() -> list[Row]:
    return [
        {
            "event_id": e,
            "event_date": d,
            "level": level,
            "province": province,
            "participants": total,
            "women_participants": women,
        }
        for e, d, level, province, total, women in CAPACITY_EVENTS
    ]
