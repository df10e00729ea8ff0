"""PPIO: its client, its recorded cases, its sandbox imitation and its demo accounts."""
