"""Data models of `curation`: the taxonomy and the DICOM archive."""

from .taxonomy import Taxonomy, TaxonomyPublishedError, Trait, TraitGroup

__all__ = ["Taxonomy", "TaxonomyPublishedError", "Trait", "TraitGroup"]
