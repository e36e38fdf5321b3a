"""The terminal UI: a Textual front end over the same library functions as the CLI."""
