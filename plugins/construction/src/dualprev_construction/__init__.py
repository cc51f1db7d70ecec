"""dualprev industry pack: construction (建筑施工)."""

__all__ = ["__version__"]
__version__ = "0.1.0"
