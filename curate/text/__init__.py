"""Shared text helpers for the cleaning steps: line explode/implode, the sentence
splitter expressions, and rule compilation. Everything here works on whole columns."""
