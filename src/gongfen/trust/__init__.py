"""Tamper evidence (issue 6): a Certificate-Transparency-style Merkle log of ledger events and publications."""
