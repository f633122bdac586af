"""Data models of `curation`: the taxonomy and the DICOM archive."""

from .archive import IdentityLink, IngestJob, Instance, Patient, Rejection, Series, Study
from .node import DicomNode
from .taxonomy import Taxonomy, TaxonomyPublishedError, Trait, TraitGroup

__all__ = [
    "DicomNode",
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
