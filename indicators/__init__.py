"""The monitoring tool: every indicator defined once (catalogue/), computed the same way at every level (engine),
compared with its target (status), exported (csv, SDMX, Open SDG) and served to the pages (api). See docs/DESIGN.md §4.
"""
