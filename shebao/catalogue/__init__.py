"""The item catalogue: codes, names, groups and who may use each item — shared vocabulary below every domain app."""
