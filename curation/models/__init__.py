"""Data models of `curation`: the taxonomy and the DICOM archive."""

from .archive import IdentityLink, IngestJob, Instance, Patient, Rejection, Series, Study
from .taxonomy import Taxonomy, TaxonomyPublishedError, Trait, TraitGroup

__all__ = [
    "IdentityLink",
    "IngestJob",
    "Instance",
    "Patient",
    "Rejection",
    "Series",
    "Study",
    "Taxonomy",
    "TaxonomyPublishedError",
    "Trait",
    "TraitGroup",
]
