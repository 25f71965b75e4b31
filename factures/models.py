"""FACTURES: invoices and credit notes with continuous numbering (to come)."""
