"""Moonshot AI (Kimi): its client, recorded cases, sandbox imitation and demo accounts."""
