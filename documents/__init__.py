"""The dossier's pieces (statuts, RIB, budget prévisionnel...): the checklist of required pieces
per porteur type and year, the upload (size, content, antivirus), the download through
permission-checked views, and the rescan of stored files."""
