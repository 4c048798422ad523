"""briefing: news articles in, one briefing out, every statement cited to its exact source sentence."""

__version__ = "0.1.0"
