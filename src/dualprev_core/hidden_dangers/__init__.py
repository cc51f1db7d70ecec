"""The hidden-danger closed loop: events (``events``), guards and fold (``machine``), the ledger (``ledger``)."""

from dualprev_core.hidden_dangers.ledger import *  # noqa: F403
from dualprev_core.hidden_dangers.ledger import __all__ as __all__  # noqa: PLC0414
