"""Workshops: codes, participants, votes, reveal, consensus and their exports and charts."""
