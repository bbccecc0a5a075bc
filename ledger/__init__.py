"""ledger: a fact-check ledger for the numbers in the news."""

from ledger.compiled import use_build

# before any of the extractor's modules is imported: compiled, or all of them pure (compiled.py)
COMPILED, BUILD = use_build()

from ledger.extraction import EXTRACTOR_VERSION, extract  # noqa: E402
from ledger.models import Claim  # noqa: E402

__all__ = ["BUILD", "COMPILED", "EXTRACTOR_VERSION", "Claim", "extract"]
__version__ = "0.1.0"
