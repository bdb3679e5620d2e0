"""The shared domain kernel: money, credit codes, categories, domain errors, input checks."""
