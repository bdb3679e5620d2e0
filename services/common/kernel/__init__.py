"""What everything else stands on: settings, the caller's identity, money, credit codes, categories,
domain errors, input checks."""
