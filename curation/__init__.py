"""The DICOM archive and the taxonomy: the first layer of the data flow."""
