"""The append-only audit log of changes to people, memberships and organisations."""
