"""blastshield: least privilege, a flight recorder and a security gate for AI coding agents."""

__version__ = "0.1.0"
