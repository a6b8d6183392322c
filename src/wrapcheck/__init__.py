"""wrapcheck: a fact-checker for stock-market wraps."""

__version__ = "0.1.0"

__all__ = ["__version__", "validate_paths"]


def validate_paths(*args, **kwargs):
    """Validate session files or directories; returns a :class:`wrapcheck.model.Report`."""
    from wrapcheck.engine import validate_paths as _validate

    return _validate(*args, **kwargs)
