"""Pure DICOM code of the archive (pydicom, pynetdicom; no ORM): validate, de-identify, classify, store, serve."""
