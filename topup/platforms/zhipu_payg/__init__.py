"""Zhipu BigModel pay-as-you-go balance: client, recorded cases, imitation, demo account."""
