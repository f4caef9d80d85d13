"""Keeping the catalog true: release sync from the deploy repositories' tags, link checks, chart data.

Each maintainer command lives in its own module here; the domain modules never import this package.
"""
