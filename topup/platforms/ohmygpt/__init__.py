"""OhMyGPT: its client, recorded cases, sandbox imitation and demo account."""
