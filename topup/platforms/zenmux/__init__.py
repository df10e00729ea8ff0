"""ZenMux: its client (PAYG balance, management key), cases, imitation and demo accounts."""
