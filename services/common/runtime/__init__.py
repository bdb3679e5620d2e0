"""The process: settings, tokens, the service definition, serving, workers, metrics."""
