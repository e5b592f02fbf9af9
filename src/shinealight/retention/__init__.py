"""Retention classes, review dates, legal holds, deletion with tombstones, subject access."""
