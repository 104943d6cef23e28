"""lookback: the product's front (CLI, settings and secrets, report rendering, the API sandbox)."""

__version__ = "0.1.0"
