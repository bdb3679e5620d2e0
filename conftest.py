"""The root conftest: only registers the test plugin (tests/plugin.py), which points the services at the
test databases before any test module imports them."""

pytest_plugins = ["tests.plugin"]
