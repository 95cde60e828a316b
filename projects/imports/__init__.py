"""The programmation import: a CSV or XLSX file of funding lines, checked whole, then written
all at once (docs/import-format.md)."""
