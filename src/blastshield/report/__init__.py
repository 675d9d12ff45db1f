"""Reporters: turn plain-data results (decisions, findings) into text, JSON, SARIF, HTML."""
