"""Pure statistics of multi-reader labeling (no Django): agreement, bootstrap, consensus rules, reader quality."""
