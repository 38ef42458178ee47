"""The union's directory: organisations, the field taxonomy, people and memberships."""
