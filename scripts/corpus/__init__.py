"""Synthetic training corpus for mailroom: realistic German/English business documents
with exact ground truth, as born-digital PDFs and degraded scans. See README.md."""
