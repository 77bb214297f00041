"""Tidings: an enterprise microblog (企業微博)."""
