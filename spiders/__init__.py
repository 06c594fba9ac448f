"""Spiders of nianbao: the configuration-driven column spider and its CMS platforms."""
