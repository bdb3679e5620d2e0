"""`make bench`: our gateway vs @apollo/gateway vs the subgraphs directly (see run.py)."""
