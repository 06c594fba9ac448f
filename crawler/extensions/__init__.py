"""Scrapy extensions of nianbao."""
