"""Deployment files: generate an override for an architecture, check one before an upgrade, inspect a customer's files.

data reads catalog/deploy/ (the chart's keys and the Compose file's services at every release);
generate, check and inspect are pure functions over that data and the catalog.
"""
