"""Secretariat: capacity-building events (trainings, workshops) and their participants."""

from .base import Check, Column, Contract, province_column

CONTRACTS = (
    Contract(
        name="capacity_building",
        title="Capacity building",
        sender="Technical Secretariat (MoLSW)",
        grain="event",
        sheet="training",
        description="One row per event: level, province (blank for national events), participants and women.",
        columns=(
            Column("event_id", "text", "Event id", aliases=("event", "event no")),
            Column("event_date", "date", "Date of the event", aliases=("date",)),
            Column(
                "level",
                "category",
                "National, provincial or district event",
                aliases=("event level",),
                allowed=("national", "provincial", "district"),
                value_aliases={"central": "national", "province": "provincial"},
            ),
            province_column(nullable=True),
            Column("participants", "count", "Participants", aliases=("number of participants", "total participants")),
            Column(
                "women_participants",
                "count",
                "Of whom women",
                aliases=("women", "female participants", "of which women"),
            ),
        ),
        key=("event_id",),
        period_from_date="event_date",
        covers=("period", "province"),
        checks=(
            Check(
                "women_within_participants",
                "women_participants > participants",
                "women_participants",
                "more women than participants",
            ),
        ),
    ),
)
