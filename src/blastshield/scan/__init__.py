"""The gate: scan what the agent wrote for vulnerabilities, secrets and bad dependencies."""
