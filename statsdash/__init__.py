"""Statsdash: GA4 and YouTube Analytics reports for a network of sites and channels."""
