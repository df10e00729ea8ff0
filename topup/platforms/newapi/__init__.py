"""new-api / one-api relays: client, recorded cases, sandbox imitation, demo accounts."""
