"""A platform written by following the README's how-to: one folder, one registry line."""
