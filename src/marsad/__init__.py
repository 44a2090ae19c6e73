"""Marsad: an observatory of digital rights and online harms."""

__version__ = "0.1.0"
