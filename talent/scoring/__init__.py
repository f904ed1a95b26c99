"""talent.scoring: the graduate–job similarity model (a pure library: no Flask, no SQLAlchemy).

Public API (see docs/matching.md): load_majors, MatchModel, save_model, load_model,
validate_job, validate_graduate, InvalidRecord, normalize_text; demo data in talent.scoring.demo.
"""

from talent.scoring.knowledge import Catalogue, Major, load_catalogues, load_majors
from talent.scoring.model import MatchModel
from talent.scoring.persistence import ModelFileRejected, load_model, save_model
from talent.scoring.records import InvalidRecord, validate_graduate, validate_job
from talent.scoring.text import normalize_text

__all__ = [
    "InvalidRecord",
    "Major",
    "MatchModel",
    "ModelFileRejected",
    "Catalogue",
    "load_catalogues",
    "load_majors",
    "load_model",
    "normalize_text",
    "save_model",
    "validate_graduate",
    "validate_job",
]
