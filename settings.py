"""Every setting read from the environment (the ``SP_*`` variables), declared once with its default and meaning, and
the project's fixed paths. No other module reads ``os.environ``: each asks here (a test checks both rules, and that
the README's configuration table lists exactly these settings).

Values are read when asked for, not at import: a long-running server and each test see the current environment.
An empty variable counts as unset. Every layer may import this module; it imports nothing of the project.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
# The reference tables (provinces, districts, their aliases): read through data_pipeline.reference only.
REFERENCE_DIR = PROJECT_ROOT / "data_pipeline" / "reference"
CONFIG_DIR = Path.home() / ".config" / "sp-dashboard"  # the deployment's secrets, outside the repository
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse"
DEFAULT_HASH_KEY_FILE = CONFIG_DIR / "hash_key"
DEFAULT_PARAMETERS = PROJECT_ROOT / "indicators" / "parameters.toml"
DEFAULT_ACCOUNTS_FILE = CONFIG_DIR / "accounts.json"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str  # in words, for the README
    meaning: str
    audience: str = "deployment"  # or "tests" for switches only the suite sets

    def value(self) -> str | None:
        """The variable's value, None when unset or empty."""
        return os.environ.get(self.name) or None


WAREHOUSE = Setting(
    "SP_WAREHOUSE",
    "`warehouse/` in the project folder",
    "folder of the versioned Parquet warehouse (versions, CURRENT, cache, lock, refresh log)",
)
HASH_KEY = Setting(
    "SP_HASH_KEY",
    "unset",
    "the secret key that pseudonymises national and record ids (HMAC-SHA256); wins over the key file",
)
HASH_KEY_FILE = Setting(
    "SP_HASH_KEY_FILE", "`~/.config/sp-dashboard/hash_key`", "file holding that key, used when SP_HASH_KEY is unset"
)
PARAMETERS = Setting(
    "SP_PARAMETERS",
    "`indicators/parameters.toml`",
    "baselines, targets and thresholds (small-cell threshold, payment delays) of the indicators",
)
ACCOUNTS_FILE = Setting(
    "SP_ACCOUNTS_FILE",
    "`~/.config/sp-dashboard/accounts.json`",
    "local dashboard accounts (bcrypt hashes, mode 0600); must lie outside the project folder",
)
BCRYPT_ROUNDS = Setting(
    "SP_BCRYPT_ROUNDS", "12", "bcrypt cost of new password hashes, 4 to 31; lowered only to speed up tests"
)
SESSION_KEY = Setting(
    "SP_SESSION_KEY",
    "unset",
    "the key that signs session cookies (a deployment secret like the hash key); wins over the "
    "key file; without either a random key is made at each start, so a restart signs everyone out",
)
SESSION_KEY_FILE = Setting(
    "SP_SESSION_KEY_FILE",
    "`~/.config/sp-dashboard/session_key`",
    "file holding that key, used when SP_SESSION_KEY is unset",
)
TRUSTED_PROXY_HEADER = Setting(
    "SP_TRUSTED_PROXY_HEADER",
    "unset (the socket peer's address)",
    "the header a trusted reverse proxy writes with the browser's address, e.g. "
    "`X-Forwarded-For` (its last entry is used) or `X-Real-IP`; set it only behind such a "
    "proxy, since a browser can send the header itself",
)
AUTH_LOG = Setting(
    "SP_AUTH_LOG",
    "`auth_log.jsonl` beside the accounts file",
    "the sign-in log (one JSON line per pause: time, account, client address, failures)",
)
UPLOAD_DIR = Setting(
    "SP_UPLOAD_DIR",
    "`sp-uploads` in the system temp folder",
    "where the refresh page keeps uploaded returns while a batch is checked, previewed and published; "
    "a batch's folder is deleted when it is published, discarded or its session ends, and leftovers "
    "older than a day when the app starts",
)
ALLOW_DEMO_KEY = Setting(
    "SP_ALLOW_DEMO_KEY",
    "unset (off)",
    "`1` lets the refresh page hash with the public demo key when no key is configured: "
    "demonstrations on sample data only, never real returns",
)
LANG = Setting(
    "SP_LANG",
    "`en`",
    "the dashboard's language when a link carries no `?lang=`: `lo` (Lao) or `en` (English); "
    "any other value counts as `en`",
)
CHROMIUM = Setting(
    "SP_CHROMIUM",
    "`/usr/bin/chromium`",
    "the browser that draws the meeting pack's charts (plotly's static export through kaleido); "
    "without it the pack holds tables only and says so",
)
TEST_CRASH_AT = Setting(
    "SP_TEST_CRASH_AT", "unset", "kills the process at the named publish step (crash-safety tests)", audience="tests"
)
ARTIFACTS = Setting(
    "SP_ARTIFACTS",
    "unset (`artifacts/` under `.ci/run`)",
    "folder where the browser tests copy their screenshots",
    audience="tests",
)

