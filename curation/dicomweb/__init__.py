"""DICOMweb (QIDO-RS, WADO-RS, WADO-URI, STOW-RS) over the archive."""
