"""Scenario files: loading, line tracking and the schema."""
