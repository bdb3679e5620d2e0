"""Venture-philanthropy funding: rounds, needs, the project library, review, notice, award, delivery, recovery."""
