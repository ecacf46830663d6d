"""Ministry returns -> validated, versioned Parquet warehouse. See docs/DESIGN.md."""
