"""Least privilege that stays least: learn a minimal policy from the log, review grants against use."""
