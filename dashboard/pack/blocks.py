"""The pack's building blocks: plain dicts of text (every word already in the reader's language) that the Typst
template lays out. Data reach Typst as JSON strings, never as markup, so a province or file name can hold any
character without being read as a command."""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go


@dataclass
class Section:
    title: str
    blocks: list[dict] = field(default_factory=list)
    # Pages of their own from here on (the method notes): two columns, small type.
    compact: bool = False

    def text(self, text: str) -> None:
        self.blocks.append({"kind": "text", "text": text})

    def note(self, text: str) -> None:
        self.blocks.append({"kind": "note", "text": text})

    def subheading(self, text: str) -> None:
        self.blocks.append({"kind": "subheading", "text": text})

    def table(
        self,
        columns: list[str],
        rows: list[list[str]],
        *,
        widths: list[float] | None = None,
        numeric: set[int] | None = None,
        caption: str | None = None,
        groups: list[str | None] | None = None,
        empty: str | None = None,
    ) -> None:
        """A table of text cells; ``widths`` are fractions, ``numeric`` the columns set flush right; ``groups``
        (one per row) starts a spanning group heading where it changes. Without rows, the sentence ``empty`` is
        written instead of a bare header."""
        if not rows and empty:
            self.note(empty)
            return
        self.blocks.append(
            {
                "kind": "table",
                "columns": columns,
                "rows": [["" if c is None else str(c) for c in row] for row in rows],
                "widths": widths or [1] * len(columns),
                "numeric": sorted(numeric or ()),
                "caption": caption,
                "groups": groups,
            }
        )

    def tiles(self, items: list[dict]) -> None:
        self.blocks.append({"kind": "tiles", "items": items})

    def notes(self, items: list[dict]) -> None:
        self.blocks.append({"kind": "notes", "items": items})


@dataclass
class Document:
    """Everything the template shows, and the charts it embeds (drawn by ``figures.export``)."""

    meta: dict
    sections: list[Section] = field(default_factory=list)
    charts: dict[str, go.Figure] = field(default_factory=dict)

    def section(self, title: str, *, compact: bool = False) -> Section:
        section = Section(title, compact=compact)
        self.sections.append(section)
        return section

    def chart(self, section: Section, name: str, figure: go.Figure, caption: str | None = None) -> None:
        """A chart of ``section``; the pack's figure export draws it, the template embeds it (or, without a browser
        to draw it, says so where it would have been)."""
        self.charts[name] = figure
        section.blocks.append({"kind": "figure", "name": name, "caption": caption})

    def as_json(self, drawn: set[str], missing_chart_text: str) -> dict:
        sections = []
        for section in self.sections:
            blocks = []
            for block in section.blocks:
                if block["kind"] == "figure" and block["name"] not in drawn:
                    blocks.append({"kind": "note", "text": missing_chart_text})
                    continue
                blocks.append({**block, "file": f"{block['name']}.pdf"} if block["kind"] == "figure" else block)
            sections.append({"title": section.title, "compact": section.compact, "blocks": blocks})
        return {"meta": self.meta, "sections": sections}
