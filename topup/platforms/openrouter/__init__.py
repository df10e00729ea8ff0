"""OpenRouter: its client (account credits, or one key's limit), cases, imitation and demo."""
