"""Management commands (interface): each parses its arguments and calls one service."""
