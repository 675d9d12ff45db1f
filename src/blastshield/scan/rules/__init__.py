"""Rule families, one module each. Each module calls ``registry.declare`` for its rules."""
