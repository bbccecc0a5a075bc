"""ledger: a fact-check ledger for the numbers in the news."""

from ledger.extraction import EXTRACTOR_VERSION, extract
from ledger.models import Claim

__all__ = ["EXTRACTOR_VERSION", "Claim", "extract"]
__version__ = "0.1.0"
