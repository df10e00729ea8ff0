"""Zhipu BigModel GLM Coding Plan: client, recorded cases, sandbox imitation, demo account."""
