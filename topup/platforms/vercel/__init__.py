"""Vercel AI Gateway: its client, recorded cases, sandbox imitation and demo accounts."""
