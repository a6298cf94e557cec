"""Bringing photographs and their catalogue records into the archive."""
