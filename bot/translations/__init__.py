"""Translators' tools: check locale files, count what each language costs, exchange PO/XLIFF."""
