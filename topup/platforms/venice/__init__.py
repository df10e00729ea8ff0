"""Venice: its client (USD and DIEM balances), cases, imitation and demo accounts."""