# What one return may cost at the gate (data_pipeline/gate/limits.py holds the defaults; these raise or lower them).
GATE_LIMITS = (
    Setting("SP_GATE_MAX_FILE_MB", "100", "largest return on disk, in MB (raise for national payments CSVs)"),
    Setting("SP_GATE_MAX_UNCOMPRESSED_MB", "1024", "a workbook's parts once unzipped, all together, in MB"),
    Setting("SP_GATE_MAX_RATIO", "100", "largest unzipped/zipped size ratio of one workbook part (zip bombs)"),
    Setting("SP_GATE_RATIO_FROM_MB", "1", "parts smaller than this (MB, unzipped) are exempt from the ratio check"),
    Setting("SP_GATE_MAX_PARTS", "2000", "most ZIP members in one workbook"),
    Setting("SP_GATE_MAX_CELLS", "20000000", "largest sheet area (rows x columns from A1) the reader may allocate"),
    Setting("SP_GATE_MAX_NAME_CHARS", "200", "longest file name accepted, extension included"),
    Setting("SP_GATE_READ_MEMORY_MB", "1536", "memory budget (MB) of the child process that reads one workbook"),
)

ALL = (
    WAREHOUSE,
    HASH_KEY,
    HASH_KEY_FILE,
    PARAMETERS,
    ACCOUNTS_FILE,
    BCRYPT_ROUNDS,
    SESSION_KEY,
    SESSION_KEY_FILE,
    TRUSTED_PROXY_HEADER,
    AUTH_LOG,
    UPLOAD_DIR,
    ALLOW_DEMO_KEY,
    LANG,
    CHROMIUM,
    *GATE_LIMITS,
    TEST_CRASH_AT,
    ARTIFACTS,
)


def warehouse_root() -> Path:
    return Path(WAREHOUSE.value() or DEFAULT_WAREHOUSE)


def hash_key_file() -> Path:
    return Path(HASH_KEY_FILE.value() or DEFAULT_HASH_KEY_FILE)


def parameters_path() -> Path:
    return Path(PARAMETERS.value() or DEFAULT_PARAMETERS)


def accounts_path() -> Path:
    return Path(ACCOUNTS_FILE.value() or DEFAULT_ACCOUNTS_FILE)


def chromium_path() -> Path:
    return Path(CHROMIUM.value() or "/usr/bin/chromium")


def demo_key_allowed() -> bool:
    return ALLOW_DEMO_KEY.value() == "1"


def default_language() -> str:
    """``SP_LANG`` as a language code, lower-cased (``en`` when unset; the dashboard rejects unknown codes)."""
    return (LANG.value() or "en").strip().lower()


def gate_limit_overrides() -> dict[str, str]:
    """The gate limits this deployment sets, by field name (``SP_GATE_MAX_FILE_MB`` → ``max_file_mb``)."""
    return {s.name.split("_", 2)[2].lower(): s.value() for s in GATE_LIMITS if s.value()}


def readme_table() -> str:
    """The README's configuration table (tests/test_settings.py keeps the README equal to it)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [
        f"| `{s.name}` | {s.default} | {'tests only: ' if s.audience == 'tests' else ''}{s.meaning} |" for s in ALL
    ]
    return "\n".join(rows)
