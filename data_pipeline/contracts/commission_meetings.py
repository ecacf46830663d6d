"""Secretariat: Commission meetings (central and provincial) and who attended (one row per member per meeting)."""

from .base import Check, Column, Contract, province_column, sex_column

REPRESENTATIVE_LEVELS = (
    "minister",
    "vice_minister",
    "director_general",
    "deputy_director_general",
    "director",
    "governor",
    "vice_governor",
    "delegate",
)

CONTRACTS = (
    Contract(
        name="commission_meetings",
        title="Commission meetings and attendance",
        sender="Technical Secretariat (MoLSW)",
        grain="event",
        sheet="meetings",
        description="Each planned meeting of the central or a provincial commission, with one row per member "
        "institution expected. A meeting not held has a blank held date. Representatives below the "
        "designated level are recorded as 'delegate'.",
        columns=(
            Column("meeting_id", "text", "Meeting id", aliases=("meeting", "meeting no")),
            Column(
                "level",
                "category",
                "Central or provincial commission",
                aliases=("commission level",),
                allowed=("central", "provincial"),
                value_aliases={"national": "central", "province": "provincial"},
            ),
            province_column(nullable=True),
            Column("planned_date", "date", "Date planned in the yearly plan", aliases=("date planned", "plan date")),
            Column(
                "held_date",
                "date",
                "Date held; blank when not held",
                aliases=("date held", "meeting date"),
                nullable=True,
            ),
            Column(
                "member_institution",
                "text",
                "Member institution expected",
                aliases=("institution", "member", "ministry"),
            ),
            Column(
                "representative_level",
                "category",
                "Level of the person who attended",
                aliases=("representative", "level of representative", "attended by"),
                allowed=REPRESENTATIVE_LEVELS,
                nullable=True,
                value_aliases={
                    "vice minister": "vice_minister",
                    "director general": "director_general",
                    "dg": "director_general",
                    "deputy director general": "deputy_director_general",
                    "ddg": "deputy_director_general",
                    "vice governor": "vice_governor",
                    "deputy": "delegate",
                    "representative": "delegate",
                    "staff": "delegate",
                },
            ),
            Column("present", "bool", "Member institution present", aliases=("attended", "attendance")),
            sex_column(nullable=True),
        ),
        key=("meeting_id", "member_institution"),
        # The record is as of the last meeting held (later planned meetings are not yet due).
        as_of=("held_date",),
        period_from_date="planned_date",
        covers=("period", "province"),
        checks=(
            Check(
                "central_has_no_province",
                "level = 'central' AND province IS NOT NULL AND province <> 'LA'",
                "province",
                "a central meeting should not name a province",
                severity="warning",
            ),
            Check(
                "provincial_needs_province",
                "level = 'provincial' AND province IS NULL",
                "province",
                "a provincial meeting must name its province",
            ),
            Check(
                "present_only_if_held",
                "present AND held_date IS NULL",
                "present",
                "a member is marked present at a meeting that was not held",
            ),
        ),
    ),
)
