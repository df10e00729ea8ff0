"""AIProxy (aiproxy.io): its client, recorded cases, sandbox imitation and demo account."""
