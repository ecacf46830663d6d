"""The meeting pack: the whole monitor as one A4 PDF, in Lao or English, for the public or the Commission.

``request`` (what is asked, checked) → ``content`` (the sections, through ``dashboard.data``; ``blocks`` are their
parts) → ``figures`` (charts drawn as SVG by kaleido + chromium) → ``typeset`` (``template.typ`` with Typst) →
``build`` (the three stages, timed, with progress). ``python -m dashboard.pack`` is the command line.
"""
