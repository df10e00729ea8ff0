"""topup: every LLM API balance you hold, checked at once, correctly."""
