"""AIHubMix (a new-api site): client, recorded cases, sandbox imitation, demo account."""
