"""Who may see what, without Streamlit: accounts, password checks, sign-in throttling, signed sessions.

``dashboard.auth`` is the Streamlit glue over this package (forms, cookies, ``require_role``).
"""
