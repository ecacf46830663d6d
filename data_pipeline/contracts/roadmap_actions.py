"""Secretariat: the NSPS implementation roadmap's actions."""

from .base import Column, Contract

CONTRACTS = (
    Contract(
        name="roadmap_actions",
        title="NSPS roadmap actions",
        sender="Technical Secretariat (MoLSW)",
        grain="list",
        sheet="roadmap",
        description="Every action of the roadmap with its due date and, once done, its completion date. A snapshot.",
        columns=(
            Column("action_id", "text", "Action id", aliases=("action", "action no", "id")),
            Column(
                "description",
                "text",
                "What the action is",
                aliases=("action description", "title"),
                required=False,
                nullable=True,
            ),
            Column(
                "pillar",
                "category",
                "NSPS pillar or area",
                aliases=("area", "nsps pillar"),
                allowed=("health_insurance", "social_security", "social_welfare", "cross_cutting"),
                value_aliases={
                    "1": "health_insurance",
                    "2": "social_security",
                    "3": "social_welfare",
                    "pillar 1": "health_insurance",
                    "pillar 2": "social_security",
                    "pillar 3": "social_welfare",
                    "health insurance": "health_insurance",
                    "social security": "social_security",
                    "social welfare": "social_welfare",
                    "cross-cutting": "cross_cutting",
                    "cross cutting": "cross_cutting",
                },
            ),
            Column("responsible_ministry", "text", "Lead ministry", aliases=("responsible", "lead", "ministry")),
            Column("due_date", "date", "Due date", aliases=("deadline", "date due")),
            Column(
                "completed_date",
                "date",
                "Date completed; blank when not done",
                aliases=("date completed", "completion date"),
                nullable=True,
            ),
            Column(
                "status",
                "category",
                "Status",
                allowed=("not_started", "in_progress", "completed", "dropped"),
                value_aliases={
                    "not started": "not_started",
                    "in progress": "in_progress",
                    "ongoing": "in_progress",
                    "done": "completed",
                    "complete": "completed",
                },
            ),
        ),
        key=("action_id",),
        # The list is as of the last completion it records (it carries no date of its own).
        as_of=("completed_date",),
        covers=(),  # a snapshot: each return is the whole table
    ),
)
