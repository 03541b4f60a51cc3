"""nemo: a scriptable command-line client for the NemoVideo AI video-editing service."""

__version__ = "0.1.0"
