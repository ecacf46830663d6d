"""Deterministic, seeded sample returns for every source contract (2020-Q1 to 2022-Q2, all 18 provinces).

    from data_pipeline.sample import generate
    paths = generate(Path("sample_data"), scale="small", seed=20220630)

``scale="small"`` is the committed demo set (sample_data/): the MECG pilot exactly as the source report gives it,
plus the harmless mess of real returns and one broken return in ``broken/``. ``scale="national"`` is a benchmark set
of national size (about 0.5 million grant beneficiaries in all 148 districts, millions of payments); never commit it.
The same seed always gives the same cell values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .returns import SCALES, SampleBuilder

DEFAULT_SEED = 20220630

__all__ = ["DEFAULT_SEED", "SCALES", "generate"]


def generate(
    out_dir: Path, scale: str = "small", seed: int = DEFAULT_SEED, progress: Callable[[float, str], None] | None = None
) -> list[Path]:
    """Write one return per source (and the deliberate duplicate and broken returns) into ``out_dir``.

    Returns the paths written, in writing order. Existing files of the same names are overwritten; nothing else in
    ``out_dir`` is touched.
    """
    builder = SampleBuilder(scale, seed)
    out_dir = Path(out_dir)
    returns = builder.returns()
    paths = []
    for i, item in enumerate(returns):
        if progress:
            progress(i / len(returns), f"writing {item.file_name}")
        path = out_dir / item.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        item.write(path)
        paths.append(path)
    if progress:
        progress(1.0, f"{len(paths)} files written to {out_dir}")
    return paths
