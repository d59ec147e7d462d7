"""A synthetic but believable demo county (开化县) for gongfen, as a ``gongfen-bundle/1`` dict."""

from .generator import build_demo_bundle

__all__ = ["build_demo_bundle"]
