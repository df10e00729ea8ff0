"""xAI: its client (prepaid team balance, management key), cases, imitation and demo."""
