"""Synthetic source data: all eleven files of spec/sources.md, valid and deterministic.

``python -m dagster_project.synthetic --scale demo|medium|large --seed N --out DIR``
"""

from dagster_project.synthetic.generate import generate
from dagster_project.synthetic.scales import SCALES, Scale

__all__ = ["generate", "SCALES", "Scale"]
