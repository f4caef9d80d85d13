"""Rendering: terminal tables, Markdown reports and site pages from plain data."""
