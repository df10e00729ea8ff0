"""302.AI (provider name ``302ai``): its client, cases, imitation and demo accounts."""
