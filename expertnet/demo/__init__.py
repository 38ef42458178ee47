"""A realistic synthetic union for demonstrations, tests and benchmarks.

``generator`` builds it as plain data (no database); ``loader`` writes it in bulk.
"""
