"""dualprev industry pack: chemical (化工)."""

__all__ = ["__version__"]
__version__ = "0.1.0"
