"""The domain: issues, parties, stances, moves and evidence, and the rules holding them; no database, no screen."""
