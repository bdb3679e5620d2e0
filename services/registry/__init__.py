"""The organization registry: districts, social organizations, community service stations."""
