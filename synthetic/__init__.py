"""Synthetic source data: all eleven files of docs/sources.md, valid and deterministic.

``python -m synthetic --scale demo|medium|large --seed N --out DIR``
"""

from synthetic.generate import generate
from synthetic.scales import SCALES, Scale

__all__ = ["SCALES", "Scale", "generate"]
