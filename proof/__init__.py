"""Proof under load, faults and bad input (issue 7). `make proof` runs it all and prints one table."""
