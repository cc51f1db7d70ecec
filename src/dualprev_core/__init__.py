"""dualprev: China's dual prevention mechanism (双重预防机制) as a library."""
from ._version import CORE_API_VERSION, __version__

__all__ = ["__version__", "CORE_API_VERSION"]
