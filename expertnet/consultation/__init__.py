"""The consultation workflow: requests, panels, opinions, publication, the agency's response."""
