"""dualprev industry pack: mining (矿山)."""

__all__ = ["__version__"]
__version__ = "0.1.0"
