"""Reading the store: what the tracker holds at a recorded time, as state, diffs, histories, browsing and briefings."""
