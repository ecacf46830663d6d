"""The catalogue of sample returns: which file carries which sources, spelled and laid out how.

One entry per file. Each carries some of the real-world mess of sources.md (listed per file in sample_data/README.md),
always in a form ingestion absorbs: headers are contract names or declared aliases, values are allowed codes or
declared value aliases, provinces are spellings of the alias table, districts LSB names or codes.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from . import aggregates, coordination
from .geography import PopulationModel
from .mecg import PILOT, MecgTables, build_mecg, national_design
from .mess import (
    alternating,
    day_month_year,
    district_name,
    district_name_or_code,
    district_romanised,
    excel_serial,
    period_spelled,
    province_english,
    province_iso_spelling,
    province_lao,
    province_lsb_code,
    province_mixed,
    province_other_spelling,
    thousands,
    words,
)
from .writers import Sheet, write_csv, write_workbook

SCALES = ("small", "national", "national4")
# National sets by their grant beneficiaries; "national4" (4x the ledger and registers, the bulk of the bytes; the
# aggregate returns are per district and do not grow) shows how a refresh and the catalogue scale.
_NATIONAL_BENEFICIARIES = {"national": 500_000, "national4": 2_000_000}
PERSON_LEVEL_CSV_ABOVE = 20_000  # registers larger than this are sent as CSV (a workbook would be unwieldy)


@dataclass(frozen=True)
class Return:
    file_name: str
    write: Callable[[Path], None]


class SampleBuilder:
    """Builds each source once (lazily) and knows how every file is written."""

    def __init__(self, scale: str, seed: int):
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
        self.beneficiaries = _NATIONAL_BENEFICIARIES.get(scale)
        self.scale = "small" if scale == "small" else "national"
        self.seed = seed
        self.population = PopulationModel(seed)

    @cached_property
    def mecg(self) -> MecgTables:
        design = PILOT if self.scale == "small" else national_design(self.population, self.seed, self.beneficiaries)
        return build_mecg(design, self.seed)

    @cached_property
    def cash_transfer_districts(self):
        return aggregates.cash_transfer_districts(self.scale)

    def returns(self) -> list[Return]:
        mecg_as_csv = self.scale == "national"
        register = "MoLSW_MECG_register_2022-06-30" + (".csv" if mecg_as_csv else ".xlsx")
        hi_link = "NHIB_health_insurance_members_national_ids" + (".csv" if mecg_as_csv else ".xlsx")
        return [
            Return("LSB_population_births_2020-2022.xlsx", self._population),
            Return("LSB_labour_force_2020-2022.xlsx", self._labour_force),
            Return("NHIB_members_2020-2022.xlsx", self._health_insurance),
            Return("LSSO_contributors_beneficiaries_2020-2022.xlsx", self._social_security),
            Return(register, self._mecg_register),
            Return("MoLSW_MECG_payments_to_2022-06-30.csv", self._mecg_payments),
            Return(hi_link, self._hi_link),
            Return("MoES_school_meals_2020-2022.xlsx", self._school_meals),
            Return("MAF_cash_transfer_2020-2022.xlsx", self._cash_transfer),
            # The same file sent twice: an identical copy under another name (ingestion warns and ignores it).
            Return("MAF_cash_transfer_2020-2022_resent.xlsx", self._resent_cash_transfer),
            Return("MoF_sp_spending_FY2020-2022.xlsx", self._sp_spending),
            Return("NSPC_commission_meetings_2022.xlsx", self._commission_meetings),
            Return("Secretariat_returns_log_2020-2022.xlsx", self._returns_log),
            Return("MoLSW_referrals_2020-2022.xlsx", self._referrals),
            Return("Grievances_2020-2022.xlsx", self._grievances),
            Return("Secretariat_roadmap_actions_2022-06-30.xlsx", self._roadmap),
            Return("Secretariat_capacity_building_2020-2022.xlsx", self._capacity_building),
            Return("broken/MoES_school_meals_2022Q2_broken.xlsx", self._broken_school_meals),
        ]

    # --- Lao Statistics Bureau -------------------------------------------------------------------------------------
    def _population(self, path: Path) -> None:
        age_words = {"0-4": "00-04", "5-9": "05-09", "65+": "65 and over"}
        write_workbook(
            path,
            [
                Sheet(
                    "population",
                    "population",
                    aggregates.population_rows(self.population),
                    title=("Lao Statistics Bureau", "Mid-year population estimates by province, sex and age group"),
                    headers={
                        "year": "Year",
                        "province": "Province",
                        "sex": "Sex",
                        "age_group": "Age group (years)",
                        "population": "Persons",
                    },
                    cells={"province": province_lao, "age_group": words(age_words)},
                    total_of=("population",),
                ),
                Sheet(
                    "births",
                    "births",
                    aggregates.births_rows(self.population, self.seed),
                    headers={
                        "year": "Year",
                        "province": "Province code",
                        "district": "District code",
                        "sex": "Sex",
                        "births": "Live births",
                    },
                    cells={"province": province_lsb_code, "births": thousands},
                ),
            ],
        )

    def _labour_force(self, path: Path) -> None:
        write_workbook(
            path,
            [
                Sheet(
                    "LFS 2020-22",
                    "labour_force",
                    aggregates.labour_force_rows(self.population, self.seed),
                    headers={
                        "year": "YEAR",
                        "province": "PROVINCE",
                        "sex": "GENDER",
                        "employed": "PERSONS EMPLOYED",
                        "unemployed": "PERSONS UNEMPLOYED",
                    },
                    cells={"province": province_iso_spelling, "sex": words({"F": "Female", "M": "Male"})},
                ),
            ],
        )

    # --- Health insurance and social security ----------------------------------------------------------------------
    def _health_insurance(self, path: Path) -> None:
        schemes = {
            "civil_servants": "Civil servants",
            "private_employees": "Formal private",
            "informal_sector": "Informal sector",
            "health_equity_fund": "HEF",
            "exempt_groups": "Free MCH",
        }
        write_workbook(
            path,
            [
                Sheet(
                    "members",
                    "health_insurance",
                    aggregates.health_insurance_rows(self.population, self.seed),
                    title=("National Health Insurance Bureau", "Members at the end of each quarter"),
                    headers={
                        "period": "Quarter",
                        "province": "Province",
                        "sex": "Sex",
                        "age_group": "Age band",
                        "scheme": "Scheme name",
                        "members": "Number of members",
                    },
                    cells={
                        "period": period_spelled("space"),
                        "province": province_english,
                        "age_group": words({"0-14": "0 - 14", "15-59": "15 - 59", "60+": "60 and over"}),
                        "scheme": words(schemes),
                    },
                    trailing_blank_columns=2,
                    trailing_blank_rows=3,
                ),
            ],
        )

    def _social_security(self, path: Path) -> None:
        counts = (
            "active_contributors",
            "insured_persons",
            "old_age_pensioners",
            "maternity_benefit_recipients",
            "unemployment_benefit_recipients",
            "employment_injury_covered",
            "disability_benefit_recipients",
        )
        write_workbook(
            path,
            [
                Sheet(
                    "lsso",
                    "social_security",
                    aggregates.social_security_rows(self.population, self.seed),
                    title=("Lao Social Security Organisation", "Contributors and beneficiaries, end of quarter"),
                    headers={
                        "scheme": "Sector",
                        "active_contributors": "Contributors",
                        "insured_persons": "Insured persons incl. dependants",
                        "old_age_pensioners": "Pensioners",
                        "maternity_benefit_recipients": "Maternity benefit",
                        "unemployment_benefit_recipients": "Unemployment benefit",
                        "employment_injury_covered": "Employment injury",
                        "disability_benefit_recipients": "Disability benefit",
                        "province": "Province",
                        "period": "Period",
                        "sex": "Sex",
                    },
                    cells={
                        "province": province_mixed,
                        "scheme": words({"private": "Private sector", "public": "Public sector"}),
                        **{c: thousands for c in counts},
                    },
                    total_of=counts,
                ),
            ],
        )

    # --- The Mother and Early Childhood Grant --------------------------------------------------------------------
    _REGISTER_HEADERS = {
        "beneficiary_key": "Record ID",
        "national_id_key": "National ID",
        "full_name": "Name",
        "phone": "Phone number",
        "sex": "Sex",
        "birth_date": "Date of birth",
        "beneficiary_type": "Beneficiary category",
        "province": "Province",
        "district": "District",
        "village": "Village",
        "enrolment_date": "Date enrolled",
        "status": "Status",
        "has_wallet": "Has registered phone",
    }

    def _mecg_register(self, path: Path) -> None:
        table = self.mecg.register
        if table.num_rows > PERSON_LEVEL_CSV_ABOVE:
            h = self._REGISTER_HEADERS
            select = ", ".join(f'{_sql_value(c)} AS "{h[c]}"' for c in table.column_names)
            write_csv(path, table, select)
            return
        write_workbook(
            path,
            [
                Sheet(
                    "register",
                    "mecg_register",
                    table.to_pylist(),
                    title=(
                        "Mother and Early Childhood Grant — beneficiary register (MIS extract of 30/06/2022)",
                        "CONFIDENTIAL: contains personal data",
                    ),
                    headers=self._REGISTER_HEADERS,
                    cells={
                        "birth_date": day_month_year,
                        "enrolment_date": excel_serial,
                        "beneficiary_type": words(
                            {"pregnant_woman": "Pregnant woman", "child": "Child under 12 months"}
                        ),
                        "province": alternating(province_lao, province_english),
                        "district": district_romanised,
                        "status": words({"active": "Active", "exited": "Graduated", "suspended": "On hold"}),
                    },
                ),
            ],
        )

    def _mecg_payments(self, path: Path) -> None:
        write_csv(
            path,
            self.mecg.payments,
            """
            payment_key AS "Payment ID", beneficiary_key AS "Record ID", cycle AS "Payment cycle",
            due_date AS "Date due", paid_date AS "Date paid", amount_due AS "Amount due (LAK)",
            amount_paid AS "Amount paid (LAK)",
            CASE channel WHEN 'wallet' THEN 'Digital wallet' ELSE 'Cash' END AS "Payment channel",
            CASE status WHEN 'paid' THEN 'Completed' ELSE upper(status[1]) || status[2:] END AS "Payment status"
        """,
        )

    def _hi_link(self, path: Path) -> None:
        table = self.mecg.hi_link
        schemes = {"health_equity_fund": "HEF", "exempt_groups": "Free MCH", "informal_sector": "informal"}
        if table.num_rows > PERSON_LEVEL_CSV_ABOVE:
            write_csv(
                path,
                table,
                'national_id_key AS "National ID", full_name AS "Name", '
                "CASE scheme WHEN 'health_equity_fund' THEN 'HEF' ELSE scheme END AS scheme",
            )
            return
        write_workbook(
            path,
            [
                Sheet(
                    "hi_members",
                    "hi_membership_link",
                    table.to_pylist(),
                    headers={"national_id_key": "National ID", "full_name": "Name", "scheme": "Scheme"},
                    cells={"scheme": words(schemes)},
                ),
            ],
        )

    # --- Education and agriculture --------------------------------------------------------------------------------
    def _school_meals(self, path: Path) -> None:
        target = aggregates.school_meal_districts(self.seed, self.scale)
        write_workbook(
            path,
            [
                Sheet(
                    "school_meals",
                    "school_meals",
                    aggregates.school_meals_rows(self.population, self.seed, target),
                    title=("Ministry of Education and Sports — school meals in target districts",),
                    headers={
                        "period": "Period",
                        "province": "Province",
                        "district": "District",
                        "sex": "Sex",
                        "pupils_enrolled": "Enrolment",
                        "pupils_receiving_meals": "Pupils fed",
                    },
                    cells={
                        "period": period_spelled("slash"),
                        "province": province_english,
                        "district": district_name_or_code,
                        "pupils_enrolled": thousands,
                        "pupils_receiving_meals": thousands,
                    },
                    total_of=("pupils_enrolled", "pupils_receiving_meals"),
                ),
            ],
        )

    def _cash_transfer(self, path: Path) -> None:
        write_workbook(
            path,
            [
                Sheet(
                    "cash_transfer",
                    "cash_transfer",
                    aggregates.cash_transfer_rows(self.population, self.seed, self.cash_transfer_districts),
                    headers={
                        "period": "Quarter",
                        "province": "Province",
                        "district": "District",
                        "sex": "Gender",
                        "beneficiaries": "Recipients",
                        "payments_due": "Due payments",
                        "payments_on_time": "Paid on time",
                    },
                    cells={
                        "province": province_other_spelling,
                        "district": district_name,
                        "sex": words({"F": "female", "M": "male"}),
                    },
                ),
            ],
        )

    def _resent_cash_transfer(self, path: Path) -> None:
        original = path.with_name("MAF_cash_transfer_2020-2022.xlsx")
        if not original.exists():
            self._cash_transfer(original)
        shutil.copyfile(original, path)

    # --- Finance --------------------------------------------------------------------------------------------------
    def _sp_spending(self, path: Path) -> None:
        ministries = {
            "MoLSW": "Ministry of Labour and Social Welfare",
            "MoH": "Ministry of Health",
            "MoES": "Ministry of Education and Sports",
            "MAF": "Ministry of Agriculture and Forestry",
        }
        write_workbook(
            path,
            [
                Sheet(
                    "spending",
                    "sp_spending",
                    aggregates.sp_spending_rows(self.seed),
                    title=("Ministry of Finance — social protection budget lines (Chart of Accounts)", "Unit: LAK"),
                    headers={
                        "year": "Fiscal year",
                        "ministry": "Budget holder",
                        "coa_code": "CoA code",
                        "coa_label": "Line item",
                        "programme": "Programme",
                        "allocated_lak": "Allocation (LAK)",
                        "executed_lak": "Expenditure (LAK)",
                        "reported_to": "Expenditure to",
                    },
                    cells={
                        "ministry": words(ministries),
                        "allocated_lak": thousands,
                        "executed_lak": thousands,
                        "reported_to": day_month_year,
                    },
                    total_of=("allocated_lak", "executed_lak"),
                ),
            ],
        )

    # --- The Secretariat ------------------------------------------------------------------------------------------
    def _commission_meetings(self, path: Path) -> None:
        levels = {
            "vice_minister": "Vice Minister",
            "director_general": "DG",
            "deputy_director_general": "DDG",
            "vice_governor": "Vice governor",
            "minister": "Minister",
            "governor": "Governor",
            "director": "Director",
        }
        write_workbook(
            path,
            [
                Sheet(
                    "meetings",
                    "commission_meetings",
                    coordination.commission_meeting_rows(self.seed),
                    headers={
                        "meeting_id": "Meeting no",
                        "level": "Commission level",
                        "province": "Province",
                        "planned_date": "Date planned",
                        "held_date": "Date held",
                        "member_institution": "Institution",
                        "representative_level": "Attended by",
                        "present": "Attendance",
                        "sex": "Sex",
                    },
                    cells={
                        "level": words({"central": "Central", "provincial": "Provincial"}),
                        "province": province_english,
                        "planned_date": day_month_year,
                        "held_date": day_month_year,
                        "representative_level": alternating(words(levels), words({**levels, "delegate": "Deputy"})),
                    },
                ),
            ],
        )

    def _returns_log(self, path: Path) -> None:
        write_workbook(
            path,
            [
                Sheet(
                    "returns",
                    "returns_log",
                    coordination.returns_log_rows(self.seed),
                    headers={
                        "source": "Dataset",
                        "sender": "Reporting unit",
                        "sender_type": "Unit type",
                        "province": "Province",
                        "period": "Quarter",
                        "due_date": "Deadline",
                        "received_date": "Date received",
                    },
                    cells={"province": province_english, "due_date": excel_serial, "received_date": excel_serial},
                    trailing_blank_rows=5,
                ),
            ],
        )

    def _referrals(self, path: Path) -> None:
        write_workbook(
            path,
            [
                Sheet(
                    "referrals",
                    "referrals",
                    coordination.referral_rows(self.seed, self.scale, self.cash_transfer_districts),
                    headers={
                        "referral_key": "Ref no",
                        "from_programme": "Programme",
                        "to_service": "Service",
                        "province": "Province",
                        "district": "District",
                        "sex": "Sex",
                        "referred_date": "Referral date",
                        "completed_date": "Completion date",
                        "feedback_returned": "Counter-referral",
                    },
                    cells={
                        "from_programme": words({"mecg": "Mother and Early Childhood Grant", "cash_transfer": "CCT"}),
                        "to_service": words({"birth_registration": "Birth registration", "health": "Health centre"}),
                        "province": province_lao,
                        "district": district_name,
                        "feedback_returned": words({True: "ແມ່ນ", False: "ບໍ່"}),
                    },
                ),
            ],
        )

    def _grievances(self, path: Path) -> None:
        write_workbook(
            path,
            [
                Sheet(
                    "grievances",
                    "grievances",
                    coordination.grievance_rows(self.seed, self.scale, self.cash_transfer_districts),
                    headers={
                        "grievance_key": "Case no",
                        "programme": "Program",
                        "province": "Province",
                        "district": "District",
                        "sex": "Sex",
                        "category": "Grievance type",
                        "received_date": "Date received",
                        "resolved_date": "Date resolved",
                    },
                    cells={
                        "programme": words({"mecg": "MECG", "cash_transfer": "CCT", "health_insurance": "NHI"}),
                        "province": province_english,
                        "district": district_name,
                        "category": alternating(words({}), words({"payment": "Late payment"})),
                        "received_date": day_month_year,
                        "resolved_date": day_month_year,
                    },
                ),
            ],
        )

    def _roadmap(self, path: Path) -> None:
        pillars = {
            "health_insurance": "Pillar 1",
            "social_security": "Pillar 2",
            "social_welfare": "Pillar 3",
            "cross_cutting": "Cross-cutting",
        }
        statuses = {"completed": "Done", "in_progress": "Ongoing", "not_started": "Not started", "dropped": "Dropped"}
        write_workbook(
            path,
            [
                Sheet(
                    "roadmap",
                    "roadmap_actions",
                    coordination.roadmap_rows(self.seed),
                    title=("NSPS implementation roadmap — status at 30 June 2022",),
                    headers={
                        "action_id": "Action no",
                        "description": "Action description",
                        "pillar": "NSPS pillar",
                        "responsible_ministry": "Lead",
                        "due_date": "Deadline",
                        "completed_date": "Completion date",
                        "status": "Status",
                    },
                    cells={"pillar": words(pillars), "status": words(statuses)},
                    trailing_blank_columns=3,
                ),
            ],
        )

    def _capacity_building(self, path: Path) -> None:
        write_workbook(
            path,
            [
                Sheet(
                    "training",
                    "capacity_building",
                    coordination.capacity_building_rows(),
                    headers={
                        "event_id": "Event no",
                        "event_date": "Date",
                        "level": "Event level",
                        "province": "Province",
                        "participants": "Total participants",
                        "women_participants": "Of which women",
                    },
                    cells={
                        "level": words({"national": "Central", "provincial": "Province"}),
                        "province": province_english,
                    },
                    total_of=("participants", "women_participants"),
                ),
            ],
        )

    # --- A return that must be rejected ---------------------------------------------------------------------------
    def _broken_school_meals(self, path: Path) -> None:
        """Six rows of a 2022-Q2 school-meals return with three faults (README: sample_data/broken/)."""
        rows = [
            r
            for r in aggregates.school_meals_rows(
                self.population, self.seed, aggregates.school_meal_districts(self.seed, "small")
            )
            if r["period"] == "2022-Q2"
        ][:6]
        rows[1] = {**rows[1], "pupils_enrolled": rows[1]["pupils_enrolled"] + 0.5}  # a decimal in a count
        rows[3] = {**rows[3], "province": "Vientiane North"}  # no such province
        rows[4] = {**rows[4], "period": "2022-Q5"}  # no such quarter
        write_workbook(
            path,
            [
                Sheet(
                    "school_meals",
                    "school_meals",
                    rows,
                    cells={
                        "province": lambda v, _i: province_english(v) if v.startswith("LA-") else v,
                        "district": district_name,
                    },
                ),
            ],
        )


def _sql_value(column: str) -> str:
    """How a register column is spelled in the national CSV (SQL over the Arrow table)."""
    return {
        "beneficiary_type": "CASE beneficiary_type WHEN 'child' THEN 'Child' ELSE 'Pregnant woman' END",
        "has_wallet": "CASE WHEN has_wallet THEN 'Yes' ELSE 'No' END",
    }.get(column, column)
