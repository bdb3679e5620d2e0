"""Open data the platform publishes: 360Giving packages of awarded grants."""
