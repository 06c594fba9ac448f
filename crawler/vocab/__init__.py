"""The vocabulary floor: words, clock, errors, text helpers and plain records every layer may use.

Imports nothing else of the project (tests/test_architecture.py holds it so).
"""
