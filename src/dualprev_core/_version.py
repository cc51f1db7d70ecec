__version__ = "0.1.0"
#: The pack API version packs declare compatibility against (``core_api`` in a manifest).
CORE_API_VERSION = "1.0"
