"""End-to-end tests: the Procfile's three processes, run by honcho, over real HTTP."""
