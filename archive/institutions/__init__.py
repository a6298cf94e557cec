"""The shared platform: institutions, their staff, and the helpers that scope staff queries."""
