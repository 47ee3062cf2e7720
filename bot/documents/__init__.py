"""Printed documents: invoices, credit notes and statements as PDFs (the shell side)."""
