"""Where the rule modules (checks/) and schemas (schemas/) are, and loading them by path.

The repository keeps both folders at its top, where users look for them; an installed wheel carries
them as wrapcheck/_data/. Neither is an importable top-level package (both names are taken on PyPI).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from functools import cache
from pathlib import Path
from types import ModuleType

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    # A source checkout (src/wrapcheck -> repository top) first, so edits to checks/ take effect at once.
    for candidate in (_PACKAGE.parents[1] / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"wrapcheck cannot find its {name}/ folder (looked in {_PACKAGE / '_data'} and the repository)")


_LOADING = threading.RLock()  # a rule's prepare() may load a module in the background (engine.warm_up)


def load_module(path: Path, namespace: str) -> ModuleType:
    """Import a .py file under a private, unique module name (wrapcheck._loaded.<namespace>.<stem>)."""
    name = f"wrapcheck._loaded.{namespace}.{path.stem}"
    with _LOADING:  # never hand out a module another thread is still executing
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]  # a failed import leaves nothing half-made behind
            raise
        return module


def cache_dir() -> Path:
    """Where `wrapcheck data update` keeps fetched official data: $WRAPCHECK_CACHE_DIR if set, else the
    user's cache directory (platformdirs). Never inside the package: an installed copy may be read-only."""
    import os

    override = os.environ.get("WRAPCHECK_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("wrapcheck", appauthor=False))
