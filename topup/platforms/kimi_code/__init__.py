"""Kimi Code (the Kimi coding plan): client, recorded cases, sandbox imitation, demo account."""
