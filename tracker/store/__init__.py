"""The store: the bitemporal tables, the database they live in, and the upgrades of older schemas."""
