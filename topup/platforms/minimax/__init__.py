"""MiniMax Coding Plan: client, recorded cases, sandbox imitation, demo account."""
