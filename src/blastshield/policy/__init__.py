"""The policy: rules over effects, loaded from TOML, deciding each effect."""
