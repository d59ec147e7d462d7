"""gongfen (工分): work points + ranking for public-sector cadres."""

__version__ = "0.1.0"
